"""The ``lab`` platform: the same GovNet design on Linux, rendered from the platform-neutral intended state.

A lab device is a network namespace. Routers run FRR (zebra, bgpd, staticd) with nftables; access switches are Open
vSwitch instances on the userspace datapath; call control is Kamailio. ``render_device(state)`` turns the intended
state of one ``lab`` device, and nothing else (its facts are in it, design/facts.py), into its files, keyed
``lab/<hostname>/<file>``, byte-for-byte deterministic; ``render(states)`` does it for every lab device. The logic
(names, maps, dial plan) is here; the templates in ``templates/`` beside it only lay it out.

Files per role::

    core_hub, regional_aggregation, ce_router   frr.conf, daemons, vtysh.conf, nftables.conf, sshd_config,
                                                rsyslog.conf, snmpd.conf; a CE also ulogd.conf
    core_hub holding the collector              soc/rsyslog.conf, soc/snmptrapd.conf (in its services namespace)
    access_switch                               ovs.sh
    call_control                                kamailio.cfg, dispatcher.list, dialplan, version

Interface names in the lab (Linux allows at most 15 characters; the lab creates the links with these names):

    WAN and core links   ``c<circuit>`` on both ends of the link (its NICTBB circuit number), e.g. ``c117``.
                         A circuit is an 802.1Q tag on the upstream's NICTBB port: unique on each device, not
                         across GovNet (every region has its c102). So create each veth pair straight into its
                         two namespaces (``ip link add c117 netns A type veth peer name c117 netns B``), never
                         in the root namespace first.
    CE LAN               one interface per VLAN, ``v<vlan id>`` (``v10``, ``v20``, ``v30``, ``v99``): this
                         kernel has no 802.1Q devices, so there is no trunk; the lab plugs each ``v<id>`` into
                         the access switch's port ``up<id>`` (an access port with ``tag=<id>``).
    hub LANs             ``svc`` (the shared-services /24) and ``ops`` (the e-GA operations network).
    loopback             the router's loopback address sits on ``lo``.
    access switch        bridge ``br0`` (datapath_type=netdev); uplink ports ``up<vlan id>`` (tag=<id>), one per
                         VLAN of the uplink; user ports ``p1..p<N>`` (PCs, tag=data VLAN) and ``ph1..ph<N>``
                         (phones, tag=voice VLAN), where N is ``access_ports.count``; ``mgmt``, an OVS internal
                         port (tag=management VLAN) holding the switch's management address.

Production port ``N`` of an access switch carries the data VLAN untagged and the voice VLAN tagged for the
phone. A lab host is a namespace behind a veth; without 802.1Q in the kernel it cannot untag a voice VLAN
itself, and OVS's userspace datapath cannot hand one veth both an untagged and a tagged VLAN that a namespace
could use. So the lab splits production port N into ``pN`` (the PC, data VLAN) and ``phN`` (the phone, voice
VLAN): both are plain access ports.

Two things the intended state does not say, which the lab has to decide: a CE's ``v<id>`` can reach only one
switch, while medium and large institutions have more switches than CEs (they share the CEs
round robin) and no link between switches is planned; and no switch port is planned for the servers
VLAN, where call control sits.

Call control finds its db_text tables and dispatcher list through two defines whose defaults are under
``/etc/kamailio/<hostname>/``; a lab that keeps the files elsewhere passes
``-A 'GOVNET_DB="text://DIR"' -A 'GOVNET_DISPATCHER="DIR/dispatcher.list"'`` (db_text resolves a relative path
against Kamailio's compiled-in CFG_DIR, not the folder of kamailio.cfg). FRR runs with pathspace = namespace
name (``daemons`` sets ``watchfrr_options="--netns"``); ``ovs.sh`` runs inside the switch's namespace with
``OVS_DB`` set and refuses to run in the root namespace.

What the lab leaves out, and why (each also said in a comment of the file concerned):

- HSRP/VRRP: the first-hop redundancy of a CE pair is IOS-XE only. The lab CE pair shares nothing at L2
  (each CE's ``v<id>`` goes to its own switch); the CE with the higher redundancy priority (the active router
  in production) also holds the virtual gateway address, so hosts and call control behind it use the same
  gateway as in production; its peer holds only its own address.
- DHCP relay: FRR has no DHCP relay; frr.conf says which VLANs production relays, and the lab leaves it out.
- QoS queueing (LLQ): this kernel has almost no qdiscs. Call control marks SIP signalling CS3 (``tos=0x60``).
- Spanning tree and DHCP snooping on the switch: OVS has no rapid-PVST or snooping; a lab switch has only
  edge ports (one router, hosts), so no loop to break.
- Management AAA and NTP: no lab daemon uses them. nftables allows SSH and SNMP only from
  ``management.allowed_from`` (the lab runs sshd in router namespaces to prove it), BGP only from the router's
  neighbours, and on a CE the institution's segmentation (``firewall_view``). Secrets in lab files are vault
  references, which deploy fills in, as it does for IOS-XE: the BGP key (TCP-MD5, which the kernel does in a
  namespace too) in frr.conf, the SNMPv3 keys in snmpd.conf and the collector's snmptrapd.conf.

Security logs (``logs_view``), as IOS-XE sends them to the security operations collector (the syslog role's
service, ``management.syslog_servers``, which also takes traps and flows, ``flow_export.collectors``):

- syslog: FRR logs to a file in its run folder (``log file``, Debian's FRR has no remote syslog) and a CE's
  nftables deny rules log to NFLOG group ``NFLOG_GROUP``, which ulogd writes as kernel-LOG-style lines
  (``ulogd.conf``); the router's own rsyslogd (``rsyslog.conf``) reads both and sends them over UDP 514 with the
  router's hostname. The collector's rsyslogd writes one line per message: time, sender address, hostname, text.
- SNMPv3 traps: the router's snmpd (``snmpd.conf``) is the AgentX master of FRR's zebra and bgpd (``-M snmp``,
  frr.conf ``agentx``) over TCP on the namespace's own loopback (``AGENTX_SOCKET``; a Unix socket path would be
  shared by every namespace); it sends bgpEstablished/bgpBackwardTransition as authPriv traps of the policy's
  SNMP user with the vault's keys and an engine ID made from the hostname (``engine_id``), which the collector's
  snmptrapd (``snmptrapd.conf``) knows for every lab router: a trap with another key is not logged.
- Flows: IOS-XE exports IPFIX from a flow cache; a lab router exports one IPFIX record per direction of each flow
  its connection tracking ends (lab_flows.py, run with the collector and port of ``flow_export``); nfcapd decodes
  them at the collector. A flow is exported when it ends (the counterpart of the inactive timeout), not every
  ``active_timeout`` seconds while it lasts.

BGP as rendered: a prefix in a neighbour's ``accept`` or ``advertise`` list permits that prefix and every
prefix inside it (``le 32``); ``any`` and ``all`` mean no filter. ``originate`` becomes ``network``, anchored by a
static blackhole route when no connected interface holds the prefix as a whole (the CE's site block is split
into VLAN subnets). ``summary`` and ``aggregate`` become ``aggregate-address ... summary-only``; iBGP core
peers (``advertise: all``) get every route with ``unsuppress-map`` and ``next-hop-self``, so each hub still
knows the specific routes behind the other hub. FRR's ``bgp ebgp-requires-policy`` stays on: every eBGP
neighbour has both prefix-lists.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any, Collection, Iterable, Mapping

from ...design.schema import DSCP, ROUTER_ROLES, SERVICE_CLASSES
from ...core.text import dbtext
from ...design.facts import runs
from ...design.state import AccessSwitchState, CallControlState, CeRouterState, CoreHubState, RouterState, State
from ..templating import config_environment
from .names import netns, run_dir

View = dict[str, Any]  # what a template is rendered with, or a part of it

TEMPLATES = Path(__file__).resolve().parent / "templates"
ENV = config_environment(TEMPLATES)

IFNAME_MAX = 15
HUB_LANS = {"services": "svc", "operations": "ops"}
SSH_DIR = "/run/govnet-lab/ssh"  # the lab's SSH host key and the operations network's key pair (ega.govnet.lab makes them)
NO_FILTER = ("any", "all")
# Security logs (logs_view): the standard syslog and trap ports (IOS-XE's defaults), the NFLOG group of the CE's
# deny rules, where zebra and bgpd reach the namespace's snmpd, and the SNMPv3 algorithms (IOS-XE: auth sha,
# priv aes 256).
SYSLOG_PORT = 514
TRAP_PORT = 162
NFLOG_GROUP = 1
AGENTX_SOCKET = "tcp:127.0.0.1:705"
AGENTX_RETRY = 2  # seconds between FRR's attempts to reach snmpd over AgentX (FRR starts first)
SNMP_AUTH = "SHA"
SNMP_PRIV = "AES-256"
ULOGD_PLUGINS = "/usr/lib/x86_64-linux-gnu/ulogd"  # Debian's ulogd2 (amd64)
ENGINE_ID_PREFIX = "80001f8804"  # SNMPv3 engine ID: net-snmp's enterprise (8072) with the text format (4)
# Dispatcher sets of call control: the GovNet services it hands calls to, each tried in the listed order.
DISPATCH_SETS = (("sip_core", 1), ("conference", 2), ("pstn_gateway", 3))


# ---------------------------------------------------------------- names


def _ifname(name: str) -> str:
    if not name or len(name) > IFNAME_MAX:
        raise ValueError(f"lab interface name {name!r} is not 1 to {IFNAME_MAX} characters")
    return name


def wan_ifname(circuit: int) -> str:
    """A WAN or core link's interface, named by its circuit on both ends: c<circuit>."""
    return _ifname(f"c{circuit}")


