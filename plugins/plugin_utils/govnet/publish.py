"""Published documents: the numbering directory, the addressing plan and pictures of the network.

``documents(alloc, policy)`` is pure and byte-for-byte deterministic: the same allocation and policy give
the same bytes, every row is sorted by institution id or by prefix, nothing carries a date or a version.
The pictures are drawn by Graphviz (``publish_graph``), the HTML pages by Jinja2 (``publish_html``).
"""

from __future__ import annotations

import csv
import io
from typing import Iterable, Optional, Sequence

from . import publish_graph, publish_html
from .allocation import Allocation, InstitutionPlan
from .model import Policy

NUMBERING_COLUMNS = (
    "institution_id",
    "slug",
    "name",
    "name_sw",
    "abbreviation",
    "category",
    "council_type",
    "region",
    "code",
    "first_number",
    "last_number",
    "conference_numbers",
    "phase",
)
ADDRESSING_COLUMNS = ("institution_id", "slug", "device", "purpose", "vlan", "prefix", "gateway")
CATEGORY_LABELS = {
    "ministry": ("Ministry", "ministries"),
    "independent_department": ("Independent department", "independent departments"),
    "executive_agency": ("Executive agency", "executive agencies"),
    "regional_secretariat": ("Regional secretariat", "regional secretariats"),
    "council": ("Council", "councils"),
}

Row = dict[str, str]


def documents(alloc: Allocation, policy: Policy) -> dict[str, bytes]:
    """Every published document, keyed by path relative to the build's docs/ folder."""
    pictures = publish_graph.pictures(alloc)  # first: a missing 'dot' fails before anything else is done
    plans = sorted(alloc.institutions, key=lambda plan: plan.institution.id)
    pictured = {agg.region.slug for agg in alloc.aggregation}
    numbering = numbering_rows(plans)
    addressing = addressing_rows(alloc)
    dialling = dialling_lines(policy)
    docs: dict[str, str | bytes] = {
        "numbering.csv": to_csv(NUMBERING_COLUMNS, numbering),
        "addressing.csv": to_csv(ADDRESSING_COLUMNS, addressing),
        "numbering.md": numbering_markdown(numbering, dialling, policy),
        "addressing.md": addressing_markdown(addressing, policy),
        "index.html": publish_html.index_page(alloc, policy, numbering, addressing, dialling),
    }
    for plan in plans:
        slug = plan.institution.slug
        docs[f"institutions/{slug}.html"] = publish_html.institution_page(
            plan, policy, institution_dialling(plan, policy), plan.region.slug in pictured
        )
        docs[f"institutions/{slug}.md"] = institution_markdown(plan, policy)
    docs.update(pictures)
    return {path: (value if isinstance(value, bytes) else value.encode("utf-8")) for path, value in sorted(docs.items())}


# ---------------------------------------------------------------- rows
def _text(value: Optional[object]) -> str:
    return "" if value is None else str(value)


def category_label(category: str, plural: bool = False) -> str:
    singular, many = CATEGORY_LABELS.get(category, (category.replace("_", " ").capitalize(), category.replace("_", " ") + "s"))
    return many if plural else singular


def numbering_rows(plans: Iterable[InstitutionPlan]) -> list[Row]:
    """One row per institution, sorted by institution id."""
    rows = []
    for plan in sorted(plans, key=lambda p: p.institution.id):
        inst = plan.institution
        rows.append(
            {
                "institution_id": str(inst.id),
                "slug": inst.slug,
                "name": inst.name,
                "name_sw": _text(inst.name_sw),
                "abbreviation": _text(inst.abbreviation),
                "category": inst.category,
                "council_type": _text(inst.council_type),
                "region": plan.region.slug,
                "code": str(plan.code),
                "first_number": str(plan.first_number),
                "last_number": str(plan.last_number),
                "conference_numbers": " ".join(str(number) for number in plan.conference),
                "phase": str(inst.phase),
            }
        )
    return rows


def _row(inst_id: object, slug: str, device: str, purpose: str, vlan: object, prefix: object, gateway: object) -> Row:
    return {
        "institution_id": _text(inst_id),
        "slug": slug,
        "device": device,
        "purpose": purpose,
        "vlan": _text(vlan),
        "prefix": str(prefix),
        "gateway": _text(gateway),
    }


