"""The intended state of a device, typed: one schema per device role, as ``intended.intended_states`` makes it.

A state is plain data (dicts, lists, str, int, bool), written as ``plan/<hostname>.yml`` by the build and read by
the renderers, the rollout and YAML (``roles/rollout_device``). It is self-contained: what a device's files need
from other devices (its CE's access switches, its IPsec peers, other institutions' conference numbers, the
collector's senders, on-net codes) is worked out once by ``facts.add_facts`` and kept in the device's own state,
so a renderer reads nothing but the state of the device it renders.

The schemas are TypedDicts: at run time a state is a dict, so they cost nothing and document every key. Keys that
only some devices of a role have sit in a ``total=False`` part (its required keys in a ``_...Required`` base), the rest are required.
"""

from __future__ import annotations

from typing import Any, Dict, List, TypedDict, Union


# ---------------------------------------------------------------- shared parts


class InstitutionRef(TypedDict):
    """Whose device it is: the institution with its code and ASN."""

    id: int
    slug: str
    name: str
    category: str
    code: int
    asn: int


class TimeZone(TypedDict):
    name: str
    hours: int  # offset from UTC


class Management(TypedDict):
    """How the device is managed: who may reach it, its name domain and time zone, its servers, users and secrets
    (vault references only)."""

    allowed_from: List[str]
    domain: str
    timezone: TimeZone
    ssh_version: int
    snmp_version: int
    ntp_servers: List[str]
    dns_servers: List[str]
    syslog_servers: List[str]
    banner: str
    aaa_servers: List[str]
    admin_user: str
    snmp_user: str
    snmp_group: str
    secrets: Dict[str, str]  # secret name -> "{{ vault_variable }}"


class _InterfaceRequired(TypedDict):
    name: str
    kind: str


class Interface(_InterfaceRequired, total=False):
    """A router's interface: kind wan or core (a NICTBB circuit to a peer), lan (a hub LAN) or trunk (a CE's LAN)."""

    peer: str
    circuit: int
    address: str
    peer_address: str
    qos: bool
    vlans: List[int]  # trunk: the VLAN ids it carries


class _NeighborRequired(TypedDict):
    peer: str
    address: str
    remote_asn: int
    description: str
    accept: List[str]
    advertise: List[str]


class Neighbor(_NeighborRequired, total=False):
    """A BGP neighbour; accept and advertise are prefixes, or exactly ["any"] / ["all"] for no filter."""

    max_prefixes: int
    soft_reconfiguration: bool
    password: str  # a vault reference, when the policy signs sessions


class _BgpRequired(TypedDict):
    asn: int
    router_id: str
    neighbors: List[Neighbor]
    keepalive: int
    holdtime: int


class Bgp(_BgpRequired, total=False):
    originate: List[str]
    aggregate: List[str]  # core hub: GovNet's supernet
    summary: str  # regional aggregation: its region block


class QosClass(TypedDict):
    name: str
    dscp: str
    queue: str
    percent: int


class Qos(TypedDict):
    """The WAN QoS policy of a router: LLQ classes in policy order."""

    classes: List[QosClass]
    default_queue: str


class ControlPlane(TypedDict):
    routing_pps: int
    management_pps: int
    icmp_pps: int
    default_pps: int
    management_from: List[str]


class FlowExport(TypedDict):
    collectors: List[str]
    port: int
    active_timeout: int


class IpsecLink(TypedDict):
    """One IPsec-protected WAN link of a router (ipsec.protection): its two ends and traffic selectors."""

    peer: str
    circuit: int
    local: str
    remote: str
    local_ts: List[str]
    remote_ts: List[str]
    initiator: bool


class Ipsec(TypedDict):
    """A router's IPsec: the policy's parameters, the pre-shared key's vault reference and every protected link."""

    params: Dict[str, Any]  # segmentation.ipsec of the CEs: ike, ike_proposal, esp_proposal, lifetimes, dpd_interval
    psk: str
    links: List[IpsecLink]


class _RouterRequired(TypedDict):
    hostname: str
    role: str
    platform: str
    region: str
    loopback: str
    interfaces: List[Interface]
    bgp: Bgp
    qos: Qos
    management: Management
    control_plane: ControlPlane
    flow_export: FlowExport


class _Router(_RouterRequired, total=False):
    """What every router has."""

    ipsec: Ipsec  # fact: only a router with a protected link


# ---------------------------------------------------------------- core hub


class HubRef(TypedDict):
    id: int
    slug: str
    name: str


class Service(TypedDict):
    name: str
    role: str
    address: str


