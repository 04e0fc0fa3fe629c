"""Deterministic allocation: every address, ASN and number from (pool, stable key), in one pass."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from functools import cached_property
from typing import Optional

from .checks import overlaps
from .model import Hub, Institution, Network, Policy, Pool, Region, Registry, Service, SizeClass, Vlan
from ..core.problems import GovnetInputError, Problem, show

Address = ipaddress.IPv4Address
Interface = ipaddress.IPv4Interface
CE_STRIDE = 4  # keys per site (or central institution) in the loopback and link pools
HUB_STRIDE = 8  # at most 8 hubs: keys per hub pair row and per region in infra_links
AGG_LINK_BASE = 64  # infra_links keys below this are hub-to-hub links
# Every WAN link is a NICTBB circuit delivered as an 802.1Q tag, also from stable keys:
CE_CIRCUIT_BASE = 100  # CE router k of a site: 100 + key * 2 + (k - 1), key = institution id (central) or site
AGG_CIRCUIT_BASE = 3000  # aggregation uplinks: 3000 + (region id - 1) * 8 + (hub id - 1)
CORE_CIRCUIT_BASE = 4000  # hub to hub: 4000 + (lower hub id - 1) * 8 + (higher hub id - 1)


def default_code(code_offset: int, institution_id: int) -> int:
    """The telephone code of an institution that pins none: govnet_numbering's code_offset plus its id."""
    return code_offset + institution_id


def onnet_number(code: int, extension: int, extension_digits: int) -> int:
    """The on-net number of an extension: the institution's code followed by the extension in extension_digits."""
    return code * 10**extension_digits + extension


def code_outside(code: int, code_digits: int, code_first_digits: str) -> Optional[tuple[str, str]]:
    """(message, hint) when a code lies outside the code space (its length, its first digit), else None."""
    text = str(code)
    if len(text) != code_digits:
        return f"is not a {code_digits}-digit code", "pin a free code, or lengthen code_digits in govnet_numbering"
    if text[0] not in code_first_digits:
        return (
            f"does not start with one of {code_first_digits}",
            "pin a free code that starts with an allowed digit, or widen code_first_digits",
        )
    return None


@dataclass(frozen=True)
class Subnet:
    vlan: Vlan
    prefix: Network

    def host(self, number: int) -> Optional[Interface]:
        """The number-th host address with the subnet's length, or None when it does not fit."""
        if number < 1 or number > self.prefix.num_addresses - 2:
            return None
        return Interface((int(self.prefix.network_address) + number, self.prefix.prefixlen))

    @property
    def gateway(self) -> Address:
        return self.prefix.network_address + 1


@dataclass(frozen=True)
class Link:
    """A point-to-point /31: the upstream end takes the lower address, the downstream end the higher."""

    upstream: str
    downstream: str
    prefix: Network
    circuit: int

    # Read by the intended state, the renderers and the documents: each end is worked out once.
    @cached_property
    def upstream_address(self) -> Interface:
        return Interface((self.prefix.network_address, 31))

    @cached_property
    def downstream_address(self) -> Interface:
        return Interface((self.prefix.network_address + 1, 31))


@dataclass(frozen=True)
class InstitutionPlan:
    institution: Institution
    region: Region
    size: SizeClass
    block: Network
    subnets: tuple[Subnet, ...]
    asn: int
    code: int
    first_number: int
    last_number: int
    conference: tuple[int, ...]
    routers: tuple[str, ...]
    loopbacks: tuple[Network, ...]
    uplinks: tuple[Link, ...]
    switches: tuple[str, ...]
    call_control: tuple[str, ...]

    def subnet(self, role: str) -> Subnet:
        return next(subnet for subnet in self.subnets if subnet.vlan.role == role)

    def switch_address(self, index: int) -> Interface:
        """The management address of the institution's index-th access switch."""
        return self.subnet("management").host(4 + index)

    def call_control_address(self, index: int) -> Interface:
        """The address of the institution's index-th call control server, in its servers VLAN."""
        return self.subnet("servers").host(4 + index)

    @property
    def devices(self) -> tuple[str, ...]:
        return self.routers + self.switches + self.call_control


@dataclass(frozen=True)
class HubPlan:
    hub: Hub
    hostname: str
    loopback: Network
    services_block: Network
    services: tuple[tuple[Service, Interface], ...]
    operations: Optional[Network]


@dataclass(frozen=True)
class AggregationPlan:
    region: Region
    hostname: str
    block: Network
    loopback: Network
    asn: int
    uplinks: tuple[Link, ...]


@dataclass(frozen=True)
class Allocation:
    hubs: tuple[HubPlan, ...]
    core_links: tuple[Link, ...]
    aggregation: tuple[AggregationPlan, ...]
    institutions: tuple[InstitutionPlan, ...]


