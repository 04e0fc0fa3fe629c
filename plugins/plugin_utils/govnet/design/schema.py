"""The one schema for the registry and the policy: field tables and the checks that apply them.

A field is declared here once (segmentation.py and tariffs.py declare theirs the same way): validation checks
input with it, ``values`` turns a checked record into the keywords of its typed record (model.py), and
hacking/policy_reference.py writes docs/policy.md from it. The constants policy owns live here too: DSCP
names, the device and router roles, the platforms."""

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
ROUTER_ROLES = ("core_hub", "regional_aggregation", "ce_router")  # the device roles that route: BGP, WAN links, IPsec, flow export
PLATFORMS = ("ios_xe", "lab")


@dataclass(frozen=True)
class Field:
    """One field of a record, declared once: its type and range, whether it must be there, its value when it is
    not (default), what it means (description: docs/policy.md shows it) and what to tell the engineer (hint)."""

    name: str
    kind: str  # int, bool, choice, prefix, map, list, or a kind of text (text.KINDS: name, description, slug, ...; str is name)
    description: str = ""
    required: bool = True
    choices: tuple = ()
    low: Optional[int] = None
    high: Optional[int] = None
    hint: str = ""
    default: Any = None  # an optional field's value when the record leaves it out

    @property
    def allowed(self) -> str:
        """The values the field takes, in words: its choices, its range or its kind."""
        if self.choices:
            return ", ".join(str(choice) for choice in self.choices)
        if self.low is not None and self.high is not None:
            return f"{self.low} to {self.high}"
        if self.low is not None:
            return f"{self.low} or more"
        return ""


def values(record: Mapping, fields: tuple[Field, ...]) -> dict[str, Any]:
    """A checked record's fields by name, an absent optional one as its default: the keywords of its typed record."""
    return {field.name: field.default if record.get(field.name) is None else record[field.name] for field in fields}


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
    Field("id", "int", "stable number of the institution: keys its site block, ASN and code; never reused", low=1,
          hint="give every institution a stable positive number, never reused"),
    Field("slug", "slug", "short lowercase name used in hostnames (moa-ce1)"),
    Field("name", "name", "official name"),
    Field("name_sw", "name", "official name in Kiswahili", required=False),
    Field("abbreviation", "short", "usual abbreviation (MoF)", required=False),
    Field("category", "choice", "kind of institution: sets its addressing (central or regional) and class of service", choices=CATEGORIES),
    Field("council_type", "choice", "kind of council (councils only)", required=False, choices=COUNCIL_TYPES),
    Field("region", "slug", "slug of its region in govnet_regions", hint="use the slug of a region in topology.yml"),
    Field("site", "int", "site number inside its region (regional secretariats and councils only; the secretariat is 1)", required=False, low=1,
          hint="number the sites of a region 1, 2, ...; the regional secretariat is 1"),
    Field("size", "token", "size class of govnet_size_classes: devices, site block, extensions", hint="use a size class defined in govnet_size_classes"),
    Field("phase", "choice", "rollout phase", choices=PHASES),
    Field("platform", "choice", "platform of all its devices, instead of govnet_platforms", required=False, choices=PLATFORMS),
    Field("pins", "map", "fixed values that override the allocator: site_block, code", required=False, hint="pin site_block and/or code"),
)

PIN_FIELDS = (
    Field("site_block", "prefix", "the institution's site block, instead of the block of its id or site", required=False),
    Field("code", "int", "the institution's telephone code, instead of code_offset + id", required=False, low=0),
)

REGION_FIELDS = (
    Field("id", "int", "stable number of the region: keys its block, ASN and circuits", low=1),
    Field("slug", "slug", "short lowercase name used in hostnames (agg-dodoma)"),
    Field("name", "name", "name of the region"),
    Field("name_sw", "name", "name in Kiswahili", required=False),
    Field("capital", "name", "the regional capital"),
    Field("pop", "name", "the NICTBB point of presence where its aggregation router sits", hint="name the NICTBB point of presence of the region"),
    Field("zanzibar", "bool", "in Zanzibar: left out unless the registry sets include_zanzibar"),
    Field("phase", "choice", "rollout phase of the region and of its regional institutions", choices=PHASES),
)

HUB_FIELDS = (
    Field("id", "int", "stable number of the core hub: keys its loopback, links and services block", low=1, high=8,
          hint="GovNet has at most 8 core hubs, numbered 1 to 8"),
    Field("slug", "slug", "short lowercase name used in hostnames (core-dodoma)"),
    Field("name", "name", "name of the hub"),
    Field("name_sw", "name", "name in Kiswahili", required=False),
    Field("region", "slug", "slug of the region it stands in", hint="use the slug of a region in topology.yml"),
)

