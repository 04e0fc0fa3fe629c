"""IOS-XE views of GovNet's network security: segmentation ACLs of a CE, control-plane policing and flow export.

IOS-XE access lists are stateless, so the segmentation of an institution (``segmentation.ce_rules``) becomes two
inbound ACLs on its CE, each ending in ``deny ip any any log``:

* ``GOVNET-LAN-IN`` on every LAN sub-interface: traffic inside the site block, DHCP to the relay, HSRP hellos
  (redundant pairs), every outbound rule, and the replies to every inbound rule (TCP ``established``, UDP from the
  rule's port, ICMP echo-reply).
* ``GOVNET-WAN-IN`` on every WAN sub-interface: BGP and ICMP from the upstream to the router's own WAN address
  (with IPsec, ``ios_xe_ipsec.py``, also IKE and ESP from it), every inbound rule, and the replies to every
  outbound rule.

A rule's sources and destinations go in as they are when there is one prefix (``host A``, ``A WILDCARD``), else as
an ``object-group network`` (``GOVNET-NET-<n>``, numbered in order of first use, one per distinct set of prefixes,
described by the first rule that uses it), so an ACL stays short even when a rule lists the voice VLAN of every
institution.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Any

from ...core.text import ascii_line
from ...design.state import CeRouterState, RouterState

LAN_ACL = "GOVNET-LAN-IN"
WAN_ACL = "GOVNET-WAN-IN"
COPP_POLICY = "GOVNET-COPP"
COPP_CLASSES = ("ROUTING", "MANAGEMENT", "ICMP")
FLOW_RECORD = "GOVNET-FLOW-RECORD"
FLOW_MONITOR = "GOVNET-FLOWS"
FLOW_EXPORTER = "GOVNET-SOC"
GROUP_DESCRIPTION = 200  # IOS-XE's longest object-group description
HSRP_V2_GROUP = "224.0.0.102"


# Every CE names the same shared services, pools and operations network: parse each prefix once per build.
@lru_cache(maxsize=4096)
def ace_address(prefix: str) -> str:
    """One prefix as an ACE address: host A, any, or A WILDCARD."""
    network = ipaddress.IPv4Network(prefix)
    if network.prefixlen == 32:
        return f"host {network.network_address}"
    if network.prefixlen == 0:
        return "any"
    return f"{network.network_address} {network.hostmask}"


@lru_cache(maxsize=4096)
def group_entry(prefix: str) -> str:
    """One prefix as an object-group network entry: host A, or A NETMASK."""
    network = ipaddress.IPv4Network(prefix)
    return f"host {network.network_address}" if network.prefixlen == 32 else f"{network.network_address} {network.netmask}"


def port_match(port: str) -> str:
    """A port or range as an ACE operator: eq 53, range 16384 32767."""
    first, _dash, last = port.partition("-")
    return f"range {first} {last}" if last else f"eq {first}"


class _Groups:
    """The object groups of a CE, one per distinct set of prefixes."""

    def __init__(self) -> None:
        self.by_prefixes: dict[tuple[str, ...], dict[str, Any]] = {}

    def operand(self, prefixes: list[str], description: str) -> str:
        if len(prefixes) == 1:
            return ace_address(prefixes[0])
        key = tuple(prefixes)
        if key not in self.by_prefixes:
            name = f"GOVNET-NET-{len(self.by_prefixes) + 1}"
            entries = [group_entry(prefix) for prefix in prefixes]
            self.by_prefixes[key] = {"name": name, "description": ascii_line(description, GROUP_DESCRIPTION), "entries": entries}
        return f"object-group {self.by_prefixes[key]['name']}"


class _Acl:
    """An extended ACL being built."""

    def __init__(self, name: str, groups: _Groups) -> None:
        self.name = name
        self.entries: list[str] = []
        self.groups = groups

    def rule(self, rule: dict[str, Any], reply: bool) -> None:
        """A rule's entries; reply=True matches the answers to it (sources and destinations swapped)."""
        ends = ("destinations", "sources") if reply else ("sources", "destinations")
        sources, destinations = (self.groups.operand(rule[end], f"{rule['description']}: {end}") for end in ends)
        protocol = rule["protocol"]
        if protocol == "icmp":
            self.entries.append(f"permit icmp {sources} {destinations} {'echo-reply' if reply else 'echo'}")
            return
        for port in rule["ports"]:
            if reply:
                tail = " established" if protocol == "tcp" else ""
                self.entries.append(f"permit {protocol} {sources} {port_match(port)} {destinations}{tail}")
            else:
                self.entries.append(f"permit {protocol} {sources} {destinations} {port_match(port)}")

    def view(self) -> dict[str, Any]:
        return {"name": self.name, "entries": self.entries + ["deny ip any any log"]}