def carve(block: Network, lengths: tuple[tuple[str, int], ...], vlans: dict[str, Vlan]) -> tuple[Subnet, ...]:
    """VLAN subnets packed into a site block, largest first so each is aligned; ordered by VLAN id."""
    order = sorted(lengths, key=lambda item: (item[1], vlans[item[0]].id))
    cursor = int(block.network_address)
    subnets = []
    for role, length in order:
        subnets.append(Subnet(vlans[role], ipaddress.IPv4Network((cursor, length))))
        cursor += 1 << (32 - length)
    if cursor > int(block.broadcast_address) + 1:
        raise ValueError(f"the subnets need {cursor - int(block.network_address)} addresses but {block} holds {block.num_addresses}")
    return tuple(sorted(subnets, key=lambda subnet: subnet.vlan.id))


class _Allocator:
    def __init__(self, registry: Registry, policy: Policy) -> None:
        self.registry = registry
        self.policy = policy
        self.problems: list[Problem] = []
        self.leaves: list[tuple[Network, str]] = []
        self.short: dict[tuple[Pool, str], list[tuple[int, str]]] = {}

    def take(self, pool: Pool, key: int, where: str, purpose: str, pool_where: str = "", leaf: bool = True) -> Network:
        """Block `key` of the pool, recorded for the overlap check; a missing block is a problem."""
        block = pool.block_for(key)
        if block is None:
            self.short.setdefault((pool, pool_where), []).append((key, where))
            return ipaddress.IPv4Network((0, pool.block))
        if leaf:
            self.leaves.append((block, f"{where}|{purpose}"))
        return block

    def hubs(self) -> tuple[tuple[HubPlan, ...], tuple[Link, ...]]:
        pools = self.policy.pools
        plans = []
        for hub in self.registry.hubs:
            services_block = self.take(pools["shared_services"], hub.id, hub.where, "shared_services")
            placed = tuple(
                (service, Interface((int(services_block.network_address) + service.host, services_block.prefixlen)))
                for service in self.policy.services
                if hub.slug in service.hubs
            )
            operations = None
            if hub.slug == self.policy.operations_hub:
                operations = self.take(pools["operations"], 0, hub.where, "operations")
            loopback = self.take(pools["infra_loopbacks"], hub.id, hub.where, "loopback")
            plans.append(HubPlan(hub, hub.hostname, loopback, services_block, placed, operations))
        links = []
        for first in self.registry.hubs:
            for second in self.registry.hubs:
                if first.id < second.id:
                    key = (first.id - 1) * HUB_STRIDE + (second.id - 1)
                    prefix = self.take(pools["infra_links"], key, first.where, "core link")
                    links.append(Link(first.hostname, second.hostname, prefix, CORE_CIRCUIT_BASE + key))
        return tuple(plans), tuple(links)

    def region_block(self, region: Region) -> Network:
        return self.take(self.policy.pools["regions"], region.id, region.where, "region block", leaf=False)

    def aggregation(self, region: Region, block: Network) -> AggregationPlan:
        hostname = f"agg-{region.slug}"
        loopback = self.take(self.policy.region_pool("loopbacks", block), 0, region.where, "loopback", f"{region.where} pool loopbacks")
        uplinks = tuple(
            Link(
                hub.hostname,
                hostname,
                self.take(
                    self.policy.pools["infra_links"], AGG_LINK_BASE + (region.id - 1) * HUB_STRIDE + hub.id - 1, region.where, "uplink"
                ),
                AGG_CIRCUIT_BASE + (region.id - 1) * HUB_STRIDE + hub.id - 1,
            )
            for hub in self.registry.hubs
        )
        if uplinks and uplinks[-1].circuit >= CORE_CIRCUIT_BASE:
            last = (CORE_CIRCUIT_BASE - AGG_CIRCUIT_BASE) // HUB_STRIDE
            self.problems.append(
                Problem(
                    region.where,
                    "id",
                    show(region.id),
                    f"gives NICTBB circuit {uplinks[-1].circuit} to an aggregation uplink, where the hub-to-hub circuits start ({CORE_CIRCUIT_BASE})",
                    f"use a region id from 1 to {last}",
                )
            )
        return AggregationPlan(region, hostname, block, loopback, self.policy.routing.region_asn_base + region.id, uplinks)

    def site_block(self, inst: Institution, pool: Pool, key: int, pool_where: str) -> Network:
        if inst.pin_site_block is None:
            return self.take(pool, key, inst.where, "site block", pool_where)
        pin = inst.pin_site_block
        size = self.policy.sizes[inst.size]
        if not pin.subnet_of(pool.network):
            self.problems.append(
                Problem(
                    inst.where,
                    "pins.site_block",
                    show(str(pin)),
                    f"is outside its pool {pool.name} ({pool.network})",
                    f"pin a /{size.site_prefix} inside {pool.network}",
                )
            )
        elif pin.prefixlen != size.site_prefix:
            self.problems.append(
                Problem(
                    inst.where,
                    "pins.site_block",
                    show(str(pin)),
                    f"is not a /{size.site_prefix}, the site block of size {inst.size}",
                    f"pin a /{size.site_prefix} or change the size",
                )
            )
        else:
            self.leaves.append((pin, f"{inst.where}|pins.site_block"))
            return pin
        return ipaddress.IPv4Network((0, size.site_prefix))

    def code(self, inst: Institution) -> int:
        """The institution's telephone code: its pin, or code_offset + id; checked against the code space."""
        plan = self.policy.numbering
        pinned = inst.pin_code is not None
        code = inst.pin_code if pinned else default_code(plan.code_offset, inst.id)
        wrong = code_outside(code, plan.code_digits, plan.code_first_digits)
        if wrong:
            message = (
                wrong[0] if pinned else f"gives code {code}, which {wrong[0]} (the code space is exhausted)"
            )
            self.problems.append(Problem(inst.where, "pins.code" if pinned else "id", show(code if pinned else inst.id), message, wrong[1]))
        return code

    def institution(self, inst: Institution, region: Region, region_block: Network) -> InstitutionPlan:
        policy = self.policy
        size = policy.sizes[inst.size]
        pools = policy.pools
        pool_where = ""
        if inst.central:
            key_base = inst.id * CE_STRIDE
            block = self.site_block(inst, pools[f"central_sites_{size.name}"], inst.id, pool_where)
            loopback_pool, link_pool = pools["central_loopbacks"], pools["central_links"]
            upstreams = self.central_upstreams(inst)
        else:
            key_base = (inst.site or 0) * CE_STRIDE
            pool_where = f"{region.where} pool"
            block = self.site_block(inst, policy.region_pool(f"sites_{size.name}", region_block), inst.site or 0, pool_where)
            loopback_pool, link_pool = policy.region_pool("loopbacks", region_block), policy.region_pool("links", region_block)
            upstreams = [f"agg-{region.slug}"]
        routers = tuple(f"{inst.slug}-ce{k}" for k in range(1, size.ce_routers + 1))
        loopbacks = tuple(self.take(loopback_pool, key_base + k, inst.where, "loopback", pool_where) for k, router in enumerate(routers, 1))
        circuit_key = inst.id if inst.central else (inst.site or 0)
        uplinks = tuple(
            Link(
                upstreams[(k - 1) % len(upstreams)],
                router,
                self.take(link_pool, key_base + k, inst.where, "uplink", pool_where),
                CE_CIRCUIT_BASE + circuit_key * 2 + k - 1,
            )
            for k, router in enumerate(routers, 1)
        )
        if uplinks[-1].circuit >= AGG_CIRCUIT_BASE:
            field = "id" if inst.central else "site"
            self.problems.append(
                Problem(
                    inst.where,
                    field,
                    show(circuit_key),
                    f"gives NICTBB circuit {uplinks[-1].circuit}, past the last CE circuit {AGG_CIRCUIT_BASE - 1}",
                    "keep CE circuits below 3000: renumber, or give the upstream a second interface",
                )
            )
        subnets = carve(block, size.subnets, policy.vlans)
        switches = tuple(f"{inst.slug}-sw{n}" for n in range(1, size.access_switches + 1))
        call_control = tuple(f"{inst.slug}-cc{n}" for n in range(1, size.call_control + 1))
        for role, count in (("management", len(switches)), ("servers", len(call_control))):
            subnet = next((s for s in subnets if s.vlan.role == role), None)
            if subnet is not None and count and subnet.host(3 + count) is None:
                self.problems.append(
                    Problem(
                        f"policy govnet_size_classes.{size.name}",
                        f"subnets.{role}",
                        show(subnet.prefix.prefixlen),
                        f"holds {subnet.prefix.num_addresses - 2} hosts, too few for 3 router addresses and {count} devices",
                        f"widen the {role} subnet",
                    )
                )
        asn = policy.routing.institution_asn_base + inst.id  # validation keeps it a usable ASN
        code = self.code(inst)
        digits = policy.numbering.extension_digits
        first = onnet_number(code, policy.numbering.extension_first, digits)
        conference = tuple(onnet_number(code, policy.numbering.conference_first + n, digits) for n in range(size.conference_bridges))
        return InstitutionPlan(
            inst,
            region,
            size,
            block,
            subnets,
            asn,
            code,
            first,
            first + size.extensions - 1,
            conference,
            routers,
            loopbacks,
            uplinks,
            switches,
            call_control,
        )

    def central_upstreams(self, inst: Institution) -> list[str]:
        hubs = sorted(self.registry.hubs, key=lambda hub: (hub.region != inst.region, hub.id))
        return [hub.hostname for hub in hubs]

    def exhausted(self) -> None:
        """One problem per pool that ran out: how many blocks it holds and how many are needed."""
        for (pool, pool_where), wanted in self.short.items():
            top = max(key for key, _where in wanted)
            needed_bits = (top).bit_length()
            where = f"{pool_where} {pool.name}" if pool_where else f"policy govnet_addressing.pools.{pool.name}"
            first = min(wanted)[1]
            self.problems.append(
                Problem(
                    where,
                    "prefix",
                    show(str(pool.network)),
                    f"holds {pool.capacity} block{'s' if pool.capacity != 1 else ''} of /{pool.block} but needs {top + 1} (block {top} for {first}"
                    + (f" and {len(wanted) - 1} more beyond its end)" if len(wanted) > 1 else ")"),
                    self.widen_hint(pool, needed_bits, bool(pool_where)),
                )
            )

    def widen_hint(self, pool: Pool, needed_bits: int, in_region: bool) -> str:
        """Widen the pool when a wide enough one fits its container (the supernet or a region block), else what can be done."""
        widest = self.policy.pools["regions"].block if in_region else self.policy.supernet.prefixlen
        wanted = pool.block - needed_bits
        if wanted >= widest:
            return f"widen it to a /{wanted} (or pin the institutions elsewhere)"
        container = f"a region's /{widest} block" if in_region else f"the supernet /{widest}"
        return f"no pool inside {container} holds that many blocks of /{pool.block}: lower the ids or pin the institutions elsewhere"

    def codes_unique(self, plans: list[InstitutionPlan]) -> None:
        seen: dict[int, InstitutionPlan] = {}
        for plan in plans:
            other = seen.setdefault(plan.code, plan)
            if other is not plan:
                field = "pins.code" if plan.institution.pin_code is not None else "id"
                self.problems.append(
                    Problem(
                        plan.institution.where,
                        field,
                        show(plan.code),
                        f"gives code {plan.code}, already the code of {other.institution.where}",
                        "pin a code no other institution has",
                    )
                )

    def hostnames_unique(self, names: list[tuple[str, str]]) -> None:
        seen: dict[str, str] = {}
        for name, owner in names:
            other = seen.setdefault(name, owner)
            if other != owner:
                self.problems.append(
                    Problem(
                        owner,
                        "hostname",
                        show(name),
                        f"is already the hostname of a device of {other}",
                        "change the slug so every hostname is unique",
                    )
                )