def addressing_rows(alloc: Allocation) -> list[Row]:
    """One row per allocated prefix, sorted by address, then the containing block first, then device and purpose."""
    rows: list[Row] = []
    for hub in alloc.hubs:
        rows.append(_row(None, "", hub.hostname, "loopback", None, hub.loopback, None))
        rows.append(_row(None, "", hub.hostname, "shared_services", None, hub.services_block, hub.services_block.network_address + 1))
        if hub.operations is not None:
            rows.append(_row(None, "", hub.hostname, "operations", None, hub.operations, hub.operations.network_address + 1))
    for link in alloc.core_links:
        rows.append(_row(None, "", link.downstream, "core_link", None, link.prefix, link.upstream_address.ip))
    for agg in alloc.aggregation:
        rows.append(_row(None, "", agg.hostname, "region_summary", None, agg.block, None))
        rows.append(_row(None, "", agg.hostname, "loopback", None, agg.loopback, None))
        for link in agg.uplinks:
            rows.append(_row(None, "", agg.hostname, "uplink", None, link.prefix, link.upstream_address.ip))
    for plan in alloc.institutions:
        inst = plan.institution
        rows.append(_row(inst.id, inst.slug, "", "site", None, plan.block, None))
        for subnet in plan.subnets:
            rows.append(_row(inst.id, inst.slug, "", subnet.vlan.role, subnet.vlan.id, subnet.prefix, subnet.gateway))
        for router, loopback in zip(plan.routers, plan.loopbacks):
            rows.append(_row(inst.id, inst.slug, router, "loopback", None, loopback, None))
        for link in plan.uplinks:
            rows.append(_row(inst.id, inst.slug, link.downstream, "uplink", None, link.prefix, link.upstream_address.ip))

    def key(row: Row) -> tuple:
        network, length = row["prefix"].split("/")
        return (
            sum(int(octet) << shift for octet, shift in zip(network.split("."), (24, 16, 8, 0))),
            int(length),
            row["device"],
            row["purpose"],
            row["slug"],
        )

    return sorted(rows, key=key)


