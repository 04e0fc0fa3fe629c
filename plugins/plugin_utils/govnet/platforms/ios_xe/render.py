"""Cisco IOS-XE 17 configurations, the production platform, from the platform-neutral intended state.

One Jinja2 environment renders every ``ios_xe`` device, each from its own intended state alone
(``render_device(state)``: what it needs of other devices is in it, design/facts.py); the templates in
``templates/`` beside it only lay out commands. What validation and the intended state guarantee is not checked again
here (tests/design/test_intended.py and the golden refusals say where each is guaranteed). Everything computed
(interface names, sub-interface numbers, netmasks and wildcards, prefix-list names, dial-peer tags, dial patterns
and translation rules) is done here, in small functions that build a plain view dict per device.

Physical interfaces (the hardware class each role is built for):

* CE router (ISR 4000 / Catalyst 8200 class): the NICTBB access port is ``GigabitEthernet0/0/0`` with
  one dot1Q sub-interface per circuit, ``GigabitEthernet0/0/0.<circuit>``; the LAN trunk to the first
  access switch is ``GigabitEthernet0/0/1`` with one sub-interface per VLAN,
  ``GigabitEthernet0/0/1.<vlan id>``, carrying the router's own address of that VLAN (and, for a
  redundant pair, HSRP version 2 group ``<vlan id>`` for the virtual gateway).
* Core hub and regional aggregation router (ASR 1000 / Catalyst 8500 class): every WAN and core link is
  a sub-interface of the NICTBB trunk, ``TenGigabitEthernet0/1/0.<circuit>``; a hub's ``services`` LAN
  is ``TenGigabitEthernet0/1/1`` and its ``operations`` LAN ``TenGigabitEthernet0/1/2`` (routed ports).
* Access switch (Catalyst 9200 class): uplink ``GigabitEthernet1/1/1`` (trunk of exactly the
  institution's VLANs), access ports ``GigabitEthernet1/0/1`` to ``GigabitEthernet1/0/<count>``,
  management on ``Vlan<management vlan>`` with ``ip default-gateway`` (the switch does not route).
* Call control (ISR 4000 class running CME/CUBE): ``GigabitEthernet0/0/0`` in the servers VLAN, with a
  default route to the VLAN's gateway.

Management traffic (TACACS+, syslog, SNMP traps, NTP, SSH) is sourced from an address the rest of
GovNet can route back to: loopbacks are not advertised (the intended state originates only site
blocks, hub LANs and region summaries), so a CE sources it from its management VLAN sub-interface and a
hub from its services LAN; an aggregation router's loopback lies inside its region summary, so it uses
Loopback0. See :func:`management_source`.

Secrets are never rendered: the state carries references such as ``{{ vault_govnet_enable_secret }}``,
which go into the configuration exactly as given (deploy fills them in from ansible-vault). Any other
Jinja2 markup in a configuration is an error, because deploy templates the file.
"""

from __future__ import annotations

import ipaddress
import re
import textwrap
from functools import lru_cache
from pathlib import Path
from typing import Any, Collection, Iterable, Mapping

import jinja2

from ...design.state import AccessSwitchState, AggregationState, CallControlState, CeRouterState, CoreHubState, RouterState, State

from ...design.schema import ROUTER_ROLES, SERVICE_CLASSES
from ...core.text import VAULT_REFERENCE, ascii_line
from . import security
from . import ipsec as ios_xe_ipsec
from ..templating import config_environment

PLATFORM = "ios_xe"
TEMPLATES = Path(__file__).resolve().parent / "templates"
ENV = config_environment(TEMPLATES)

SNMP_CONTACT = "e-GA GovNet operations"
BANNER_DELIMITERS = str.maketrans("^@", "  ")
NTP_KEY_ID = 1  # the one NTP key of GovNet: every device trusts it and asks it of every server
DIAL_PEER_DESCRIPTION = 64  # IOS-XE's longest dial-peer description; interface descriptions take 240, BGP ones 80

# Physical interfaces by hardware class (see the module docstring).
CE_WAN_PORT = "GigabitEthernet0/0/0"
CE_LAN_PORT = "GigabitEthernet0/0/1"
CORE_WAN_PORT = "TenGigabitEthernet0/1/0"
CORE_LAN_PORTS = {"services": "TenGigabitEthernet0/1/1", "operations": "TenGigabitEthernet0/1/2"}
SWITCH_UPLINK = "GigabitEthernet1/1/1"
SWITCH_ACCESS_PREFIX = "GigabitEthernet1/0/"
CALL_CONTROL_PORT = "GigabitEthernet0/0/0"

