"""The small HTML tree the parser reads pages with: the selectors the page contract uses."""

from __future__ import annotations

from timetable_scraper.dom import parse_html

PAGE = """<div id="main" class="a"><p class="x y">one <b>bold</b></p><input type="text" name="q">
<ul><li class="item">1</li><li class="item on" data-k="v">2</li></ul><p class="x">two</p></div>"""


def test_compound_descendant_and_attribute_selectors_match_in_document_order() -> None:
    root = parse_html(PAGE)

    assert [p.text() for p in root.select("p.x")] == ["one bold", "two"]
    assert [li.text() for li in root.select("#main ul li.item")] == ["1", "2"]
    assert [li.text() for li in root.select("li[data-k=v]")] == ["2"]
    assert root.select_one("div.a p.x.y b") is not None
    assert root.select_one("ul p") is None


def test_void_elements_do_not_swallow_their_siblings() -> None:
    root = parse_html(PAGE)

    ul = root.select_one("ul")
    assert ul is not None and ul.parent is root.select_one("#main")
