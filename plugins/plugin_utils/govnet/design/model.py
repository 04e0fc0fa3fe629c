"""Typed records of the registry and the policy, made only from input that passed the schema.

Validation builds each by keyword from its schema table (schema.values); a record has exactly its table's
fields plus what validation derives (tests/design/test_schema.py checks), so a field is added in schema.py
and here, and nowhere else."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Optional

from .schema import CENTRAL_CATEGORIES
from .tariffs import Tariffs

Network = ipaddress.IPv4Network


@dataclass(frozen=True)
class Region:
    id: int
    slug: str
    name: str
    capital: str
    pop: str
    zanzibar: bool
    phase: int
    name_sw: Optional[str] = None

    @property
    def where(self) -> str:
        return f"region {self.id} ({self.slug})"


@dataclass(frozen=True)
class Hub:
    id: int
    slug: str
    name: str
    region: str
    name_sw: Optional[str] = None

    @property
    def where(self) -> str:
        return f"hub {self.id} ({self.slug})"

    @property
    def hostname(self) -> str:
        return f"core-{self.slug}"


@dataclass(frozen=True)
class Institution:
    id: int
    slug: str
    name: str
    category: str
    region: str
    size: str
    phase: int
    name_sw: Optional[str] = None
    abbreviation: Optional[str] = None
    council_type: Optional[str] = None
    site: Optional[int] = None
    platform: Optional[str] = None
    pin_site_block: Optional[Network] = None
    pin_code: Optional[int] = None

    @property
    def where(self) -> str:
        return f"institution {self.id} ({self.slug})"

    @property
    def central(self) -> bool:
        return self.category in CENTRAL_CATEGORIES


@dataclass(frozen=True)
class Pool:
    """A prefix carved into equal blocks; block `key` is the key-th block, never wrapped."""

    name: str
    network: Network
    block: int

    @property
    def capacity(self) -> int:
        return 1 << (self.block - self.network.prefixlen) if self.block >= self.network.prefixlen else 0

    def block_for(self, key: int) -> Optional[Network]:
        """The key-th block, or None when the pool has no such block (exhausted)."""
        if key < 0 or key >= self.capacity:
            return None
        size = 1 << (32 - self.block)
        return ipaddress.IPv4Network((int(self.network.network_address) + key * size, self.block))


@dataclass(frozen=True)
class SizeClass:
    name: str
    site_prefix: int
    ce_routers: int
    access_switches: int
    call_control: int
    extensions: int
    conference_bridges: int
    subnets: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Vlan:
    role: str
    id: int
    name: str


@dataclass(frozen=True)
class ShortCode:
    number: str
    name: str
    emergency: bool


@dataclass(frozen=True)
class Pstn:
    """PSTN breakout after the access digit, and the class of service of each institution category."""

    national_prefix: str
    international_prefix: str
    class_of_service: dict[str, str]


@dataclass(frozen=True)
class Numbering:
    code_digits: int
    extension_digits: int
    code_offset: int
    code_first_digits: str
    extension_first: int
    extension_last: int
    conference_first: int
    pstn_access_digit: str
    short_codes: tuple[ShortCode, ...]
    pstn: Pstn


@dataclass(frozen=True)
class Routing:
    core_asn: int
    region_asn_base: int
    institution_asn_base: int
    ce_max_prefixes: int
    keepalive: int
    holdtime: int


@dataclass(frozen=True)
class Service:
    name: str
    role: str
    host: int
    hubs: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class Policy:
    supernet: Network
    pools: dict[str, Pool]
    layout: dict[str, tuple[Network, int]]
    sizes: dict[str, SizeClass]
    vlans: dict[str, Vlan]
    numbering: Numbering
    routing: Routing
    services: tuple[Service, ...]
    operations_hub: str
    platforms: dict[str, str]
    qos: dict = field(default_factory=dict)
    security: dict = field(default_factory=dict)
    switching: dict = field(default_factory=dict)
    segmentation: dict = field(default_factory=dict)
    tariffs: Optional[Tariffs] = None

    def region_pool(self, name: str, region_block: Network) -> Pool:
        """A pool inside one region's block, from the region layout's relative offset."""
        offset, block = self.layout[name]
        base = int(region_block.network_address) + int(offset.network_address)
        return Pool(name, ipaddress.IPv4Network((base, offset.prefixlen)), block)


@dataclass(frozen=True)
class Registry:
    hubs: tuple[Hub, ...]
    regions: tuple[Region, ...]
    institutions: tuple[Institution, ...]