def allocate(registry: Registry, policy: Policy) -> Allocation:
    """Allocate the whole network in one pass; raise GovnetInputError with every problem found."""
    alloc = _Allocator(registry, policy)
    hubs, core_links = alloc.hubs()
    regions = {region.slug: region for region in registry.regions}
    aggregation = []
    region_blocks = {}
    served = {inst.region for inst in registry.institutions if not inst.central}
    for region in registry.regions:
        region_blocks[region.slug] = alloc.region_block(region)
        if region.slug in served:  # a PoP's aggregation router comes with the region's first institution
            aggregation.append(alloc.aggregation(region, region_blocks[region.slug]))
    plans = [alloc.institution(inst, regions[inst.region], region_blocks[inst.region]) for inst in registry.institutions]
    alloc.exhausted()
    alloc.codes_unique(plans)
    names = [(hub.hostname, hub.hub.where) for hub in hubs] + [(agg.hostname, agg.region.where) for agg in aggregation]
    names += [(device, plan.institution.where) for plan in plans for device in plan.devices]
    alloc.hostnames_unique(names)
    for label_a, net_a, label_b, net_b in overlaps(alloc.leaves):
        where_a, field_a = label_a.split("|")
        where_b, field_b = label_b.split("|")
        if field_a == "pins.site_block" and field_b != "pins.site_block":
            (where_a, field_a, net_a), (where_b, field_b, net_b) = (where_b, field_b, net_b), (where_a, field_a, net_a)
        alloc.problems.append(
            Problem(
                where_b, field_b, show(str(net_b)), f"overlaps {net_a}, the {field_a} of {where_a}", "pin a block that nothing else uses"
            )
        )
    if alloc.problems:
        raise GovnetInputError(alloc.problems)
    return Allocation(hubs, core_links, tuple(aggregation), tuple(plans))
