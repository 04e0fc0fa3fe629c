"""Whole-policy checks: pools, size classes and the numbering plan."""

from __future__ import annotations

from typing import Iterable

from .dialplan import Entry, clashes, range_prefixes
from .model import Network, Policy, Routing
from ..core.problems import Problem, show

ASN_LAST = 4294967294
RESERVED_ASNS = (
    (0, 0, "reserved (RFC 7607)"),
    (23456, 23456, "AS_TRANS, reserved for 4-byte ASN transition (RFC 6793)"),
    (64496, 64511, "reserved for documentation (RFC 5398)"),
    (65535, 65535, "reserved (RFC 7300)"),
    (65536, 65551, "reserved for documentation (RFC 5398)"),
    (4294967295, 4294967295, "reserved (RFC 7300)"),
)
HOLD_FACTOR = 3


def overlaps(items: Iterable[tuple[Network, str]]) -> list[tuple[str, Network, str, Network]]:
    """Pairs of named prefixes that overlap, found with one sorted sweep (n log n)."""
    found = []
    ordered = sorted(items, key=lambda item: (int(item[0].network_address), -item[0].num_addresses, item[1]))
    widest: tuple[Network, str] | None = None
    for network, name in ordered:
        if widest is not None and int(network.network_address) <= int(widest[0].broadcast_address):
            found.append((widest[1], widest[0], name, network))
        if widest is None or int(network.broadcast_address) > int(widest[0].broadcast_address):
            widest = (network, name)
    return found


def _pool_problems(policy: Policy) -> list[Problem]:
    problems = []
    where = "policy govnet_addressing.pools"
    for name, pool in policy.pools.items():
        if not pool.network.subnet_of(policy.supernet):
            problems.append(
                Problem(
                    f"{where}.{name}",
                    "prefix",
                    show(str(pool.network)),
                    f"is outside the supernet {policy.supernet}",
                    "move the pool inside the supernet or widen the supernet",
                )
            )
        if pool.block < pool.network.prefixlen:
            problems.append(
                Problem(
                    f"{where}.{name}",
                    "block",
                    show(pool.block),
                    f"is wider than the pool /{pool.network.prefixlen}",
                    "use a block length at least the pool's prefix length",
                )
            )
    for name_a, net_a, name_b, net_b in overlaps((pool.network, name) for name, pool in policy.pools.items()):
        problems.append(
            Problem(
                f"{where}.{name_b}",
                "prefix",
                show(str(net_b)),
                f"overlaps pool {name_a} ({net_a})",
                "give every pool its own part of the supernet",
            )
        )
    region_block = policy.pools["regions"].block
    layout_where = "policy govnet_addressing.region_layout"
    size = 1 << (32 - region_block)
    placed = []
    for name, (offset, block) in policy.layout.items():
        if offset.prefixlen < region_block or int(offset.network_address) + offset.num_addresses > size:
            problems.append(
                Problem(
                    f"{layout_where}.{name}",
                    "offset",
                    show(str(offset)),
                    f"does not fit inside a region's /{region_block} block",
                    f"use an offset within 0.0.0.0/{region_block}",
                )
            )
        elif block < offset.prefixlen:
            problems.append(
                Problem(
                    f"{layout_where}.{name}",
                    "block",
                    show(block),
                    f"is wider than its offset /{offset.prefixlen}",
                    "use a block length at least the offset's prefix length",
                )
            )
        else:
            placed.append((offset, name))
    for name_a, net_a, name_b, net_b in overlaps(placed):
        problems.append(
            Problem(
                f"{layout_where}.{name_b}",
                "offset",
                show(str(net_b)),
                f"overlaps {name_a} ({net_a})",
                "give every region pool its own part of the region block",
            )
        )
    return problems


