"""Synthetic GovNet registries of a chosen size, for benchmarks and scale tests.

``synthetic(devices, seed)`` gives the institutions of a registry and the policy override that lets them
fit, such that the network has exactly ``devices`` devices (core hubs and aggregation routers included).
The same (devices, seed) always gives the same registry, byte for byte.

Shape of a synthetic registry:

* central institutions first (ids 1 up, 7% of the devices' worth, at most ``CENTRAL_MAX``): ministries,
  independent departments and executive agencies in turn, sized small/medium/large by the seed;
* then regional institutions, region by region (the shipped mainland regions, then synthetic regions
  ``syn-rNNN`` with ids from 32 on), each region filled densely: the regional secretariat at site 1 and
  councils at sites 2 to ``SITES_PER_REGION``. A council's type follows what its site number can hold in
  the region layout: city councils (large) only at sites up to 15, municipal (medium) up to 31, district
  and town councils (small) anywhere.

The policy override (a file the registry names under ``policy:``) changes only what the size needs:

* ``govnet_regions``: the shipped regions plus the synthetic ones (phase 3);
* ``govnet_addressing``: the regions pool widened to 10.128.0.0/9 (128 region blocks) and ``infra_links``
  moved to 10.0.32.0/21 (aggregation uplinks of up to ``REGION_MAX`` regions);
* ``govnet_numbering``: 5-digit institution codes (``code_offset`` 40000), since 3-digit codes run out
  after id 499.

The exact device count comes from choosing, for the last few institutions, sizes that add up to what is
left (a small search over the next slots); everything before them is chosen by the seed alone.
"""

from __future__ import annotations

import copy
import random
from functools import lru_cache
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Optional

import yaml

from .source import DEFAULT_POLICY, read_policy

DEVICES = {"small": 3, "medium": 4, "large": 7}  # CE routers + access switches + call control (sizes.yml)
HUBS = 2
CENTRAL_SHARE = 0.07  # of the devices, in central institutions
CENTRAL_MAX = 400  # central ids key central_loopbacks/links (4 per id in a /21 and a /20): ids below 512
SITES_PER_REGION = 63  # region layout: loopbacks and links hold sites 0..63 (4 keys per site)
LARGE_SITE_MAX = 15  # sites_large: 16 /22 blocks in a /18
MEDIUM_SITE_MAX = 31  # sites_medium: 32 /23 blocks in a /18
FIRST_SYNTHETIC_REGION = 32  # after the 31 shipped regions
REGION_MAX = 120  # aggregation circuits 3000 + (id - 1) * 8 + hub stay below the core's 4000
MIN_DEVICES = 20
FINISH_MARGIN = 20  # devices left when the exact search takes over from the seed
CENTRAL_CATEGORIES = ("ministry", "independent_department", "executive_agency")
CENTRAL_SLUGS = {"ministry": "min", "independent_department": "dept", "executive_agency": "agency"}
COUNCIL_SUFFIX = {"city": "cc", "municipal": "mc", "town": "tc", "district": "dc"}
SYNTHETIC_POLICY = "synthetic-policy.yml"
_DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml when present: 20,000 devices in a second


@dataclass(frozen=True)
class Slot:
    """A place for the next institution: central (region None) or a site of a region."""

    index: int  # central index (1 up) or site number
    region: Optional[dict[str, Any]]
    opens_region: bool

    def sizes(self) -> tuple[str, ...]:
        """The sizes this slot can hold."""
        if self.region is None or self.index <= LARGE_SITE_MAX:
            return ("small", "medium", "large")
        if self.index <= MEDIUM_SITE_MAX:
            return ("small", "medium")
        return ("small",)