# Names shared by every configuration.
WAN_POLICY = "GOVNET-WAN-OUT"
ACCESS_POLICY = "GOVNET-ACCESS-IN"
MGMT_ACL = "GOVNET-MGMT"
TACACS_GROUP = "GOVNET-TACACS"
UNSUPPRESS_MAP = "GOVNET-UNSUPPRESS-ALL"
HSRP_TRACK = 1
ANCHOR_DISTANCE = 254

# Call control: dial-peer tags by purpose (``+ index`` of the target, in the state's order).
DIAL_PEER_INCOMING = 100  # calls from GovNet to this institution's numbers
DIAL_PEER_ONNET = 200  # other institutions' numbers, to the SIP core (one per hub)
DIAL_PEER_CONFERENCE = 300  # this institution's conference bridges, to the conference service
DIAL_PEER_PSTN = 400  # national numbers (pattern k via gateway j: 400 + 10 * k + j), to the PSTN gateways
DIAL_PEER_INTERNATIONAL = 500  # international numbers via gateway j: 500 + j
DIAL_PEER_SHORT_CODES = 1000  # short code i via gateway j: 1000 + 10 * i + j
E164_MAP_ONNET = 200
E164_MAP_CONFERENCE = 300
# Classes of service (COR): a PSTN dial-peer needs its class in the caller's incoming list. The phones' list holds
# the classes of the institution's class of service; calls from GovNet (the SIP core) only on-net, so no hairpin to
# the PSTN.
COR = {"onnet": "GOVNET-ONNET", "national": "GOVNET-NATIONAL", "international": "GOVNET-INTERNATIONAL"}
COR_PHONES = "GOVNET-PHONES"
COR_FROM_GOVNET = "GOVNET-FROM-GOVNET"
RULE_SHORT_TO_FULL = 1
RULE_FULL_TO_SHORT = 2
CODEC_CLASS = 1

QOS_ACTIONS = {"priority": "priority percent", "bandwidth": "bandwidth percent"}
DEFAULT_QUEUES = {"fair": "fair-queue", "fifo": None}  # fifo: class-default with no queueing action (IOS-XE queues it FIFO)
SPANNING_TREE_MODES = {"rapid-pvst": "rapid-pvst", "pvst": "pvst", "mst": "mst"}


# ---------------------------------------------------------------- small computations


@lru_cache(maxsize=None)
def netmask(length: int) -> str:
    """Dotted netmask of a prefix length: 23 -> 255.255.254.0."""
    return str(ipaddress.IPv4Network(f"0.0.0.0/{length}").netmask)


@lru_cache(maxsize=None)
def wildcard(length: int) -> str:
    """Dotted wildcard (inverse) mask of a prefix length, for ACLs: 24 -> 0.0.0.255."""
    return str(ipaddress.IPv4Network(f"0.0.0.0/{length}").hostmask)


def address_mask(cidr: str) -> str:
    """An interface address in IOS form: '10.2.0.67/31' -> '10.2.0.67 255.255.255.254'."""
    address, _slash, length = cidr.partition("/")
    return f"{address} {netmask(int(length or 32))}"


# The same prefixes (GovNet's supernet, the services, the pools, each institution's block) come up in many
# devices' configurations: each is parsed once per build.
@lru_cache(maxsize=1 << 16)
def network(prefix: str) -> ipaddress.IPv4Network:
    """A prefix parsed strictly (host bits set is an error)."""
    return ipaddress.IPv4Network(prefix)


@lru_cache(maxsize=1 << 16)
def interface_network(address: str) -> ipaddress.IPv4Network:
    """The network of an interface address: '10.2.0.67/31' -> 10.2.0.66/31."""
    return ipaddress.IPv4Interface(address).network


def network_mask(prefix: str) -> dict[str, str]:
    """A prefix as network and netmask: '10.16.32.0/22' -> {network: 10.16.32.0, mask: 255.255.252.0}."""
    net = network(prefix)
    return {"network": str(net.network_address), "mask": netmask(net.prefixlen)}


def network_wildcard(prefix: str) -> dict[str, str]:
    """A prefix as network and wildcard mask, for ACL entries."""
    net = network(prefix)
    return {"network": str(net.network_address), "wildcard": wildcard(net.prefixlen)}


