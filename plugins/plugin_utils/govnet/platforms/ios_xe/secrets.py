"""Secret-bearing lines of a rendered IOS-XE configuration, kept apart from the idempotent push.

A device shows a secret back only hashed or hidden (``secret 9 $9$…``, ``key 7 …``, SNMPv3 users not at
all), so a line that carries a vault reference never matches the running configuration and would be pushed
on every deploy. Deploy therefore pushes the configuration without those lines every time, and the lines
themselves, each under its parents, only when asked to (first provisioning or secret rotation).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

from ...core.text import VAULT_REFERENCE


@dataclass(frozen=True)
class SecretSplit:
    """A configuration in two parts: everything but the secret lines, and those lines under their parents."""

    plain: str
    secrets: str


def _depth(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _text(lines: list[str]) -> str:
    return "\n".join(lines) + "\n" if lines else ""


def split_secrets(config: str) -> SecretSplit:
    """Split a rendered configuration; parents of a secret line stay in both parts, in their order."""
    plain: list[str] = []
    secrets: list[str] = []
    parents: list[str] = []  # the open block chain of the current line, outermost first
    written: list[str] = []  # the parent chain already written to `secrets`
    for line in config.splitlines():
        if line.strip() and not line.lstrip().startswith("!"):
            depth = _depth(line)
            parents = [p for p in parents if _depth(p) < depth]
        if VAULT_REFERENCE.search(line):
            shared = 0
            while shared < min(len(parents), len(written)) and parents[shared] == written[shared]:
                shared += 1
            secrets.extend(parents[shared:])
            secrets.append(line)
            written = list(parents)
            continue
        plain.append(line)
        if line.strip() and not line.lstrip().startswith("!"):
            parents.append(line)
    return SecretSplit(_text(plain), _text(secrets))


def _fill(line: str, values: Mapping[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(0)[3:-3]
        found = values.get(name)
        if not isinstance(found, str) or not found:
            raise ValueError(f"the vault variable {name} has no value: define it in an ansible-vault file (see docs/secrets.md)")
        return found

    return VAULT_REFERENCE.sub(value, line)


def secret_blocks(config: str, values: Mapping[str, str]) -> list[dict[str, list[str]]]:
    """The secret lines, values filled in, as blocks of {parents, lines} in configuration order (for ios_config)."""
    blocks: list[dict[str, list[str]]] = []
    chain: list[str] = []
    for line in split_secrets(config).secrets.splitlines():
        depth = _depth(line)
        chain = [p for p in chain if _depth(p) < depth]
        if not VAULT_REFERENCE.search(line):
            chain.append(line)
            continue
        parents = [p.strip() for p in chain]
        if not blocks or blocks[-1]["parents"] != parents:
            blocks.append({"parents": parents, "lines": []})
        blocks[-1]["lines"].append(_fill(line.strip(), values))
    return blocks
