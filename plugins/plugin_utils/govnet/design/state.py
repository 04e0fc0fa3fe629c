"""The intended state of a device, typed: one schema per device role, as ``intended.intended_states`` makes it.

A state is plain data (dicts, lists, str, int, bool), written as ``plan/<hostname>.yml`` by the build and read by
the renderers, the rollout and YAML (``roles/rollout_device``). It is self-contained: what a device's files need
from other devices (its CE's access switches, its IPsec peers, other institutions' conference numbers, the
collector's senders, on-net codes) is worked out once by ``facts.add_facts`` and kept in the device's own state,
so a renderer reads nothing but the state of the device it renders. Keys marked "fact" are the facts pass's.

The schemas are TypedDicts: at run time a state is a dict, so they cost nothing and name every key. They are
written in TypedDict's functional form (keys are strings, as the code reads them); keys that only some devices of
a role have sit in a ``total=False`` part (``..._OPTIONS``) the schema is merged from (``_merged``).
"""

from __future__ import annotations

from typing import Any, Dict, List, NotRequired, TypedDict, Union


def _merged(name: str, *parts: Any) -> Any:
    """One TypedDict with the keys of `parts`, each required or not as in its part (a class inheriting functional
    TypedDicts would do the same, but the linters of ansible-test do not read that form)."""
    keys: dict[str, Any] = {}
    for part in parts:
        for key, kind in part.__annotations__.items():
            keys[key] = kind if key in part.__required_keys__ else NotRequired[kind]
    return TypedDict(name, keys)  # type: ignore[operator]


# ---------------------------------------------------------------- shared parts

# Whose device it is: the institution with its code and ASN.
InstitutionRef = TypedDict("InstitutionRef", {"id": int, "slug": str, "name": str, "category": str, "code": int, "asn": int})
TimeZone = TypedDict("TimeZone", {"name": str, "hours": int})  # hours: the offset from UTC
# How the device is managed: who may reach it, its name domain and time zone, its servers, users and secrets
# (secret name -> "{{ vault_variable }}": vault references only).
Management = TypedDict(
    "Management",
    {
        "allowed_from": List[str],
        "domain": str,
        "timezone": TimeZone,
        "ssh_version": int,
        "snmp_version": int,
        "ntp_servers": List[str],
        "dns_servers": List[str],
        "syslog_servers": List[str],
        "banner": str,
        "aaa_servers": List[str],
        "admin_user": str,
        "snmp_user": str,
        "snmp_group": str,
        "secrets": Dict[str, str],
    },
)

# A router's interface: kind wan or core (a NICTBB circuit to a peer), lan (a hub LAN) or trunk (a CE's LAN, with
# the VLAN ids it carries).
_INTERFACE = TypedDict("_INTERFACE", {"name": str, "kind": str})
_INTERFACE_OPTIONS = TypedDict(
    "_INTERFACE_OPTIONS", {"peer": str, "circuit": int, "address": str, "peer_address": str, "qos": bool, "vlans": List[int]}, total=False
)


# A router's interface.
Interface = _merged("Interface", _INTERFACE, _INTERFACE_OPTIONS)


# A BGP neighbour; accept and advertise are prefixes, or exactly ["any"] / ["all"] for no filter; password is a
# vault reference, when the policy signs sessions.
_NEIGHBOR = TypedDict(
    "_NEIGHBOR", {"peer": str, "address": str, "remote_asn": int, "description": str, "accept": List[str], "advertise": List[str]}
)
_NEIGHBOR_OPTIONS = TypedDict("_NEIGHBOR_OPTIONS", {"max_prefixes": int, "soft_reconfiguration": bool, "password": str}, total=False)


# A BGP neighbour.
Neighbor = _merged("Neighbor", _NEIGHBOR, _NEIGHBOR_OPTIONS)


# A router's BGP: a core hub aggregates GovNet's supernet, a regional aggregation router summarises its region block.
_BGP = TypedDict("_BGP", {"asn": int, "router_id": str, "neighbors": List[Neighbor], "keepalive": int, "holdtime": int})
_BGP_OPTIONS = TypedDict("_BGP_OPTIONS", {"originate": List[str], "aggregate": List[str], "summary": str}, total=False)


# A router's BGP process.
Bgp = _merged("Bgp", _BGP, _BGP_OPTIONS)