def text(value: Any, limit: int = 200) -> str:
    """Free text for descriptions and names: printable ASCII on one line, at most `limit` characters (text.ascii_line)."""
    return ascii_line(value, limit)


def wan_interface(role: str, circuit: int) -> str:
    """The sub-interface of a NICTBB circuit: dot1Q tag and sub-interface number are the circuit (allocation keeps every
    circuit a distinct tag of 100-4063: CE circuits below 3000, aggregation uplinks below 4000, region ids 1-125)."""
    return f"{CE_WAN_PORT if role == 'ce_router' else CORE_WAN_PORT}.{circuit}"


def lan_subinterface(vlan_id: int) -> str:
    """A CE router's sub-interface for one VLAN of the LAN trunk."""
    return f"{CE_LAN_PORT}.{vlan_id}"


def access_port(number: int) -> str:
    """The n-th access port of an access switch (1-based)."""
    return f"{SWITCH_ACCESS_PREFIX}{number}"


def prefix_list_name(peer: str, direction: str) -> str:
    """The prefix list filtering one BGP neighbour: PL-<PEER>-IN / PL-<PEER>-OUT."""
    return f"PL-{re.sub(r'[^A-Za-z0-9]+', '-', peer).upper()}-{direction.upper()}"


def vlan_list(ids: Iterable[int]) -> str:
    """VLAN ids for a trunk or a snooping list: '10,20,30,99'."""
    return ",".join(str(vlan) for vlan in ids)


def digit_class(digits: Iterable[str]) -> str:
    """A dial-pattern character for a set of digits: {'4'} -> '4', {'4','5','6','8'} -> '[4-68]'."""
    values = sorted({int(d) for d in digits})
    if not values:
        raise ValueError("empty digit class")
    if len(values) == 1:
        return str(values[0])
    runs: list[list[int]] = []
    for value in values:
        if runs and value == runs[-1][1] + 1:
            runs[-1][1] = value
        else:
            runs.append([value, value])
    parts = [str(a) if a == b else f"{a}{b}" if b == a + 1 else f"{a}-{b}" for a, b in runs]
    return "[" + "".join(parts) + "]"


def onnet_patterns(own_code: str, code_digits: Iterable[str], number_length: int) -> list[str]:
    """Dial patterns of every on-net number (`number_length` digits starting with one of `code_digits`)
    except this institution's own code: the complement of the code, digit by digit.

    Code 501 with leading digits 4-5 and 7-digit numbers gives 4......, 5[1-9]....., 50[02-9]....
    """
    patterns = []
    firsts = set(code_digits)
    for position, digit in enumerate(own_code):
        allowed = (firsts if position == 0 else set("0123456789")) - {digit}
        if allowed:
            head = own_code[:position] + digit_class(allowed)
            patterns.append(head + "." * (number_length - position - 1))
    return patterns


def vault_reference(value: str, what: str) -> str:
    """A secret as it may appear in a configuration: only a vault variable reference, never a value. Validation refuses
    a secret that names no vault variable; this is the last guard that no secret value is ever written into a file."""
    if not isinstance(value, str) or not VAULT_REFERENCE.fullmatch(value):
        raise ValueError(
            f"secret {what} is not a vault reference like '{{{{ vault_name }}}}': name a vault variable (letters, digits and '_')"
            " in govnet_security.secrets"
        )
    return value


def management_source(state: State) -> str:
    """The interface management traffic leaves from (an address GovNet routes back to).

    CE router: its management VLAN sub-interface (inside the originated site block); core hub: its
    services LAN (originated); aggregation router: Loopback0 (inside its region summary); access
    switch: its management SVI; call control: its only interface.
    """
    role = state["role"]
    if role == "ce_router":
        management = [vlan for vlan in state["vlans"] if vlan["role"] == "management"]
        return lan_subinterface(management[0]["id"]) if management else "Loopback0"
    if role == "core_hub":
        return CORE_LAN_PORTS["services"]
    if role == "access_switch":
        return f"Vlan{state['management_interface']['vlan']}"
    if role == "call_control":
        return CALL_CONTROL_PORT
    return "Loopback0"


# ---------------------------------------------------------------- views shared by every device


