"""The HTML pages of the published directory: index.html (searchable, self-contained) and one page per institution.

Templates live in ``templates/`` beside this file and are rendered with autoescaping, so every name from
the registry is escaped. The pages load nothing from elsewhere: CSS and JavaScript are inline.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Sequence

import jinja2

from .allocation import Allocation, InstitutionPlan
from .model import Policy

TEMPLATES = Path(__file__).resolve().parent / "templates"
CATEGORY_LABELS = {
    "ministry": "Ministry",
    "independent_department": "Independent department",
    "executive_agency": "Executive agency",
    "regional_secretariat": "Regional secretariat",
    "council": "Council",
}


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _category(category: str, council_type: str | None) -> str:
    label = CATEGORY_LABELS.get(category, category.replace("_", " ").capitalize())
    return f"{label} ({council_type})" if council_type else label


def _ipv4_int(prefix: str) -> tuple[int, int]:
    network, length = prefix.split("/")
    a, b, c, d = (int(octet) for octet in network.split("."))
    return (a << 24) | (b << 16) | (c << 8) | d, int(length)


def _span(numbers: str) -> str:
    parts = numbers.split()
    return f"{parts[0]}\u2013{parts[-1]}" if len(parts) > 2 else ", ".join(parts)


def index_page(
    alloc: Allocation,
    policy: Policy,
    numbering: Sequence[dict[str, str]],
    addressing: Sequence[dict[str, str]],
    dialling: Sequence[tuple[str, str]],
) -> str:
    """The searchable directory: how to dial, the numbering table and the addressing table."""
    plans = {str(plan.institution.id): plan for plan in alloc.institutions}
    numbers = []
    for row in numbering:
        plan = plans.get(row["institution_id"])
        region_name = plan.region.name if plan else row["region"]
        net, length = _ipv4_int(str(plan.block)) if plan else (0, 32)
        search = " ".join(
            (
                row["name"],
                row["name_sw"],
                row["abbreviation"],
                row["slug"],
                row["region"],
                region_name,
                row["code"],
                row["first_number"],
                row["last_number"],
            )
        ).lower()
        numbers.append(
            dict(
                row,
                search=search,
                region_name=region_name,
                category_label=_category(row["category"], row["council_type"]),
                conference_span=_span(row["conference_numbers"]),
                net=net,
                length=length,
            )
        )
    addresses = []
    for row in addressing:
        net, length = _ipv4_int(row["prefix"])
        search = " ".join((row["prefix"], row["slug"], row["device"], row["purpose"], row["gateway"])).lower()
        addresses.append(dict(row, search=search, net=net, length=length))
    n = policy.numbering
    return (
        environment()
        .get_template("index.html.j2")
        .render(
            numbering=numbers,
            addressing=addresses,
            dialling=dialling,
            regions=len(alloc.aggregation),
            hubs=len(alloc.hubs),
            number_digits=n.code_digits + n.extension_digits,
        )
    )


def institution_page(plan: InstitutionPlan, policy: Policy, dialling: Sequence[tuple[str, str]], region_picture: bool = True) -> str:
    """One institution's page; ``region_picture`` when regions/<region>.svg exists (its region has an aggregation router)."""
    inst = plan.institution
    upstreams = sorted({link.upstream for link in plan.uplinks})
    facts = [
        ("Name", inst.name),
        ("Kiswahili", inst.name_sw),
        ("Abbreviation", inst.abbreviation),
        ("Slug", inst.slug),
        ("Institution id", str(inst.id)),
        ("Category", _category(inst.category, inst.council_type)),
        ("Region", f"{plan.region.name} (capital {plan.region.capital})"),
        ("Site", f"site {inst.site} of the region" if inst.site is not None else None),
        (
            "Size",
            f"{inst.size}: {len(plan.routers)} CE router{'s' if len(plan.routers) != 1 else ''}, "
            f"{len(plan.switches)} access switch{'es' if len(plan.switches) != 1 else ''}, {plan.size.extensions} extensions",
        ),
        ("Rollout phase", str(inst.phase)),
        ("Institution code", str(plan.code)),
        ("Numbers", f"{plan.first_number}\u2013{plan.last_number}"),
        ("Conference numbers", " ".join(str(number) for number in plan.conference) or None),
        ("Site block", str(plan.block)),
        ("ASN", str(plan.asn)),
        ("Connects to", ", ".join(upstreams)),
    ]
    return (
        environment()
        .get_template("institution.html.j2")
        .render(
            plan=plan,
            inst=inst,
            facts=[(label, value) for label, value in facts if value],
            dialling=dialling,
            routers=list(zip(plan.routers, plan.loopbacks, plan.uplinks)),
            region_picture=region_picture,
        )
    )
