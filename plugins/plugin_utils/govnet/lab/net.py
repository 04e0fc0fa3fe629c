"""The lab's topology, computed from a built network: namespaces, veth links, switches and end hosts.

Pure functions, no side effects: ``topology(states)`` takes the intended state of every device (``build.plan(
inventory).states``) and says what the lab on this machine is made of; ``labctl`` creates and removes it.

Namespaces (one per lab device, plus the end hosts that make the network usable)::

    gn-<hostname>           every lab device (router, access switch, call control); Ansible reaches it through
                            the ega.govnet.netns connection (govnet_netns, set by the inventory plugin)
    gn-<slug>-pc1, -pc2     PCs of an institution on its first switch's ports p1, p2 (data VLAN):
                            host 10 and 11 of the data subnet, default route via the data VLAN's gateway
    gn-<slug>-ph1, -ph2     phones on ph1, ph2 (voice VLAN): host 10 and 11 of the voice subnet, via the voice gateway
    gn-<hub>-svc            per core hub (hub = its hostname, e.g. gn-core-dar-svc): every service address of the
                            hub (its ``services``) on eth0, linked to the hub's ``svc``; default via the services gateway
    gn-ops                  the e-GA operations network at the operations hub: host 10, linked to the hub's ``ops``;
                            it holds the lab's operations SSH key (ssh_keys), which every router's sshd accepts

Links (veth pairs, each end created straight into its namespace, named as lab.py says)::

    c<circuit>  <->  c<circuit>       every WAN and core link, between the two routers
    CE v<vlan>  <->  switch up<vlan>  each VLAN of the CE's LAN that the switch carries
    CE v<servers> <-> cc eth0         the servers VLAN goes straight to call control: no switch port is planned
                                      for the servers VLAN (lab.py), so call control is not behind the switch;
                                      the switch's own up<servers> is plugged into a stub (see below)
    hub svc / ops  <->  eth0 of gn-<hub>-svc / gn-ops
    switch p<i> / ph<i>  <->  eth0 of the PC / phone

An interface the configuration names but that has nothing to reach in the lab (a switch's up<servers>, the LAN of
a second CE or of a second switch when a size class has more than the lab policy's one) gets a stub: a veth whose
peer ``x<name>`` stays, down, in the same namespace, so every rendered configuration applies without errors.

Every end of a link that is plugged into Open vSwitch, or sends into it, has TX checksum offload off (``offload``):
OVS's userspace datapath reads frames with AF_PACKET and does not complete a checksum the kernel left to the
"hardware", so TCP and UDP (ping works either way) would be dropped by the receiver.

Open vSwitch: each access switch runs its own ovsdb-server and ovs-vswitchd inside its namespace, with every file
(database, sockets, pid files, logs) in ``/run/govnet-lab/<namespace>/``; ``ovs.sh`` is run with
``OVS_DB=unix:/run/govnet-lab/<namespace>/db.sock``.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from ..design.schema import ROUTER_ROLES
from ..design.state import State
from ..platforms.lab import render as lab
from ..platforms.lab.names import PREFIX, netns, run_dir

USER_PORTS = 2  # PCs and phones per institution (on its first switch): pc1, pc2, ph1, ph2
FIRST_HOST = 10  # end hosts take host 10, 11, ... of their subnet (gateways and switches sit below)


@dataclass(frozen=True)
class Namespace:
    """A network namespace of the lab: kind is router, switch, call_control, pc, phone, services or operations."""

    name: str
    kind: str
    device: str  # the device it is (routers, switches, call control) or belongs to (end hosts)
    forwarding: bool = False


@dataclass(frozen=True)
class Link:
    """A veth pair from (ns, name) to (peer_ns, peer); offload lists the ends whose TX checksum offload goes off.
    A stub has both ends in one namespace and stays down."""

    ns: str
    name: str
    peer_ns: str
    peer: str
    offload: tuple[str, ...] = ()  # "a" and/or "b": TX checksum offload off on that end
    stub: bool = False


@dataclass(frozen=True)
class EndHost:
    """A host's addresses on its eth0 and its default gateway."""

    ns: str
    addresses: tuple[str, ...]
    gateway: str