@lru_cache(maxsize=8)
def _banner(banner: str) -> tuple[str, ...]:
    """The login banner in lines of at most 72 characters; '^' (the banner delimiter) and '@' (the one deploy uses),
    which the schema refuses, become spaces."""
    return tuple(textwrap.wrap(text(banner.translate(BANNER_DELIMITERS), 2000), width=72)) or ("Authorised access only.",)


def _common(state: State, title: str, location: str) -> dict[str, Any]:
    mgmt = state["management"]
    secrets = mgmt["secrets"]
    return {
        "hostname": state["hostname"],
        "title": text(title),
        "timezone": dict(mgmt["timezone"]),
        "domain": mgmt["domain"],
        "name_servers": list(mgmt["dns_servers"]),
        "tacacs_group": TACACS_GROUP,
        "tacacs": [{"name": f"GOVNET-TACACS-{n}", "address": address} for n, address in enumerate(mgmt["aaa_servers"], 1)],
        "tacacs_key": vault_reference(secrets["tacacs_key"], "tacacs_key"),
        "admin_user": mgmt["admin_user"],
        "admin_secret": vault_reference(secrets["admin_password"], "admin_password"),
        "enable_secret": vault_reference(secrets["enable"], "enable"),
        "source": management_source(state),
        "mgmt_acl": {"name": MGMT_ACL, "entries": [network_wildcard(prefix) for prefix in mgmt["allowed_from"]]},
        "ssh_version": mgmt["ssh_version"],
        "syslog_servers": list(mgmt["syslog_servers"]),
        "ntp_servers": list(mgmt["ntp_servers"]),
        "ntp_key": {"id": NTP_KEY_ID, "value": vault_reference(secrets["ntp_key"], "ntp_key")},
        "snmp": {
            "group": mgmt["snmp_group"],
            "user": mgmt["snmp_user"],
            "auth": vault_reference(secrets["snmp_auth"], "snmp_auth"),
            "priv": vault_reference(secrets["snmp_priv"], "snmp_priv"),
            "location": text(location),
            "contact": SNMP_CONTACT,
            "hosts": list(mgmt["syslog_servers"]),
        },
        "banner": _banner(mgmt["banner"]),
        "aux": state["role"] != "access_switch",
        "bgp_traps": "bgp" in state,
    }


def _institution_title(state: CeRouterState | AccessSwitchState | CallControlState, what: str) -> str:
    inst = state["institution"]
    return f"{what} of {inst['name']} ({inst['slug']}, code {inst['code']})"


def _institution_location(state: CeRouterState | AccessSwitchState | CallControlState) -> str:
    return f"{state['institution']['name']}, {state['region']} region"


# ---------------------------------------------------------------- routers


def _qos(state: RouterState) -> dict[str, Any]:
    """The WAN policy: validation gives each class a queue IOS-XE knows and at most 100% in all."""
    classes = [
        {"name": f"GOVNET-{item['name']}", "dscp": item["dscp"], "action": QOS_ACTIONS[item["queue"]], "percent": item["percent"]}
        for item in state["qos"]["classes"]
    ]
    return {"policy": WAN_POLICY, "classes": classes, "default": DEFAULT_QUEUES[state["qos"]["default_queue"]]}


def _l3(name: str, description: str, address: str | None, **extra: Any) -> dict[str, Any]:
    interface = {
        "name": name,
        "description": text(description, 200),
        "dot1q": None,
        "address": address_mask(address) if address else None,
        "helpers": [],
        "hsrp": None,
        "service_policy": None,
        "physical": False,
        "no_cdp": False,
        "l3": address is not None,
        "acl_in": None,
        "flow_monitor": None,
        "crypto_map": None,
    }
    interface.update(extra)
    return interface


def _wan_interfaces(state: RouterState) -> list[dict[str, Any]]:
    """The WAN trunk's physical port and one sub-interface per circuit, in circuit order."""
    role = state["role"]
    links = [i for i in state["interfaces"] if i["kind"] in ("wan", "core")]
    if not links:
        return []
    parent = wan_interface(role, links[0]["circuit"]).rsplit(".", 1)[0]
    out = [_l3(parent, "NICTBB access: one sub-interface per circuit", None, physical=True, no_cdp=True)]
    for link in sorted(links, key=lambda item: item["circuit"]):
        what = "Core link" if link["kind"] == "core" else "WAN"
        out.append(
            _l3(
                wan_interface(role, link["circuit"]),
                f"{what} to {link['peer']} ({link['peer_address']}), NICTBB circuit {link['circuit']}",
                link["address"],
                dot1q=link["circuit"],
                service_policy=WAN_POLICY if link.get("qos") else None,
                flow_monitor=security.FLOW_MONITOR,
            )
        )
    return out