def vlan_ifname(vlan: int) -> str:
    """A CE's LAN interface for one VLAN: v<vlan id>."""
    return _ifname(f"v{vlan}")


def uplink_port(vlan: int) -> str:
    """An access switch's uplink port to its CE for one VLAN: up<vlan id>."""
    return _ifname(f"up{vlan}")


def router_ifname(interface: Mapping[str, Any]) -> str:
    """The lab name of a routed interface of the intended state (not the CE's LAN trunk, see lan_interfaces)."""
    if interface["kind"] in ("wan", "core"):
        return wan_ifname(interface["circuit"])
    if interface["kind"] == "lan" and interface["name"] in HUB_LANS:
        return _ifname(HUB_LANS[interface["name"]])
    raise ValueError(f"no lab name for interface {interface['name']!r} of kind {interface['kind']!r}")


# ---------------------------------------------------------------- routers


def _network(address: str) -> ipaddress.IPv4Network:
    return ipaddress.ip_interface(address).network


def _is_active(state: CeRouterState) -> bool:
    """Whether this CE holds its pair's virtual gateway (a lone CE does; of a pair, the fact redundancy.active)."""
    redundancy = state.get("redundancy")
    return redundancy["active"] if redundancy else True


def lan_interfaces(state: CeRouterState) -> list[View]:
    """A CE's LAN: one interface per VLAN, its own address first, the gateway too when it is the active CE."""
    active = _is_active(state)
    interfaces = []
    for vlan in state.get("vlans", []):
        prefixlen = ipaddress.ip_network(vlan["prefix"]).prefixlen
        addresses = [vlan["address"]]
        gateway = f"{vlan['gateway']}/{prefixlen}"
        if active and gateway != vlan["address"]:
            addresses.append(gateway)
        interfaces.append(
            {"name": vlan_ifname(vlan["id"]), "description": f"VLAN {vlan['id']} {vlan['name']} ({vlan['role']})", "addresses": addresses}
        )
    return interfaces