@dataclass(frozen=True)
class Switch:
    ns: str
    hostname: str


@dataclass(frozen=True)
class Topology:
    namespaces: tuple[Namespace, ...]
    links: tuple[Link, ...]
    hosts: tuple[EndHost, ...]
    switches: tuple[Switch, ...]
    names: dict[str, str] = field(default_factory=dict)  # device hostname -> namespace

    def namespace_names(self) -> list[str]:
        return [ns.name for ns in self.namespaces]


def ssh_keys() -> dict[str, str]:
    """Where the lab keeps its SSH keys: the routers' host key, the operations network's private key (its public
    key beside it, ``.pub``) and the routers' authorized_keys. Paths shared with lab.SSH_DIR (sshd_config)."""
    return {
        "host": f"{lab.SSH_DIR}/host_ed25519",
        "operations": f"{lab.SSH_DIR}/operations_ed25519",
        "authorized_keys": f"{lab.SSH_DIR}/authorized_keys",
    }


def ovs_db(ns: str) -> str:
    """The OVS_DB an access switch's ovs.sh is run with."""
    return f"unix:{run_dir(ns)}/db.sock"


def _host(prefix: str, index: int) -> str:
    network = ipaddress.ip_network(prefix)
    return f"{network.network_address + FIRST_HOST + index}/{network.prefixlen}"


def _holds_gateway(ce: State, vlan_id: int) -> bool:
    """Whether this CE holds the gateway address of a VLAN (the active CE of a pair, or a lone CE)."""
    for interface in lab.lan_interfaces(ce):
        if interface["name"] == lab.vlan_ifname(vlan_id):
            vlan = next(v for v in ce["vlans"] if v["id"] == vlan_id)
            prefixlen = ipaddress.ip_network(vlan["prefix"]).prefixlen
            return f"{vlan['gateway']}/{prefixlen}" in interface["addresses"]
    return False


