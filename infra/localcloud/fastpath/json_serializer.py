"""moto's JSON-protocol response serializer without its per-attribute cost, same bytes out.

moto 5.2.5 serializes every answer (DynamoDB, Step Functions, SSM, ...) by walking the operation's
output shape and, for each member, asking an `XFormedAttributePicker` which key of the result holds it:
six alias providers are instantiated and `botocore.xform_name` runs per member, per item, per request
(18 % of the engine's CPU under the booking bench). For a plain `dict` the picker's answer depends only
on the shape, so here the candidate keys of each structure member are computed once per shape and the
walk applies the same conversions as `BaseJSONSerializer`. Anything else (a model object where a
structure is expected, an error, an event stream, response transformers, pretty printing) falls back
to moto's serializer, which then answers exactly as before.
"""

from __future__ import annotations

import json
import threading
from enum import Enum
from typing import Any, ClassVar

from botocore import xform_name
from moto.core import responses as moto_responses
from moto.core.serialize import (
    JSONSerializer,
    ResponseDict,
    TimestampSerializer,
    XFormedAttributePicker,
    get_serializer_class,
)

from localcloud.fastpath.item_answers import ITEM_SHAPE, ItemAnswer, Splices
from localcloud.layer.patching import Patches

Plan = list[tuple[str, Any, tuple[str, ...]]]


class _Unsupported(Exception):
    """A value this walk does not handle: moto's serializer answers instead."""


def _aliases(key: str, member: Any, parent: Any) -> list[str]:
    """The keys moto's alias providers offer for `key` of a `dict`, in their order (serialize.py)."""
    aliases = []
    # ExplicitAlias: a dict has no Meta.
    if member.type_name in ("list", "structure") and member.name not in parent.members and key != member.name:
        aliases.append(member.name)  # ShapeNameAlias
    aliases.append(key)  # NoAlias
    prefixed = parent.type_name == "structure" and key.lower().startswith(parent.name.lower())
    if prefixed and key[len(parent.name) :] not in parent.members:
        aliases.append(key[len(parent.name) :])  # ShapePrefixAlias
    if key.lower().startswith("dict"):
        aliases.append(key[len("dict") :])  # ClassPrefixAlias (the object's class is dict)
    if member.serialization.get("name", key) != key:
        aliases.append(member.serialization["name"])  # ModelAlias
    candidates: list[str] = []
    for alias in aliases:
        candidates += [alias, xform_name(alias)]  # XFormedAttributePicker tries both, in this order
    if any("." in candidate for candidate in candidates):
        raise _Unsupported(key)  # moto would read a dotted path
    return candidates


class FastJSONSerializer(JSONSerializer):
    """`JSONSerializer` whose result walk reads plain dicts through precomputed candidate keys."""

    _plans: ClassVar[dict[int, tuple[Any, Plan]]] = {}
    _plans_lock = threading.Lock()
    _timestamps = TimestampSerializer(JSONSerializer.DEFAULT_TIMESTAMP_FORMAT)

    _splices: Splices | None = None

    def _serialize_result(self, resp: ResponseDict, result: Any) -> ResponseDict:
        self._splices = None
        picker = self._value_picker
        if type(picker) is not XFormedAttributePicker or picker.response_transformers or self.pretty_print:
            return super()._serialize_result(resp, result)
        output_shape: Any = self.operation_model.output_shape
        serialized: dict[str, Any] = {}
        if output_shape is not None:
            self._splices = Splices()
            try:
                self._walk(serialized, result, output_shape, "")
            except _Unsupported:
                self._splices = None
                return super()._serialize_result(resp, result)
        return self._serialized_result_to_response(resp, result, output_shape, serialized)

    def _serialize_body(self, body: Any) -> str:
        text: str = super()._serialize_body(body)
        return text if self._splices is None else self._splices.spliced(text)

    def _item(self, answer: ItemAnswer, shape: Any, key: str) -> str:
        """A stored item's part of the answer: its mark, for the text of its walk (made once per item)."""
        if answer.text is None:
            walked: dict[str, Any] = {}
            self._map(walked, answer, shape, key)
            answer.text = json.dumps(walked[shape.serialization.get("name", key)])
        assert self._splices is not None
        return self._splices.mark(answer.text)

    def _map(self, out: dict[str, Any], value: Any, shape: Any, key: str) -> None:
        mapped: dict[str, Any] = {}
        out[shape.serialization.get("name", key)] = mapped
        for sub_key, sub_value in value.items():
            self._walk(mapped, sub_value, shape.value, sub_key)

    @classmethod
    def _plan(cls, shape: Any) -> Plan:
        found = cls._plans.get(id(shape))
        if found is not None and found[0] is shape:
            return found[1]
        plan: Plan = []
        for key, member in shape.members.items():
            member.parent = shape  # what moto's walk sets before asking the picker
            plan.append((key, member, tuple(_aliases(key, member, shape))))
        with cls._plans_lock:
            cls._plans[id(shape)] = (shape, plan)  # the shape is kept, so its id stays its own
        return plan

    def _walk(self, out: dict[str, Any], value: Any, shape: Any, key: str) -> None:
        """`ResponseSerializer._serialize` for the JSON protocol, type by type."""
        kind = shape.type_name
        name = shape.serialization.get("name", key)
        if kind == "structure":
            if shape.is_document_type:
                out[key] = value
                return
            if value is None:
                return
            if type(value) is not dict:
                raise _Unsupported(kind)
            wrapper: dict[str, Any] = {} if key else out
            for member_key, member, candidates in self._plan(shape):
                member_value = None
                for candidate in candidates:
                    if candidate in value:
                        member_value = value[candidate]
                        break
                if member_value is not None:
                    self._walk(wrapper, member_value, member, member_key)
            if key:
                out[name] = wrapper
        elif kind == "map":
            if type(value) is ItemAnswer and shape.name == ITEM_SHAPE and self._splices is not None:
                out[name] = self._item(value, shape, key)
            else:
                self._map(out, value, shape, key)
        elif kind == "list":
            items = []
            member = shape.member
            item_key = member.name
            for item in value:
                wrapped: dict[str, Any] = {}
                self._walk(wrapped, item, member, item_key)
                items.append(wrapped.get(item_key, item))
            out[name] = items
        elif kind == "string":
            if isinstance(value, Enum):
                value = value.value
            out[name] = str(value) if value not in [None, {}, []] else value
        elif kind in ("integer", "long"):
            out[name] = int(value)
        elif kind in ("float", "double"):
            out[name] = float(value)
        elif kind == "blob":
            out[name] = self._base64(value)
        elif kind == "timestamp":
            converted: dict[str, Any] = {}
            self._timestamps.serialize(converted, value, shape, "timestamp")
            out[name] = converted["timestamp"]
        else:  # boolean and anything moto writes as it is
            out[name] = value


def _fast_serializer_class(service_name: str, protocol: str) -> type[Any]:
    chosen = get_serializer_class(service_name, protocol)
    return FastJSONSerializer if chosen is JSONSerializer else chosen


def patch_json_serializer(patches: Patches) -> None:
    """Every JSON-protocol answer of moto's responses goes through `FastJSONSerializer`."""
    patches.replace(moto_responses, "get_serializer_class", _fast_serializer_class)


__all__ = ["FastJSONSerializer", "patch_json_serializer"]