ADDRESSING_FIELDS = (
    Field("supernet", "prefix", "the one private prefix every GovNet address comes from"),
    Field("pools", "map", "pool name -> prefix and block length (the pools below)"),
    Field("region_layout", "map", "pools inside each region's block, as offsets relative to it"),
)
POOL_FIELDS = (
    Field("prefix", "prefix", "the pool's prefix"),
    Field("block", "int", "length of each block carved from it; block n goes to stable key n", low=8, high=32),
)
LAYOUT_FIELDS = (
    Field("offset", "prefix", "the pool's place inside a region's block (relative: 0.0.128.0/17)"),
    Field("block", "int", "length of each block carved from it", low=8, high=32),
)
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
    Field("site_prefix", "int", "length of the institution's site block", low=8, high=30),
    Field("ce_routers", "int", "CE routers (2: a redundant pair with a shared gateway)", low=1, high=2),
    Field("access_switches", "int", "access switches, each uplinked to a CE router", low=0, high=64),
    Field("call_control", "int", "call-control servers (IP-PBX) for its phones", low=0, high=2),
    Field("extensions", "int", "extensions, from the numbering plan's extension_first on", low=1),
    Field("conference_bridges", "int", "conference-bridge numbers, from conference_first on", low=0),
    Field("subnets", "map", "VLAN role -> prefix length of its subnet, carved from the site block largest first"),
)

VLAN_FIELDS = (
    Field("id", "int", "802.1Q VLAN id, the same in every institution", low=1, high=4094, hint="VLAN ids run from 1 to 4094"),
    Field("name", "short", "VLAN name on the switches"),
)
VLAN_ROLES = ("data", "voice", "servers", "management")

NUMBERING_FIELDS = (
    Field("code_digits", "int", "length of an institution code", low=1, high=6),
    Field("extension_digits", "int", "length of an extension", low=2, high=6),
    Field("code_offset", "int", "an institution's code is code_offset + its id unless it pins one", low=0),
    Field("code_first_digits", "digits", "the digits a code may start with (keeps the dial plan prefix-free)"),
    Field("extension_first", "int", "first extension of every institution", low=0),
    Field("extension_last", "int", "last extension of every institution", low=0),
    Field("conference_first", "int", "first conference-bridge number", low=0),
    Field("pstn_access_digit", "digits", "the digit dialled before a PSTN number"),
    Field("short_codes", "list", "short codes dialled as they are and routed to the PSTN gateway (112, ...)"),
    Field("pstn", "map", "PSTN breakout after the access digit and each category's class of service",
          hint="give national_prefix, international_prefix and class_of_service"),
)
# Classes of service, each allowing what the one before it does and more: PSTN breakout by policy.
SERVICE_CLASSES = ("onnet", "national", "international")
PSTN_FIELDS = (
    Field("national_prefix", "digits", "the trunk prefix every national number starts with"),
    Field("international_prefix", "digits", "the prefix every international number starts with"),
    Field("class_of_service", "map", f"institution category -> what it may dial: one of {', '.join(SERVICE_CLASSES)}",
          hint=f"give each institution category one of {', '.join(SERVICE_CLASSES)}"),
)
SHORT_CODE_FIELDS = (
    Field("number", "digits", "the short code as dialled"),
    Field("name", "description", "what it reaches"),
    Field("emergency", "bool", "an emergency number (always allowed, never barred)"),
)

ROUTING_FIELDS = (
    Field("core_asn", "int", "ASN of the GovNet core: every hub, iBGP between them", low=1, high=4294967294),
    Field("region_asn_base", "int", "a region's aggregation router has region_asn_base + region id", low=1, high=4294967294),
    Field("institution_asn_base", "int", "an institution has institution_asn_base + its id (4-byte private range)", low=1, high=4294967294),
    Field("ce_max_prefixes", "int", "an upstream tears down a CE session that sends more prefixes than this", low=1),
    Field("keepalive", "int", "BGP keepalive of every session, in seconds", low=1, high=3600),
    Field("holdtime", "int", "BGP hold time of every session, in seconds", low=3, high=65535),
)

