"""Scale without timing: the whole-network checks do work in proportion to what they check (sorted sweeps,
never every pair), and the fast YAML path writes exactly what PyYAML writes."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest
import yaml

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.core import yamlout
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.pipeline import plan
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design.checks import overlaps
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design.dialplan import Entry, clashes

from conftest import SMALL


class CountedNetwork(ipaddress.IPv4Network):
    """A prefix that counts how often its end is read: the overlap sweep reads it per comparison."""

    reads = 0

    @property
    def broadcast_address(self) -> ipaddress.IPv4Address:  # type: ignore[override]
        CountedNetwork.reads += 1
        return ipaddress.IPv4Address(int(self.network_address) | int(self.hostmask))


class CountedPrefix(str):
    """A dial-plan prefix that counts the comparisons the prefix-freeness check makes with it."""

    calls = 0

    def startswith(self, *args: Any) -> bool:  # type: ignore[override]
        CountedPrefix.calls += 1
        return super().startswith(*args)

    def __eq__(self, other: object) -> bool:
        CountedPrefix.calls += 1
        return str.__eq__(self, other)

    __hash__ = str.__hash__


def site_blocks(count: int) -> list[tuple[ipaddress.IPv4Network, str]]:
    """count /24 site blocks, every tenth also pinned over its neighbour (a real overlap), listed out of order."""
    items = [(CountedNetwork((0x0A000000 + n * 256, 24)), f"site {n}") for n in range(count)]
    items += [(CountedNetwork((0x0A000000 + n * 256, 23)), f"pin {n}") for n in range(0, count - 1, 10)]
    return items[::-1]


@pytest.mark.parametrize("count", [1000, 4000, 16000])
def test_overlap_check_is_one_sweep(count: int) -> None:
    items = site_blocks(count)
    CountedNetwork.reads = 0
    found = overlaps(items)
    assert len(found) == 2 * len(range(0, count - 1, 10))  # each /23 pin covers two /24 blocks
    assert CountedNetwork.reads <= 5 * len(items), "the overlap check compares more than a sweep would (pairs?)"


@pytest.mark.parametrize("count", [1000, 4000, 16000])
def test_prefix_freeness_check_is_one_sweep(count: int) -> None:
    entries = [Entry(CountedPrefix(str(40000 + n)), 9, f"code {40000 + n}") for n in range(count)]
    entries += [Entry(CountedPrefix("9"), None, "PSTN"), Entry(CountedPrefix("112"), 3, "emergency")]
    entries += [Entry(CountedPrefix(str(40000 + n)[:4]), 8, f"clash {n}") for n in range(0, count, 100)]
    CountedPrefix.calls = 0
    found = clashes(entries)
    assert len(found) == sum(min(10, count - n) for n in range(0, count, 100))
    assert CountedPrefix.calls <= 4 * len(entries), "the prefix-freeness check compares more than a sweep would (pairs?)"


def test_fast_yaml_writes_what_pyyaml_writes() -> None:
    states = plan(SMALL).states
    odd = {"a": [1.5, None, True, "yes", "0x1F", "", " x", "a: b", "{{ v }}", "é", 10**30, {"k": []}, {}], "long": "word " * 60, 3: "key"}
    for data in list(states.values()) + [odd]:
        expected = yaml.dump(
            data, Dumper=yamlout._Dumper, sort_keys=False, default_flow_style=False, explicit_start=True, allow_unicode=True, width=160
        )
        assert yamlout.dump(data) == expected
