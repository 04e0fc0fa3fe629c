"""The HTML pages of the published directory: the searchable directory (index.html in English, index.sw.html
in Kiswahili), one summary page per institution and its one-page dialling guide in both languages.

Templates live in ``templates/`` beside this file and are rendered with autoescaping, so every name from
the registry is escaped. The pages load nothing from elsewhere: CSS and JavaScript are inline.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Optional, Sequence

import jinja2

from ..design.allocation import Allocation, InstitutionPlan
from ..design.model import Policy
from .escape import visible
from .i18n import (
    LANGUAGE_NAMES,
    LANGUAGES,
    STRINGS,
    category_label,
    localized,
    names,
    region_name,
    short_code_name,
    text,
)

TEMPLATES = Path(__file__).resolve().parent / "templates"


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=shown,
    )


def shown(value: object) -> object:
    """What a template writes: text with its control and format characters shown as U+FFFD (autoescaping
    then escapes the markup); anything else as it is."""
    return type(value)(visible(value, keep="\t\n")) if isinstance(value, str) else value


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
    lang: str = "en",
) -> str:
    """The searchable directory in ``lang``: how to dial, the numbering table and (when given) the addressing table.

    Search finds an institution by either of its names, abbreviation, slug, region (slug, English or Kiswahili
    name), code or number, whatever the language of the page.
    """
    plans = {str(plan.institution.id): plan for plan in alloc.institutions}
    numbers = []
    for row in numbering:
        plan = plans[row["institution_id"]]
        net, length = _ipv4_int(str(plan.block))
        search = " ".join(
            (
                row["name"],
                row["name_sw"],
                row["abbreviation"],
                row["slug"],
                row["region"],
                plan.region.name,
                plan.region.name_sw or "",
                row["code"],
                row["first_number"],
                row["last_number"],
            )
        ).lower()
        shown_name, second_name = names(lang, row["name"], row["name_sw"] or None)
        numbers.append(
            dict(
                row,
                search=search,
                shown_name=shown_name,
                other_name=second_name,
                region_name=region_name(lang, plan.region),
                category_label=category_label(lang, row["category"], row["council_type"] or None),
                conference_span=_span(row["conference_numbers"]),
                guide=localized(f"guides/{row['slug']}.html", lang),
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
            lang=lang,
            t=STRINGS[lang],
            switch=_switch(lang, "index.html"),
            csv=localized("numbering.csv", lang),
            markdown=localized("numbering.md", lang),
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
        ("Category", category_label("en", inst.category, inst.council_type)),
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
            guides=[(LANGUAGE_NAMES[lang], localized(f"../guides/{inst.slug}.html", lang)) for lang in LANGUAGES],
        )
    )


def _switch(lang: str, name: str) -> list[tuple[str, str, str]]:
    """Links to the same document in the other languages: (language code, its name, path)."""
    return [(other, LANGUAGE_NAMES[other], localized(name, other)) for other in LANGUAGES if other != lang]


def guide_page(plan: InstitutionPlan, policy: Policy, lang: str, example: Optional[InstitutionPlan]) -> str:
    """One institution's dialling guide in ``lang``: one A4 page for staff and personal secretaries.

    ``example`` is the institution shown when explaining how to call another one (None: no other exists).
    """
    n = policy.numbering
    inst = plan.institution
    digits = n.code_digits + n.extension_digits
    first_extension = extension(plan.first_number, n.extension_digits)
    name, second_name = names(lang, inst.name, inst.name_sw)
    # (situation, what to dial, example, note under the example)
    steps = [
        (
            text(lang, "guide_colleague"),
            text(lang, "guide_colleague_dial", extension_digits=n.extension_digits),
            first_extension,
            "",
        ),
        (
            text(lang, "guide_other"),
            text(lang, "guide_other_dial", code_digits=n.code_digits, digits=digits),
            (
                text(
                    lang,
                    "guide_other_example",
                    code=example.code,
                    extension=extension(example.first_number, n.extension_digits),
                    number=example.first_number,
                )
                if example
                else ""
            ),
            text(lang, "guide_other_note", name=names(lang, example.institution.name, example.institution.name_sw)[0]) if example else "",
        ),
        (
            text(lang, "guide_to_you"),
            text(lang, "guide_to_you_dial", code=plan.code),
            f"{plan.code} + {first_extension} = {plan.first_number}",
            "",
        ),
        (
            text(lang, "guide_conference"),
            (
                text(lang, "guide_conference_dial", extension_digits=n.extension_digits)
                if plan.conference
                else text(lang, "guide_conference_none")
            ),
            f"{extension(plan.conference[0], n.extension_digits)} / {plan.conference[0]}" if plan.conference else "",
            "",
        ),
    ]
    steps += _pstn_steps(lang, policy, n.pstn.class_of_service[inst.category])
    emergency = [code.number for code in n.short_codes if code.emergency]
    if emergency:
        steps.append(
            (text(lang, "guide_emergency"), text(lang, "guide_emergency_dial", digit=n.pstn_access_digit), ", ".join(emergency), "")
        )
    numbers = [
        (text(lang, "guide_code"), str(plan.code)),
        (text(lang, "guide_numbers"), f"{plan.first_number}\u2013{plan.last_number}"),
        (text(lang, "guide_extensions"), f"{first_extension}\u2013{extension(plan.last_number, n.extension_digits)}"),
        (text(lang, "guide_bridges"), _span(" ".join(str(number) for number in plan.conference)) or text(lang, "guide_no_bridges")),
    ]
    return (
        environment()
        .get_template("guide.html.j2")
        .render(
            lang=lang,
            t=STRINGS[lang],
            inst=inst,
            name=name,
            other_name=second_name,
            region=text(lang, "guide_region", region=region_name(lang, plan.region)),
            category=category_label(lang, inst.category, inst.council_type),
            numbers=numbers,
            steps=steps,
            short_codes=[(code.number, short_code_name(lang, code)) for code in n.short_codes],
            directory=localized("../index.html", lang),
            switch=_switch(lang, f"{inst.slug}.html"),
        )
    )


def _pstn_steps(lang: str, policy: Policy, service: str) -> list[tuple[str, str, str, str]]:
    """Outside numbers, national then abroad, as far as the institution's class of service allows them."""
    n = policy.numbering
    fields = {"digit": n.pstn_access_digit, "national": n.pstn.national_prefix, "international": n.pstn.international_prefix}
    steps = []
    for key, allowed in (("guide_pstn", service in ("national", "international")), ("guide_abroad", service == "international")):
        if allowed:
            steps.append((text(lang, key), text(lang, f"{key}_dial", **fields), text(lang, f"{key}_example", **fields), ""))
        else:
            steps.append((text(lang, key), text(lang, "guide_barred"), "", ""))
    return steps


def extension(number: int, digits: int) -> str:
    """The last ``digits`` digits of an on-net number: what is dialled inside the institution."""
    return str(number % 10**digits).zfill(digits)