def _regions(shipped: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """The shipped mainland regions, then synthetic ones up to REGION_MAX."""
    yield from (region for region in sorted(shipped, key=lambda r: r["id"]) if not region["zanzibar"])
    for number in range(FIRST_SYNTHETIC_REGION, REGION_MAX + 1):
        yield {
            "id": number,
            "slug": f"syn-r{number:03d}",
            "name": f"Synthetic region {number}",
            "capital": f"Synthetic town {number}",
            "pop": f"Synthetic town {number}",
            "zanzibar": False,
            "phase": 3,
        }


def _slots(central: int, shipped_regions: list[dict[str, Any]]) -> Iterator[Slot]:
    for index in range(1, central + 1):
        yield Slot(index, None, False)
    for region in _regions(shipped_regions):
        for site in range(1, SITES_PER_REGION + 1):
            yield Slot(site, region, site == 1)


def _cost(slot: Slot, size: str) -> int:
    return DEVICES[size] + (1 if slot.opens_region else 0)


def _seeded_size(slot: Slot, rng: random.Random) -> str:
    """The size the seed gives a slot, shaped like the shipped registry."""
    if slot.region is None:
        return rng.choices(("small", "medium", "large"), weights=(45, 45, 10))[0]
    if slot.index == 1:
        return "medium"  # regional secretariats
    return rng.choices(slot.sizes(), weights=(70, 20, 10)[: len(slot.sizes())])[0]


def _finish(slots: list[Slot], left: int) -> Optional[list[Optional[str]]]:
    """Sizes (None: left empty) for the first slots that use exactly `left` devices; filling is tried before
    skipping, smaller sizes first. Memoised on (slot, devices left), so it is linear in slots times devices."""

    @lru_cache(maxsize=None)
    def search(position: int, rest: int) -> Optional[tuple[Optional[str], ...]]:
        if rest == 0:
            return ()
        if position == len(slots):
            return None
        slot = slots[position]
        for size in slot.sizes() + (() if slot.opens_region else (None,)):  # a region opens with site 1
            cost = 0 if size is None else _cost(slot, size)
            if cost <= rest:
                found = search(position + 1, rest - cost)
                if found is not None:
                    return (size,) + found
        return None

    found = search(0, left)
    return None if found is None else list(found)


def _institution(number: int, slot: Slot, size: str, rng: random.Random) -> dict[str, Any]:
    if slot.region is None:
        category = CENTRAL_CATEGORIES[(slot.index - 1) % len(CENTRAL_CATEGORIES)]
        label = category.replace("_", " ")
        return {
            "id": number,
            "slug": f"{CENTRAL_SLUGS[category]}-{slot.index:04d}",
            "name": f"Synthetic {label} {slot.index}",
            "category": category,
            "region": "dodoma" if category != "executive_agency" else "dar-es-salaam",
            "size": size,
            "phase": 1,
        }
    region = slot.region
    base = {"region": region["slug"], "site": slot.index, "size": size, "phase": region["phase"]}
    if slot.index == 1:
        return {
            "id": number,
            "slug": f"rs-r{region['id']:03d}",
            "name": f"Regional secretariat of {region['name']}",
            "category": "regional_secretariat",
        } | base
    council_type = {"large": "city", "medium": "municipal"}.get(size) or rng.choice(("district", "town"))
    return {
        "id": number,
        "slug": f"r{region['id']:03d}-s{slot.index:02d}-{COUNCIL_SUFFIX[council_type]}",
        "name": f"Synthetic {council_type} council {slot.index} of {region['name']}",
        "category": "council",
        "council_type": council_type,
    } | base


def synthetic_policy(regions: list[dict[str, Any]], base: Optional[dict[str, Any]] = None) -> dict[str, Any]:
    """The policy override: the given regions, the wider pools and 5-digit codes (see the module docstring)."""
    base = base if base is not None else read_policy([DEFAULT_POLICY])
    addressing = copy.deepcopy(base["govnet_addressing"])
    addressing["pools"]["infra_links"] = {"prefix": "10.0.32.0/21", "block": 31}
    addressing["pools"]["regions"] = {"prefix": "10.128.0.0/9", "block": 16}
    numbering = copy.deepcopy(base["govnet_numbering"]) | {"code_digits": 5, "code_offset": 40000}
    return {"govnet_regions": regions, "govnet_addressing": addressing, "govnet_numbering": numbering}


def synthetic(devices: int, seed: int = 0) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """(institutions, policy override) of a registry with exactly `devices` devices."""
    if devices < MIN_DEVICES:
        raise ValueError(f"a synthetic registry needs at least {MIN_DEVICES} devices, not {devices}")
    base = read_policy([DEFAULT_POLICY])
    central = max(1, min(CENTRAL_MAX, int(devices * CENTRAL_SHARE) // 4))
    slots = list(_slots(central, base["govnet_regions"]))
    left = devices - HUBS
    chosen: list[tuple[Slot, str]] = []
    rng = random.Random(seed)
    position = 0
    while position < len(slots):
        slot = slots[position]
        size = _seeded_size(slot, rng)
        if left - _cost(slot, size) < FINISH_MARGIN:
            break
        chosen.append((slot, size))
        left -= _cost(slot, size)
        position += 1
    finish = _finish(slots[position : position + SITES_PER_REGION + FINISH_MARGIN], left)  # reaches the next region's site 1
    if finish is None:
        raise ValueError(f"{devices} devices do not fit {REGION_MAX} regions of {SITES_PER_REGION} sites")
    chosen += [(slot, size) for slot, size in zip(slots[position:], finish) if size is not None]
    institutions = [_institution(number, slot, size, rng) for number, (slot, size) in enumerate(chosen, start=1)]
    shipped = sorted(base["govnet_regions"], key=lambda r: r["id"])
    extra = {}
    for slot, _size in chosen:
        if slot.region is not None and slot.region["id"] >= FIRST_SYNTHETIC_REGION:
            extra[slot.region["id"]] = slot.region
    return institutions, synthetic_policy(shipped + list(extra.values()), base)


def write(folder: str | Path, devices: int, seed: int = 0) -> Path:
    """Write the registry (institutions.yml) and its policy override into folder; return the registry's path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    institutions, policy = synthetic(devices, seed)
    header = f"# Synthetic GovNet registry: {devices} devices, seed {seed} (ega.govnet synthetic.py). Not real institutions.\n"
    registry = {"plugin": "ega.govnet.registry", "policy": [SYNTHETIC_POLICY], "institutions": institutions}
    (folder / SYNTHETIC_POLICY).write_text(header + yaml.dump(policy, Dumper=_DUMPER, sort_keys=False), encoding="utf-8")
    path = folder / "institutions.yml"
    path.write_text(header + yaml.dump(registry, Dumper=_DUMPER, sort_keys=False), encoding="utf-8")
    return path