def _size_problems(policy: Policy) -> list[Problem]:
    problems = []
    roles = set(policy.vlans)
    for size in policy.sizes.values():
        where = f"policy govnet_size_classes.{size.name}"
        subnet_roles = {role for role, _length in size.subnets}
        for role in sorted(roles - subnet_roles):
            problems.append(Problem(where, "subnets", show(role), "has no subnet for this VLAN role", f"add {role}: PREFIXLEN to subnets"))
        for role, length in size.subnets:
            if role not in roles:
                problems.append(
                    Problem(
                        where,
                        f"subnets.{role}",
                        show(length),
                        "is not a VLAN role",
                        f"use the roles of govnet_vlans: {', '.join(sorted(roles))}",
                    )
                )
            elif not isinstance(length, int) or isinstance(length, bool) or not size.site_prefix <= length <= 30:
                problems.append(
                    Problem(
                        where,
                        f"subnets.{role}",
                        show(length),
                        f"must be a prefix length from {size.site_prefix} to 30",
                        "give each VLAN a subnet that fits inside the site block",
                    )
                )
        lengths = [length for _role, length in size.subnets if isinstance(length, int)]
        needed = sum(1 << (32 - length) for length in lengths if 0 < length <= 32)
        holds = 1 << (32 - size.site_prefix)
        if needed > holds:
            problems.append(
                Problem(
                    where,
                    "subnets",
                    show(needed),
                    f"need {needed} addresses but the /{size.site_prefix} site block holds {holds}",
                    "shrink the subnets or widen site_prefix",
                )
            )
        for pool_name, block in (
            (f"central_sites_{size.name}", policy.pools.get(f"central_sites_{size.name}")),
            (f"region_layout.sites_{size.name}", policy.layout.get(f"sites_{size.name}")),
        ):
            block_length = block.block if hasattr(block, "block") else (block[1] if block else None)
            if block_length is not None and block_length != size.site_prefix:
                problems.append(
                    Problem(
                        where,
                        "site_prefix",
                        show(size.site_prefix),
                        f"differs from the block /{block_length} of {pool_name}",
                        "make the pool's block equal to the size's site_prefix",
                    )
                )
        if size.extensions + size.conference_bridges > 0:
            last_extension = policy.numbering.extension_first + size.extensions - 1
            if last_extension >= policy.numbering.conference_first:
                problems.append(
                    Problem(
                        where,
                        "extensions",
                        show(size.extensions),
                        f"run up to {last_extension}, into the conference numbers from {policy.numbering.conference_first}",
                        "give fewer extensions or move conference_first up",
                    )
                )
            last_bridge = policy.numbering.conference_first + size.conference_bridges - 1
            if last_bridge > policy.numbering.extension_last:
                problems.append(
                    Problem(
                        where,
                        "conference_bridges",
                        show(size.conference_bridges),
                        f"run up to {last_bridge}, past extension_last {policy.numbering.extension_last}",
                        "give fewer conference bridges or move conference_first down",
                    )
                )
    return problems


def _numbering_problems(policy: Policy) -> list[Problem]:
    plan = policy.numbering
    where = "policy govnet_numbering"
    problems = []
    top = 10**plan.extension_digits - 1
    low = 10 ** (plan.extension_digits - 1)
    for field in ("extension_first", "extension_last", "conference_first"):
        value = getattr(plan, field)
        if not low <= value <= top:
            problems.append(
                Problem(where, field, show(value), f"is not a {plan.extension_digits}-digit extension", f"use a number from {low} to {top}")
            )
    if plan.extension_first > plan.extension_last:
        problems.append(
            Problem(
                where,
                "extension_first",
                show(plan.extension_first),
                f"is above extension_last {plan.extension_last}",
                "make extension_first the lower end of the range",
            )
        )
    if len(plan.pstn_access_digit) != 1:
        problems.append(
            Problem(where, "pstn_access_digit", show(plan.pstn_access_digit), "must be one digit", 'use a single digit such as "9"')
        )
    if "0" in plan.code_first_digits:
        problems.append(
            Problem(
                where,
                "code_first_digits",
                show(plan.code_first_digits),
                "includes 0, the national trunk prefix",
                "start codes with digits 2 to 8",
            )
        )
    if problems:
        return problems
    entries = [Entry(plan.pstn_access_digit, None, "the PSTN access digit")]
    entries += [Entry(code.number, len(code.number), f"short code {code.number} ({code.name})") for code in plan.short_codes]
    entries += [
        Entry(prefix, plan.extension_digits, "short-dialled extensions")
        for prefix in range_prefixes(plan.extension_first, plan.extension_last, plan.extension_digits)
    ]
    onnet = plan.code_digits + plan.extension_digits
    entries += [Entry(digit, onnet, "on-net numbers") for digit in plan.code_first_digits]
    for first, second in clashes(entries):
        problems.append(
            Problem(
                where,
                "(dial plan)",
                show(second.pattern()),
                f"{second.owner} and {first.owner} ({first.pattern()}) are not prefix-free: the same digits could start both",
                "make codes, extensions, short codes and the PSTN access digit start with different digits",
            )
        )
    return problems


