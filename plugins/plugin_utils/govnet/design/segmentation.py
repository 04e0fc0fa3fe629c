"""Segmentation between institutions, routing protection, management reach and security logs.

``parse`` checks ``govnet_segmentation`` (defaults/segmentation.yml) against its field tables and the
services it names; ``ce_rules`` turns it into the platform-neutral filter of one institution's CE router: what
may leave the institution's LANs (``outbound``) and what may arrive for them (``inbound``), every rule a
(sources, destinations, protocol, ports) tuple of prefixes and port strings (``"53"``, ``"16384-32767"``).
When the policy asks for IPsec (``ipsec``), the CE's filter also carries the IPsec parameters (``ipsec``), which
``ipsec.py`` turns into the protected links of the CE and of its upstreams.
Anything no rule allows is denied and logged; the platforms render that default themselves (nftables
``policy drop`` with a counted, logged last rule; IOS-XE ``deny ip any any log``). Traffic between an
institution's own VLANs is not filtered.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Iterable, Mapping

from . import schema as s
from ..core.problems import Problem, show

WHERE = "policy govnet_segmentation"

SHARED_SERVICE_FIELDS = (
    s.Field("service", "slug", "name of a service of govnet_services", hint="use the name of a service in govnet_services (services.yml)"),
    s.Field("protocol", "choice", "its protocol", choices=("tcp", "udp")),
    s.Field("ports", "list", "the destination ports an institution's LANs may open", hint="list the destination ports, e.g. [443]"),
)
MANAGEMENT_FIELDS = (
    s.Field("protocol", "choice", "the protocol", choices=("tcp", "udp", "icmp")),
    s.Field("ports", "list", "the destination ports (none for icmp)", required=False, hint="list the destination ports (none for icmp)"),
)
VOICE_FIELDS = (
    s.Field("services", "list", "service roles that take SIP from call control and send it media",
            hint="list service roles of govnet_services, e.g. [sip_core]"),
    s.Field("signalling_ports", "list", "the SIP ports", hint="list the SIP ports, e.g. [5060]"),
    s.Field("media_first_port", "int", "first UDP port of voice media (RTP)", low=1024, high=65535),
    s.Field("media_last_port", "int", "last UDP port of voice media", low=1024, high=65535),
)
CONTROL_PLANE_FIELDS = tuple(
    s.Field(name, "int", f"packets per second the control plane takes of {what}", low=1, high=100000)
    for name, what in (
        ("routing_pps", "routing (BGP)"),
        ("management_pps", "management (SSH, SNMP)"),
        ("icmp_pps", "ICMP"),
        ("default_pps", "anything else"),
    )
)
FLOW_EXPORT_FIELDS = (
    s.Field("port", "int", "UDP port of the collector's IPFIX listener", low=1, high=65535),
    s.Field("active_timeout", "int", "seconds after which a long flow is exported anyway", low=1, high=604800),
)
# IPsec between every CE and its upstream (ipsec.py): IKEv2 with a pre-shared key (security.yml secrets.ipsec_psk),
# ESP in tunnel mode, AES-GCM with the Diffie-Hellman group also used for perfect forward secrecy.
# The algorithms policy may name, declared once: a platform's words for them are made from these names
# (IOS-XE: ipsec.ENCRYPTION; tests/design/test_segmentation.py checks the words).
IPSEC_ENCRYPTION = ("aes-gcm-128", "aes-gcm-256")
IPSEC_PRF = ("sha256", "sha384", "sha512")
IPSEC_GROUPS = (14, 19, 20, 21)
IPSEC_FIELDS = (
    s.Field("enabled", "bool", "protect every CE's WAN link with IPsec"),
    s.Field("ike", "choice", "the key exchange", choices=("ikev2",)),
    s.Field("ike_proposal", "map", "encryption, prf and group of IKE"),
    s.Field("esp_proposal", "map", "encryption and group (perfect forward secrecy) of ESP"),
    s.Field("ike_lifetime", "int", "seconds before IKE rekeys", low=120, high=86400),
    s.Field("esp_lifetime", "int", "seconds before ESP rekeys (below ike_lifetime)", low=120, high=86400),
    s.Field("dpd_interval", "int", "seconds between dead peer detection probes", low=10, high=3600),
)
IKE_PROPOSAL_FIELDS = (
    s.Field("encryption", "choice", "IKE encryption", choices=IPSEC_ENCRYPTION),
    s.Field("prf", "choice", "IKE pseudo-random function", choices=IPSEC_PRF),
    s.Field("group", "choice", "Diffie-Hellman group", choices=IPSEC_GROUPS),
)
ESP_PROPOSAL_FIELDS = (
    s.Field("encryption", "choice", "ESP encryption", choices=IPSEC_ENCRYPTION),
    s.Field("group", "choice", "Diffie-Hellman group of every rekey (perfect forward secrecy)", choices=IPSEC_GROUPS),
)
FIELDS = (
    s.Field("shared_services", "list", "what an institution's LANs may open towards the shared services"),
    s.Field("ping_services", "bool", "whether an institution's LANs may ping every shared service"),
    s.Field("voice", "map", "SIP between call control and the voice services, and voice media between voice VLANs"),
    s.Field("management", "list", "what the operations network may open towards every institution LAN and router"),
    s.Field("control_plane", "map", "control-plane policing of routers"),
    s.Field("flow_export", "map", "flow records (IPFIX) from every router's WAN links to the security operations collector"),
    s.Field("bgp_authentication", "bool", "sign every BGP session with TCP-MD5 (the key: secrets.bgp_key)"),
    s.Field("ipsec", "map", "IPsec between every CE and its upstream (absent: none)", required=False),
)


def _ports(value: Any, where: str, problems: list[Problem]) -> None:
    for port in value if isinstance(value, list) else []:
        if not s._is_int(port) or not 1 <= port <= 65535:  # pylint: disable=protected-access
            problems.append(Problem(where, "ports", show(port), "is not a port number", "use whole numbers from 1 to 65535"))
    if isinstance(value, list) and not value:
        problems.append(Problem(where, "ports", "[]", "lists no port", "list at least one destination port"))


def parse(raw: Any, service_names: Iterable[str], service_roles: Iterable[str]) -> tuple[list[Problem], dict[str, Any]]:
    """Every problem of govnet_segmentation (none when it is right) and the checked policy as plain data."""
    problems = s.check_record(raw, FIELDS, WHERE)
    if problems:
        return problems, {}
    names, roles = sorted(set(service_names)), sorted(set(service_roles))
    for number, item in enumerate(raw["shared_services"], start=1):
        where = f"{WHERE}.shared_services item {number}"
        found = s.check_record(item, SHARED_SERVICE_FIELDS, where)
        if not found and item["service"] not in names:
            found.append(Problem(where, "service", show(item["service"]), "is not a known service", f"use one of {', '.join(names)}"))
        if not found:
            _ports(item["ports"], where, found)
        problems += found
    for number, item in enumerate(raw["management"], start=1):
        where = f"{WHERE}.management item {number}"
        found = s.check_record(item, MANAGEMENT_FIELDS, where)
        if not found and item["protocol"] != "icmp" and "ports" not in item:
            found.append(Problem(where, "ports", "(missing)", "is required for tcp and udp", "list the destination ports, e.g. [22]"))
        elif not found and item["protocol"] != "icmp":
            _ports(item["ports"], where, found)
        problems += found
    voice = raw["voice"]
    found = s.check_record(voice, VOICE_FIELDS, f"{WHERE}.voice")
    if not found:
        for role in voice["services"]:
            if role not in roles:
                found.append(
                    Problem(
                        f"{WHERE}.voice",
                        "services",
                        show(role),
                        "is not a service role",
                        f"use roles of govnet_services: {', '.join(roles)}",
                    )
                )
        _ports(voice["signalling_ports"], f"{WHERE}.voice", found)
        if voice["media_first_port"] > voice["media_last_port"]:
            found.append(
                Problem(
                    f"{WHERE}.voice",
                    "media_last_port",
                    show(voice["media_last_port"]),
                    "is below media_first_port",
                    "make the range first..last",
                )
            )
    problems += found
    problems += s.check_record(raw["control_plane"], CONTROL_PLANE_FIELDS, f"{WHERE}.control_plane")
    problems += s.check_record(raw["flow_export"], FLOW_EXPORT_FIELDS, f"{WHERE}.flow_export")
    if "ipsec" in raw:
        problems += _ipsec_problems(raw["ipsec"])
    return problems, ({} if problems else dict(raw))


def _ipsec_problems(ipsec: Any) -> list[Problem]:
    problems = s.check_record(ipsec, IPSEC_FIELDS, f"{WHERE}.ipsec")
    if problems:
        return problems
    problems += s.check_record(ipsec["ike_proposal"], IKE_PROPOSAL_FIELDS, f"{WHERE}.ipsec.ike_proposal")
    problems += s.check_record(ipsec["esp_proposal"], ESP_PROPOSAL_FIELDS, f"{WHERE}.ipsec.esp_proposal")
    if ipsec["esp_lifetime"] >= ipsec["ike_lifetime"]:
        problems.append(
            Problem(
                f"{WHERE}.ipsec",
                "esp_lifetime",
                show(ipsec["esp_lifetime"]),
                "is not below ike_lifetime",
                "rekey ESP more often than IKE, e.g. esp_lifetime: 3600 with ike_lifetime: 86400",
            )
        )
    return problems


def ipsec(policy: Mapping[str, Any]) -> dict[str, Any] | None:
    """The IPsec parameters every CE and its upstreams use, or None when the policy does not ask for IPsec."""
    raw = policy.get("ipsec")
    if not raw or not raw["enabled"]:
        return None
    return {
        "ike": raw["ike"],
        "ike_proposal": dict(raw["ike_proposal"]),
        "esp_proposal": dict(raw["esp_proposal"]),
        "ike_lifetime": raw["ike_lifetime"],
        "esp_lifetime": raw["esp_lifetime"],
        "dpd_interval": raw["dpd_interval"],
    }


# ---------------------------------------------------------------- the filter of one institution's CE


def _rule(description: str, sources: list[str], destinations: list[str], protocol: str, ports: Iterable[Any] = ()) -> dict[str, Any]:
    return {
        "description": description,
        "sources": sorted(set(sources), key=_prefix_key),
        "destinations": sorted(set(destinations), key=_prefix_key),
        "protocol": protocol,
        "ports": [str(port) for port in ports],
    }


# Every CE's rules name the same services, pools and operations network: a prefix's sort key is worked out once.
@lru_cache(maxsize=1 << 14)
def _prefix_key(prefix: str) -> tuple[int, ...]:
    address, _slash, length = prefix.partition("/")
    return (*(int(part) for part in address.split(".")), int(length or 32))


def _host(address: str) -> str:
    return address.split("/")[0] + "/32"


def ce_rules(
    policy: Mapping[str, Any],
    site: str,
    voice_subnet: str | None,
    call_control: list[str],
    services: Mapping[str, list[tuple[str, str]]],
    site_pools: list[str],
    operations: list[str],
) -> dict[str, Any]:
    """The filter of an institution's CE: outbound and inbound rules (sources, destinations, protocol, ports).

    services maps a service name to its (role, address) at each hub; call_control holds this institution's
    call-control addresses; site_pools are the pools every institution's site block comes from. Voice media
    goes to and comes from those pools, not a list of every other institution's voice subnet: each CE admits
    media only into its own voice subnet and call control and lets it out only from them, so end to end it
    flows between voice VLANs alone, and a CE's filter stays the same size however many institutions join."""
    outbound: list[dict[str, Any]] = []
    inbound: list[dict[str, Any]] = []
    for item in policy["shared_services"]:
        hosts = [_host(address) for _role, address in services.get(item["service"], [])]
        if hosts:
            outbound.append(
                _rule(
                    f"{item['service']} {item['protocol']} {','.join(map(str, item['ports']))}",
                    [site],
                    hosts,
                    item["protocol"],
                    item["ports"],
                )
            )
    if policy["ping_services"]:
        every = [_host(address) for entries in services.values() for _role, address in entries]
        outbound.append(_rule("ping the shared services", [site], every, "icmp"))
    voice = policy["voice"]
    voice_hosts = [_host(address) for entries in services.values() for role, address in entries if role in voice["services"]]
    media = [f"{voice['media_first_port']}-{voice['media_last_port']}"]
    controls = [_host(address) for address in call_control]
    if controls and voice_hosts:
        for protocol in ("udp", "tcp"):
            outbound.append(
                _rule(f"SIP {protocol} from call control to the voice services", controls, voice_hosts, protocol, voice["signalling_ports"])
            )
            inbound.append(
                _rule(f"SIP {protocol} from the voice services to call control", voice_hosts, controls, protocol, voice["signalling_ports"])
            )
    if voice_subnet is not None:
        ends = [voice_subnet] + controls
        outbound.append(_rule("voice media (RTP) to phones and voice services", ends, site_pools + voice_hosts, "udp", media))
        inbound.append(_rule("voice media (RTP) from phones and voice services", site_pools + voice_hosts, ends, "udp", media))
    for item in policy["management"]:
        what = f"management {item['protocol']} {','.join(map(str, item.get('ports', [])))}".rstrip()
        inbound.append(_rule(f"{what} from the e-GA operations network", operations, [site], item["protocol"], item.get("ports", [])))
    protection = ipsec(policy)
    return {"site": site, "outbound": outbound, "inbound": inbound, **({"ipsec": protection} if protection else {})}


def control_plane(policy: Mapping[str, Any], operations: list[str]) -> dict[str, Any]:
    """Control-plane policing of a router: rates per class and who may manage it."""
    return {**dict(policy["control_plane"]), "management_from": list(operations)}


def flow_export(policy: Mapping[str, Any], collectors: list[str]) -> dict[str, Any]:
    """Flow export (IPFIX) from a router's WAN links to the security operations collectors."""
    return {"collectors": list(collectors), **dict(policy["flow_export"])}