def segmentation_acls(state: CeRouterState, wan_addresses: list[tuple[str, str]], redundant: bool) -> dict[str, Any]:
    """The two ACLs of a CE and their object groups; wan_addresses holds (own address, peer address) per WAN link."""
    rules = state["segmentation"]
    groups = _Groups()
    lan, wan = _Acl(LAN_ACL, groups), _Acl(WAN_ACL, groups)
    site = ace_address(rules["site"])
    lan.entries += [f"permit ip {site} {site}", "permit udp any eq bootpc any eq bootps"]
    if redundant:
        lan.entries.append(f"permit udp any host {HSRP_V2_GROUP} eq 1985")
    for own, peer in wan_addresses:
        wan.entries += [
            f"permit tcp host {peer} host {own} eq bgp",
            f"permit tcp host {peer} eq bgp host {own}",
            f"permit icmp host {peer} host {own}",
        ]
        if rules.get("ipsec"):
            wan.entries += [
                f"permit udp host {peer} host {own} eq isakmp",
                f"permit udp host {peer} host {own} eq non500-isakmp",
                f"permit esp host {peer} host {own}",
            ]
    for rule in rules["outbound"]:
        lan.rule(rule, reply=False)
        wan.rule(rule, reply=True)
    for rule in rules["inbound"]:
        wan.rule(rule, reply=False)
        lan.rule(rule, reply=True)
    return {"lan": lan.view(), "wan": wan.view(), "groups": list(groups.by_prefixes.values())}


def control_plane(state: RouterState, ntp: list[str], aaa: list[str]) -> dict[str, Any]:
    """Control-plane policing: routing, management (from the operations network, NTP and TACACS+ replies) and ICMP
    each policed to their rate; everything else to the default rate."""
    policy = state["control_plane"]
    management = [f"permit tcp {ace_address(prefix)} any eq 22" for prefix in policy["management_from"]]
    management += [f"permit udp {ace_address(prefix)} any eq snmp" for prefix in policy["management_from"]]
    management += [f"permit udp host {server} eq ntp any" for server in ntp]
    management += [f"permit tcp host {server} eq tacacs any" for server in aaa]
    acls = {
        "ROUTING": ["permit tcp any any eq bgp", "permit tcp any eq bgp any"],
        "MANAGEMENT": management,
        "ICMP": ["permit icmp any any"],
    }
    rates = {"ROUTING": policy["routing_pps"], "MANAGEMENT": policy["management_pps"], "ICMP": policy["icmp_pps"]}
    return {
        "policy": COPP_POLICY,
        "classes": [{"name": f"{COPP_POLICY}-{name}", "entries": acls[name], "pps": rates[name]} for name in COPP_CLASSES],
        "default_pps": policy["default_pps"],
    }


def flow_export(state: RouterState, source: str) -> dict[str, Any]:
    """Flow export (IPFIX) of WAN traffic to the security operations collectors, one exporter each."""
    flows = state["flow_export"]
    return {
        "record": FLOW_RECORD,
        "monitor": FLOW_MONITOR,
        "exporters": [
            {"name": f"{FLOW_EXPORTER}-{number}", "destination": collector, "source": source, "port": flows["port"]}
            for number, collector in enumerate(flows["collectors"], start=1)
        ],
        "active_timeout": flows["active_timeout"],
    }
