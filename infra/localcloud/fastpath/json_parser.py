"""moto's JSON-protocol request parser without its per-member cost, same parameters out.

moto 5.2.5 parses every JSON request (DynamoDB, Step Functions, SSM, ...) by walking the operation's
input shape: for each structure it asks the value for every member the shape has, and finds the handler
of each node by building its name (`getattr(self, f"_parse_{type}")`). A DynamoDB attribute value is a
structure of ten members of which a request sets one, so a booking's items cost ten lookups per
attribute (5 % of the engine's CPU under the booking bench, in `BaseResponse.setup_class`).

Here each shape gets, once, a function that parses a node of it: a structure reads only the keys the
value has, through an index of its members' JSON names, and keeps the members it found in the shape's
order (moto's order); maps, lists and leaves do what moto's methods do. Any node that is not the plain
JSON type the shape expects (a string where a list is due, `null`, a document) goes to moto's own method
for that node, so bad input fails exactly as before.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, ClassVar

from moto.core import responses as moto_responses
from moto.core.parse import PROTOCOL_PARSERS, JSONParser, default_blob_parser, default_timestamp_parser

from localcloud.layer.patching import Patches

NodeParser = Callable[[Any], Any]


def _as_sent(node: Any) -> Any:
    return node


class FastJSONParser(JSONParser):
    """`JSONParser` with one compiled node parser per shape (moto's defaults: plain dicts, its blob and
    timestamp parsers); any other configuration parses as moto does."""

    _compiled: ClassVar[dict[int, tuple[Any, NodeParser]]] = {}
    _compile_lock = threading.RLock()
    _reference: ClassVar[JSONParser | None] = None  # moto's parser for the nodes the fast walk leaves

    def _parse_shape(self, shape: Any, node: Any) -> Any:
        if (
            self.MAP_TYPE is not dict
            or self._timestamp_parser is not default_timestamp_parser
            or self._blob_parser is not default_blob_parser
        ):
            return super()._parse_shape(shape, node)  # type: ignore[no-untyped-call]
        return self.node_parser(shape)(node)

    @classmethod
    def node_parser(cls, shape: Any) -> NodeParser:
        found = cls._compiled.get(id(shape))
        if found is not None and found[0] is shape:
            return found[1]
        with cls._compile_lock:
            found = cls._compiled.get(id(shape))
            if found is None or found[0] is not shape:
                found = cls._compiled[id(shape)] = (shape, cls._build(shape))  # the shape is kept: its id
            return found[1]

    @classmethod
    def _build(cls, shape: Any) -> NodeParser:
        """The shape's parser. botocore resolves a nested shape into a new object per level (an attribute
        value in a map in an attribute value), so members get theirs on first use, as deep as data go."""
        if cls._reference is None:
            cls._reference = JSONParser(None)  # type: ignore[arg-type]  # its node methods need no operation
        reference = cls._reference
        kind = shape.type_name
        node_parser = cls.node_parser

        def moto(node: Any) -> Any:
            return reference._parse_shape(shape, node)  # type: ignore[no-untyped-call]

        if kind == "structure" and not shape.is_document_type:
            members = list(shape.members.items())
            names = [member.serialization.get("name", name) for name, member in members]
            if len(set(names)) < len(names):
                return moto  # two members under one JSON name: moto decides
            # JSON name -> (place in the shape, member name, member shape, [its parser, once asked]).
            index: dict[str, tuple[int, str, Any, list[NodeParser]]] = {
                json_name: (position, name, member, [])
                for position, ((name, member), json_name) in enumerate(zip(members, names, strict=True))
            }

            def parse_structure(node: Any) -> Any:
                if type(node) is not dict:
                    return moto(node)
                present = []
                for key, raw in node.items():
                    entry = index.get(key)
                    if entry is not None and raw is not None:
                        present.append((entry, raw))
                if len(present) > 1:
                    present.sort(key=lambda found: found[0][0])
                parsed: dict[str, Any] = {}
                for (_, name, member, kept), raw in present:
                    if not kept:
                        kept.append(node_parser(member))  # the member shape's parser, as node_parser keeps it
                    parsed[name] = kept[0](raw)
                return parsed

            return parse_structure
        if kind == "map":
            key_shape, value_shape = shape.key, shape.value

            def parse_map(node: Any) -> Any:
                if type(node) is not dict:
                    return moto(node)
                parse_key, parse_value = node_parser(key_shape), node_parser(value_shape)
                return {parse_key(key): parse_value(value) for key, value in node.items()}

            return parse_map
        if kind == "list":
            member_shape = shape.member

            def parse_list(node: Any) -> Any:
                if type(node) is not list:
                    return moto(node)
                parse_member = node_parser(member_shape)
                return [parse_member(item) for item in node]

            return parse_list
        if not hasattr(reference, f"_parse_{kind}"):
            return _as_sent  # moto's `_default_handle` (strings, booleans)
        return moto


def patch_json_parser(patches: Patches) -> None:
    """Every JSON-protocol request moto parses goes through `FastJSONParser`."""
    parsers = {**PROTOCOL_PARSERS}
    if parsers.get("json") is JSONParser:
        parsers["json"] = FastJSONParser
    patches.replace(moto_responses, "PROTOCOL_PARSERS", parsers)


__all__ = ["FastJSONParser", "patch_json_parser"]
