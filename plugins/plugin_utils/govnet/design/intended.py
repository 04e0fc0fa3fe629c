"""The platform-neutral intended state of every device, computed from the allocation in one pass, then the facts
pass (facts.py) adds what each device needs from the others: every state is self-contained (state.py types it)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from .allocation import AggregationPlan, Allocation, HubPlan, InstitutionPlan, Link
from . import segmentation
from .facts import add_facts
from .model import Institution, Policy
from .state import (
    AccessSwitchState,
    AggregationState,
    CallControlState,
    CeRouterState,
    CoreHubState,
    Interface,
    InstitutionRef,
    Management,
    Neighbor,
    Qos,
    RouterVlan,
    State,
)


def platform(policy: Policy, role: str, institution: Institution | None = None) -> str:
    """The platform a device runs: the institution's own when it names one, else the policy's for the role."""
    if institution is not None and institution.platform:
        return institution.platform
    return policy.platforms[role]


class _Context:
    """What every device's state draws on: the policy and the shared services."""

    def __init__(self, alloc: Allocation, policy: Policy) -> None:
        self.alloc = alloc
        self.policy = policy
        self.services: dict[str, list[str]] = {}
        self.services_by_name: dict[str, list[tuple[str, str]]] = {}  # name -> (role, address) at each hub
        for hub in alloc.hubs:
            for service, address in hub.services:
                self.services.setdefault(service.role, []).append(str(address.ip))
                self.services_by_name.setdefault(service.name, []).append((service.role, str(address.ip)))
        # The pools every institution's site block comes from (pins stay inside them): a handful of prefixes
        # whatever the number of institutions, so a CE's voice media rules do not grow with GovNet.
        self.site_pools = sorted(
            (str(pool.network) for name, pool in policy.pools.items() if name.startswith("central_sites_") or name == "regions"),
            key=ipaddress.IPv4Network,
        )
        self.operations = str(policy.pools[policy.security["management_from"]].network)  # the operations network, by policy
        self.downlinks: dict[str, list[tuple[Link, int, str, str]]] = {}
        for agg in alloc.aggregation:
            for link in agg.uplinks:
                self.downlinks.setdefault(link.upstream, []).append((link, agg.asn, str(agg.block), f"aggregation {agg.region.name}"))
        for plan in alloc.institutions:
            for link in plan.uplinks:
                self.downlinks.setdefault(link.upstream, []).append(
                    (link, plan.asn, str(plan.block), f"{plan.institution.slug} {plan.institution.name}")
                )
        self.asns = {agg.hostname: agg.asn for agg in alloc.aggregation}
        # The GovNet SIP core's routing table: each institution's code to its call control addresses.
        self.sip_routes = [
            {"code": plan.code, "call_control": [str(plan.call_control_address(index).ip) for index in range(len(plan.call_control))]}
            for plan in sorted(alloc.institutions, key=lambda plan: plan.code)
            if plan.call_control
        ]

    def platform(self, role: str, institution: Institution | None = None) -> str:
        return platform(self.policy, role, institution)

    def management(self) -> Management:
        security = self.policy.security
        return {
            "allowed_from": [self.operations],
            "domain": security["domain"],
            "timezone": {"name": security["timezone"]["name"], "hours": security["timezone"]["utc_offset"]},
            "ssh_version": security["ssh_version"],
            "snmp_version": security["snmp_version"],
            "ntp_servers": self.services.get(security["ntp_servers_role"], []),
            "dns_servers": self.services.get("dns", []),
            "syslog_servers": self.services.get(security["syslog_role"], []),
            "banner": security["login_banner"],
            "aaa_servers": self.services.get(security["aaa_role"], []),
            "admin_user": security["admin_user"],
            "snmp_user": security["snmp_user"],
            "snmp_group": security["snmp_group"],
            "secrets": {name: "{{ " + variable + " }}" for name, variable in sorted(security["secrets"].items())},
        }

    def qos(self) -> Qos:
        """The WAN QoS policy: LLQ classes by DSCP, in policy order."""
        return {"classes": [dict(item) for item in self.policy.qos["classes"]], "default_queue": self.policy.qos["default_queue"]}

    def bgp_timers(self) -> dict[str, int]:
        return {"keepalive": self.policy.routing.keepalive, "holdtime": self.policy.routing.holdtime}

    def bgp_password(self) -> dict[str, str]:
        """A BGP neighbour's TCP-MD5 key, as a vault reference (none when the policy does not sign sessions)."""
        if not self.policy.segmentation["bgp_authentication"]:
            return {}
        return {"password": "{{ " + self.policy.security["secrets"]["bgp_key"] + " }}"}

    def router_protection(self) -> dict[str, Any]:
        """What every router gets: control-plane policing and flow export to the security operations collector."""
        policy = self.policy.segmentation
        return {
            "control_plane": segmentation.control_plane(policy, [self.operations]),
            "flow_export": segmentation.flow_export(policy, self.services.get(self.policy.security["syslog_role"], [])),
        }


