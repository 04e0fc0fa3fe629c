"""The synthetic registry generator: the same input gives the same registry, it is valid GovNet input,
and the network it describes has exactly the devices asked for."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design.allocation import Allocation, allocate
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.pipeline import plan
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design.source import DEFAULT_POLICY, Source, read_policy
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design.synthetic import MIN_DEVICES, synthetic, write
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design.validation import parse


def allocated(devices: int, seed: int = 0) -> Allocation:
    """Validate and allocate a synthetic registry in memory (the policy override merged as a registry would)."""
    institutions, override = synthetic(devices, seed)
    policy = read_policy([DEFAULT_POLICY]) | override
    return allocate(*parse(Source(Path("synthetic.yml"), institutions, policy, False)))


def device_count(alloc: Allocation) -> int:
    return len(alloc.hubs) + len(alloc.aggregation) + sum(len(p.devices) for p in alloc.institutions)


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    first = write(tmp_path / "a", 700, seed=3)
    second = write(tmp_path / "b", 700, seed=3)
    other = write(tmp_path / "c", 700, seed=4)
    for name in ("institutions.yml", "synthetic-policy.yml"):
        assert (first.parent / name).read_bytes() == (second.parent / name).read_bytes()
    assert first.read_bytes() != other.read_bytes()


@settings(max_examples=25)
@given(devices=st.integers(min_value=MIN_DEVICES, max_value=2500), seed=st.integers(min_value=0, max_value=1000))
def test_exact_device_count(devices: int, seed: int) -> None:
    assert device_count(allocated(devices, seed)) == devices


def test_written_registry_builds_with_the_devices_asked_for(tmp_path: Path) -> None:
    network = plan(write(tmp_path, 1000))
    assert len(network.states) == 1000
    categories = {plan.institution.category for plan in network.allocation.institutions}
    assert categories == {"ministry", "independent_department", "executive_agency", "regional_secretariat", "council"}


@pytest.mark.slow
def test_twenty_thousand_devices_fit_the_pools() -> None:
    alloc = allocated(20000)
    assert device_count(alloc) == 20000
    assert len(alloc.institutions) > 5000 and len(alloc.aggregation) > 80


def test_too_few_devices_is_refused() -> None:
    with pytest.raises(ValueError, match=f"at least {MIN_DEVICES} devices"):
        synthetic(MIN_DEVICES - 1)
