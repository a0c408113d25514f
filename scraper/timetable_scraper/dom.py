"""A small HTML tree with CSS-selector lookup, so saved pages parse the same way as live ones.

The scraper lets Chromium run the site and then parses the HTML it rendered with this module: one
parsing path for live pages and for the saved pages the unit tests read, and no HTML library to
install. Selectors are the subset the timetable pages need: `tag`, `.class`, `#id`, `[attr]`,
`[attr=value]`, compounds of those (`span.a.b`) and the descendant combinator (a space).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

# Elements that never have a closing tag.
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)
_SIMPLE = re.compile(r"([a-zA-Z][\w-]*)|\.([\w-]+)|#([\w-]+)|\[([\w-]+)(?:=\"?([^\]\"]*)\"?)?\]")


@dataclass(eq=False)
class Element:
    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)
    parent: Element | None = None

    @property
    def classes(self) -> frozenset[str]:
        return frozenset(self.attrs.get("class", "").split())

    def text(self) -> str:
        """Visible text with runs of white space collapsed, as a person reads it."""
        parts: list[str] = []
        self._collect(parts)
        return " ".join("".join(parts).split())

    def _collect(self, parts: list[str]) -> None:
        for child in self.children:
            if isinstance(child, str):
                parts.append(child)
            else:
                parts.append(" ")
                child._collect(parts)
                parts.append(" ")

    def descendants(self) -> Iterator[Element]:
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.descendants()

    def select(self, selector: str) -> list[Element]:
        """Every descendant matching `selector`, in document order."""
        steps = [_Compound.parse(part) for part in selector.split()]
        return [el for el in self.descendants() if _matches_chain(el, steps, self)]

    def select_one(self, selector: str) -> Element | None:
        found = self.select(selector)
        return found[0] if found else None


@dataclass(frozen=True)
class _Compound:
    tag: str | None
    classes: frozenset[str]
    id: str | None
    attrs: tuple[tuple[str, str | None], ...]

    @classmethod
    def parse(cls, text: str) -> _Compound:
        tag: str | None = None
        classes: set[str] = set()
        ident: str | None = None
        attrs: list[tuple[str, str | None]] = []
        pos = 0
        while pos < len(text):
            match = _SIMPLE.match(text, pos)
            if match is None:
                raise ValueError(f"unsupported selector {text!r}")
            name, cls_name, id_name, attr, value = match.groups()
            if name:
                tag = name.lower()
            elif cls_name:
                classes.add(cls_name)
            elif id_name:
                ident = id_name
            else:
                attrs.append((attr, value))
            pos = match.end()
        return cls(tag, frozenset(classes), ident, tuple(attrs))

    def matches(self, el: Element) -> bool:
        if self.tag is not None and el.tag != self.tag:
            return False
        if self.id is not None and el.attrs.get("id") != self.id:
            return False
        if not self.classes <= el.classes:
            return False
        return all(
            name in el.attrs and (value is None or el.attrs[name] == value) for name, value in self.attrs
        )


def _matches_chain(el: Element, steps: list[_Compound], root: Element) -> bool:
    if not steps[-1].matches(el):
        return False
    remaining = steps[:-1]
    node = el.parent
    while remaining and node is not None and node is not root:
        if remaining[-1].matches(node):
            remaining = remaining[:-1]
        node = node.parent
    return not remaining


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self._open = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        el = Element(tag, {k: v or "" for k, v in attrs}, parent=self._open)
        self._open.children.append(el)
        if tag not in _VOID:
            self._open = el

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._open.children.append(Element(tag, {k: v or "" for k, v in attrs}, parent=self._open))

    def handle_endtag(self, tag: str) -> None:
        # Browsers forgive unclosed tags; close up to the nearest open element of this name.
        node: Element | None = self._open
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self._open = node.parent

    def handle_data(self, data: str) -> None:
        if self._open.tag not in ("script", "style"):
            self._open.children.append(data)


def parse_html(html: str) -> Element:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root