def _reserved(asn: int) -> str:
    """Why an ASN cannot be used, or '' when it can."""
    return next((why for low, high, why in RESERVED_ASNS if low <= asn <= high), "")


def routing_problems(routing: Routing, regions: Iterable[tuple[int, str]], institutions: Iterable[tuple[int, str]]) -> list[Problem]:
    """ASNs that overflow, are reserved or fall in another role's range, and BGP timers IOS-XE would refuse or flap with.

    `regions` and `institutions` are (id, where) pairs; each role's ASN is its base plus the id."""
    where = "policy govnet_routing"
    roles = (
        ("core_asn", "the core", [(routing.core_asn, "the core")]),
        ("region_asn_base", "regions", sorted((routing.region_asn_base + key, name) for key, name in regions)),
        ("institution_asn_base", "institutions", sorted((routing.institution_asn_base + key, name) for key, name in institutions)),
    )
    problems = []
    for field, _label, asns in roles:
        value = getattr(routing, field)
        beyond = [(asn, name) for asn, name in asns if asn > ASN_LAST]
        if beyond:
            more = f" (and {len(beyond) - 1} more)" if len(beyond) > 1 else ""
            problems.append(
                Problem(
                    where,
                    field,
                    show(value),
                    f"gives {beyond[0][1]} ASN {beyond[0][0]}{more}, beyond the largest ASN {ASN_LAST}",
                    f"lower {field} so the base plus the largest id stays at most {ASN_LAST}",
                )
            )
        reserved = [(asn, name, _reserved(asn)) for asn, name in asns if asn <= ASN_LAST and _reserved(asn)]
        if reserved:
            asn, name, why = reserved[0]
            more = f" (and {len(reserved) - 1} more)" if len(reserved) > 1 else ""
            problems.append(
                Problem(
                    where,
                    field,
                    show(value),
                    f"gives {name} ASN {asn}{more}, which is {why}",
                    "move the range clear of 23456, 64496-65551 and 4294967295 (private ASNs start at 64512 and 4200000000)",
                )
            )
    for index, (field_a, label_a, asns_a) in enumerate(roles):
        owners = dict(asns_a)
        for field_b, label_b, asns_b in roles[index + 1 :]:
            clash = next(((asn, name) for asn, name in asns_b if asn in owners), None)
            if clash is not None:
                problems.append(
                    Problem(
                        where,
                        field_b,
                        show(getattr(routing, field_b)),
                        f"gives {clash[1]} ASN {clash[0]}, already the ASN of {owners[clash[0]]} ({field_a})",
                        f"give {label_a} and {label_b} ASN ranges that do not overlap",
                    )
                )
    if routing.holdtime < HOLD_FACTOR * routing.keepalive:
        problems.append(
            Problem(
                where,
                "holdtime",
                show(routing.holdtime),
                f"is less than {HOLD_FACTOR} keepalives of {routing.keepalive} s, so one lost keepalive drops the session",
                f"use a holdtime of at least {HOLD_FACTOR * routing.keepalive} (3 x keepalive, as RFC 4271 suggests) or lower keepalive",
            )
        )
    return problems


def check_policy(policy: Policy) -> list[Problem]:
    """Every problem of the policy as a whole."""
    return _pool_problems(policy) + _size_problems(policy) + _numbering_problems(policy)
