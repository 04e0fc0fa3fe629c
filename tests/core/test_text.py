"""Safe text (core/text.py): what each kind of text admits, and the escapers that keep a value on one line and
inside the quoted string or comment it is written into, whatever got past the schema."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.core.text import (
    ascii_line, check_text, dbtext, is_invisible, one_line, quoted, sh_double_quoted, xml_comment,
)  # fmt: skip


def test_names_admit_any_script_and_a_little_punctuation() -> None:
    for name in ("Ofisi ya Rais - TAMISEMI", "Wizara ya Kilimo (Dodoma)", "Zanzibar's Office", "Ünïcode Äddress"):
        assert check_text(name, "name") is None, name


@pytest.mark.parametrize(
    ("value", "kind", "message"),
    [
        (7, "name", "must be a text"),
        ("   ", "name", "must be a non-empty text"),
        ("x" * 121, "name", "is 121 characters long, more than the 120 allowed"),
        ("Ministry\nof Finance", "name", "holds the control character"),
        ("Mini\u202estry", "name", "holds the control character"),
        ("{{ lookup('pipe', 'id') }}", "description", "holds template markup '{{'"),
        (" padded", "name", "starts or ends with a space"),
        ("vlan name", "short", "holds"),
        ("Data", "token", "may not start with 'D'"),
        ("data-x", "token", "holds '-', which is not allowed here"),
        ("-data", "short", "may not start with '-'"),
    ],
)
def test_what_a_kind_of_text_refuses_is_named(value: object, kind: str, message: str) -> None:
    found = check_text(value, kind)
    assert found is not None and found[0].startswith(message), found


def test_invisible_characters() -> None:
    assert all(is_invisible(char) for char in "\x00\x1b\n\r\t\x7f\x85\u200b\u200f\u202e\u2028\u2029\ufeff")
    assert not any(is_invisible(char) for char in "aZ09 -_'é–")


def test_one_line_leaves_admitted_text_alone_and_breaks_lines_and_markup() -> None:
    assert one_line("Ministry of Finance") == "Ministry of Finance"
    assert one_line("a\nb\r\nc\u2028d") == "a b  c d"
    assert one_line("a\u200bb\u202ec") == "abc"
    assert one_line("{{ x }} {% if %} {# c #}") == "{ { x }} { % if %} { # c #}"
    assert one_line("{{{{") == "{ { { {"


def test_escapers_keep_a_value_inside_its_string_or_comment() -> None:
    assert quoted('say "hi" \\ bye\n') == 'say \\"hi\\" \\\\ bye '
    assert sh_double_quoted('$(id) `id` "q" \\') == '\\$(id) \\`id\\` \\"q\\" \\\\'
    assert xml_comment("a--b---") == "a- -b- - - "
    assert dbtext("a:b\\c\nd\te") == "a\\:b\\\\c\\nd\\te"


def test_an_ios_xe_line_is_printable_ascii_without_braces_and_cut_at_its_limit() -> None:
    assert ascii_line("Wizara ya Fedha – Dodoma", 60) == "Wizara ya Fedha ? Dodoma"
    assert ascii_line("Zürich\tBüro", 60) == "Zurich Buro"
    assert ascii_line("{{ vault }}", 60) == "(( vault ))"
    assert ascii_line("a" * 10 + "   " + "b" * 10, 12) == "a" * 10, "cut after the last whole word"
    assert ascii_line("a" * 20, 12) == "a" * 12, "one word too long is cut at the limit"
    assert ascii_line("EMERGENCY 112 National emergency number (police, fire, ambulance)", 64) == "EMERGENCY 112 National emergency number"
    assert ascii_line("a" * 10 + " " + "b" * 10, 11) == "a" * 10, "no space left at the cut"


@given(st.lists(st.text(alphabet="ab()", min_size=1, max_size=8), min_size=1, max_size=12), st.integers(min_value=1, max_value=40))
def test_a_cut_line_keeps_whole_words_and_closes_what_it_opens(words: list[str], limit: int) -> None:
    line = " ".join(words)
    cut = ascii_line(line, limit)
    assert len(cut) <= limit and line.startswith(cut)
    if len(line) > limit:
        assert line[len(cut)] == " " or " " not in cut, "ends at a word, unless the first word had to be cut"
        unclosed: list[int] = []
        for index, char in enumerate(cut):
            if char == "(":
                unclosed.append(index)
            elif char == ")" and unclosed:
                unclosed.pop()
        assert unclosed[:1] in ([], [0]), "no parenthesis left open, unless the cut starts with it"