def to_csv(columns: Sequence[str], rows: Iterable[Row]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n", extrasaction="raise")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


# ---------------------------------------------------------------- dialling
def _extension(number: int, policy: Policy) -> str:
    digits = policy.numbering.extension_digits
    return str(number % 10**digits).zfill(digits)


def dialling_lines(policy: Policy) -> list[tuple[str, str]]:
    """How to dial on GovNet, as (situation, what to dial) pairs."""
    n = policy.numbering
    example_code = n.code_offset + 1
    example = f"{example_code}{n.extension_first}"
    lines = [
        (
            "Inside your institution",
            f"dial the {n.extension_digits}-digit extension alone ({n.extension_first}-{n.extension_last}), e.g. {n.extension_first}.",
        ),
        (
            "To another institution",
            f"dial its {n.code_digits}-digit institution code, then the extension: {n.code_digits + n.extension_digits} digits in all, "
            f"e.g. code {example_code} and extension {n.extension_first} give {example}.",
        ),
        (
            "Conference bridges",
            f"each institution's bridges are its code followed by {n.conference_first}, {n.conference_first + 1}, ... "
            f"(short-dial the last {n.extension_digits} digits inside the institution).",
        ),
        ("Outside line (PSTN)", f"dial {n.pstn_access_digit}, then the public number."),
    ]
    for code in n.short_codes:
        kind = "emergency, " if code.emergency else ""
        lines.append((f"Short code {code.number}", f"{code.name} ({kind}dialled as it is from any GovNet phone)."))
    return lines


def institution_dialling(plan: InstitutionPlan, policy: Policy) -> list[tuple[str, str]]:
    """How to reach one institution, as (situation, what to dial) pairs."""
    n = policy.numbering
    first, last = _extension(plan.first_number, policy), _extension(plan.last_number, policy)
    lines = [
        ("Inside the institution", f"dial the extension alone: {first}-{last}."),
        ("From elsewhere in GovNet", f"dial {plan.code} and the extension: {plan.first_number}-{plan.last_number}."),
    ]
    if plan.conference:
        lines.append(
            (
                "Conference bridges",
                " ".join(str(number) for number in plan.conference)
                + f" (inside the institution: {_extension(plan.conference[0], policy)}-{_extension(plan.conference[-1], policy)}).",
            )
        )
    lines.append(("Outside line (PSTN)", f"dial {n.pstn_access_digit}, then the public number."))
    emergency = [code.number for code in n.short_codes if code.emergency]
    if emergency:
        lines.append(("Emergency", ", ".join(emergency) + " (dialled as they are)."))
    return lines


# ---------------------------------------------------------------- Markdown
def _md(value: object) -> str:
    """A table cell: pipes, backslashes and line breaks cannot break the table."""
    text = str(value).replace("\\", "\\\\").replace("|", "\\|")
    return " ".join(text.split())


def md_table(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(_md(column) for column in columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_md(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _dialling_md(lines: list[tuple[str, str]]) -> str:
    return "".join(f"- **{_md(label)}**: {_md(text)}\n" for label, text in lines)


def numbering_markdown(rows: list[Row], dialling: list[tuple[str, str]], policy: Policy) -> str:
    n = policy.numbering
    head = (
        "# GovNet numbering directory\n\n"
        "Every institution on GovNet has a unique institution code. An on-net number is the code followed by an "
        f"extension: {n.code_digits} + {n.extension_digits} = {n.code_digits + n.extension_digits} digits. "
        "The dial plan is prefix-free, so every number is complete the moment it is dialled.\n\n"
        "## How to dial\n\n" + _dialling_md(dialling) + "\n"
        f"## Institutions ({len(rows)})\n\n"
    )
    table = md_table(
        ("Id", "Institution", "Kiswahili", "Abbr.", "Category", "Region", "Code", "Numbers", "Conference", "Phase"),
        (
            (
                row["institution_id"],
                row["name"],
                row["name_sw"],
                row["abbreviation"],
                category_label(row["category"]) + (f" ({row['council_type']})" if row["council_type"] else ""),
                row["region"],
                row["code"],
                f"{row['first_number']}-{row['last_number']}",
                _span(row["conference_numbers"]),
                row["phase"],
            )
            for row in rows
        ),
    )
    return head + table


def _span(numbers: str) -> str:
    parts = numbers.split()
    if len(parts) > 2:
        return f"{parts[0]}-{parts[-1]}"
    return ", ".join(parts)


def addressing_markdown(rows: list[Row], policy: Policy) -> str:
    ordered = sorted(policy.pools.items(), key=lambda item: (int(item[1].network.network_address), item[0]))
    pools = md_table(("Pool", "Prefix", "Blocks of"), ((name, pool.network, f"/{pool.block}") for name, pool in ordered))
    head = (
        "# GovNet addressing plan\n\n"
        f"All of GovNet is numbered from {policy.supernet}, carved into pools by role. Every region has one block, "
        "summarised by its aggregation router, so the core carries one route per region. Inside each VLAN subnet "
        "host 1 is the gateway. For an uplink, the gateway is the upstream router's end of the /31.\n\n"
        "Purposes: `site` is an institution's whole block; `data`, `voice`, `servers`, `management` are its VLAN "
        "subnets; `loopback` and `uplink` belong to a router; `region_summary` is a region's block; "
        "`shared_services`, `operations` and `core_link` belong to the core hubs.\n\n"
        "## Pools\n\n" + pools + "\n"
        f"## Prefixes ({len(rows)}, by address)\n\n"
    )
    return head + md_table(
        ("Prefix", "Purpose", "VLAN", "Gateway", "Institution", "Device"),
        ((row["prefix"], row["purpose"], row["vlan"], row["gateway"], row["slug"], row["device"]) for row in rows),
    )


def institution_markdown(plan: InstitutionPlan, policy: Policy) -> str:
    inst = plan.institution
    facts = [
        ("Name", inst.name),
        ("Kiswahili", _text(inst.name_sw)),
        ("Abbreviation", _text(inst.abbreviation)),
        ("Category", category_label(inst.category) + (f" ({inst.council_type})" if inst.council_type else "")),
        ("Region", plan.region.name),
        ("Size", inst.size),
        ("Phase", str(inst.phase)),
        ("Institution code", str(plan.code)),
        ("Numbers", f"{plan.first_number}-{plan.last_number}"),
        ("Site block", str(plan.block)),
        ("ASN", str(plan.asn)),
    ]
    out = [
        f"# {_md(inst.name)} ({inst.slug})\n\n",
        md_table(("", ""), ((k, v) for k, v in facts if v)),
        "\n## How to dial\n\n",
        _dialling_md(institution_dialling(plan, policy)),
        "\n## VLANs\n\n",
        md_table(
            ("VLAN", "Name", "Role", "Subnet", "Gateway"),
            ((s.vlan.id, s.vlan.name, s.vlan.role, s.prefix, s.gateway) for s in plan.subnets),
        ),
        "\n## Routers\n\n",
        md_table(
            ("Router", "Loopback", "Upstream", "Uplink", "Router address", "Upstream address"),
            (
                (router, loopback, link.upstream, link.prefix, link.downstream_address.ip, link.upstream_address.ip)
                for router, loopback, link in zip(plan.routers, plan.loopbacks, plan.uplinks)
            ),
        ),
        "\n## Other devices\n\n",
        "".join(f"- {device}\n" for device in plan.switches + plan.call_control) or "- none\n",
    ]
    return "".join(out)