def routed_interfaces(state: RouterState) -> list[View]:
    """A router's interfaces as the lab names them, each with its description and addresses."""
    interfaces = []
    for interface in state["interfaces"]:
        if interface["kind"] == "trunk":
            interfaces += lan_interfaces(state)
            continue
        if interface["kind"] in ("wan", "core"):
            description = f"{interface['kind']} link to {interface['peer']} (circuit {interface['circuit']})"
        else:
            description = f"{interface['name']} LAN"
        interfaces.append({"name": router_ifname(interface), "description": description, "addresses": [interface["address"]]})
    return interfaces


def _prefix_entries(prefixes: Iterable[str]) -> list[str]:
    """prefix-list entries permitting each prefix and everything inside it."""
    entries = []
    for prefix in prefixes:
        network = ipaddress.ip_network(prefix)
        entries.append(str(network) if network.prefixlen == network.max_prefixlen else f"{network} le {network.max_prefixlen}")
    return entries


def _filter(name: str, prefixes: list[str], prefix_lists: list[View]) -> str | None:
    if any(prefix in NO_FILTER for prefix in prefixes):
        return None
    prefix_lists.append({"name": name, "entries": _prefix_entries(prefixes)})
    return name


def bgp_view(state: RouterState, connected: list[str]) -> tuple[View, list[View], list[str]]:
    """The BGP process, its prefix-lists and the blackhole routes that anchor its networks."""
    bgp = state["bgp"]
    prefix_lists: list[View] = []
    neighbors = []
    for neighbor in bgp["neighbors"]:
        ibgp = neighbor["remote_asn"] == bgp["asn"]
        neighbors.append(
            {
                "address": neighbor["address"],
                "remote_asn": neighbor["remote_asn"],
                "description": neighbor["description"],
                "prefix_list_in": _filter(f"{neighbor['peer']}-in", neighbor["accept"], prefix_lists),
                "prefix_list_out": _filter(f"{neighbor['peer']}-out", neighbor["advertise"], prefix_lists),
                "max_prefixes": neighbor.get("max_prefixes"),
                "password": neighbor.get("password"),
                "soft_reconfiguration": neighbor.get("soft_reconfiguration", False),
                "next_hop_self": ibgp,
                "unsuppress": ibgp and "all" in neighbor["advertise"],
            }
        )
    aggregates = list(bgp.get("aggregate", [])) + ([bgp["summary"]] if bgp.get("summary") else [])
    networks = list(bgp.get("originate", []))
    connected_networks = {_network(address) for address in connected}
    blackholes = [prefix for prefix in networks if ipaddress.ip_network(prefix) not in connected_networks]
    view = {
        "asn": bgp["asn"],
        "router_id": bgp["router_id"],
        "keepalive": bgp["keepalive"],
        "holdtime": bgp["holdtime"],
        "neighbors": neighbors,
        "networks": networks,
        "aggregates": aggregates,
        "unsuppress": any(neighbor["unsuppress"] for neighbor in neighbors),
    }
    return view, prefix_lists, blackholes