QosClass = TypedDict("QosClass", {"name": str, "dscp": str, "queue": str, "percent": int})
Qos = TypedDict("Qos", {"classes": List[QosClass], "default_queue": str})  # the WAN QoS policy: LLQ classes in policy order
ControlPlane = TypedDict(
    "ControlPlane", {"routing_pps": int, "management_pps": int, "icmp_pps": int, "default_pps": int, "management_from": List[str]}
)
FlowExport = TypedDict("FlowExport", {"collectors": List[str], "port": int, "active_timeout": int})
# One IPsec-protected WAN link of a router (ipsec.protection): its two ends and traffic selectors.
IpsecLink = TypedDict(
    "IpsecLink",
    {"peer": str, "circuit": int, "local": str, "remote": str, "local_ts": List[str], "remote_ts": List[str], "initiator": bool},
)
# Fact: a router's IPsec: the policy's parameters (segmentation.ipsec of the CEs: ike, ike_proposal, esp_proposal,
# lifetimes, dpd_interval), the pre-shared key's vault reference and every protected link.
Ipsec = TypedDict("Ipsec", {"params": Dict[str, Any], "psk": str, "links": List[IpsecLink]})

# What every router has; ipsec only a router with a protected link.
_ROUTER = TypedDict(
    "_ROUTER",
    {
        "hostname": str,
        "role": str,
        "platform": str,
        "region": str,
        "loopback": str,
        "interfaces": List[Interface],
        "bgp": Bgp,
        "qos": Qos,
        "management": Management,
        "control_plane": ControlPlane,
        "flow_export": FlowExport,
    },
)
_ROUTER_OPTIONS = TypedDict("_ROUTER_OPTIONS", {"ipsec": Ipsec}, total=False)

# ---------------------------------------------------------------- core hub

HubRef = TypedDict("HubRef", {"id": int, "slug": str, "name": str})
Service = TypedDict("Service", {"name": str, "role": str, "address": str})
SipRoute = TypedDict("SipRoute", {"code": int, "call_control": List[str]})
# The GovNet SIP core a hub hosts: routes by institution code to each institution's call control.
SipCore = TypedDict("SipCore", {"address": str, "code_digits": int, "extension_digits": int, "signalling_dscp": str, "routes": List[SipRoute]})
Sender = TypedDict("Sender", {"hostname": str, "platform": str})
# Fact: the security operations collector in a hub's services LAN and every router that sends to it.
Collector = TypedDict("Collector", {"address": str, "senders": List[Sender]})
_CORE_HUB = TypedDict("_CORE_HUB", {"hub": HubRef, "services": List[Service]})
_CORE_HUB_OPTIONS = TypedDict("_CORE_HUB_OPTIONS", {"sip_core": SipCore, "collector": Collector}, total=False)


# A core hub: its core, aggregation and central CE links, its services and operations LANs, and the SIP core and the
# security operations collector when it hosts them.
CoreHubState = _merged("CoreHubState", _ROUTER, _ROUTER_OPTIONS, _CORE_HUB, _CORE_HUB_OPTIONS)


# ---------------------------------------------------------------- regional aggregation

_AGGREGATION = TypedDict("_AGGREGATION", {"pop": str})


# A regional aggregation router at its region's NICTBB point of presence.
AggregationState = _merged("AggregationState", _ROUTER, _ROUTER_OPTIONS, _AGGREGATION)


# ---------------------------------------------------------------- CE router

_ROUTER_VLAN = TypedDict("_ROUTER_VLAN", {"role": str, "id": int, "name": str, "prefix": str, "address": str, "gateway": str})
_ROUTER_VLAN_OPTIONS = TypedDict("_ROUTER_VLAN_OPTIONS", {"dhcp_relay": List[str]}, total=False)


# A VLAN of a CE's LAN: the router's own address in it and the gateway (the same on a lone CE).
RouterVlan = _merged("RouterVlan", _ROUTER_VLAN, _ROUTER_VLAN_OPTIONS)


Rule = TypedDict("Rule", {"description": str, "sources": List[str], "destinations": List[str], "protocol": str, "ports": List[str]})
# The filter of an institution's CE (segmentation.ce_rules), with the IPsec parameters when the policy asks for IPsec.
_SEGMENTATION = TypedDict("_SEGMENTATION", {"site": str, "outbound": List[Rule], "inbound": List[Rule]})
_SEGMENTATION_OPTIONS = TypedDict("_SEGMENTATION_OPTIONS", {"ipsec": Dict[str, Any]}, total=False)


# The filter of an institution's CE.
Segmentation = _merged("Segmentation", _SEGMENTATION, _SEGMENTATION_OPTIONS)