def _connected(state: RouterState) -> set[ipaddress.IPv4Network]:
    nets = {interface_network(i["address"]) for i in state["interfaces"] if "address" in i}
    nets.update(network(vlan["prefix"]) for vlan in state.get("vlans", []))
    return nets


def _bgp(state: RouterState) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, str]]]:
    """The BGP process, its prefix lists and the Null0 anchors of originated blocks not connected whole."""
    bgp = state["bgp"]
    connected = _connected(state)
    networks, anchors = [], []
    for prefix in bgp.get("originate", []):
        networks.append(network_mask(prefix))
        if network(prefix) not in connected:
            anchors.append({**network_mask(prefix), "distance": ANCHOR_DISTANCE})
    aggregates = [network_mask(prefix) for prefix in ([bgp["summary"]] if "summary" in bgp else []) + list(bgp.get("aggregate", []))]
    prefix_lists, neighbors = [], []
    for neighbor in bgp["neighbors"]:
        ibgp = neighbor["remote_asn"] == bgp["asn"]
        view = {
            "address": neighbor["address"],
            "remote_asn": neighbor["remote_asn"],
            "description": text(neighbor["description"], 80),
            "ibgp": ibgp,
            "send_community": ibgp,
            "next_hop_self": ibgp,
            "unsuppress_map": UNSUPPRESS_MAP if (ibgp and aggregates and "all" in neighbor["advertise"]) else None,
            "prefix_in": None,
            "prefix_out": None,
            "max_prefixes": neighbor.get("max_prefixes"),
            "password": (
                vault_reference(neighbor["password"], f"BGP key of neighbour {neighbor['peer']}") if "password" in neighbor else None
            ),
            "soft_reconfiguration": neighbor.get("soft_reconfiguration", False),
        }
        for direction, key, everything, what in (("in", "accept", "any", "accept from"), ("out", "advertise", "all", "advertise to")):
            prefixes = neighbor[key]
            if everything in prefixes:  # exactly [everything] (state.Neighbor)
                continue
            name = prefix_list_name(neighbor["peer"], direction)
            entries = [{"seq": 5 * n, "action": "permit", "prefix": str(network(p))} for n, p in enumerate(prefixes, 1)]
            if not entries:  # an empty prefix list would let everything through: deny it all instead
                entries = [{"seq": 5, "action": "deny", "prefix": "0.0.0.0/0 le 32"}]
            prefix_lists.append(
                {"name": name, "description": text(f"{what} {neighbor['peer']}: exactly these prefixes", 80), "entries": entries}
            )
            view[f"prefix_{direction}"] = name
        neighbors.append(view)
    view = {
        "asn": bgp["asn"],
        "router_id": bgp["router_id"],
        "keepalive": bgp["keepalive"],
        "holdtime": bgp["holdtime"],
        "networks": networks,
        "aggregates": aggregates,
        "neighbors": neighbors,
        "unsuppress_map": UNSUPPRESS_MAP if any(n["unsuppress_map"] for n in neighbors) else None,
    }
    return view, prefix_lists, anchors


def _router(state: RouterState, title: str, location: str) -> dict[str, Any]:
    view = _common(state, title, location)
    bgp, prefix_lists, anchors = _bgp(state)
    view.update(
        {
            "loopback": address_mask(state["loopback"]),
            "qos": _qos(state),
            "bgp": bgp,
            "prefix_lists": prefix_lists,
            "static_routes": anchors,
            "track": None,
            "interfaces": [_l3("Loopback0", "Router ID", state["loopback"], l3=False)] + _wan_interfaces(state),
            "copp": security.control_plane(state, list(state["management"]["ntp_servers"]), list(state["management"]["aaa_servers"])),
            "flows": security.flow_export(state, management_source(state)),
            "segmentation": None,
        }
    )
    return view


def _hub_view(state: CoreHubState) -> dict[str, Any]:
    view = _router(state, f"GovNet core hub: {state['hub']['name']}", f"{state['hub']['name']} data centre")
    for lan in (i for i in state["interfaces"] if i["kind"] == "lan"):
        view["interfaces"].append(
            _l3(CORE_LAN_PORTS[lan["name"]], f"{lan['name'].capitalize()} LAN ({lan['address']})", lan["address"], physical=True)
        )
    return view