def management_view(state: State) -> View:
    management = state["management"]
    return {"allowed_from": list(management["allowed_from"])}


def _nft_set(items: list[str]) -> str:
    return items[0] if len(items) == 1 else "{ " + ", ".join(items) + " }"


def _nft_rules(rules: Iterable[Mapping[str, Any]]) -> list[View]:
    """Segmentation rules as nftables matches: saddr, daddr and the protocol part, each ready to print."""
    out = []
    for rule in rules:
        if rule["protocol"] == "icmp":
            match = "icmp type echo-request"
        else:
            match = f"{rule['protocol']} dport {_nft_set(rule['ports'])}"
        saddr, daddr = _nft_set(rule["sources"]), _nft_set(rule["destinations"])
        out.append({"description": rule["description"], "saddr": saddr, "daddr": daddr, "match": match})
    return out


def firewall_view(state: RouterState) -> View:
    """The router's filter: BGP only from its neighbours, management only from the operations network, and on a
    CE the segmentation of its institution (LAN interfaces v<id>, WAN interfaces c<circuit>)."""
    view: View = {"bgp_peers": sorted(neighbor["address"] for neighbor in state["bgp"]["neighbors"]), "segmentation": None}
    rules = state.get("segmentation")
    if rules:
        view["segmentation"] = {
            "site": rules["site"],
            "lan": _nft_set([f'"{vlan_ifname(vlan["id"])}"' for vlan in state["vlans"]]),
            "outbound": _nft_rules(rules["outbound"]),
            "inbound": _nft_rules(rules["inbound"]),
        }
    return view


def engine_id(hostname: str) -> str:
    """A lab router's SNMPv3 engine ID (what snmpd's ``engineID <hostname>`` makes), as snmptrapd takes it."""
    if not 0 < len(hostname) <= 27:
        raise ValueError(f"hostname {hostname!r} does not fit an SNMP engine ID (1 to 27 characters)")
    return "0x" + ENGINE_ID_PREFIX + hostname.encode().hex()


def _ip(address: str) -> str:
    return address.split("/")[0]


