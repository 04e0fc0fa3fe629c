"""The direct YAML writer of build output gives exactly PyYAML's bytes, and plans take the direct path."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.core import yamlout
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.pipeline import plan

from conftest import SHIPPED

# Strings a YAML writer must take care with: numbers, dates, booleans, indicators, spaces, long prose.
TRICKY = st.sampled_from(
    ["yes", "No", "nO", "ON", "null", "~", "", "0", "007", "0x1F", "1e3", "1.5", ".inf", "2026-11-29", "12:30", "- x",
     "a: b", "a #b", "#x", "{{ v }}", "[x]", "'q'", '"q"', " lead", "trail ", "a  b", "line\nbreak", "tab\tx", "é ñ",
     "10.0.0.1/30", "ios_xe", "=", "<<", "@x", "%x", "!x", "&x", "*x", "|", ">", "?", ","]
)
WORDS = st.text(st.sampled_from("abcXYZ019 .-_/:#'\"é"), max_size=12)
PROSE = st.lists(st.text("abcdefghij", min_size=1, max_size=14), min_size=20, max_size=40).map(" ".join)
SCALARS = st.one_of(TRICKY, WORDS, PROSE, st.integers(-(10**20), 10**20), st.booleans(), st.none())
KEYS = st.one_of(st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True), TRICKY, WORDS)
DATA = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=4)),
    max_leaves=30,
)


def pyyaml(data: Any) -> str:
    """The reference: PyYAML's safe dumper (libyaml's emitter when present) with the build's options."""
    return yaml.dump(data, Dumper=yamlout._Dumper, explicit_start=True, **yamlout.OPTIONS)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(KEYS, DATA, min_size=1, max_size=6))
def test_direct_writer_gives_pyyaml_bytes(data: dict[str, Any]) -> None:
    assert yamlout.dump(data) == pyyaml(data)


@settings(max_examples=60, deadline=None)
@given(st.one_of(DATA, st.dictionaries(st.integers(), DATA, min_size=1, max_size=3), st.just({})))
def test_anything_else_goes_to_pyyaml_unchanged(data: Any) -> None:
    assert yamlout.dump(data) == pyyaml(data)


def test_long_prose_is_folded_where_pyyaml_folds_it() -> None:
    data = {"management": {"banner": ("Authorised access only. " * 12).strip(), "items": ["word " * 40 + "end"]}}
    text = yamlout.direct(data)
    assert text is not None and text == pyyaml(data)
    assert max(len(line) for line in text.splitlines()) < 180 and text.count("\n") > 4


def test_every_shipped_plan_takes_the_direct_path() -> None:
    """The speed is real only if plans do not fall back to PyYAML: every shipped device's plan is written directly."""
    states = plan(SHIPPED).states
    for hostname, state in states.items():
        text = yamlout.direct(state)
        assert text is not None, f"{hostname}'s plan fell back to PyYAML"
        assert text == pyyaml(state), hostname