def _aggregation_view(state: AggregationState) -> dict[str, Any]:
    return _router(
        state, f"GovNet regional aggregation: {state['region']} (NICTBB PoP {state['pop']})", f"NICTBB point of presence {state['pop']}"
    )


def _ce_view(state: CeRouterState) -> dict[str, Any]:
    view = _router(state, _institution_title(state, "CE router"), _institution_location(state))
    trunks = [i for i in state["interfaces"] if i["kind"] == "trunk"]
    redundancy = state.get("redundancy")
    uplinks = state["bgp"]["neighbors"]
    hsrp = None
    if redundancy:
        priorities = [member["priority"] for member in redundancy["pair"]]
        tracked = [p for n in uplinks for p in n["accept"] if p != "any"]
        if tracked:
            view["track"] = {"id": HSRP_TRACK, "kind": "route", **network_mask(tracked[0])}
        else:
            circuit = next(i["circuit"] for i in state["interfaces"] if i["kind"] == "wan")
            view["track"] = {"id": HSRP_TRACK, "kind": "interface", "interface": wan_interface("ce_router", circuit)}
        hsrp = {"priority": redundancy["priority"], "decrement": max(priorities) - min(priorities) + 10, "track": HSRP_TRACK}
    switches = state["switches"]
    if trunks:
        vlans_by_id = {vlan["id"]: vlan for vlan in state["vlans"]}
        peer = f" to {switches[0]}" if switches else ""
        view["interfaces"].append(_l3(CE_LAN_PORT, f"LAN trunk{peer}: VLANs {vlan_list(trunks[0]['vlans'])}", None, physical=True))
        for vlan_id in trunks[0]["vlans"]:
            vlan = vlans_by_id[vlan_id]
            group = {"group": vlan_id, "ip": vlan["gateway"], **hsrp} if hsrp else None  # a lone CE's address is the gateway
            view["interfaces"].append(
                _l3(
                    lan_subinterface(vlan_id),
                    f"{vlan['name']} VLAN {vlan_id} ({vlan['prefix']})",
                    vlan["address"],
                    dot1q=vlan_id,
                    helpers=list(vlan.get("dhcp_relay", [])),
                    hsrp=group,
                )
            )
    _segment(state, view, redundancy is not None)
    return view


def _segment(state: CeRouterState, view: dict[str, Any], redundant: bool) -> None:
    """The CE's segmentation ACLs, inbound on every WAN and LAN sub-interface."""
    wan = [(i["address"].split("/")[0], i["peer_address"]) for i in state["interfaces"] if i["kind"] == "wan"]
    view["segmentation"] = security.segmentation_acls(state, wan, redundant)
    for interface in view["interfaces"]:
        if interface["dot1q"]:
            lan = interface["name"].startswith(CE_LAN_PORT + ".")
            interface["acl_in"] = security.LAN_ACL if lan else security.WAN_ACL


# ---------------------------------------------------------------- access switch


def _switch_view(state: AccessSwitchState) -> dict[str, Any]:
    view = _common(state, _institution_title(state, "Access switch"), _institution_location(state))
    ports = state["access_ports"]
    mode = state["spanning_tree"]
    mgmt = state["management_interface"]
    view.update(
        {
            "vlans": [{"id": vlan["id"], "name": vlan["name"]} for vlan in state["vlans"]],
            "spanning_tree": SPANNING_TREE_MODES[mode],
            "dhcp_snooping": vlan_list([ports["data_vlan"], ports["voice_vlan"]]) if state["dhcp_snooping"] else None,
            "data_vlan": ports["data_vlan"],
            "voice_vlan": ports["voice_vlan"],
            "access_policy": ACCESS_POLICY,
            "access_ports": [access_port(n) for n in range(1, ports["count"] + 1)],
            "uplink": {
                "name": SWITCH_UPLINK,
                "description": text(f"Uplink to {state['uplink']['peer']} ({CE_LAN_PORT}): VLANs {vlan_list(state['uplink']['vlans'])}"),
                "vlans": vlan_list(state["uplink"]["vlans"]),
            },
            "svi": {"vlan": mgmt["vlan"], "address": address_mask(mgmt["address"])},
            "default_gateway": mgmt["gateway"],
        }
    )
    return view