def logs_view(state: RouterState) -> View:
    """Where the router's syslog, SNMPv3 traps and flow records go, and the files its senders use."""

    ns = netns(state["hostname"])
    management, flows = state["management"], state["flow_export"]
    return {
        "syslog_servers": [_ip(address) for address in management["syslog_servers"]],
        "syslog_port": SYSLOG_PORT,
        "trap_port": TRAP_PORT,
        "flow_collectors": [_ip(address) for address in flows["collectors"]],
        "flow_port": flows["port"],
        "nflog_group": NFLOG_GROUP,
        "agentx": AGENTX_SOCKET,
        "snmp": {
            "user": management["snmp_user"],
            "group": management["snmp_group"],
            "auth": management["secrets"]["snmp_auth"],
            "priv": management["secrets"]["snmp_priv"],
            "auth_protocol": SNMP_AUTH,
            "priv_protocol": SNMP_PRIV,
        },
        "netns": ns,
        "run_dir": run_dir(ns),
        "frr_log": f"/var/run/frr/{ns}/frr.log",
        "ulogd_plugins": ULOGD_PLUGINS,
        "snmp_conf_path": f"/etc/netns/{ns}/snmp",
    }


def router_view(state: RouterState) -> View:
    """What a router's files are rendered with: FRR, nftables, sshd and its security logs' senders."""
    interfaces = routed_interfaces(state)
    connected = [address for interface in interfaces for address in interface["addresses"]]
    bgp, prefix_lists, blackholes = bgp_view(state, connected)
    relays = [
        {"vlan": vlan["id"], "name": vlan["name"], "servers": vlan["dhcp_relay"]}
        for vlan in state.get("vlans", [])
        if vlan.get("dhcp_relay")
    ]
    redundancy = state.get("redundancy")
    return {
        "hostname": state["hostname"],
        "role": state["role"],
        "title": _title(state),
        "loopback": state["loopback"],
        "interfaces": interfaces,
        "blackholes": blackholes,
        "bgp": bgp,
        "prefix_lists": prefix_lists,
        "dhcp_relays": relays,
        "redundancy": (
            {"peers": redundancy["peers"], "priority": redundancy["priority"], "active": redundancy["active"]} if redundancy else None
        ),
        "management": management_view(state),
        "firewall": firewall_view(state),
        "ssh_dir": SSH_DIR,
        "logs": logs_view(state),
    }


# ---------------------------------------------------------------- access switches


def switch_view(state: AccessSwitchState) -> View:
    ports = state["access_ports"]
    vlan_names = {vlan["id"]: vlan["name"] for vlan in state["vlans"]}
    return {
        "hostname": state["hostname"],
        "title": _title(state),
        "uplink_peer": state["uplink"]["peer"],
        "uplinks": [{"name": uplink_port(vlan), "tag": vlan, "vlan_name": vlan_names.get(vlan, "")} for vlan in state["uplink"]["vlans"]],
        "pcs": [{"name": _ifname(f"p{index}"), "tag": ports["data_vlan"]} for index in range(1, ports["count"] + 1)],
        "phones": [{"name": _ifname(f"ph{index}"), "tag": ports["voice_vlan"]} for index in range(1, ports["count"] + 1)],
        "data_vlan": ports["data_vlan"],
        "voice_vlan": ports["voice_vlan"],
        "count": ports["count"],
        "management": state["management_interface"],
        "spanning_tree": state["spanning_tree"],
        "dhcp_snooping": state["dhcp_snooping"],
    }


# ---------------------------------------------------------------- call control


def digit_range_regex(first: int, last: int, width: int) -> str:
    """A regular expression (no anchors) for the width-digit decimal numbers first..last, e.g. 2000..3499 with width
    4 gives ``2[0-9]{3}|3[0-4][0-9]{2}``."""
    if not 0 <= first <= last < 10**width:
        raise ValueError(f"range {first}..{last} does not fit {width} digits")
    return "|".join(_compress(tokens) for tokens in _range_tokens(f"{first:0{width}d}", f"{last:0{width}d}"))


def _digit_class(low: str, high: str) -> str:
    if low == high:
        return low
    return "[0-9]" if (low, high) == ("0", "9") else f"[{low}-{high}]"


