"""Deterministic YAML for build output: block style, no aliases, keys in the order they were made.

Plans hold hundreds of thousands of scalars. A plan made of the plain types (a dict of dict, list, str,
int, bool, None) is written directly as lines: the layout of PyYAML's block style is simple, and how a
scalar is written (plain, quoted) depends only on the scalar while its line fits the width, so PyYAML is
asked once per distinct scalar. Anything else (another type, a line that PyYAML would fold, a key that is
not a simple one) goes through PyYAML whole. The output is byte for byte what yaml.dump with the same
options gives; tests/core/test_yamlout.py checks that on arbitrary data.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import yaml

_Base: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
OPTIONS: dict[str, Any] = {"sort_keys": False, "default_flow_style": False, "allow_unicode": True, "width": 160}
# PyYAML folds a plain scalar at a single space once its line has passed the width; a quoted scalar on a
# line longer than _FITS goes to PyYAML. A key longer than 128 characters is not a simple key.
_WIDTH = OPTIONS["width"]
_UNFOLDED = {**OPTIONS, "width": 1 << 20}  # a scalar on its own, never folded
_FITS = 150
_KEY_LIMIT = 100
_SPACES = re.compile(r"( +)")
# Strings PyYAML writes plain unless they read as another type (a number, a date, true, null): letters,
# digits and a few marks that are never YAML indicators, with no space at either end.
_SAFE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._/ -]*[A-Za-z0-9._/])?\Z")
_STR_TAG = "tag:yaml.org,2002:str"
_RESOLVER = yaml.resolver.Resolver()
_WORDS = frozenset(("yes", "no", "true", "false", "on", "off", "null"))  # a string starting with a letter reads as a bool or null only as one of these


class _Dumper(_Base):  # type: ignore[misc, valid-type]
    def ignore_aliases(self, data: Any) -> bool:
        return True


class _Unfit(Exception):
    """Raised inside the direct writer when PyYAML must write the document."""


@lru_cache(maxsize=1 << 16)
def _string(value: str) -> str:
    """A string as PyYAML writes it as a block sequence item (its style does not depend on the line)."""
    text = yaml.dump([value], Dumper=_Dumper, **_UNFOLDED)
    if not text.startswith("- ") or text.count("\n") != 1:
        raise _Unfit(value)
    return text[2:-1]


def _scalar(value: Any) -> str:
    kind = type(value)
    if kind is str:
        return _string(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if value is None:
        return "null"
    raise _Unfit(kind)


@lru_cache(maxsize=1 << 16)
def _is_plain(value: str) -> bool:
    if _SAFE.match(value):
        if value[0].isalpha() and value.lower() not in _WORDS:
            return True
        return _RESOLVER.resolve(yaml.ScalarNode, value, (True, False)) == _STR_TAG
    return _string(value) == value


@lru_cache(maxsize=1 << 12)
def _key(key: Any) -> str:
    if not isinstance(key, str) or not key or len(key) > _KEY_LIMIT:
        raise _Unfit(key)
    return _string(key)


def _line(lines: list[str], text: str) -> None:
    if len(text) > _FITS:
        raise _Unfit(text)
    lines.append(text)


def _value(lines: list[str], head: str, value: Any, indent: int) -> None:
    """`head` (a key and colon, or a dash) followed by value, which may open a nested block."""
    kind = type(value)
    if kind is dict and value:
        lines.append(head)
        _mapping(lines, value, indent + 2)
    elif kind is list and value:
        lines.append(head)
        _sequence(lines, value, indent)
    elif kind is dict:
        _line(lines, head + " {}")
    elif kind is list:
        _line(lines, head + " []")
    elif kind is str and _is_plain(value):
        if len(head) + len(value) < _WIDTH:
            lines.append(f"{head} {value}")
        else:
            _plain(lines, head, value, indent + 2)
    else:
        _line(lines, f"{head} {_scalar(value)}")


def _plain(lines: list[str], head: str, text: str, indent: int) -> None:
    """A plain scalar after head, folded as PyYAML folds it: at a single space once past the width."""
    parts = [head, " "]
    column = len(head) + 1
    for token in _SPACES.split(text):
        if token == " " and column > _WIDTH:
            lines.append("".join(parts))
            parts, column = [" " * indent], indent
        else:
            parts.append(token)
            column += len(token)
    lines.append("".join(parts))


def _mapping(lines: list[str], data: dict[Any, Any], indent: int) -> None:
    pad = " " * indent
    for key, value in data.items():
        _value(lines, f"{pad}{_key(key)}:", value, indent)


def _sequence(lines: list[str], data: list[Any], indent: int) -> None:
    """A sequence under a mapping key is not indented (PyYAML's 'indentless' block sequence)."""
    dash = " " * indent + "-"
    for item in data:
        kind = type(item)
        if (kind is dict or kind is list) and item:
            start = len(lines)
            if kind is dict:
                _mapping(lines, item, indent + 2)
            else:
                _sequence(lines, item, indent + 2)
            lines[start] = dash + lines[start][indent + 1 :]
        else:
            _value(lines, dash, item, indent)


def direct(data: Any) -> str | None:
    """The document written line by line, or None when PyYAML must write it."""
    if not isinstance(data, dict) or not data:
        return None
    lines = ["---"]
    try:
        _mapping(lines, data, 0)
    except _Unfit:
        return None
    lines.append("")
    return "\n".join(lines)


def dump(data: Any) -> str:
    """Render data as a YAML document that starts with '---'."""
    text = direct(data)
    return text if text is not None else yaml.dump(data, Dumper=_Dumper, explicit_start=True, **OPTIONS)
