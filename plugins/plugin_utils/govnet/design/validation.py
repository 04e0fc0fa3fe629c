"""Turn raw registry and policy data into typed records, collecting every problem on the way."""

from __future__ import annotations

import ipaddress
from typing import Any, Callable, Iterable, Mapping, Optional, TypeVar

from . import schema as s
from .model import (
    Hub,
    Institution,
    Network,
    Numbering,
    Policy,
    Pstn,
    Pool,
    Region,
    Registry,
    Routing,
    Service,
    ShortCode,
    SizeClass,
    Vlan,
)
from . import segmentation
from ..core.problems import GovnetInputError, Problem, key_name, show
from ..core.text import KINDS as TEXT_KINDS, check_text
from .source import Source
from .tariffs import parse_tariffs

T = TypeVar("T")
POLICY_VARS = (
    "govnet_addressing",
    "govnet_size_classes",
    "govnet_vlans",
    "govnet_numbering",
    "govnet_routing",
    "govnet_services",
    "govnet_operations_hub",
    "govnet_platforms",
    "govnet_qos",
    "govnet_security",
    "govnet_switching",
    "govnet_segmentation",
    "govnet_hubs",
    "govnet_regions",
    "govnet_tariffs",
)

CALL_ROUTE_ROLES = ("sip_core", "pstn_gateway")  # call control routes calls to these services' addresses
CALL_ROUTE_LIMIT = 9  # dial-peer tags give each role one digit


def _policy_where(var: str, *path: str) -> str:
    return "policy " + ".".join((var,) + path)


