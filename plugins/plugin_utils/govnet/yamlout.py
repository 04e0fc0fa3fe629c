"""Deterministic YAML for build output: block style, no aliases, keys in the order they were made.

Plans hold hundreds of thousands of scalars, so the two Python-side steps of PyYAML are made short for
the plain types plans are made of (dict, list, str, int, bool, None): nodes are built directly, with the
tags and styles PyYAML's safe representer gives them, and implicit-tag resolution is remembered per
scalar (the dumper has no path-dependent resolvers, so it depends on the scalar alone). Any other type
goes through PyYAML unchanged. The output is byte for byte what yaml.dump with the same options gives.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

_Base: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_STR, _INT, _BOOL, _NULL = (f"tag:yaml.org,2002:{name}" for name in ("str", "int", "bool", "null"))
_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"


@lru_cache(maxsize=1 << 16)
def _resolve_scalar(value: str, implicit: tuple[bool, bool]) -> str:
    return yaml.resolver.BaseResolver.resolve(_RESOLVER, ScalarNode, value, implicit)


class _Dumper(_Base):  # type: ignore[misc, valid-type]
    def ignore_aliases(self, data: Any) -> bool:
        return True

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is ScalarNode:
            return _resolve_scalar(value, tuple(implicit))
        return super().resolve(kind, value, implicit)

    def represent_data(self, data: Any) -> Node:
        kind = type(data)
        if kind is str:
            return ScalarNode(_STR, data)
        if kind is dict:
            return MappingNode(_MAP, [(self.represent_data(key), self.represent_data(value)) for key, value in data.items()], flow_style=False)
        if kind is list:
            return SequenceNode(_SEQ, [self.represent_data(item) for item in data], flow_style=False)
        if kind is int:
            return ScalarNode(_INT, str(data))
        if kind is bool:
            return ScalarNode(_BOOL, "true" if data else "false")
        if data is None:
            return ScalarNode(_NULL, "null")
        return super().represent_data(data)


_RESOLVER = _Dumper(None)


def dump(data: Any) -> str:
    """Render data as a YAML document that starts with '---'."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, default_flow_style=False, explicit_start=True, allow_unicode=True, width=160)