def _institution(plan: InstitutionPlan) -> InstitutionRef:
    inst = plan.institution
    return {"id": inst.id, "slug": inst.slug, "name": inst.name, "category": inst.category, "code": plan.code, "asn": plan.asn}


def _downlink(link: Link, remote_asn: int, accept: list[str], ctx: _Context, description: str) -> tuple[Interface, Neighbor]:
    """The upstream side of a CE or aggregation uplink: its interface and its BGP neighbour."""
    interface: Interface = {
        "name": f"down-{link.downstream}",
        "kind": "wan",
        "peer": link.downstream,
        "circuit": link.circuit,
        "address": str(link.upstream_address),
        "peer_address": str(link.downstream_address.ip),
        "qos": True,
    }
    neighbor: Neighbor = {
        "peer": link.downstream,
        "address": str(link.downstream_address.ip),
        "remote_asn": remote_asn,
        "description": description,
        "accept": accept,
        "max_prefixes": ctx.policy.routing.ce_max_prefixes,
        "advertise": [str(ctx.policy.supernet)],
        # What the downstream announced is kept as received, so the rejected part can be shown.
        "soft_reconfiguration": True,
        **ctx.bgp_password(),
    }
    return interface, neighbor


def _uplink(link: Link, remote_asn: int, accept: list[str], advertise: list[str], ctx: _Context) -> tuple[Interface, Neighbor]:
    """The downstream side of an uplink: its interface and its BGP neighbour."""
    interface: Interface = {
        "name": f"up-{link.upstream}",
        "kind": "wan",
        "peer": link.upstream,
        "circuit": link.circuit,
        "address": str(link.downstream_address),
        "peer_address": str(link.upstream_address.ip),
        "qos": True,
    }
    neighbor: Neighbor = {
        "peer": link.upstream,
        "address": str(link.upstream_address.ip),
        "remote_asn": remote_asn,
        "description": f"upstream {link.upstream}",
        "accept": accept,
        "advertise": advertise,
        **ctx.bgp_password(),
    }
    return interface, neighbor


def _downlinks(hostname: str, ctx: _Context) -> tuple[list[Interface], list[Neighbor]]:
    """Interfaces and BGP neighbours of everything that uplinks to this device."""
    interfaces: list[Interface] = []
    neighbors: list[Neighbor] = []
    for link, asn, block, description in ctx.downlinks.get(hostname, []):
        interface, neighbor = _downlink(link, asn, [block], ctx, description)
        interfaces.append(interface)
        neighbors.append(neighbor)
    return interfaces, neighbors


