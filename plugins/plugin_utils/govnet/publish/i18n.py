"""The words of the published directory and dialling guides, in English (``en``) and Kiswahili (``sw``).

Every sentence a reader sees in a directory or a guide comes from ``STRINGS``, so both languages stay side
by side and a test can check that each has every key with the same ``{fields}``. English documents keep
their plain names (``index.html``); a Kiswahili one adds ``.sw`` before the extension (``index.sw.html``).
"""

from __future__ import annotations

from typing import Optional

from ..design.model import Region, ShortCode

LANGUAGES = ("en", "sw")
LANGUAGE_NAMES = {"en": "English", "sw": "Kiswahili"}

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        # directory
        "directory_title": "GovNet directory",
        "directory_page_title": "GovNet directory: numbering and addressing",
        "directory_md_title": "GovNet numbering directory",
        "directory_summary": "Tanzania's Government Communications Network: {institutions} institutions, {regions} regions, {hubs} core hubs.",
        "also_as": "Also as",
        "picture": "picture",
        "other_language": "Kiswahili",
        "search": "Search",
        "search_placeholder": "name, jina, abbreviation, slug, region, code, number, prefix, IP address, device",
        "count_institutions": "{shown} of {total} institutions",
        "count_prefixes": "{shown} of {total} prefixes",
        "how_to_dial": "How to dial",
        "numbering_heading": "Numbering directory",
        "numbering_help": "Search by name (English or Kiswahili), abbreviation, slug, region, institution code, a full "
        "{digits}-digit number to find whose it is, or an IP address to find the institution whose site block holds it.",
        "numbering_intro": "Every institution on GovNet has a unique institution code. An on-net number is the code followed by an "
        "extension: {code_digits} + {extension_digits} = {digits} digits. The dial plan is prefix-free, so every number is "
        "complete the moment it is dialled.",
        "institutions_heading": "Institutions ({count})",
        "col_id": "Id",
        "col_code": "Code",
        "col_institution": "Institution",
        "col_other_name": "Kiswahili",
        "col_abbreviation": "Abbr.",
        "col_category": "Category",
        "col_region": "Region",
        "col_numbers": "Numbers",
        "col_conference": "Conference",
        "col_phase": "Phase",
        "col_guide": "Guide",
        "guide_link": "guide",
        # how to dial, for everyone
        "dial_inside": "Inside your institution",
        "dial_inside_text": "dial the {extension_digits}-digit extension alone ({first}-{last}), e.g. {first}.",
        "dial_other": "To another institution",
        "dial_other_text": "dial its {code_digits}-digit institution code, then the extension: {digits} digits in all, "
        "e.g. code {code} and extension {extension} give {number}.",
        "dial_conference": "Conference bridges",
        "dial_conference_text": "each institution's bridges are its code followed by {first}, {second}, ... "
        "(short-dial the last {extension_digits} digits inside the institution).",
        "dial_pstn": "Outside line (PSTN)",
        "dial_pstn_text": "dial {digit}, then the public number.",
        "dial_short_code": "Short code {number}",
        "dial_short_code_text": "{name} (dialled as it is from any GovNet phone).",
        "dial_emergency_code_text": "{name} (emergency, dialled as it is from any GovNet phone).",
        # how to dial, one institution
        "inst_inside": "Inside the institution",
        "inst_inside_text": "dial the extension alone: {first}-{last}.",
        "inst_elsewhere": "From elsewhere in GovNet",
        "inst_elsewhere_text": "dial {code} and the extension: {first}-{last}.",
        "inst_conference_text": "{numbers} (inside the institution: {first}-{last}).",
        "dial_emergency": "Emergency",
        "inst_emergency_text": "{numbers} (dialled as they are).",
        # dialling guide
        "guide_title": "Dialling guide",
        "guide_subtitle": "GovNet telephones: {name}",
        "guide_region": "{region} region",
        "guide_your_numbers": "Your institution's numbers",
        "guide_code": "Institution code",
        "guide_numbers": "Numbers",
        "guide_extensions": "Extensions",
        "guide_bridges": "Conference bridges",
        "guide_no_bridges": "none of its own",
        "guide_my_extension": "My extension",
        "guide_to_call": "To call",
        "guide_dial": "Dial",
        "guide_example": "Example",
        "guide_colleague": "A colleague in your institution",
        "guide_colleague_dial": "the {extension_digits}-digit extension alone",
        "guide_other": "Another institution",
        "guide_other_dial": "its {code_digits}-digit code, then the extension ({digits} digits); codes are in the GovNet directory",
        "guide_other_example": "{code} + {extension} = {number}",
        "guide_other_note": "({name})",
        "guide_to_you": "You, from another institution",
        "guide_to_you_dial": "{code}, then your extension",
        "guide_conference": "A conference bridge",
        "guide_conference_dial": "inside the institution: the last {extension_digits} digits; from elsewhere: the full number",
        "guide_conference_none": "no bridge of your own: dial another institution's bridge by its full number",
        "guide_pstn": "A national number (PSTN)",
        "guide_pstn_dial": "{digit}, then the national number with its leading {national}",
        "guide_pstn_example": "{digit} {national}…",
        "guide_abroad": "A number abroad",
        "guide_abroad_dial": "{digit}, then {international}, the country code and the number",
        "guide_abroad_example": "{digit} {international}…",
        "guide_barred": "not allowed from this institution",
        "guide_emergency": "Emergency",
        "guide_emergency_dial": "the short number as it is, without {digit}",
        "guide_short_codes": "Emergency and short numbers",
        "guide_important": "Important numbers",
        "guide_name": "Name",
        "guide_number": "Number",
        "guide_directory_link": "GovNet directory",
        "guide_print": "Print this page on one A4 sheet.",
    },
    "sw": {
        # directory
        "directory_title": "Saraka ya Namba za Simu za GovNet",
        "directory_page_title": "Saraka ya Namba za Simu za GovNet",
        "directory_md_title": "Saraka ya Namba za Simu za GovNet",
        "directory_summary": "Mtandao wa Mawasiliano wa Serikali ya Tanzania: taasisi {institutions}, mikoa {regions}, vitovu vikuu {hubs}.",
        "also_as": "Pia kama",
        "picture": "picha",
        "other_language": "English",
        "search": "Tafuta",
        "search_placeholder": "jina, name, kifupisho, mkoa, msimbo au namba ya simu",
        "count_institutions": "taasisi {shown} kati ya {total}",
        "count_prefixes": "anwani {shown} kati ya {total}",
        "how_to_dial": "Jinsi ya kupiga simu",
        "numbering_heading": "Saraka ya namba",
        "numbering_help": "Tafuta kwa jina (Kiswahili au Kiingereza), kifupisho, mkoa, msimbo wa taasisi, au namba kamili "
        "yenye tarakimu {digits} ili kujua ni ya taasisi gani.",
        "numbering_intro": "Kila taasisi iliyo kwenye GovNet ina msimbo wake wa pekee. Namba ya GovNet ni msimbo wa taasisi "
        "ukifuatiwa na namba ya ndani: tarakimu {code_digits} + {extension_digits} = {digits}. Hakuna namba iliyo mwanzo wa "
        "namba nyingine, kwa hiyo simu inaunganishwa mara tu tarakimu ya mwisho inapopigwa.",
        "institutions_heading": "Taasisi ({count})",
        "col_id": "Na.",
        "col_code": "Msimbo",
        "col_institution": "Taasisi",
        "col_other_name": "Jina kwa Kiingereza",
        "col_abbreviation": "Kifupisho",
        "col_category": "Aina",
        "col_region": "Mkoa",
        "col_numbers": "Namba",
        "col_conference": "Mikutano",
        "col_phase": "Awamu",
        "col_guide": "Mwongozo",
        "guide_link": "mwongozo",
        # how to dial, for everyone
        "dial_inside": "Ndani ya taasisi yako",
        "dial_inside_text": "piga namba ya ndani yenye tarakimu {extension_digits} pekee ({first}-{last}), kwa mfano {first}.",
        "dial_other": "Kwenda taasisi nyingine",
        "dial_other_text": "piga msimbo wa taasisi hiyo wenye tarakimu {code_digits}, kisha namba ya ndani: tarakimu {digits} "
        "kwa jumla, kwa mfano msimbo {code} na namba ya ndani {extension} ni {number}.",
        "dial_conference": "Mikutano kwa simu",
        "dial_conference_text": "namba za mikutano za kila taasisi ni msimbo wake ukifuatiwa na {first}, {second}, ... "
        "(ndani ya taasisi, piga tarakimu {extension_digits} za mwisho pekee).",
        "dial_pstn": "Simu za nje (PSTN)",
        "dial_pstn_text": "piga {digit}, kisha namba ya simu ya nje.",
        "dial_short_code": "Namba fupi {number}",
        "dial_short_code_text": "{name} (inapigwa kama ilivyo kutoka simu yoyote ya GovNet).",
        "dial_emergency_code_text": "{name} (dharura, inapigwa kama ilivyo kutoka simu yoyote ya GovNet).",
        # how to dial, one institution
        "inst_inside": "Ndani ya taasisi",
        "inst_inside_text": "piga namba ya ndani pekee: {first}-{last}.",
        "inst_elsewhere": "Kutoka popote ndani ya GovNet",
        "inst_elsewhere_text": "piga {code} na namba ya ndani: {first}-{last}.",
        "inst_conference_text": "{numbers} (ndani ya taasisi: {first}-{last}).",
        "dial_emergency": "Dharura",
        "inst_emergency_text": "{numbers} (zinapigwa kama zilivyo).",
        # dialling guide
        "guide_title": "Mwongozo wa Kupiga Simu",
        "guide_subtitle": "Simu za GovNet: {name}",
        "guide_region": "Mkoa wa {region}",
        "guide_your_numbers": "Namba za taasisi yenu",
        "guide_code": "Msimbo wa taasisi",
        "guide_numbers": "Namba",
        "guide_extensions": "Namba za ndani",
        "guide_bridges": "Namba za mikutano kwa simu",
        "guide_no_bridges": "taasisi hii haina",
        "guide_my_extension": "Namba yangu ya ndani",
        "guide_to_call": "Kumpigia",
        "guide_dial": "Piga",
        "guide_example": "Mfano",
        "guide_colleague": "Mwenzako katika taasisi yenu",
        "guide_colleague_dial": "namba ya ndani yenye tarakimu {extension_digits} pekee",
        "guide_other": "Taasisi nyingine",
        "guide_other_dial": "msimbo wake wenye tarakimu {code_digits}, kisha namba ya ndani (tarakimu {digits}); misimbo iko "
        "kwenye saraka ya GovNet",
        "guide_other_example": "{code} + {extension} = {number}",
        "guide_other_note": "({name})",
        "guide_to_you": "Wewe, kutoka taasisi nyingine",
        "guide_to_you_dial": "{code}, kisha namba yako ya ndani",
        "guide_conference": "Mkutano kwa simu",
        "guide_conference_dial": "ndani ya taasisi: tarakimu {extension_digits} za mwisho; kutoka nje ya taasisi: namba kamili",
        "guide_conference_none": "taasisi yenu haina namba ya mkutano: piga namba kamili ya mkutano ya taasisi nyingine",
        "guide_pstn": "Namba ya simu ya nchini (PSTN)",
        "guide_pstn_dial": "{digit}, kisha namba kamili ya nchini, ikianza na {national}",
        "guide_pstn_example": "{digit} {national}…",
        "guide_abroad": "Namba ya nje ya nchi",
        "guide_abroad_dial": "{digit}, kisha {international}, msimbo wa nchi na namba",
        "guide_abroad_example": "{digit} {international}…",
        "guide_barred": "hairuhusiwi kutoka taasisi hii",
        "guide_emergency": "Dharura",
        "guide_emergency_dial": "namba fupi kama ilivyo, bila {digit}",
        "guide_short_codes": "Namba za dharura na namba fupi",
        "guide_important": "Namba muhimu",
        "guide_name": "Jina",
        "guide_number": "Namba",
        "guide_directory_link": "Saraka ya GovNet",
        "guide_print": "Chapisha ukurasa huu kwenye karatasi moja ya A4.",
    },
}

