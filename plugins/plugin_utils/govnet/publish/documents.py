"""Published documents: the numbering directory, the addressing plan, dialling guides and pictures of the network.

``documents(alloc, policy)`` is pure and byte-for-byte deterministic: the same allocation and policy give
the same bytes, every row is sorted by institution id or by prefix, nothing carries a date or a version.
The numbering directory (HTML, Markdown, CSV) and each institution's one-page dialling guide come in English
and Kiswahili (``publish_i18n`` holds the words). The pictures are drawn by Graphviz (``publish_graph``),
the HTML pages by Jinja2 (``publish_html``).
"""

from __future__ import annotations

import csv
import io
from typing import Iterable, Optional, Sequence

from . import graph as publish_graph

from . import html as publish_html
from .escape import csv_cell, markdown_text
from ..design.allocation import Allocation, InstitutionPlan, default_code
from ..design.model import Policy
from .i18n import LANGUAGES, category_label, localized, names, region_name, short_code_name, text

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
# The Kiswahili numbering directory: the same rows, with Kiswahili headers, category and region names.
NUMBERING_COLUMNS_SW = (
    "kitambulisho",
    "jina_kiswahili",
    "jina_kiingereza",
    "kifupisho",
    "aina",
    "mkoa",
    "msimbo",
    "namba_ya_kwanza",
    "namba_ya_mwisho",
    "namba_za_mikutano",
    "awamu",
)
ADDRESSING_COLUMNS = ("institution_id", "slug", "device", "purpose", "vlan", "prefix", "gateway")

Row = dict[str, str]


def documents(alloc: Allocation, policy: Policy) -> dict[str, bytes]:
    """Every published document, keyed by path relative to the build's docs/ folder."""
    docs = network_documents(alloc, policy)
    docs.update(institution_documents(Pages(alloc, policy), [plan.institution.slug for plan in alloc.institutions]))
    return dict(sorted(docs.items()))


def network_documents(alloc: Allocation, policy: Policy) -> dict[str, bytes]:
    """The documents about the whole network: directory, addressing plan and pictures."""
    pictures = publish_graph.pictures(alloc)  # first: a missing 'dot' fails before anything else is done
    plans = sorted(alloc.institutions, key=lambda plan: plan.institution.id)
    numbering = numbering_rows(plans)
    addressing = addressing_rows(alloc)
    docs: dict[str, str | bytes] = {
        "numbering.csv": to_csv(NUMBERING_COLUMNS, numbering),
        "numbering.sw.csv": to_csv(NUMBERING_COLUMNS_SW, numbering_rows_sw(plans)),
        "addressing.csv": to_csv(ADDRESSING_COLUMNS, addressing),
        "addressing.md": addressing_markdown(addressing, policy),
    }
    for lang in LANGUAGES:
        dialling = dialling_lines(policy, lang)
        docs[localized("numbering.md", lang)] = numbering_markdown(plans, dialling, policy, lang)
        # The addressing plan is for engineers: it stays on the English page, which the Kiswahili one links to.
        docs[localized("index.html", lang)] = publish_html.index_page(
            alloc, policy, numbering, addressing if lang == "en" else [], dialling, lang
        )
    docs.update(pictures)
    return {path: _bytes(value) for path, value in docs.items()}


class Pages:
    """What every institution's own pages draw on, worked out once for the whole network."""

    def __init__(self, alloc: Allocation, policy: Policy) -> None:
        self.policy = policy
        self.plans = {plan.institution.slug: plan for plan in alloc.institutions}
        self.pictured = {agg.region.slug for agg in alloc.aggregation}
        self.examples = guide_examples(alloc.institutions)


def institution_documents(pages: Pages, slugs: Iterable[str]) -> dict[str, bytes]:
    """Some institutions' own documents: their page (HTML, Markdown) and their dialling guide in each language."""
    docs: dict[str, str] = {}
    policy = pages.policy
    for slug in slugs:
        plan = pages.plans[slug]
        docs[f"institutions/{slug}.html"] = publish_html.institution_page(
            plan, policy, institution_dialling(plan, policy), plan.region.slug in pages.pictured
        )
        docs[f"institutions/{slug}.md"] = institution_markdown(plan, policy)
        for lang in LANGUAGES:
            docs[localized(f"guides/{slug}.html", lang)] = publish_html.guide_page(plan, policy, lang, pages.examples[plan.institution.id])
    return {path: _bytes(value) for path, value in docs.items()}