def ce_router(plan: InstitutionPlan, index: int, ctx: _Context) -> CeRouterState:
    hostname = plan.routers[index]
    link = plan.uplinks[index]
    redundant = len(plan.routers) > 1
    interface, neighbor = _uplink(
        link, ctx.asns.get(link.upstream, ctx.policy.routing.core_asn), [str(ctx.policy.supernet)], [str(plan.block)], ctx
    )
    vlans: list[RouterVlan] = []
    for subnet in plan.subnets:
        vlan: RouterVlan = {
            "role": subnet.vlan.role,
            "id": subnet.vlan.id,
            "name": subnet.vlan.name,
            "prefix": str(subnet.prefix),
            "address": str(subnet.host(index + 2 if redundant else 1)),
            "gateway": str(subnet.gateway),
        }
        if subnet.vlan.role in ("data", "voice"):
            vlan["dhcp_relay"] = list(ctx.services.get("dhcp", []))
        vlans.append(vlan)
    state: CeRouterState = {  # type: ignore[typeddict-item]  # switches: a fact (facts.py)
        "hostname": hostname,
        "role": "ce_router",
        "platform": ctx.platform("ce_router", plan.institution),
        "institution": _institution(plan),
        "region": plan.region.slug,
        "phase": plan.institution.phase,
        "loopback": str(plan.loopbacks[index]),
        "interfaces": [interface, {"name": "lan", "kind": "trunk", "vlans": [subnet.vlan.id for subnet in plan.subnets]}],
        "vlans": vlans,
        "bgp": {
            "asn": plan.asn,
            "router_id": str(plan.loopbacks[index].network_address),
            "originate": [str(plan.block)],
            "neighbors": [neighbor],
            **ctx.bgp_timers(),
        },
        "qos": ctx.qos(),
        "management": ctx.management(),
        "segmentation": segmentation.ce_rules(
            ctx.policy.segmentation,
            str(plan.block),
            str(plan.subnet("voice").prefix) if plan.call_control else None,
            [str(plan.call_control_address(n).ip) for n in range(len(plan.call_control))],
            ctx.services_by_name,
            ctx.site_pools,
            [ctx.operations],
        ),
        **ctx.router_protection(),
    }
    if redundant:
        state["redundancy"] = {  # type: ignore[typeddict-item]  # pair and active: facts (facts.py)
            "group": 1,
            "priority": 110 if index == 0 else 100,
            "peers": [router for router in plan.routers if router != hostname],
        }
    return state


def access_switch(plan: InstitutionPlan, index: int, ctx: _Context) -> AccessSwitchState:
    management = plan.subnet("management")
    return {
        "hostname": plan.switches[index],
        "role": "access_switch",
        "platform": ctx.platform("access_switch", plan.institution),
        "institution": _institution(plan),
        "region": plan.region.slug,
        "phase": plan.institution.phase,
        "vlans": [{"role": subnet.vlan.role, "id": subnet.vlan.id, "name": subnet.vlan.name} for subnet in plan.subnets],
        "uplink": {"peer": plan.routers[index % len(plan.routers)], "vlans": [subnet.vlan.id for subnet in plan.subnets]},
        "access_ports": {
            "count": ctx.policy.switching["access_ports"],
            "data_vlan": plan.subnet("data").vlan.id,
            "voice_vlan": plan.subnet("voice").vlan.id,
        },
        "spanning_tree": ctx.policy.switching["spanning_tree"],
        "dhcp_snooping": ctx.policy.switching["dhcp_snooping"],
        "management_interface": {
            "vlan": management.vlan.id,
            "address": str(plan.switch_address(index)),
            "gateway": str(management.gateway),
        },
        "management": ctx.management(),
    }