class _Collector:
    """Accumulates problems while records are parsed."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, problems: Iterable[Problem]) -> bool:
        """Record problems; True when there were none."""
        before = len(self.problems)
        self.problems.extend(problems)
        return len(self.problems) == before

    def one(self, where: str, field: str, value: Any, message: str, hint: str) -> None:
        self.problems.append(Problem(where, field, show(value), message, hint))


def _records(
    c: _Collector, items: Any, var: str, fields: tuple[s.Field, ...], make: Callable[[Mapping, str], T], label: Callable[[Any], str]
) -> list[T]:
    """Parse a list of records; a record with problems is reported and left out."""
    if not isinstance(items, list):
        c.one(var, "(list)", items, "must be a list", "write one '- item' per line")
        return []
    out = []
    for number, item in enumerate(items, start=1):
        where = label(item) if isinstance(item, Mapping) and s._is_int(item.get("id")) else f"{var} item {number}"
        if c.add(s.check_record(item, fields, where)):
            out.append(make(item, where))
    return out


def _duplicates(c: _Collector, records: list, attr: str, kind: str) -> None:
    seen: dict[Any, Any] = {}
    for record in sorted(records, key=lambda r: r.id):
        value = getattr(record, attr)
        if value in seen:
            c.one(record.where, attr, value, f"is already used by {seen[value].where}", f"give every {kind} its own {attr}")
        else:
            seen[value] = record


def parse_pools(
    c: _Collector, raw: Any, size_names: list[str]
) -> tuple[Optional[Network], dict[str, Pool], dict[str, tuple[Network, int]]]:
    var = "govnet_addressing"
    if not c.add(s.check_record(raw, s.ADDRESSING_FIELDS, _policy_where(var))):
        return None, {}, {}
    supernet = ipaddress.IPv4Network(raw["supernet"])
    pools: dict[str, Pool] = {}
    required = list(s.POOL_NAMES[:6]) + [f"central_sites_{size}" for size in size_names] + ["regions"]
    for name in required:
        entry = raw["pools"].get(name)
        where = _policy_where(var, "pools", name)
        if entry is None:
            c.one(_policy_where(var, "pools"), name, None, "is required", f"define pool {name} with prefix and block")
        elif c.add(s.check_record(entry, s.POOL_FIELDS, where)):
            pools[name] = Pool(name=name, network=ipaddress.IPv4Network(entry["prefix"]), block=entry["block"])
    for name in sorted(set(raw["pools"]) - set(required)):
        c.one(_policy_where(var, "pools"), str(name), raw["pools"][name], "is not a known pool", f"known pools are {', '.join(required)}")
    layout: dict[str, tuple[Network, int]] = {}
    layout_names = [f"sites_{size}" for size in size_names] + ["loopbacks", "links"]
    for name in layout_names:
        entry = raw["region_layout"].get(name)
        where = _policy_where(var, "region_layout", name)
        if entry is None:
            c.one(_policy_where(var, "region_layout"), name, None, "is required", f"define {name} with offset and block")
        elif c.add(s.check_record(entry, s.LAYOUT_FIELDS, where)):
            layout[name] = (ipaddress.IPv4Network(entry["offset"]), entry["block"])
    for name in sorted(set(raw["region_layout"]) - set(layout_names)):
        c.one(
            _policy_where(var, "region_layout"),
            str(name),
            raw["region_layout"][name],
            "is not a known region pool",
            f"known ones are {', '.join(layout_names)}",
        )
    return supernet, pools, layout


def parse_sizes(c: _Collector, raw: Any) -> dict[str, SizeClass]:
    var = "govnet_size_classes"
    sizes: dict[str, SizeClass] = {}

    def each(name: str, entry: Any) -> list[Problem]:
        problems = s.check_record(entry, s.SIZE_FIELDS, _policy_where(var, name))
        if not problems:
            subnets = tuple((str(k), v) for k, v in entry["subnets"].items())
            sizes[name] = SizeClass(name=name, **(s.values(entry, s.SIZE_FIELDS) | {"subnets": subnets}))
        return problems

    c.add(s.check_mapping(raw, "policy", var, each))
    return sizes


def parse_vlans(c: _Collector, raw: Any) -> dict[str, Vlan]:
    var = "govnet_vlans"
    vlans: dict[str, Vlan] = {}

    def each(role: str, entry: Any) -> list[Problem]:
        where = _policy_where(var, role)
        if role not in s.VLAN_ROLES:
            return [
                Problem(_policy_where(var), role, show(entry), "is not a VLAN role", f"GovNet's VLAN roles are {', '.join(s.VLAN_ROLES)}")
            ]
        problems = s.check_record(entry, s.VLAN_FIELDS, where)
        if not problems:
            vlans[role] = Vlan(role=role, **s.values(entry, s.VLAN_FIELDS))
        return problems

    c.add(s.check_mapping(raw, "policy", var, each))
    for role in s.VLAN_ROLES:
        if isinstance(raw, Mapping) and role not in raw:
            c.one(_policy_where(var), role, None, "is required", f"give the {role} VLAN an id and a name")
    for attr in ("id", "name"):
        seen: dict[Any, str] = {}
        for vlan in vlans.values():
            value = getattr(vlan, attr)
            if value in seen:
                c.one(
                    _policy_where(var, vlan.role),
                    attr,
                    value,
                    f"clashes with VLAN role {seen[value]}",
                    f"give every VLAN role its own {attr}",
                )
            seen.setdefault(value, vlan.role)
    return vlans


def parse_numbering(c: _Collector, raw: Any) -> Optional[Numbering]:
    var = "govnet_numbering"
    if not c.add(s.check_record(raw, s.NUMBERING_FIELDS, _policy_where(var))):
        return None
    codes = _records(
        c,
        raw["short_codes"],
        f"{_policy_where(var)}.short_codes",
        s.SHORT_CODE_FIELDS,
        lambda r, _where: ShortCode(**s.values(r, s.SHORT_CODE_FIELDS)),
        lambda r: "",
    )
    pstn = parse_pstn(c, raw["pstn"])
    if pstn is None:
        return None
    return Numbering(**(s.values(raw, s.NUMBERING_FIELDS) | {"short_codes": tuple(codes), "pstn": pstn}))


def parse_pstn(c: _Collector, raw: Mapping) -> Optional[Pstn]:
    """PSTN prefixes and a class of service for every institution category."""
    where = _policy_where("govnet_numbering", "pstn")
    if not c.add(s.check_record(raw, s.PSTN_FIELDS, where)):
        return None
    classes = raw["class_of_service"]
    ok = True
    for category in s.CATEGORIES:
        value = classes.get(category)
        if value not in s.SERVICE_CLASSES:
            ok = False
            c.one(
                f"{where}.class_of_service",
                category,
                value,
                "is not a class of service" if value is not None else "is required",
                f"use one of {', '.join(s.SERVICE_CLASSES)}",
            )
    for key in sorted((key for key in classes if key not in s.CATEGORIES), key=str):
        ok = False
        c.one(f"{where}.class_of_service", key_name(key), classes[key], "is not an institution category", f"use {', '.join(s.CATEGORIES)}")
    if raw["national_prefix"] == raw["international_prefix"]:
        ok = False
        c.one(
            where,
            "international_prefix",
            raw["international_prefix"],
            "is the national prefix too",
            "give national and international numbers different prefixes",
        )
    if not ok:
        return None
    return Pstn(**(s.values(raw, s.PSTN_FIELDS) | {"class_of_service": {category: classes[category] for category in s.CATEGORIES}}))


def parse_routing(c: _Collector, raw: Any) -> Optional[Routing]:
    if not c.add(s.check_record(raw, s.ROUTING_FIELDS, _policy_where("govnet_routing"))):
        return None
    return Routing(**s.values(raw, s.ROUTING_FIELDS))


def parse_services(c: _Collector, raw: Any) -> list[Service]:
    return _records(
        c,
        raw,
        "policy govnet_services",
        s.SERVICE_FIELDS,
        lambda r, _where: Service(**(s.values(r, s.SERVICE_FIELDS) | {"hubs": tuple(str(h) for h in r["hubs"])})),
        lambda r: "",
    )


def parse_platforms(c: _Collector, raw: Any) -> dict[str, str]:
    var = "govnet_platforms"
    if not c.add(s.check_record(raw, s.PLATFORM_FIELDS, _policy_where(var))):
        return {}
    return s.values(raw, s.PLATFORM_FIELDS)


def parse_qos(c: _Collector, raw: Any) -> dict[str, Any]:
    var = "govnet_qos"
    if not c.add(s.check_record(raw, s.QOS_FIELDS, _policy_where(var))):
        return {}
    classes = _records(c, raw["classes"], f"{_policy_where(var)}.classes", s.QOS_CLASS_FIELDS, lambda r, _where: dict(r), lambda r: "")
    total = sum(item["percent"] for item in classes)
    if total > 100:
        c.one(_policy_where(var), "classes", total, f"give {total}% of the link to classes, more than 100%", "lower the percentages")
    for item in classes:
        if item["queue"] == "priority" and item["percent"] > 33:
            c.one(
                _policy_where(var, item["name"]),
                "percent",
                item["percent"],
                "is more than a third of the link for the priority queue",
                "keep LLQ priority at 33% or less so other traffic is not starved",
            )
    marking = raw["marking"]
    if c.add(s.check_record(marking, s.MARKING_FIELDS, _policy_where(var, "marking"))):
        queued = sorted({item["dscp"] for item in classes})
        for use in ("media", "signalling"):
            if len(classes) == len(raw["classes"]) and marking[use] not in queued:  # a class with problems is reported already
                c.one(
                    _policy_where(var, "marking"),
                    use,
                    marking[use],
                    "is not the dscp of a QoS class",
                    f"mark voice {use} with the dscp of its class, one of {', '.join(queued)}",
                )
    return {"classes": classes, "default_queue": raw["default_queue"], "marking": dict(marking)}


def parse_security(c: _Collector, raw: Any, pools: Mapping[str, Pool]) -> dict[str, Any]:
    var = "govnet_security"
    if not c.add(s.check_record(raw, s.SECURITY_FIELDS, _policy_where(var))):
        return {}
    if pools and raw["management_from"] not in pools:
        c.one(
            _policy_where(var),
            "management_from",
            raw["management_from"],
            "is not a pool of govnet_addressing",
            f"name the pool of the operations network, one of {', '.join(sorted(pools))}",
        )
    c.add(s.check_record(raw["timezone"], s.TIMEZONE_FIELDS, _policy_where(var, "timezone")))
    secrets = raw["secrets"]
    for name in s.SECRET_NAMES:
        value = secrets.get(name)
        wrong = check_text(value, "variable") if isinstance(value, str) else ("must name an ansible-vault variable", TEXT_KINDS["variable"].hint)
        if wrong is not None:
            c.one(_policy_where(var, "secrets"), name, value, *wrong)
    for key in sorted((key for key in secrets if key not in s.SECRET_NAMES), key=str):
        c.one(_policy_where(var, "secrets"), key_name(key), secrets[key], "is not a known secret", f"known secrets are {', '.join(s.SECRET_NAMES)}")
    sip = raw["sip"]
    if c.add(s.check_record(sip, s.SIP_FIELDS, _policy_where(var, "sip"))) and not s.DOMAIN.match(sip["realm_domain"]):
        c.one(
            _policy_where(var, "sip"),
            "realm_domain",
            sip["realm_domain"],
            "is not a DNS domain",
            "write lowercase labels of letters, digits and '-' joined by dots, e.g. govnet.go.tz",
        )
    return dict(raw)


def parse_switching(c: _Collector, raw: Any) -> dict[str, Any]:
    if not c.add(s.check_record(raw, s.SWITCHING_FIELDS, _policy_where("govnet_switching"))):
        return {}
    return dict(raw)


def parse_segmentation(c: _Collector, raw: Any, services: list[Service]) -> dict[str, Any]:
    problems, checked = segmentation.parse(raw, [service.name for service in services], [service.role for service in services])
    c.add(problems)
    return checked


def parse_topology(c: _Collector, policy: Mapping[str, Any]) -> tuple[list[Hub], list[Region]]:
    hubs = _records(
        c,
        policy.get("govnet_hubs"),
        "policy govnet_hubs",
        s.HUB_FIELDS,
        lambda r, _where: Hub(**s.values(r, s.HUB_FIELDS)),
        lambda r: f"hub {r['id']} ({r.get('slug')})",
    )
    regions = _records(
        c,
        policy.get("govnet_regions"),
        "policy govnet_regions",
        s.REGION_FIELDS,
        lambda r, _where: Region(**s.values(r, s.REGION_FIELDS)),
        lambda r: f"region {r['id']} ({r.get('slug')})",
    )
    for records, kind in ((hubs, "hub"), (regions, "region")):
        _duplicates(c, records, "id", kind)
        _duplicates(c, records, "slug", kind)
    return hubs, regions


def _institution(record: Mapping, where: str) -> Institution:
    fields = s.values(record, s.INSTITUTION_FIELDS)
    pins = s.values(fields.pop("pins") or {}, s.PIN_FIELDS)
    block = pins["site_block"]
    return Institution(**fields, pin_site_block=ipaddress.IPv4Network(block) if block else None, pin_code=pins["code"])


def parse_institutions(c: _Collector, raw: Any, where_file: str) -> list[Institution]:
    def checked(item: Any, where: str) -> list[Problem]:
        problems = s.check_record(item, s.INSTITUTION_FIELDS, where)
        if isinstance(item, Mapping) and isinstance(item.get("pins"), Mapping):
            problems += s.check_record(item["pins"], s.PIN_FIELDS, where)
        return problems

    if not isinstance(raw, list):
        c.one(where_file, "institutions", raw, "must be a list", "write one '- id: ...' item per institution")
        return []
    out = []
    for number, item in enumerate(raw, start=1):
        has_id = isinstance(item, Mapping) and s._is_int(item.get("id"))
        where = f"institution {item['id']} ({item.get('slug')})" if has_id else f"{where_file} item {number}"
        if c.add(checked(item, where)):
            out.append(_institution(item, where))
    return out


def check_institutions(c: _Collector, institutions: list[Institution], regions: list[Region], sizes: list[str]) -> None:
    _duplicates(c, institutions, "id", "institution")
    _duplicates(c, institutions, "slug", "institution")
    region_slugs = {region.slug for region in regions}
    sites: dict[tuple[str, int], Institution] = {}
    for inst in sorted(institutions, key=lambda i: i.id):
        if inst.region not in region_slugs:
            c.one(
                inst.where,
                "region",
                inst.region,
                "is not a known region",
                "use the slug of a region in govnet_regions",
            )
        if sizes and inst.size not in sizes:
            c.one(inst.where, "size", inst.size, "is not a known size", f"use one of {', '.join(sorted(sizes))} (govnet_size_classes)")
        if inst.category == "council" and inst.council_type is None:
            c.one(inst.where, "council_type", None, "is required for a council", f"use one of {', '.join(s.COUNCIL_TYPES)}")
        if inst.category != "council" and inst.council_type is not None:
            c.one(
                inst.where,
                "council_type",
                inst.council_type,
                f"is only for councils (this is a {inst.category.replace('_', ' ')})",
                "remove it",
            )
        if inst.central and inst.site is not None:
            c.one(
                inst.where,
                "site",
                inst.site,
                "is only for regional secretariats and councils",
                "remove it; central institutions are keyed by id",
            )
        if not inst.central and inst.site is None:
            c.one(
                inst.where,
                "site",
                None,
                "is required for a regional secretariat or council",
                "give it the next free site number of its region",
            )
        if inst.site is not None:
            other = sites.setdefault((inst.region, inst.site), inst)
            if other is not inst:
                c.one(
                    inst.where,
                    "site",
                    inst.site,
                    f"is already used in region {inst.region} by {other.where}",
                    "give every institution of a region its own site number",
                )


def check_references(c: _Collector, hubs: list[Hub], regions: list[Region], services: list[Service], operations_hub: Any) -> None:
    region_slugs = {region.slug for region in regions}
    hub_slugs = sorted(hub.slug for hub in hubs)
    for hub in hubs:
        if hub.region not in region_slugs:
            c.one(hub.where, "region", hub.region, "is not a known region", "use the slug of a region in govnet_regions")
    for service in services:
        for hub in service.hubs:
            if hub not in hub_slugs:
                c.one(
                    _policy_where("govnet_services", service.name), "hubs", hub, "is not a known hub", f"use one of {', '.join(hub_slugs)}"
                )
    for role in CALL_ROUTE_ROLES:
        addresses = sum(len(service.hubs) for service in services if service.role == role)
        if not addresses:
            c.one(
                "policy govnet_services", "role", role, "has no service", f"add a service with role {role} at one or more hubs: calls are routed to it"
            )
        elif addresses > CALL_ROUTE_LIMIT:
            c.one(
                "policy govnet_services",
                "role",
                role,
                f"has {addresses} addresses (services times hubs), more than the {CALL_ROUTE_LIMIT} a call control's dial peers number",
                f"list the {role} services at {CALL_ROUTE_LIMIT} hubs or fewer in all",
            )
    if operations_hub not in hub_slugs:
        c.one("policy", "govnet_operations_hub", operations_hub, "is not a known hub", f"use one of {', '.join(hub_slugs)}")
    if not hubs:
        c.one("policy", "govnet_hubs", None, "must list at least one core hub", "add the GovNet core hubs")


def _policy_complete(c: _Collector, before: int, parts: tuple[Any, ...], sizes: dict, size_names: list[str]) -> bool:
    """True when every policy variable parsed without a problem, so whole-policy checks can run on it."""
    return len(c.problems) == before and all(part is not None for part in parts) and len(sizes) == len(size_names)


def _clean(records: list[T], problems: list[Problem]) -> list[T]:
    """The records no problem names, so later checks do not repeat a problem already reported for them."""
    named = {problem.where for problem in problems}
    return [record for record in records if getattr(record, "where") not in named]


def _trial_allocation(registry: Registry, policy: Policy) -> list[Problem]:
    """The allocation's problems for the valid part of an input that has other problems too."""
    from .allocation import allocate  # allocation builds on the typed records parsed here

    try:
        allocate(registry, policy)
    except GovnetInputError as error:
        return list(error.problems)
    return []