def _range_tokens(low: str, high: str) -> list[list[str]]:
    """Digit classes, one list per alternative, covering the equal-length strings low..high."""
    if not low:
        return [[]]
    if low[0] == high[0]:
        return [[low[0]] + rest for rest in _range_tokens(low[1:], high[1:])]
    rest = len(low) - 1
    head, tail = [], []
    start, end = int(low[0]), int(high[0])
    if low[1:] != "0" * rest:
        head = [[low[0]] + tokens for tokens in _range_tokens(low[1:], "9" * rest)]
        start += 1
    if high[1:] != "9" * rest:
        tail = [[high[0]] + tokens for tokens in _range_tokens("0" * rest, high[1:])]
        end -= 1
    middle = [[_digit_class(str(start), str(end))] + ["[0-9]"] * rest] if start <= end else []
    return head + middle + tail


def _compress(tokens: list[str]) -> str:
    """Join digit classes, writing a run of one class as CLASS{n}."""
    out, index = [], 0
    while index < len(tokens):
        run = 1
        while index + run < len(tokens) and tokens[index + run] == tokens[index] and len(tokens[index]) > 1:
            run += 1
        out.append(tokens[index] + (f"{{{run}}}" if run > 1 else ""))
        index += run
    return "".join(out)


def numbers_regex(numbers: Iterable[int], width: int) -> str:
    """A regular expression (no anchors) for exactly these width-digit numbers."""
    return "|".join(digit_range_regex(first, last, width) for first, last in runs(numbers))


CODES_PER_RULE = 32  # runs of institution codes in one rule matching other institutions' conference numbers


def other_conferences(state: CallControlState) -> list[tuple[list[list[int]], list[int]]]:
    """Other institutions' conference numbers (the fact routes.other_conferences) as (runs of codes, extensions),
    at most CODES_PER_RULE runs each: a few rules for the whole of GovNet, not one per number."""
    out = []
    for group in state["routes"]["other_conferences"]:
        code_runs = group["codes"]
        for start in range(0, len(code_runs), CODES_PER_RULE):
            out.append((code_runs[start : start + CODES_PER_RULE], list(group["extensions"])))
    return out


def dial_plan(state: CallControlState) -> list[View]:
    """The dial plan of call control, in the order it is tried (dialplan ``pr``): each rule matches the dialled
    number, may rewrite it, and names its destination class (``attrs``): local (a registered extension),
    conference, sipcore, pstn, emergency, barred (403: above the institution's class of service) or unknown (404).
    A number no rule matches gets 404 too."""
    numbering, routes = state["numbering"], state["routes"]
    code, digits = str(numbering["code"]), numbering["extension_digits"]
    code_digits = routes["onnet_digits"] - digits
    extensions = digit_range_regex(numbering["first_extension"], numbering["last_extension"], digits)
    rules: list[View] = []

    def rule(match: str, attrs: str, subst: str = "", repl: str = "", regex: bool = True) -> None:
        number = len(rules) + 1
        rules.append(
            {"id": number, "dpid": 1, "pr": number, "match_op": 1 if regex else 0, "match_exp": match, "subst_exp": subst, "repl_exp": repl, "attrs": attrs}
        )

    for short in routes["short_codes"]:
        rule(short["number"], "emergency" if short["emergency"] else "pstn", regex=False)
    for number in numbering["conference_numbers"]:
        rule(str(number), "conference", regex=False)
        extension = str(number)[len(code) :]
        rule(extension, "conference", f"^{extension}$", str(number), regex=False)
    rule(f"^{code}({extensions})$", "local", f"^{code}(.*)$", "\\1")
    rule(f"^({extensions})$", "local")
    rule(f"^{code}[0-9]{{{digits}}}$", "unknown")
    for code_runs, extensions in other_conferences(state):
        codes = "|".join(digit_range_regex(first, last, code_digits) for first, last in code_runs)
        rule(f"^(?:{codes})(?:{numbers_regex(extensions, digits)})$", "conference")
    for prefix, needed in pstn_classes(routes):
        allowed = SERVICE_CLASSES.index(routes["class_of_service"]) >= SERVICE_CLASSES.index(needed)
        rule(f"^{routes['pstn_access_digit']}{prefix}[0-9]+$", "pstn" if allowed else "barred")
    rule(f"^{routes['pstn_access_digit']}[0-9]*$", "unknown")
    rule(f"^[0-9]{{{routes['onnet_digits']}}}$", "sipcore")
    return rules