def call_control(plan: InstitutionPlan, index: int, ctx: _Context) -> CallControlState:
    servers = plan.subnet("servers")
    numbering = ctx.policy.numbering
    return {
        "hostname": plan.call_control[index],
        "role": "call_control",
        "platform": ctx.platform("call_control", plan.institution),
        "institution": _institution(plan),
        "region": plan.region.slug,
        "phase": plan.institution.phase,
        "address": str(plan.call_control_address(index)),
        "gateway": str(servers.gateway),
        "phones_subnet": str(plan.subnet("voice").prefix),
        "numbering": {
            "code": plan.code,
            "extension_digits": numbering.extension_digits,
            "first_extension": numbering.extension_first,
            "last_extension": numbering.extension_first + plan.size.extensions - 1,
            "first_number": plan.first_number,
            "last_number": plan.last_number,
            "conference_numbers": list(plan.conference),
        },
        "routes": {  # type: ignore[typeddict-item]  # onnet_first_digits, other_conferences: facts (facts.py)
            "onnet_digits": numbering.code_digits + numbering.extension_digits,
            "sip_core": ctx.services.get("sip_core", []),
            "conference": ctx.services.get("conference", []),
            "pstn_gateway": ctx.services.get("pstn_gateway", []),
            "pstn_access_digit": numbering.pstn_access_digit,
            "national_prefix": numbering.pstn.national_prefix,
            "international_prefix": numbering.pstn.international_prefix,
            "class_of_service": numbering.pstn.class_of_service[plan.institution.category],
            "short_codes": [{"number": code.number, "name": code.name, "emergency": code.emergency} for code in numbering.short_codes],
        },
        # Phones register with digest authentication (user: the extension); passwords come from the vault at deploy.
        "sip": {"realm": f"{plan.institution.slug}.{ctx.policy.security['sip']['realm_domain']}"},
        "qos": {"signalling_dscp": ctx.policy.qos["marking"]["signalling"], "media_dscp": ctx.policy.qos["marking"]["media"]},
        "management": ctx.management(),
    }


def core_hub(hub: HubPlan, ctx: _Context) -> CoreHubState:
    routing = ctx.policy.routing
    interfaces: list[Interface] = []
    neighbors: list[Neighbor] = []
    for link in ctx.alloc.core_links:
        if hub.hostname in (link.upstream, link.downstream):
            mine, theirs = (
                (link.upstream_address, link.downstream_address)
                if link.upstream == hub.hostname
                else (link.downstream_address, link.upstream_address)
            )
            peer = link.downstream if link.upstream == hub.hostname else link.upstream
            interfaces.append(
                {
                    "name": f"core-{peer}",
                    "kind": "core",
                    "peer": peer,
                    "circuit": link.circuit,
                    "address": str(mine),
                    "peer_address": str(theirs.ip),
                    "qos": True,
                }
            )
            neighbors.append(
                {
                    "peer": peer,
                    "address": str(theirs.ip),
                    "remote_asn": routing.core_asn,
                    "description": f"core peer {peer}",
                    "accept": ["any"],
                    "advertise": ["all"],
                    **ctx.bgp_password(),
                }
            )
    down_interfaces, down_neighbors = _downlinks(hub.hostname, ctx)
    interfaces += down_interfaces
    neighbors += down_neighbors
    interfaces.append(
        {"name": "services", "kind": "lan", "address": str(hub.services_block.network_address + 1) + f"/{hub.services_block.prefixlen}"}
    )
    originate = [str(hub.services_block)]
    if hub.operations is not None:
        interfaces.append(
            {"name": "operations", "kind": "lan", "address": str(hub.operations.network_address + 1) + f"/{hub.operations.prefixlen}"}
        )
        originate.append(str(hub.operations))
    return {
        "hostname": hub.hostname,
        "role": "core_hub",
        "platform": ctx.platform("core_hub"),
        "hub": {"id": hub.hub.id, "slug": hub.hub.slug, "name": hub.hub.name},
        "region": hub.hub.region,
        "loopback": str(hub.loopback),
        "interfaces": interfaces,
        "services": [{"name": service.name, "role": service.role, "address": str(address)} for service, address in hub.services],
        **_sip_core(hub, ctx),
        "bgp": {
            "asn": routing.core_asn,
            "router_id": str(hub.loopback.network_address),
            "originate": originate,
            "aggregate": [str(ctx.policy.supernet)],
            "neighbors": neighbors,
            **ctx.bgp_timers(),
        },
        "qos": ctx.qos(),
        "management": ctx.management(),
        **ctx.router_protection(),
    }