# ---------------------------------------------------------------- call control


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _call_control_view(state: CallControlState) -> dict[str, Any]:
    view = _common(state, _institution_title(state, "Call control (CME/CUBE)"), _institution_location(state))
    numbering, routes, qos = state["numbering"], state["routes"], state["qos"]
    code = str(numbering["code"])
    ext = numbering["extension_digits"]
    length = routes["onnet_digits"]  # code and extension; validation gives sip_core and pstn_gateway 1 to 9 addresses
    count = numbering["last_extension"] - numbering["first_extension"] + 1
    first_digits = routes["onnet_first_digits"]
    conference = [str(number) for number in numbering["conference_numbers"]]
    dscp = {"signalling": qos["signalling_dscp"], "media": qos["media_dscp"]}
    full = f"{code}{'.' * ext}"

    def peer(tag: int, description: str, target: str, preference: int, **extra: Any) -> dict[str, Any]:
        return {
            "tag": tag,
            "description": text(description, DIAL_PEER_DESCRIPTION),
            "target": target,
            "preference": preference,
            "destination_pattern": None,
            "e164_map": None,
            "incoming_called": None,
            "profile_in": None,
            "profile_out": None,
            "keepalive": target is not None,
            "cor_in": None,
            "cor_out": None,
            **extra,
        }

    dial_peers = [
        peer(
            DIAL_PEER_INCOMING,
            f"Incoming from GovNet to {code} numbers",
            None,
            None,
            incoming_called=full,
            profile_in="GOVNET-INCOMING",
            cor_in=COR_FROM_GOVNET,
        )
    ]
    for j, address in enumerate(routes["sip_core"]):
        dial_peers.append(
            peer(
                DIAL_PEER_ONNET + j,
                f"On-net: other institutions via SIP core {address}",
                address,
                j + 1,
                e164_map=E164_MAP_ONNET,
                profile_out="GOVNET-OUTGOING",
            )
        )
    for j, address in enumerate(routes["conference"]):
        dial_peers.append(
            peer(
                DIAL_PEER_CONFERENCE + j,
                f"Conference bridges of {code} via {address}",
                address,
                j + 1,
                e164_map=E164_MAP_CONFERENCE,
                profile_out="GOVNET-CONFERENCE",
            )
        )
    access = routes["pstn_access_digit"]
    national, international = routes["national_prefix"], routes["international_prefix"]
    for k, pattern in enumerate(national_patterns(national, international)):
        for j, address in enumerate(routes["pstn_gateway"]):
            dial_peers.append(
                peer(
                    DIAL_PEER_PSTN + 10 * k + j,
                    f"PSTN national: {access} {national} via gateway {address}",
                    address,
                    j + 1,
                    destination_pattern=f"{access}{pattern}T",
                    profile_out="GOVNET-OUTGOING",
                    cor_out=COR["national"],
                )
            )
    for j, address in enumerate(routes["pstn_gateway"]):
        dial_peers.append(
            peer(
                DIAL_PEER_INTERNATIONAL + j,
                f"PSTN international: {access} {international} via gateway {address}",
                address,
                j + 1,
                destination_pattern=f"{access}{international}T",
                profile_out="GOVNET-OUTGOING",
                cor_out=COR["international"],
            )
        )
    for i, short in enumerate(routes["short_codes"]):
        label = "EMERGENCY " if short["emergency"] else ""
        for j, address in enumerate(routes["pstn_gateway"]):
            dial_peers.append(
                peer(
                    DIAL_PEER_SHORT_CODES + 10 * i + j,
                    f"{label}{short['number']} {short['name']}",
                    address,
                    j + 1,
                    destination_pattern=short["number"],
                    profile_out="GOVNET-OUTGOING",
                    keepalive=not short["emergency"],
                )
            )
    phones = network_mask(state["phones_subnet"])
    trusted = _unique(routes["sip_core"] + routes["conference"] + routes["pstn_gateway"]) + [f"{phones['network']} {phones['mask']}"]
    view.update(
        {
            "interface": {
                "name": CALL_CONTROL_PORT,
                "description": text(f"Servers VLAN: call control of {state['institution']['slug']}"),
                "address": address_mask(state["address"]),
            },
            "gateway": state["gateway"],
            "source_address": state["address"].split("/")[0],
            "trusted": trusted,
            "max_dn": count,
            "max_pool": count + 1,  # pool 1 (the voice subnet) and one per phone, pushed at deploy (ios_sip_credentials.py)
            "code": code,
            "dialplan_pattern": full,
            "extension_digits": ext,
            "rules": {
                "short_to_full": {"tag": RULE_SHORT_TO_FULL, "match": "^\\(" + "." * ext + "\\)$", "replace": f"/{code}\\1/"},
                "full_to_short": {"tag": RULE_FULL_TO_SHORT, "match": f"^{code}\\(" + "." * ext + "\\)$", "replace": "/\\1/"},
            },
            "onnet_map": {"tag": E164_MAP_ONNET, "patterns": onnet_patterns(code, first_digits, length)},
            "conference_map": {"tag": E164_MAP_CONFERENCE, "patterns": conference + [n[len(code) :] for n in conference]},
            "codec_class": CODEC_CLASS,
            "dscp": dscp,
            "dial_peers": dial_peers,
            "sip_realm": state["sip"]["realm"],
            "cor": {
                "names": list(COR.values()),
                "outgoing": [{"name": name, "members": [name]} for name in (COR["national"], COR["international"])],
                "phones": {"name": COR_PHONES, "members": [COR[cls] for cls in SERVICE_CLASSES[: SERVICE_CLASSES.index(routes["class_of_service"]) + 1]]},
                "from_govnet": {"name": COR_FROM_GOVNET, "members": [COR["onnet"]]},
                "class_of_service": routes["class_of_service"],
            },
            "phones": phones,
        }
    )
    return view