def topology(states: dict[str, State]) -> Topology:
    """The lab for the lab-platform devices of a built network (other platforms are left out)."""
    devices = {hostname: state for hostname, state in sorted(states.items()) if state["platform"] == "lab"}
    namespaces: list[Namespace] = []
    links: list[Link] = []
    hosts: list[EndHost] = []
    switches: list[Switch] = []
    used: dict[str, set[str]] = {}  # namespace -> interface names linked so far

    def add_link(ns: str, name: str, peer_ns: str, peer: str, offload: tuple[str, ...] = ()) -> None:
        for where, ifname in ((ns, name), (peer_ns, peer)):
            lab._ifname(ifname)  # pylint: disable=protected-access
            if ifname in used.setdefault(where, set()):
                raise ValueError(f"lab interface {ifname} is linked twice in namespace {where}")
            used[where].add(ifname)
        links.append(Link(ns, name, peer_ns, peer, offload))

    def add_stub(ns: str, name: str) -> None:
        if name not in used.setdefault(ns, set()):
            used[ns] |= {name, f"x{name}"}
            links.append(Link(ns, name, ns, lab._ifname(f"x{name}"), stub=True))  # pylint: disable=protected-access

    for hostname, state in devices.items():
        role = state["role"]
        kind = "router" if role in ROUTER_ROLES else role.replace("access_", "")
        namespaces.append(Namespace(netns(hostname), kind, hostname, forwarding=role in ROUTER_ROLES))

    # WAN and core links: c<circuit> on both ends, each pair once.
    for hostname, state in devices.items():
        if state["role"] not in ROUTER_ROLES:
            continue
        for interface in state["interfaces"]:
            if interface["kind"] not in ("wan", "core") or interface["peer"] not in devices:
                continue
            if hostname < interface["peer"]:
                name = lab.wan_ifname(interface["circuit"])
                add_link(netns(hostname), name, netns(interface["peer"]), name)

    # Institutions: CE LAN to the first switch and to call control; PCs and phones on the first switch.
    ces = {h: s for h, s in devices.items() if s["role"] == "ce_router"}
    for hostname, cc in devices.items():
        if cc["role"] != "call_control":
            continue
        slug = cc["institution"]["slug"]
        prefix = ipaddress.ip_interface(cc["address"]).network
        for ce_name, ce in ces.items():
            vlan = next((v for v in ce["vlans"] if ipaddress.ip_network(v["prefix"]) == prefix), None)
            if ce["institution"]["slug"] == slug and vlan and _holds_gateway(ce, vlan["id"]):
                add_link(netns(ce_name), lab.vlan_ifname(vlan["id"]), netns(hostname), "eth0")
                hosts.append(EndHost(netns(hostname), (cc["address"],), cc["gateway"]))
                break
    for hostname, switch in devices.items():
        if switch["role"] != "access_switch":
            continue
        ns = netns(hostname)
        switches.append(Switch(ns, hostname))
        ce_name = switch["uplink"]["peer"]
        ce = ces.get(ce_name)
        for vlan in switch["uplink"]["vlans"]:
            if ce and lab.vlan_ifname(vlan) not in used.get(netns(ce_name), set()):
                add_link(netns(ce_name), lab.vlan_ifname(vlan), ns, lab.uplink_port(vlan), offload=("a",))
            else:
                add_stub(ns, lab.uplink_port(vlan))
        slug = switch["institution"]["slug"]
        if ce is None or any(n.name == f"{PREFIX}{slug}-pc1" for n in namespaces):
            continue  # end hosts go on the institution's first switch only
        ports = switch["access_ports"]
        count = min(USER_PORTS, ports["count"])
        for kind, short, port, vlan_id in (("pc", "pc", "p", ports["data_vlan"]), ("phone", "ph", "ph", ports["voice_vlan"])):
            vlan = next(v for v in ce["vlans"] if v["id"] == vlan_id)
            for index in range(count):
                host_ns = f"{PREFIX}{slug}-{short}{index + 1}"
                namespaces.append(Namespace(host_ns, kind, hostname))
                add_link(ns, f"{port}{index + 1}", host_ns, "eth0", offload=("b",))
                hosts.append(EndHost(host_ns, (_host(vlan["prefix"], index),), vlan["gateway"]))

    # Core hubs: the services namespace on svc, the operations network on ops.
    for hostname, hub in devices.items():
        if hub["role"] != "core_hub":
            continue
        for interface in hub["interfaces"]:
            if interface["kind"] != "lan" or interface["name"] not in lab.HUB_LANS:
                continue
            gateway = ipaddress.ip_interface(interface["address"])
            if interface["name"] == "services":
                host_ns, kind = f"{netns(hostname)}-svc", "services"
                addresses = tuple(service["address"] for service in hub.get("services", []))
            else:
                host_ns, kind = f"{PREFIX}ops", "operations"
                addresses = (_host(str(gateway.network), 0),)
            namespaces.append(Namespace(host_ns, kind, hostname))
            add_link(netns(hostname), lab.router_ifname(interface), host_ns, "eth0")
            hosts.append(EndHost(host_ns, addresses, str(gateway.ip)))

    # Every interface a router's configuration names that nothing reaches in the lab gets a stub.
    for hostname, state in devices.items():
        if state["role"] in ROUTER_ROLES:
            for interface in lab.routed_interfaces(state):
                add_stub(netns(hostname), interface["name"])

    names = [ns.name for ns in namespaces]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"lab namespace names clash: {', '.join(duplicates)}")
    return Topology(tuple(namespaces), tuple(links), tuple(hosts), tuple(switches), {h: netns(h) for h in devices})


def summary(topo: Topology) -> dict[str, int]:
    """Counts of what a topology holds (the ega.govnet.lab result)."""
    kinds: dict[str, int] = {}
    for ns in topo.namespaces:
        kinds[ns.kind] = kinds.get(ns.kind, 0) + 1
    return {
        "namespaces": len(topo.namespaces),
        "links": sum(1 for link in topo.links if not link.stub),
        "stubs": sum(1 for link in topo.links if link.stub),
        "switches": len(topo.switches),
        "hosts": len(topo.hosts),
        **{f"namespaces_{kind}": count for kind, count in sorted(kinds.items())},
    }
