"""Text escaped for the published documents (publish/escape.py): invisible characters shown, CSV cells that no
spreadsheet runs, Markdown that stays one cell without markup, DOT strings that stay one string."""

from __future__ import annotations

import pytest

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.publish.escape import REPLACEMENT, csv_cell, dot_string, markdown_text, visible


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\r", "\n", "\t", "\u202e", "\u2028", "\u2029", "\u200b", "\ufeff", "\x85"])
def test_an_invisible_character_is_shown_not_dropped(char: str) -> None:
    assert visible(f"a{char}b") == f"a{REPLACEMENT}b"


def test_visible_keeps_what_it_is_told_to_and_reads_none_as_empty() -> None:
    assert visible("a\nb\tc", keep="\n") == f"a\nb{REPLACEMENT}c"
    assert (visible(None), visible(12), visible("Wizara ya Fedha – Dodoma")) == ("", "12", "Wizara ya Fedha – Dodoma")


@pytest.mark.parametrize("cell", ["=HYPERLINK(\"http://x\")", "+1+2", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_a_csv_cell_that_a_spreadsheet_would_run_is_quoted(cell: str) -> None:
    escaped = csv_cell(cell)
    assert escaped.startswith("'") and "\t" not in escaped and "\r" not in escaped


def test_other_csv_cells_keep_their_text_on_one_line() -> None:
    assert csv_cell("Ministry of Finance, Dodoma") == "Ministry of Finance, Dodoma"
    assert csv_cell("line\nbreak") == f"line{REPLACEMENT}break"
    assert (csv_cell(None), csv_cell(255)) == ("", "255")


def test_markdown_text_is_one_cell_without_markup() -> None:
    assert markdown_text("a | b") == "a \\| b"
    assert markdown_text("<script>alert(1)</script>") == "\\<script\\>alert(1)\\</script\\>"
    assert markdown_text("[click](http://x) *bold* `code` & more") == "\\[click\\](http://x) \\*bold\\* \\`code\\` \\& more"
    assert markdown_text("# heading") == "\\# heading"
    assert markdown_text("two\nlines\r\nand\ttab") == "two lines and tab"


def test_markdown_escapes_an_underscore_only_where_it_could_emphasise() -> None:
    assert markdown_text("region_summary") == "region_summary"
    assert markdown_text("_emphasis_ here") == "\\_emphasis\\_ here"


def test_a_dot_string_stays_one_quoted_string() -> None:
    assert dot_string('core "hub" \\ Dodoma') == '"core \\"hub\\" \\\\ Dodoma"'
    assert dot_string("two\nlines") == '"two\\nlines"'
    assert dot_string("bad\x1bchar") == f'"bad{REPLACEMENT}char"'