def _bytes(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8")


# ---------------------------------------------------------------- rows
def _text(value: Optional[object]) -> str:
    return "" if value is None else str(value)


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


def numbering_rows_sw(plans: Iterable[InstitutionPlan]) -> list[Row]:
    """The rows of the Kiswahili directory (``NUMBERING_COLUMNS_SW``), sorted by institution id."""
    return [
        {
            "kitambulisho": str(plan.institution.id),
            "jina_kiswahili": _text(plan.institution.name_sw),
            "jina_kiingereza": plan.institution.name,
            "kifupisho": _text(plan.institution.abbreviation),
            "aina": category_label("sw", plan.institution.category, plan.institution.council_type),
            "mkoa": region_name("sw", plan.region),
            "msimbo": str(plan.code),
            "namba_ya_kwanza": str(plan.first_number),
            "namba_ya_mwisho": str(plan.last_number),
            "namba_za_mikutano": " ".join(str(number) for number in plan.conference),
            "awamu": str(plan.institution.phase),
        }
        for plan in sorted(plans, key=lambda p: p.institution.id)
    ]


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
    """RFC 4180 CSV, one record per line, no cell a spreadsheet reads as a formula (``publish_escape.csv_cell``)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n", extrasaction="raise")
    writer.writeheader()
    writer.writerows({key: csv_cell(value) for key, value in row.items()} for row in rows)
    return out.getvalue()


# ---------------------------------------------------------------- dialling
def _extension(number: int, policy: Policy) -> str:
    return publish_html.extension(number, policy.numbering.extension_digits)


def dialling_lines(policy: Policy, lang: str = "en") -> list[tuple[str, str]]:
    """How to dial on GovNet, as (situation, what to dial) pairs in ``lang``."""
    n = policy.numbering
    example_code = default_code(n.code_offset, 1)
    lines = [
        (
            text(lang, "dial_inside"),
            text(lang, "dial_inside_text", extension_digits=n.extension_digits, first=n.extension_first, last=n.extension_last),
        ),
        (
            text(lang, "dial_other"),
            text(
                lang,
                "dial_other_text",
                code_digits=n.code_digits,
                digits=n.code_digits + n.extension_digits,
                code=example_code,
                extension=n.extension_first,
                number=f"{example_code}{n.extension_first}",
            ),
        ),
        (
            text(lang, "dial_conference"),
            text(
                lang,
                "dial_conference_text",
                first=n.conference_first,
                second=n.conference_first + 1,
                extension_digits=n.extension_digits,
            ),
        ),
        (text(lang, "dial_pstn"), text(lang, "dial_pstn_text", digit=n.pstn_access_digit)),
    ]
    for code in n.short_codes:
        key = "dial_emergency_code_text" if code.emergency else "dial_short_code_text"
        lines.append((text(lang, "dial_short_code", number=code.number), text(lang, key, name=short_code_name(lang, code))))
    return lines


def institution_dialling(plan: InstitutionPlan, policy: Policy, lang: str = "en") -> list[tuple[str, str]]:
    """How to reach one institution, as (situation, what to dial) pairs in ``lang``."""
    n = policy.numbering
    first, last = _extension(plan.first_number, policy), _extension(plan.last_number, policy)
    lines = [
        (text(lang, "inst_inside"), text(lang, "inst_inside_text", first=first, last=last)),
        (text(lang, "inst_elsewhere"), text(lang, "inst_elsewhere_text", code=plan.code, first=plan.first_number, last=plan.last_number)),
    ]
    if plan.conference:
        lines.append(
            (
                text(lang, "dial_conference"),
                text(
                    lang,
                    "inst_conference_text",
                    numbers=" ".join(str(number) for number in plan.conference),
                    first=_extension(plan.conference[0], policy),
                    last=_extension(plan.conference[-1], policy),
                ),
            )
        )
    lines.append((text(lang, "dial_pstn"), text(lang, "dial_pstn_text", digit=n.pstn_access_digit)))
    emergency = [code.number for code in n.short_codes if code.emergency]
    if emergency:
        lines.append((text(lang, "dial_emergency"), text(lang, "inst_emergency_text", numbers=", ".join(emergency))))
    return lines


def guide_examples(plans: Sequence[InstitutionPlan]) -> dict[int, Optional[InstitutionPlan]]:
    """The institution each guide uses to show calling another one, by institution id: a council's regional
    secretariat, else the first other institution by id. One sorted pass, whatever the number of institutions."""
    by_id = sorted(plans, key=lambda plan: plan.institution.id)
    secretariats: dict[str, InstitutionPlan] = {}
    for plan in by_id:
        if plan.institution.category == "regional_secretariat":
            secretariats.setdefault(plan.institution.region, plan)
    examples: dict[int, Optional[InstitutionPlan]] = {}
    for plan in by_id:
        first_other = next((other for other in by_id[:2] if other.institution.id != plan.institution.id), None)
        secretariat = secretariats.get(plan.institution.region) if plan.institution.category == "council" else None
        examples[plan.institution.id] = secretariat or first_other
    return examples


# ---------------------------------------------------------------- Markdown
def _md(value: object) -> str:
    """Inline text: no character of it can break the table, make markup or raw HTML (``publish_escape``)."""
    return markdown_text(value)


def md_table(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(_md(column) for column in columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_md(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _dialling_md(lines: list[tuple[str, str]]) -> str:
    return "".join(f"- **{_md(label)}**: {_md(text)}\n" for label, text in lines)


def numbering_markdown(plans: Sequence[InstitutionPlan], dialling: list[tuple[str, str]], policy: Policy, lang: str = "en") -> str:
    """The numbering directory in ``lang``: how to dial, then one row per institution (by id)."""
    n = policy.numbering
    head = (
        f"# {text(lang, 'directory_md_title')}\n\n"
        + text(
            lang,
            "numbering_intro",
            code_digits=n.code_digits,
            extension_digits=n.extension_digits,
            digits=n.code_digits + n.extension_digits,
        )
        + f"\n\n## {text(lang, 'how_to_dial')}\n\n"
        + _dialling_md(dialling)
        + f"\n## {text(lang, 'institutions_heading', count=len(plans))}\n\n"
    )
    columns = ("col_id", "col_institution", "col_other_name", "col_abbreviation", "col_category", "col_region", "col_code", "col_numbers")
    table = md_table(
        [text(lang, column) for column in columns + ("col_conference", "col_phase")],
        (
            (
                plan.institution.id,
                *names(lang, plan.institution.name, plan.institution.name_sw),
                _text(plan.institution.abbreviation),
                category_label(lang, plan.institution.category, plan.institution.council_type),
                region_name(lang, plan.region),
                plan.code,
                f"{plan.first_number}-{plan.last_number}",
                _span(" ".join(str(number) for number in plan.conference)),
                plan.institution.phase,
            )
            for plan in sorted(plans, key=lambda p: p.institution.id)
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
        ("Category", category_label("en", inst.category, inst.council_type)),
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