def pstn_classes(routes: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The PSTN prefixes after the access digit with the class of service each needs, longest prefix first
    (Tanzania's international prefix 000 starts with the national trunk prefix 0)."""
    prefixes = [(routes["international_prefix"], "international"), (routes["national_prefix"], "national")]
    return sorted(prefixes, key=lambda item: -len(item[0]))


def tos(dscp: str) -> str:
    """The TOS byte that marks packets with a DSCP class: tos("cs3") == "0x60"."""
    if dscp not in DSCP:
        raise ValueError(f"unknown DSCP class {dscp!r}: use one of {', '.join(DSCP)}")
    return f"0x{DSCP[dscp] << 2:02x}"


def call_control_view(state: CallControlState) -> View:
    """What call control's Kamailio files are rendered with: dispatcher sets, the dial plan, marking and SIP."""
    numbering, routes = state["numbering"], state["routes"]
    sets = []
    for role, setid in DISPATCH_SETS:
        addresses = routes[role]
        sets.append(
            {
                "id": setid,
                "role": role,
                "destinations": [{"address": address, "priority": len(addresses) - index} for index, address in enumerate(addresses)],
            }
        )
    return {
        "hostname": state["hostname"],
        "title": _title(state),
        "address": str(ipaddress.ip_interface(state["address"]).ip),
        "phones_subnet": state["phones_subnet"],
        "records_dir": run_dir(netns(state["hostname"])),
        "numbering": numbering,
        "routes": routes,
        "emergency": [short["number"] for short in routes["short_codes"] if short["emergency"]],
        "sets": sets,
        "rules": dial_plan(state),
        "tos": tos(state["qos"]["signalling_dscp"]),
        "signalling_dscp": state["qos"]["signalling_dscp"].upper(),
        "sip": {"realm": state["sip"]["realm"], "class_of_service": routes["class_of_service"]},
    }


# ---------------------------------------------------------------- render


def _title(state: State) -> str:
    """A device's first comment line: hostname, role and whose it is."""
    if "institution" in state:
        institution = state["institution"]
        what = f"{state['role'].replace('_', ' ')} of {institution['name']} ({institution['slug']}, code {institution['code']})"
    elif "hub" in state:
        what = state["hub"]["name"]
    else:
        what = f"regional aggregation router of region {state['region']} (NICTBB point of presence {state['pop']})"
    return f"{state['hostname']}: {what}"


def lab_sip_core_platform(hostname: str) -> View:
    """What the lab's SIP core has of its own: where its tables are, how it runs, how many workers."""
    return {
        "label": "Lab platform (Kamailio)",
        "db": f"text:///etc/kamailio/{hostname}-sip-core",
        "children": 2,
        "run": [
            "Run it in the hub's",
            "services namespace:",
            "  kamailio -f DIR/kamailio.cfg -P RUN/kamailio.pid -Y RUN -A 'GOVNET_DB=\"text://DIR\"'",
        ],
    }


def sip_core_view(state: CoreHubState, platform: View | None = None) -> View:
    """The hub's SIP core: one dialplan rule per institution code, its attrs the call control address (dpid 1),
    and one per call control address, its attrs the institution code (dpid 2: who may send calls, for which code).

    `platform` holds what differs between platforms (lab_sip_core_platform's keys); default: the lab's."""
    core = state["sip_core"]
    digits = core["extension_digits"]
    rules = [
        {
            "id": index,
            "dpid": 1,
            "pr": index,
            "match_op": 1,
            "match_exp": f"^{route['code']}[0-9]{{{digits}}}$",
            "subst_exp": "",
            "repl_exp": "",
            "attrs": route["call_control"][0],
        }
        for index, route in enumerate(core["routes"], start=1)
    ]
    sources = [(address, route["code"]) for route in core["routes"] for address in route["call_control"]]
    rules += [
        {"id": len(rules) + index, "dpid": 2, "pr": index, "match_op": 0, "match_exp": address, "subst_exp": "", "repl_exp": "", "attrs": code}
        for index, (address, code) in enumerate(sources, start=1)
    ]
    return {
        "hostname": state["hostname"],
        "title": f"{state['hostname']}: GovNet SIP core at {state['hub']['name']}",
        "address": core["address"],
        "code_digits": core["code_digits"],
        "extension_digits": digits,
        "rules": rules,
        "codes": len(core["routes"]),
        "call_controls": len(sources),
        "tos": tos(core["signalling_dscp"]),
        "signalling_dscp": core["signalling_dscp"].upper(),
        "platform": platform or lab_sip_core_platform(state["hostname"]),
    }


def hub_service_files(state: CoreHubState) -> dict[str, str]:
    """A hub's lab services: its SIP core (Kamailio) and the answerer that stands in for call-answering services."""
    files = {"answer.xml": ENV.get_template("answer.xml.j2").render(device={"title": f"{state['hostname']}: lab service answerer"})}
    if "sip_core" in state:
        view = sip_core_view(state)
        files["sip-core/kamailio.cfg"] = ENV.get_template("sip_core.cfg.j2").render(device=view)
        for name in ("dialplan", "version"):
            files[f"sip-core/{name}"] = ENV.get_template(f"{name}.j2").render(device=view, dbtext=dbtext)
    return files


def collector_view(state: CoreHubState) -> View | None:
    """The security operations collector a hub's services namespace runs, when the hub holds the syslog service
    (the fact ``collector``): its address, the ports, where it keeps what it receives, and every lab router's
    SNMPv3 engine ID."""
    collector = state.get("collector")
    if collector is None:
        return None
    address = collector["address"]
    logs = logs_view(state)
    routers = [sender["hostname"] for sender in collector["senders"] if sender["platform"] == "lab"]
    return {
        "title": f"{state['hostname']}: security operations collector {address} (lab)",
        "address": address,
        "syslog_port": SYSLOG_PORT,
        "trap_port": TRAP_PORT,
        "flow_port": logs["flow_port"],
        "dir": f"{run_dir(netns(state['hostname']) + '-svc')}/soc",
        "snmp": logs["snmp"],
        "senders": [{"hostname": hostname, "engine_id": engine_id(hostname)} for hostname in routers],
    }


def _router_files(state: RouterState) -> dict[str, str]:
    """A router's files: FRR, nftables, sshd, and the senders of its security logs (a CE's ulogd too)."""
    view = router_view(state)
    names = ["frr.conf", "daemons", "vtysh.conf", "nftables.conf", "sshd_config", "rsyslog.conf", "snmpd.conf"]
    if view["firewall"]["segmentation"]:
        names.append("ulogd.conf")
    files = {name: ENV.get_template(f"{name}.j2").render(device=view, dbtext=dbtext) for name in names}
    collector = collector_view(state) if state["role"] == "core_hub" else None
    if collector:
        for name in ("rsyslog.conf", "snmptrapd.conf"):
            files[f"soc/{name}"] = ENV.get_template(f"soc_{name}.j2").render(device=collector)
    return files


def _files(state: State) -> dict[str, str]:
    role = state["role"]
    if role == "core_hub":
        return _router_files(state) | hub_service_files(state)
    if role in ROUTER_ROLES:
        return _router_files(state)
    if role == "access_switch":
        view = switch_view(state)
        names = ("ovs.sh",)
    elif role == "call_control":
        view = call_control_view(state)
        names = ("kamailio.cfg", "dispatcher.list", "dialplan", "version")
    else:
        raise ValueError(f"device {state['hostname']}: no lab rendering for role {role!r}")
    return {name: ENV.get_template(f"{name}.j2").render(device=view, dbtext=dbtext) for name in names}


def render_device(state: State) -> dict[str, str]:
    """The files of one lab device, from its own intended state, keyed 'lab/<hostname>/<file>'."""
    return {f"lab/{state['hostname']}/{name}": content for name, content in _files(state).items()}


def render(states: Mapping[str, State], only: Collection[str] | None = None) -> dict[str, str]:
    """Files of the lab-platform devices in `states` (others skipped), keyed 'lab/<hostname>/<file>', in hostname
    order; `only` limits the devices rendered (a share of a parallel build)."""
    files: dict[str, str] = {}
    for hostname in sorted(states):
        if states[hostname]["platform"] == "lab" and (only is None or hostname in only):
            files.update(render_device(states[hostname]))
    return files
