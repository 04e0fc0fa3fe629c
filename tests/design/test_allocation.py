"""Allocation properties, tested with hypothesis on registries drawn from the shipped one."""

from __future__ import annotations

import ipaddress
import random
from pathlib import Path
from typing import Any

import pytest
import yaml
from ansible.errors import AnsibleFilterError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.ega.govnet.plugins.filter import govnet as filters
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design.allocation import allocate, code_outside, default_code, onnet_number
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.pipeline import outputs, plan
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design.checks import overlaps
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design.dialplan import Entry, clashes, range_prefixes
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design.model import Pool
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.core.problems import GovnetInputError
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design.source import read_source
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design.validation import parse

from conftest import DEFAULT_POLICY, SHIPPED, write_registry

ALL = yaml.safe_load(SHIPPED.read_text())["institutions"]
MAINLAND = [item for item in ALL if item["id"] <= 281]
PROFILE = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def institution_view(network: Any) -> dict[str, Any]:
    """Everything allocated to each institution, keyed by slug: the thing that must never move."""
    view = {}
    for inst_plan in network.allocation.institutions:
        devices = {name: network.states[name] for name in inst_plan.devices}
        view[inst_plan.institution.slug] = (
            str(inst_plan.block),
            inst_plan.code,
            inst_plan.asn,
            inst_plan.first_number,
            inst_plan.conference,
            tuple(map(str, inst_plan.loopbacks)),
            tuple(str(link.prefix) for link in inst_plan.uplinks),
            yaml.safe_dump(devices),
        )
    return view


def build_subset(folder: Path, items: list[dict]) -> Any:
    return plan(write_registry(folder, items))


subsets = st.lists(st.sampled_from(range(len(MAINLAND))), min_size=2, max_size=40, unique=True)


@PROFILE
@given(subset=subsets, seed=st.integers(0, 2**32 - 1))
def test_order_of_the_registry_changes_nothing(tmp_path: Path, subset: list[int], seed: int) -> None:
    items = [MAINLAND[i] for i in sorted(subset)]
    shuffled = items[:]
    random.Random(seed).shuffle(shuffled)
    first = outputs(build_subset(tmp_path / "a", items))
    second = outputs(build_subset(tmp_path / "b", shuffled))
    assert first == second