def parse(source: Source) -> tuple[Registry, Policy]:
    """Parse and check a source; raise GovnetInputError with every problem found.

    Every check runs on the parts of the input that are valid, so one run shows every problem; a check is
    skipped only when its own inputs are invalid. When the input has problems, the valid institutions are
    allocated too, so the allocation's problems (pools too small, clashing codes) show in the same run."""
    from .checks import check_policy, routing_problems  # checks builds on the typed records parsed here

    c = _Collector()
    policy_raw = source.policy
    for var in POLICY_VARS:
        if var not in policy_raw:
            c.one("policy", var, None, "is not defined", "define it in a policy file (docs/policy.md describes every variable)")
    before = len(c.problems)
    sizes = parse_sizes(c, policy_raw.get("govnet_size_classes", {}))
    size_names = (
        sorted(str(name) for name in policy_raw.get("govnet_size_classes") or {})
        if isinstance(policy_raw.get("govnet_size_classes"), Mapping)
        else []
    )
    supernet, pools, layout = parse_pools(c, policy_raw.get("govnet_addressing", {}), size_names)
    vlans = parse_vlans(c, policy_raw.get("govnet_vlans", {}))
    numbering = parse_numbering(c, policy_raw.get("govnet_numbering", {}))
    routing = parse_routing(c, policy_raw.get("govnet_routing", {}))
    services = parse_services(c, policy_raw.get("govnet_services", []))
    platforms = parse_platforms(c, policy_raw.get("govnet_platforms", {}))
    qos = parse_qos(c, policy_raw.get("govnet_qos", {}))
    security = parse_security(c, policy_raw.get("govnet_security", {}), pools)
    switching = parse_switching(c, policy_raw.get("govnet_switching", {}))
    segmentation = parse_segmentation(c, policy_raw.get("govnet_segmentation", {}), services)
    tariffs, tariff_problems = parse_tariffs(policy_raw.get("govnet_tariffs", {}))
    c.add(tariff_problems)
    complete = _policy_complete(c, before, (supernet, numbering, routing), sizes, size_names)
    hubs, regions = parse_topology(c, policy_raw)
    check_references(c, hubs, regions, services, policy_raw.get("govnet_operations_hub"))
    institutions = parse_institutions(c, source.institutions, f"registry {source.path.name}")
    check_institutions(c, institutions, regions, size_names)
    if routing is not None:
        c.add(
            routing_problems(
                routing,
                [(region.id, region.where) for region in _clean(regions, c.problems)],
                [(inst.id, inst.where) for inst in _clean(institutions, c.problems)],
            )
        )
    if not complete or supernet is None or numbering is None or routing is None:
        raise GovnetInputError(c.problems)
    policy = Policy(
        supernet=supernet,
        pools=pools,
        layout=layout,
        sizes=sizes,
        vlans=vlans,
        numbering=numbering,
        routing=routing,
        services=tuple(services),
        operations_hub=policy_raw["govnet_operations_hub"],
        platforms=platforms,
        qos=qos,
        security=security,
        switching=switching,
        segmentation=segmentation,
        tariffs=tariffs,
    )
    input_problems = list(c.problems)
    policy_checked = c.add(check_policy(policy))
    kept_regions = tuple(sorted((r for r in regions if source.include_zanzibar or not r.zanzibar), key=lambda r: r.id))
    kept_slugs = {region.slug for region in kept_regions}
    kept = tuple(sorted((i for i in institutions if i.region in kept_slugs), key=lambda i: i.id))
    registry = Registry(tuple(sorted(hubs, key=lambda h: h.id)), kept_regions, kept)
    if input_problems and policy_checked:
        topology = ("hub ", "policy govnet_hubs", "policy govnet_regions")
        topology_ok = not any(problem.where.startswith(topology) for problem in input_problems)
        if topology_ok and policy_raw.get("govnet_operations_hub") in {hub.slug for hub in hubs}:
            clean = Registry(registry.hubs, tuple(_clean(list(kept_regions), input_problems)), tuple(_clean(list(kept), input_problems)))
            clean = Registry(clean.hubs, clean.regions, tuple(i for i in clean.institutions if i.region in {r.slug for r in clean.regions}))
            c.add(_trial_allocation(clean, policy))
    if c.problems:
        raise GovnetInputError(c.problems)
    return registry, policy
