"""Deterministic YAML for build output: block style, no aliases, keys in the order they were made."""

from __future__ import annotations

from typing import Any

import yaml

_Base: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _Dumper(_Base):  # type: ignore[misc, valid-type]
    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump(data: Any) -> str:
    """Render data as a YAML document that starts with '---'."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, default_flow_style=False, explicit_start=True, allow_unicode=True, width=160)