CATEGORIES = {
    "en": {
        "ministry": "Ministry",
        "independent_department": "Independent department",
        "executive_agency": "Executive agency",
        "regional_secretariat": "Regional secretariat",
        "council": "Council",
    },
    "sw": {
        "ministry": "Wizara",
        "independent_department": "Idara inayojitegemea",
        "executive_agency": "Wakala wa Serikali",
        "regional_secretariat": "Sekretarieti ya mkoa",
        "council": "Halmashauri",
    },
}
COUNCIL_TYPES = {
    "en": {"district": "district", "town": "town", "municipal": "municipal", "city": "city"},
    "sw": {"district": "wilaya", "town": "mji", "municipal": "manispaa", "city": "jiji"},
}
# Kiswahili names of the short codes in the shipped numbering.yml (design/defaults/), by their English name; a short code
# not listed here keeps its English name in Kiswahili documents.
SHORT_CODE_NAMES_SW = {
    "National emergency number (police, fire, ambulance)": "Namba ya dharura ya taifa (polisi, zimamoto, gari la wagonjwa)",
    "Fire and rescue": "Zimamoto na uokoaji",
    "Ambulance": "Gari la wagonjwa",
    "Child helpline": "Simu ya msaada kwa mtoto",
}


def text(lang: str, key: str, **fields: object) -> str:
    """The string ``key`` in ``lang`` with its ``{fields}`` filled in."""
    return STRINGS[lang][key].format(**fields)