def _sip_core(hub: HubPlan, ctx: _Context) -> dict[str, Any]:
    """The GovNet SIP core at a hub that hosts one: it routes on-net numbers to call control by code."""
    address = next((address for service, address in hub.services if service.role == "sip_core"), None)
    if address is None:
        return {}
    numbering = ctx.policy.numbering
    return {
        "sip_core": {
            "address": str(address.ip),
            "code_digits": numbering.code_digits,
            "extension_digits": numbering.extension_digits,
            "signalling_dscp": ctx.policy.qos["marking"]["signalling"],
            "routes": ctx.sip_routes,
        }
    }


def aggregation(agg: AggregationPlan, ctx: _Context) -> AggregationState:
    interfaces: list[Interface] = []
    neighbors: list[Neighbor] = []
    for link in agg.uplinks:
        interface, neighbor = _uplink(link, ctx.policy.routing.core_asn, [str(ctx.policy.supernet)], [str(agg.block)], ctx)
        interfaces.append(interface)
        neighbors.append(neighbor)
    down_interfaces, down_neighbors = _downlinks(agg.hostname, ctx)
    interfaces += down_interfaces
    neighbors += down_neighbors
    return {
        "hostname": agg.hostname,
        "role": "regional_aggregation",
        "platform": ctx.platform("regional_aggregation"),
        "region": agg.region.slug,
        "pop": agg.region.pop,
        "loopback": str(agg.loopback),
        "interfaces": interfaces,
        "bgp": {
            "asn": agg.asn,
            "router_id": str(agg.loopback.network_address),
            "summary": str(agg.block),
            "neighbors": neighbors,
            **ctx.bgp_timers(),
        },
        "qos": ctx.qos(),
        "management": ctx.management(),
        **ctx.router_protection(),
    }


def intended_states(alloc: Allocation, policy: Policy) -> dict[str, State]:
    """Every device's intended state, keyed by hostname, in a stable order, each with its facts (facts.py)."""
    ctx = _Context(alloc, policy)
    states: dict[str, State] = {}
    for hub in alloc.hubs:
        states[hub.hostname] = core_hub(hub, ctx)
    for agg in alloc.aggregation:
        states[agg.hostname] = aggregation(agg, ctx)
    for plan in alloc.institutions:
        for index in range(len(plan.routers)):
            states[plan.routers[index]] = ce_router(plan, index, ctx)
        for index in range(len(plan.switches)):
            states[plan.switches[index]] = access_switch(plan, index, ctx)
        for index in range(len(plan.call_control)):
            states[plan.call_control[index]] = call_control(plan, index, ctx)
    return add_facts(states)


@dataclass(frozen=True)
class Device:
    """What Ansible's inventory needs of a device, without computing its whole intended state."""

    hostname: str
    role: str
    platform: str
    region: str
    address: str  # how Ansible reaches it: a router's loopback, a switch's or call control's own address
    institution: Institution | None = None


def devices(alloc: Allocation, policy: Policy) -> list[Device]:
    """Every device in the order of intended_states, with the same role, platform, region and address."""
    found = [Device(hub.hostname, "core_hub", platform(policy, "core_hub"), hub.hub.region, str(hub.loopback.network_address)) for hub in alloc.hubs]
    found += [
        Device(agg.hostname, "regional_aggregation", platform(policy, "regional_aggregation"), agg.region.slug, str(agg.loopback.network_address))
        for agg in alloc.aggregation
    ]
    for plan in alloc.institutions:
        inst, region = plan.institution, plan.region.slug
        found += [
            Device(name, "ce_router", platform(policy, "ce_router", inst), region, str(plan.loopbacks[index].network_address), inst)
            for index, name in enumerate(plan.routers)
        ]
        found += [
            Device(name, "access_switch", platform(policy, "access_switch", inst), region, str(plan.switch_address(index).ip), inst)
            for index, name in enumerate(plan.switches)
        ]
        found += [
            Device(name, "call_control", platform(policy, "call_control", inst), region, str(plan.call_control_address(index).ip), inst)
            for index, name in enumerate(plan.call_control)
        ]
    return found