PairMember = TypedDict("PairMember", {"hostname": str, "priority": int})
# A CE of a redundant pair: its first-hop redundancy group and priority. Facts: pair (every CE of the pair with its
# priority, this one first) and active (this CE holds the virtual gateway: highest priority, then the hostname).
Redundancy = TypedDict("Redundancy", {"group": int, "priority": int, "peers": List[str], "pair": List[PairMember], "active": bool})
# switches, a fact: the access switches that uplink to this CE, in name order.
_CE_ROUTER = TypedDict(
    "_CE_ROUTER", {"institution": InstitutionRef, "phase": int, "vlans": List[RouterVlan], "segmentation": Segmentation, "switches": List[str]}
)
_CE_ROUTER_OPTIONS = TypedDict("_CE_ROUTER_OPTIONS", {"redundancy": Redundancy}, total=False)


# An institution's CE router: its uplink, its LAN VLANs and its segmentation.
CeRouterState = _merged("CeRouterState", _ROUTER, _ROUTER_OPTIONS, _CE_ROUTER, _CE_ROUTER_OPTIONS)


# ---------------------------------------------------------------- access switch

SwitchVlan = TypedDict("SwitchVlan", {"role": str, "id": int, "name": str})
Uplink = TypedDict("Uplink", {"peer": str, "vlans": List[int]})
AccessPorts = TypedDict("AccessPorts", {"count": int, "data_vlan": int, "voice_vlan": int})
ManagementInterface = TypedDict("ManagementInterface", {"vlan": int, "address": str, "gateway": str})
# An access switch of an institution: its VLANs, its uplink to a CE, its access ports and management address.
AccessSwitchState = TypedDict(
    "AccessSwitchState",
    {
        "hostname": str,
        "role": str,
        "platform": str,
        "institution": InstitutionRef,
        "region": str,
        "phase": int,
        "vlans": List[SwitchVlan],
        "uplink": Uplink,
        "access_ports": AccessPorts,
        "spanning_tree": str,
        "dhcp_snooping": bool,
        "management_interface": ManagementInterface,
        "management": Management,
    },
)

# ---------------------------------------------------------------- call control

Numbering = TypedDict(
    "Numbering",
    {
        "code": int,
        "extension_digits": int,
        "first_extension": int,
        "last_extension": int,
        "first_number": int,
        "last_number": int,
        "conference_numbers": List[int],
    },
)
ShortCode = TypedDict("ShortCode", {"number": str, "name": str, "emergency": bool})
# Other institutions whose conference bridges have the same extensions: runs [first, last] of their codes.
ConferenceGroup = TypedDict("ConferenceGroup", {"codes": List[List[int]], "extensions": List[int]})
# Where call control sends calls. Facts: onnet_first_digits (the first digit of every institution's code, sorted)
# and, on a platform that dials them itself (facts.DIRECT_CONFERENCES), other_conferences (every other institution's
# conference numbers).
_ROUTES = TypedDict(
    "_ROUTES",
    {
        "onnet_digits": int,
        "sip_core": List[str],
        "conference": List[str],
        "pstn_gateway": List[str],
        "pstn_access_digit": str,
        "national_prefix": str,
        "international_prefix": str,
        "class_of_service": str,
        "short_codes": List[ShortCode],
        "onnet_first_digits": List[str],
    },
)
_ROUTES_OPTIONS = TypedDict("_ROUTES_OPTIONS", {"other_conferences": List[ConferenceGroup]}, total=False)


# Where call control sends calls.
Routes = _merged("Routes", _ROUTES, _ROUTES_OPTIONS)


Sip = TypedDict("Sip", {"realm": str})
VoiceQos = TypedDict("VoiceQos", {"signalling_dscp": str, "media_dscp": str})
# An institution's call control: its address in the servers VLAN, its numbers, its routes and SIP realm.
CallControlState = TypedDict(
    "CallControlState",
    {
        "hostname": str,
        "role": str,
        "platform": str,
        "institution": InstitutionRef,
        "region": str,
        "phase": int,
        "address": str,
        "gateway": str,
        "phones_subnet": str,
        "numbering": Numbering,
        "routes": Routes,
        "sip": Sip,
        "qos": VoiceQos,
        "management": Management,
    },
)

RouterState = Union[CoreHubState, AggregationState, CeRouterState]
State = Union[CoreHubState, AggregationState, CeRouterState, AccessSwitchState, CallControlState]
States = Dict[str, State]  # every device's state by hostname