def localized(name: str, lang: str) -> str:
    """A document's path in ``lang``: ``index.html`` stays for English, ``index.sw.html`` for Kiswahili."""
    if lang == "en":
        return name
    stem, dot, ext = name.rpartition(".")
    return f"{stem}.{lang}.{ext}" if dot else f"{name}.{lang}"


def category_label(lang: str, category: str, council_type: Optional[str] = None) -> str:
    """``Council (district)`` / ``Halmashauri (wilaya)``; an unknown category reads as its words."""
    label = CATEGORIES[lang].get(category, category.replace("_", " ").capitalize())
    return f"{label} ({COUNCIL_TYPES[lang].get(council_type, council_type)})" if council_type else label


def names(lang: str, name: str, name_sw: Optional[str]) -> tuple[str, str]:
    """An institution's names in the order a ``lang`` reader wants them: (shown first, in the other language or '').

    In Kiswahili the Kiswahili name comes first where it is known; otherwise the English name stands alone.
    """
    if lang == "sw":
        return (name_sw, name) if name_sw else (name, "")
    return name, name_sw or ""


def region_name(lang: str, region: Region) -> str:
    return region.name_sw if lang == "sw" and region.name_sw else region.name


def short_code_name(lang: str, code: ShortCode) -> str:
    return SHORT_CODE_NAMES_SW.get(code.name, code.name) if lang == "sw" else code.name