SERVICE_FIELDS = (
    Field("name", "slug", "the service's name, as govnet_segmentation names it"),
    Field("role", "token", "what it does: sip_core, conference, pstn_gateway, dhcp, dns, ntp, aaa, syslog, application"),
    Field("host", "int", "its host number in the shared services /24 of each hub it is at", low=1, high=254),
    Field("hubs", "list", "slugs of the hubs it runs at"),
    Field("description", "description", "what it is, for the documents"),
)

# DSCP code points by name, the markings a QoS class or a voice marking may use; the IP TOS byte is the code point
# shifted left by two (cs3 = 24 -> 0x60). IOS-XE writes the name, the lab the TOS byte.
DSCP = {"default": 0, "cs1": 8, "af11": 10, "cs2": 16, "af21": 18, "cs3": 24, "af31": 26, "cs4": 32, "af41": 34, "cs5": 40, "ef": 46, "cs6": 48}
QOS_FIELDS = (
    Field("classes", "list", "the QoS classes of every WAN link, in order"),
    Field("default_queue", "choice", "how the rest (class-default) is queued", choices=("fair", "fifo")),
    Field("marking", "map", "the DSCP that phones, call control and the SIP core mark voice with"),
)
QOS_CLASS_FIELDS = (
    Field("name", "short", "class name on the devices"),
    Field("dscp", "choice", "the marking the class matches", choices=tuple(DSCP)),
    Field("queue", "choice", "priority: strict-priority (LLQ) queue; bandwidth: a guaranteed share", choices=("priority", "bandwidth")),
    Field("percent", "int", "share of the link (a priority queue at most 33)", low=1, high=99),
)
MARKING_FIELDS = (
    Field("media", "choice", "the DSCP of voice media (RTP); must be a class's dscp", choices=tuple(DSCP)),
    Field("signalling", "choice", "the DSCP of SIP signalling; must be a class's dscp", choices=tuple(DSCP)),
)

PLATFORM_FIELDS = tuple(Field(role, "choice", f"platform of every {role.replace('_', ' ')}", choices=PLATFORMS) for role in DEVICE_ROLES)

SWITCHING_FIELDS = (
    Field("access_ports", "int", "user-facing ports per access switch (data untagged, voice for the phone)", low=1, high=96),
    Field("spanning_tree", "choice", "spanning-tree mode; access ports are edge ports with BPDU guard", choices=("rapid-pvst", "mst")),
    Field("dhcp_snooping", "bool", "DHCP snooping on the data and voice VLANs, the uplink trusted"),
)

SECURITY_FIELDS = (
    Field("ssh_version", "choice", "SSH version devices accept", choices=(2,)),
    Field("login_banner", "banner", "the banner shown before login"),
    Field("ntp_servers_role", "token", "service role of govnet_services whose addresses are the NTP servers"),
    Field("syslog_role", "token", "service role that takes syslog, SNMP traps and flows (the security operations collector)"),
    Field("snmp_version", "choice", "SNMP version devices speak", choices=(3,)),
    Field("management_from", "token", "the pool of govnet_addressing devices take SSH and SNMP from: the operations network",
          hint="name the pool of govnet_addressing that is the operations network, e.g. operations"),
    Field("domain", "domain", "DNS domain of every device"),
    Field("timezone", "map", "the time zone of device clocks and logs", hint="give name and utc_offset, e.g. name: EAT, utc_offset: 3"),
    Field("admin_user", "user", "the local fallback administrator (its secret is in the vault)"),
    Field("snmp_user", "user", "the SNMPv3 user"),
    Field("snmp_group", "short", "the SNMPv3 group"),
    Field("aaa_role", "token", "service role whose addresses are the TACACS+ servers"),
    Field("sip", "map", "SIP digest authentication of the phones", hint="give realm_domain, the domain under which each institution has its SIP realm"),
    Field("secrets", "map", "secret -> the ansible-vault variable holding it (docs/secrets.md)"),
)
SECRET_NAMES = ("enable", "admin_password", "tacacs_key", "snmp_auth", "snmp_priv", "bgp_key", "sip_secret", "ipsec_psk", "ntp_key")
TIMEZONE_FIELDS = (
    Field("name", "short", "the zone's abbreviation devices show (EAT)"),
    Field("utc_offset", "int", "hours ahead of UTC (no daylight saving)", low=-12, high=14),
)
SIP_FIELDS = (
    Field("realm_domain", "domain", "each institution's SIP realm is its slug under this domain (moa.govnet.go.tz)",
          hint="write a DNS domain in lowercase, e.g. govnet.go.tz"),
)
DOMAIN = re.compile(r"(?=.{1,200}\Z)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+\Z")