class SipRoute(TypedDict):
    code: int
    call_control: List[str]


class SipCore(TypedDict):
    """The GovNet SIP core a hub hosts: routes by institution code to each institution's call control."""

    address: str
    code_digits: int
    extension_digits: int
    signalling_dscp: str
    routes: List[SipRoute]


class Sender(TypedDict):
    hostname: str
    platform: str


class Collector(TypedDict):
    """Fact: the security operations collector in a hub's services LAN and every router that sends to it."""

    address: str
    senders: List[Sender]


class _CoreHubStateRequired(_Router):
    hub: HubRef
    services: List[Service]


class CoreHubState(_CoreHubStateRequired, total=False):
    sip_core: SipCore
    collector: Collector  # fact: the hub holds the syslog role's service


# ---------------------------------------------------------------- regional aggregation


class AggregationState(_Router):
    pop: str


# ---------------------------------------------------------------- CE router


class _RouterVlanRequired(TypedDict):
    role: str
    id: int
    name: str
    prefix: str
    address: str
    gateway: str


class RouterVlan(_RouterVlanRequired, total=False):
    dhcp_relay: List[str]


class Rule(TypedDict):
    description: str
    sources: List[str]
    destinations: List[str]
    protocol: str
    ports: List[str]


class _SegmentationRequired(TypedDict):
    site: str
    outbound: List[Rule]
    inbound: List[Rule]


class Segmentation(_SegmentationRequired, total=False):
    """The filter of an institution's CE (segmentation.ce_rules)."""

    ipsec: Dict[str, Any]


class PairMember(TypedDict):
    hostname: str
    priority: int


class Redundancy(TypedDict):
    """A CE of a redundant pair: its first-hop redundancy group and priority; pair and active are facts."""

    group: int
    priority: int
    peers: List[str]
    pair: List[PairMember]  # fact: every CE of the pair with its priority, this one first
    active: bool  # fact: this CE holds the virtual gateway (highest priority, then the hostname)


class _CeRouterStateRequired(_Router):
    institution: InstitutionRef
    phase: int
    vlans: List[RouterVlan]
    segmentation: Segmentation
    switches: List[str]  # fact: the access switches that uplink to this CE, in name order


class CeRouterState(_CeRouterStateRequired, total=False):
    redundancy: Redundancy


# ---------------------------------------------------------------- access switch


class SwitchVlan(TypedDict):
    role: str
    id: int
    name: str


class Uplink(TypedDict):
    peer: str
    vlans: List[int]


class AccessPorts(TypedDict):
    count: int
    data_vlan: int
    voice_vlan: int


class ManagementInterface(TypedDict):
    vlan: int
    address: str
    gateway: str


class AccessSwitchState(TypedDict):
    hostname: str
    role: str
    platform: str
    institution: InstitutionRef
    region: str
    phase: int
    vlans: List[SwitchVlan]
    uplink: Uplink
    access_ports: AccessPorts
    spanning_tree: str
    dhcp_snooping: bool
    management_interface: ManagementInterface
    management: Management


# ---------------------------------------------------------------- call control


class Numbering(TypedDict):
    code: int
    extension_digits: int
    first_extension: int
    last_extension: int
    first_number: int
    last_number: int
    conference_numbers: List[int]


class ShortCode(TypedDict):
    number: str
    name: str
    emergency: bool


class ConferenceGroup(TypedDict):
    """Other institutions whose conference bridges have the same extensions: runs of their codes [first, last]."""

    codes: List[List[int]]
    extensions: List[int]


class Routes(TypedDict):
    onnet_digits: int
    sip_core: List[str]
    conference: List[str]
    pstn_gateway: List[str]
    pstn_access_digit: str
    national_prefix: str
    international_prefix: str
    class_of_service: str
    short_codes: List[ShortCode]
    onnet_first_digits: List[str]  # fact: the first digit of every institution's code, sorted
    other_conferences: List[ConferenceGroup]  # fact: every other institution's conference numbers


class Sip(TypedDict):
    realm: str


class VoiceQos(TypedDict):
    signalling_dscp: str
    media_dscp: str


class CallControlState(TypedDict):
    hostname: str
    role: str
    platform: str
    institution: InstitutionRef
    region: str
    phase: int
    address: str
    gateway: str
    phones_subnet: str
    numbering: Numbering
    routes: Routes
    sip: Sip
    qos: VoiceQos
    management: Management


RouterState = Union[CoreHubState, AggregationState, CeRouterState]
State = Union[CoreHubState, AggregationState, CeRouterState, AccessSwitchState, CallControlState]
States = Dict[str, State]  # every device's state by hostname
