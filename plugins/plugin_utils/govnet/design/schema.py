"""The one schema for the registry and the policy: field tables and the checks that apply them."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Optional

from ..core.problems import Problem, key_name
from ..core.text import KINDS as TEXT_KINDS, check_text, shown

SLUG = re.compile(r"[a-z][a-z0-9-]*")  # matched with fullmatch: "$" would let a final newline through
SLUG_MAX = 16

CATEGORIES = ("ministry", "independent_department", "executive_agency", "regional_secretariat", "council")
CENTRAL_CATEGORIES = ("ministry", "independent_department", "executive_agency")
COUNCIL_TYPES = ("district", "town", "municipal", "city")
PHASES = (1, 2, 3)
DEVICE_ROLES = ("core_hub", "regional_aggregation", "ce_router", "access_switch", "call_control")
PLATFORMS = ("ios_xe", "lab")


@dataclass(frozen=True)
class Field:
    """One field of a record: its type, whether it must be there, and what to tell the engineer."""

    name: str
    kind: str  # int, bool, choice, prefix, map, list, or a kind of text (text.KINDS: name, description, slug, ...; str is name)
    required: bool = True
    choices: tuple = ()
    low: Optional[int] = None
    high: Optional[int] = None
    hint: str = ""


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _same(value: Any, choice: Any) -> bool:
    """A choice matches by type as well as value: true is not 1, and 1.0 is not 1."""
    return type(value) is type(choice) and value == choice


def _network(value: Any) -> Optional[ipaddress.IPv4Network]:
    try:
        return ipaddress.IPv4Network(value, strict=True) if isinstance(value, str) else None
    except ValueError:
        return None


def _check_kind(field: Field, value: Any) -> Optional[tuple[str, str]]:
    """Return (message, hint) when value does not fit the field, else None."""
    hint = field.hint
    if field.kind == "int":
        if not _is_int(value):
            return "must be a whole number", hint or "write it without quotes, e.g. 42"
        if field.low is not None and value < field.low:
            return f"must be at least {field.low}", hint or f"use a number from {field.low} up"
        if field.high is not None and value > field.high:
            return f"must be at most {field.high}", hint or f"use a number up to {field.high}"
    elif field.kind == "slug":
        if not isinstance(value, str) or not SLUG.fullmatch(value):
            return "is not a valid slug", hint or "use lowercase letters, digits and '-', starting with a letter"
        if len(value) > SLUG_MAX:
            return f"is longer than {SLUG_MAX} characters", hint or "shorten it; it becomes part of every hostname"
    elif field.kind == "bool":
        if not isinstance(value, bool):
            return "must be true or false", hint or "write true or false without quotes"
    elif field.kind == "choice":
        if not any(_same(value, choice) for choice in field.choices):
            listed = ", ".join(str(choice) for choice in field.choices)
            if any(value == choice for choice in field.choices):  # true for 1, 2.0 for 2: the value, not its type
                written = "a number, not true or false" if isinstance(value, bool) else "a whole number, without a decimal point"
                return f"is not one of {listed}", f"write one of {listed} as {written}"
            return f"is not one of {listed}", hint or f"use one of {listed}"
    elif field.kind == "prefix":
        if _network(value) is None:
            return "is not an IPv4 prefix in network/length form", hint or "write it like 10.16.0.0/13, with no host bits set"
    elif field.kind == "digits":
        if not isinstance(value, str) or check_text(value, "digits"):
            return "must be a string of digits", hint or 'quote it, e.g. "9" (ASCII digits 0-9 only, at most 16)'
    elif field.kind in TEXT_KINDS or field.kind == "str":
        wrong = check_text(value, "name" if field.kind == "str" else field.kind)
        if wrong:
            return wrong[0], hint if hint and wrong[0].startswith("must be") else wrong[1]
    elif field.kind == "map":
        if not isinstance(value, Mapping):
            return "must be a mapping", hint or "write key: value pairs under it"
    elif field.kind == "list":
        if not isinstance(value, list):
            return "must be a list", hint or "write one '- item' per line under it"
    return None


def _field_name(key: Any) -> str:
    """A mapping key as a problem names it: as written when it is one printable line, else escaped (repr)."""
    return key_name(key) if isinstance(key, str) and key.isprintable() and len(key) <= 60 else shown(key)


def check_record(record: Any, fields: tuple[Field, ...], where: str, allow_unknown: bool = False) -> list[Problem]:
    """Check one mapping against its field table; every problem is returned, none raised."""
    if not isinstance(record, Mapping):
        return [Problem(where, "(item)", shown(record), "must be a mapping of fields", "write the item as key: value pairs")]
    problems = []
    for field in fields:
        value = record.get(field.name)
        if value is None:
            if field.required:
                problems.append(Problem(where, field.name, "(missing)", "is required", field.hint or f"add {field.name}"))
            continue
        wrong = _check_kind(field, value)
        if wrong:
            problems.append(Problem(where, field.name, shown(value), wrong[0], wrong[1]))
    if not allow_unknown:
        known = {field.name for field in fields}
        for key in sorted((key for key in record if key not in known), key=str):
            listed = ", ".join(sorted(known))
            problems.append(
                Problem(where, _field_name(key), shown(record[key]), "is not a known field", f"check the spelling; known fields are {listed}")
            )
    return problems


def check_mapping(container: Any, where: str, field: str, each: Callable[[str, Any], list[Problem]]) -> list[Problem]:
    """Check a mapping of named entries, calling `each` for every entry whose name is a policy word (text kind token)."""
    if not isinstance(container, Mapping):
        return [Problem(where, field, shown(container), "must be a mapping", "write one name: value entry per line")]
    problems: list[Problem] = []
    for name in container:
        wrong = check_text(name, "token")
        if wrong:
            problems.append(Problem(f"{where} {field}", _field_name(name), shown(container[name]), f"is not a valid name: it {wrong[0]}", wrong[1]))
        else:
            problems.extend(each(name, container[name]))
    return problems


INSTITUTION_FIELDS = (
    Field("id", "int", low=1, hint="give every institution a stable positive number, never reused"),
    Field("slug", "slug"),
    Field("name", "name"),
    Field("name_sw", "name", required=False),
    Field("abbreviation", "short", required=False),
    Field("category", "choice", choices=CATEGORIES),
    Field("council_type", "choice", required=False, choices=COUNCIL_TYPES),
    Field("region", "slug", hint="use the slug of a region in topology.yml"),
    Field("site", "int", required=False, low=1, hint="number the sites of a region 1, 2, ...; the regional secretariat is 1"),
    Field("size", "token", hint="use a size class defined in govnet_size_classes"),
    Field("phase", "choice", choices=PHASES),
    Field("platform", "choice", required=False, choices=PLATFORMS),
    Field("pins", "map", required=False, hint="pin site_block and/or code"),
)

PIN_FIELDS = (
    Field("site_block", "prefix", required=False),
    Field("code", "int", required=False, low=0),
)

REGION_FIELDS = (
    Field("id", "int", low=1),
    Field("slug", "slug"),
    Field("name", "name"),
    Field("name_sw", "name", required=False),
    Field("capital", "name"),
    Field("pop", "name", hint="name the NICTBB point of presence of the region"),
    Field("zanzibar", "bool"),
    Field("phase", "choice", choices=PHASES),
)

HUB_FIELDS = (
    Field("id", "int", low=1, high=8, hint="GovNet has at most 8 core hubs, numbered 1 to 8"),
    Field("slug", "slug"),
    Field("name", "name"),
    Field("name_sw", "name", required=False),
    Field("region", "slug", hint="use the slug of a region in topology.yml"),
)

POOL_FIELDS = (Field("prefix", "prefix"), Field("block", "int", low=8, high=32))
LAYOUT_FIELDS = (Field("offset", "prefix"), Field("block", "int", low=8, high=32))
POOL_NAMES = (
    "infra_loopbacks",
    "infra_links",
    "operations",
    "shared_services",
    "central_loopbacks",
    "central_links",
    "central_sites_large",
    "central_sites_medium",
    "central_sites_small",
    "regions",
)

SIZE_FIELDS = (
    Field("site_prefix", "int", low=8, high=30),
    Field("ce_routers", "int", low=1, high=2),
    Field("access_switches", "int", low=0, high=64),
    Field("call_control", "int", low=0, high=2),
    Field("extensions", "int", low=1),
    Field("conference_bridges", "int", low=0),
    Field("subnets", "map"),
)

VLAN_FIELDS = (Field("id", "int", low=1, high=4094, hint="VLAN ids run from 1 to 4094"), Field("name", "short"))
VLAN_ROLES = ("data", "voice", "servers", "management")

NUMBERING_FIELDS = (
    Field("code_digits", "int", low=1, high=6),
    Field("extension_digits", "int", low=2, high=6),
    Field("code_offset", "int", low=0),
    Field("code_first_digits", "digits"),
    Field("extension_first", "int", low=0),
    Field("extension_last", "int", low=0),
    Field("conference_first", "int", low=0),
    Field("pstn_access_digit", "digits"),
    Field("short_codes", "list"),
    Field("pstn", "map", hint="give national_prefix, international_prefix and class_of_service"),
)
# Classes of service, each allowing what the one before it does and more: PSTN breakout by policy.
SERVICE_CLASSES = ("onnet", "national", "international")
PSTN_FIELDS = (
    Field("national_prefix", "digits"),
    Field("international_prefix", "digits"),
    Field("class_of_service", "map", hint=f"give each institution category one of {', '.join(SERVICE_CLASSES)}"),
)
SHORT_CODE_FIELDS = (Field("number", "digits"), Field("name", "description"), Field("emergency", "bool"))

ROUTING_FIELDS = (
    Field("core_asn", "int", low=1, high=4294967294),
    Field("region_asn_base", "int", low=1, high=4294967294),
    Field("institution_asn_base", "int", low=1, high=4294967294),
    Field("ce_max_prefixes", "int", low=1),
    Field("keepalive", "int", low=1, high=3600),
    Field("holdtime", "int", low=3, high=65535),
)

SERVICE_FIELDS = (
    Field("name", "slug"),
    Field("role", "token"),
    Field("host", "int", low=1, high=254),
    Field("hubs", "list"),
    Field("description", "description"),
)

QOS_CLASS_FIELDS = (
    Field("name", "short"),
    Field("dscp", "choice", choices=("ef", "cs3", "af41", "af31", "af21", "af11", "cs2", "cs6", "default")),
    Field("queue", "choice", choices=("priority", "bandwidth")),
    Field("percent", "int", low=1, high=99),
)

SWITCHING_FIELDS = (
    Field("access_ports", "int", low=1, high=96),
    Field("spanning_tree", "choice", choices=("rapid-pvst", "mst")),
    Field("dhcp_snooping", "bool"),
)

SECURITY_FIELDS = (
    Field("ssh_version", "choice", choices=(2,)),
    Field("login_banner", "banner"),
    Field("ntp_servers_role", "token"),
    Field("syslog_role", "token"),
    Field("snmp_version", "choice", choices=(3,)),
    Field("management_from", "token"),
    Field("admin_user", "user"),
    Field("snmp_user", "user"),
    Field("snmp_group", "short"),
    Field("aaa_role", "token"),
    Field("sip", "map", hint="give realm_domain, the domain under which each institution has its SIP realm"),
    Field("secrets", "map"),
)
SECRET_NAMES = ("enable", "admin_password", "tacacs_key", "snmp_auth", "snmp_priv", "bgp_key", "sip_secret", "ipsec_psk")
SIP_FIELDS = (Field("realm_domain", "domain", hint="write a DNS domain in lowercase, e.g. govnet.go.tz"),)
DOMAIN = re.compile(r"(?=.{1,200}\Z)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+\Z")