@PROFILE
@given(subset=subsets, extra=st.lists(st.sampled_from(range(len(MAINLAND))), min_size=1, max_size=10, unique=True))
def test_adding_or_removing_institutions_moves_nothing_else(tmp_path: Path, subset: list[int], extra: list[int]) -> None:
    base = [MAINLAND[i] for i in sorted(subset)]
    grown = [MAINLAND[i] for i in sorted(set(subset) | set(extra))]
    before = institution_view(build_subset(tmp_path / "a", base))
    after = institution_view(build_subset(tmp_path / "b", grown))
    for slug, allocated in before.items():
        assert after[slug][:7] == allocated[:7], slug
        # Device state may only differ where upstream neighbours changed, never in the institution's own allocations.
    shrunk = institution_view(build_subset(tmp_path / "c", base[: len(base) // 2 or 1]))
    for slug, allocated in shrunk.items():
        assert before[slug][:7] == allocated[:7], slug


def test_shipped_network_has_no_overlaps_and_a_prefix_free_plan() -> None:
    registry, policy = parse(read_source(SHIPPED))
    alloc = allocate(registry, policy)
    leaves: list[tuple[ipaddress.IPv4Network, str]] = []
    for inst_plan in alloc.institutions:
        leaves.append((inst_plan.block, inst_plan.institution.slug))
        leaves += [(prefix, f"{inst_plan.institution.slug} loopback") for prefix in inst_plan.loopbacks]
        leaves += [(link.prefix, f"{inst_plan.institution.slug} uplink") for link in inst_plan.uplinks]
        subnets = [subnet.prefix for subnet in inst_plan.subnets]
        assert not overlaps((prefix, str(prefix)) for prefix in subnets)
        assert all(prefix.subnet_of(inst_plan.block) for prefix in subnets)
    for hub in alloc.hubs:
        leaves += [(hub.loopback, hub.hostname), (hub.services_block, f"{hub.hostname} services")]
    for agg in alloc.aggregation:
        leaves += [(agg.loopback, agg.hostname)] + [(link.prefix, f"{agg.hostname} uplink") for link in agg.uplinks]
    leaves += [(link.prefix, "core link") for link in alloc.core_links]
    assert overlaps(leaves) == []
    assert len({prefix for prefix, _ in leaves}) == len(leaves)
    # Every regional institution lies inside its region's summary; every address inside the supernet.
    blocks = {agg.region.slug: agg.block for agg in alloc.aggregation}
    for inst_plan in alloc.institutions:
        assert inst_plan.block.subnet_of(policy.supernet)
        if not inst_plan.institution.central:
            assert inst_plan.block.subnet_of(blocks[inst_plan.region.slug])
    # Numbers: unique, fixed length, and the whole dial plan seen from any phone is prefix-free.
    numbering = policy.numbering
    entries = [Entry(numbering.pstn_access_digit, None, "access")]
    entries += [Entry(code.number, len(code.number), code.name) for code in numbering.short_codes]
    entries += [
        Entry(prefix, numbering.extension_digits, "short dial")
        for prefix in range_prefixes(numbering.extension_first, numbering.extension_last, numbering.extension_digits)
    ]
    entries += [Entry(str(p.code), numbering.code_digits + numbering.extension_digits, p.institution.slug) for p in alloc.institutions]
    assert clashes(entries) == []
    numbers = [n for p in alloc.institutions for n in (p.first_number, p.last_number, *p.conference)]
    assert all(len(str(n)) == 7 for n in numbers)
    assert len({p.code for p in alloc.institutions}) == len(alloc.institutions)


@given(prefix_len=st.integers(8, 28), extra=st.integers(0, 4), key=st.integers(-5, 5000))
def test_a_pool_never_wraps_around(prefix_len: int, extra: int, key: int) -> None:
    pool = Pool("p", ipaddress.IPv4Network((0x0A000000, prefix_len)), min(prefix_len + extra, 32))
    block = pool.block_for(key)
    if 0 <= key < pool.capacity:
        assert block is not None and block.subnet_of(pool.network)
        assert int(block.network_address) == int(pool.network.network_address) + key * block.num_addresses
    else:
        assert block is None


def test_exhaustion_is_an_error_not_a_wrap_around(tmp_path: Path) -> None:
    policy = {"govnet_addressing": yaml.safe_load((DEFAULT_POLICY / "addressing.yml").read_text())["govnet_addressing"]}
    policy["govnet_addressing"]["pools"]["central_sites_small"]["prefix"] = "10.28.0.0/21"  # 8 blocks: ids 0-7 only
    items = [item for item in MAINLAND if item["size"] == "small" and item["category"] == "executive_agency"][:3]
    with pytest.raises(GovnetInputError) as raised:
        plan(write_registry(tmp_path, items, policy))
    assert "holds 8 blocks of /24 but needs" in raised.value.report()


@PROFILE
@given(index=st.sampled_from(range(len(MAINLAND))), code=st.integers(400, 899), slot=st.integers(0, 511))
def test_pins_win_over_formulas(tmp_path: Path, index: int, code: int, slot: int) -> None:
    item = dict(MAINLAND[index])
    registry, policy = parse(read_source(SHIPPED))
    size = policy.sizes[item["size"]]
    if item["category"] in ("regional_secretariat", "council"):
        region = next(r for r in registry.regions if r.slug == item["region"])
        pool = policy.region_pool(f"sites_{size.name}", policy.pools["regions"].block_for(region.id))
    else:
        pool = policy.pools[f"central_sites_{size.name}"]
    pinned = pool.block_for(slot % pool.capacity)
    item["pins"] = {"site_block": str(pinned), "code": code}
    network = plan(write_registry(tmp_path, [item]))
    only = network.allocation.institutions[0]
    assert only.block == pinned and only.code == code
    assert only.first_number // 10**policy.numbering.extension_digits == code


@given(numbers=st.lists(st.text("0123456789", min_size=1, max_size=8), max_size=60, unique=True))
def test_clash_finder_agrees_with_the_definition(numbers: list[str]) -> None:
    entries = [Entry(n, len(n), n) for n in numbers]
    found = clashes(entries)
    naive = any(a != b and b.startswith(a) for a in numbers for b in numbers)
    assert bool(found) == naive
    for first, second in found:
        assert second.prefix.startswith(first.prefix)


@given(first=st.integers(0, 999), span=st.integers(0, 999))
def test_range_prefixes_cover_exactly_the_range(first: int, span: int) -> None:
    last = min(first + span, 999)
    prefixes = range_prefixes(first, last, 3)
    covered = {n for n in range(1000) if any(f"{n:03d}".startswith(p) for p in prefixes)}
    assert covered == set(range(first, last + 1))


@given(offset=st.integers(0, 99_999), ident=st.integers(1, 9_999), digits=st.integers(1, 6), first=st.sampled_from(["45678", "4", "9"]))
def test_the_institution_code_filter_gives_the_allocators_code(offset: int, ident: int, digits: int, first: str) -> None:
    """The filter calls the library: code_offset + id where that fits the code space, an error where it does not."""
    numbering = {"code_offset": offset, "code_digits": digits, "code_first_digits": first}
    code = default_code(offset, ident)
    assert code == offset + ident
    if code_outside(code, digits, first):
        with pytest.raises(AnsibleFilterError):
            filters.institution_code(ident, numbering)
    else:
        assert filters.institution_code(ident, numbering) == code and len(str(code)) == digits and str(code)[0] in first


@given(code=st.integers(1, 999_999), extension=st.integers(0, 999_999), digits=st.integers(2, 6))
def test_an_onnet_number_is_the_code_followed_by_the_extension(code: int, extension: int, digits: int) -> None:
    """One rule for allocation and the onnet_number filter: the code, then the extension in its digits."""
    numbering = {"extension_digits": digits, "extension_first": 0, "extension_last": 999_999}
    if extension < 10**digits:
        assert str(onnet_number(code, extension, digits)) == f"{code}{extension:0{digits}d}" == filters.onnet_number(code, extension, numbering)
    else:
        with pytest.raises(AnsibleFilterError):
            filters.onnet_number(code, extension, numbering)