def national_patterns(national: str, international: str) -> list[str]:
    """Dial patterns (without the access digit) for national numbers that are not international ones: with the
    national prefix 0 and the international prefix 000, ``0[1-9]`` and ``00[1-9]``, so COR cannot be bypassed by
    an international number matching the national dial-peer."""
    if not international.startswith(national):
        return [national]
    patterns = []
    for position in range(len(national), len(international)):
        others = set("0123456789") - {international[position]}
        patterns.append(international[:position] + digit_class(others))
    return patterns


# ---------------------------------------------------------------- the bulk step

_VIEWS = {
    "core_hub": _hub_view,
    "regional_aggregation": _aggregation_view,
    "ce_router": _ce_view,
    "access_switch": _switch_view,
    "call_control": _call_control_view,
}


_TEMPLATES: dict[str, jinja2.Template] = {}


def _template(role: str) -> jinja2.Template:
    if role not in _TEMPLATES:
        _TEMPLATES[role] = ENV.get_template(f"{role}.j2")
    return _TEMPLATES[role]


def context(state: State) -> dict[str, Any]:
    """What a device's template is rendered with: the view of its role, and a router's IPsec."""
    role = state["role"]
    view = _VIEWS[role](state)
    if role in ROUTER_ROLES:
        view["crypto"] = ios_xe_ipsec.crypto(state, wan_interface)
        maps = {peer["interface"]: peer["map"] for peer in (view["crypto"] or {}).get("peers", [])}
        for interface in view["interfaces"]:
            interface["crypto_map"] = maps.get(interface["name"])
    return view


def config(state: State) -> str:
    """One device's configuration, from its intended state alone."""
    config = _template(state["role"]).render(context(state))
    # Deploy templates the file: every brace must belong to a vault reference. Kept although the schema refuses
    # markup in text and templates write every value on one line: the last guard before a file deploy templates.
    references = len(VAULT_REFERENCE.findall(config))
    if config.count("{") != 2 * references or config.count("}") != 2 * references or "{%" in config or "{#" in config:
        raise ValueError(f"{state['hostname']}: the configuration holds Jinja2 markup outside a vault reference")
    return config


def render_device(state: State) -> dict[str, str]:
    """The files of one ios_xe device, from its own intended state: {'configs/<hostname>.cfg': configuration}."""
    return {f"configs/{state['hostname']}.cfg": config(state)}


def render(states: Mapping[str, State], only: Collection[str] | None = None) -> dict[str, str]:
    """Configs of the ios_xe devices in `states` (others are skipped), keyed 'configs/<hostname>.cfg'; `only` limits
    the devices rendered (a share of a parallel build). Each device is rendered from its own state (render_device)."""
    files: dict[str, str] = {}
    for hostname, state in states.items():
        if state.get("platform") == PLATFORM and (only is None or hostname in only):
            files.update(render_device(state))
    return files
