"""The published documents: numbering directory (English and Kiswahili), addressing plan, HTML pages, dialling guides and pictures."""

from __future__ import annotations

import csv
import dataclasses
import io
import ipaddress
import posixpath
import re
import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from conftest import GOLDEN, ROOT, SMALL, check_golden

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design import allocation, source, validation
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.publish import documents as publish
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.publish import graph as publish_graph
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.publish import html as publish_html
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.publish import i18n as publish_i18n

REGISTRY = ROOT / "inventories" / "govnet" / "institutions.yml"
SVG = "{http://www.w3.org/2000/svg}"

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz 'dot' is not installed (make setup)")


@pytest.fixture(scope="module")
def network():
    registry, policy = validation.parse(source.read_source(REGISTRY))
    return allocation.allocate(registry, policy), policy


@pytest.fixture(scope="module")
def docs(network):
    if shutil.which("dot") is None:
        pytest.skip("graphviz 'dot' is not installed (make setup)")
    alloc, policy = network
    return publish.documents(alloc, policy)


def read_csv(data: bytes) -> tuple[list[str], list[dict[str, str]]]:
    text = data.decode("utf-8")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    return list(reader.fieldnames or []), list(reader)


# ---------------------------------------------------------------- numbering.csv
def test_numbering_csv_has_the_published_columns_and_unix_line_endings(docs):
    data = docs["numbering.csv"]
    header = (
        b"institution_id,slug,name,name_sw,abbreviation,category,council_type,region,code,first_number,last_number,conference_numbers,phase"
    )
    assert data.split(b"\n", 1)[0] == header
    assert b"\r" not in data
    assert data.endswith(b"\n")


def test_numbering_csv_is_one_row_per_institution_matching_the_allocation(docs, network):
    alloc = network[0]
    rows = read_csv(docs["numbering.csv"])[1]
    plans = sorted(alloc.institutions, key=lambda plan: plan.institution.id)
    assert [int(row["institution_id"]) for row in rows] == [plan.institution.id for plan in plans]
    for row, plan in zip(rows, plans):
        inst = plan.institution
        assert row["slug"] == inst.slug
        assert row["name"] == inst.name
        assert row["name_sw"] == (inst.name_sw or "")
        assert row["abbreviation"] == (inst.abbreviation or "")
        assert row["category"] == inst.category
        assert row["council_type"] == (inst.council_type or "")
        assert row["region"] == plan.region.slug
        assert int(row["code"]) == plan.code
        assert int(row["first_number"]) == plan.first_number
        assert int(row["last_number"]) == plan.last_number
        assert [int(n) for n in row["conference_numbers"].split()] == list(plan.conference)
        assert int(row["phase"]) == inst.phase


def test_numbering_csv_codes_and_numbers_are_unique(docs):
    rows = read_csv(docs["numbering.csv"])[1]
    codes = [row["code"] for row in rows]
    assert len(set(codes)) == len(codes)
    assert all(row["first_number"].startswith(row["code"]) and row["last_number"].startswith(row["code"]) for row in rows)


def test_numbering_csv_quotes_a_name_with_a_comma(network):
    rows = publish.numbering_rows(network[0].institutions)
    rows[0] = dict(rows[0], name='Ministry of "Works", Transport')
    header, parsed = read_csv(publish.to_csv(publish.NUMBERING_COLUMNS, rows).encode())
    assert header == list(publish.NUMBERING_COLUMNS)
    assert parsed[0]["name"] == 'Ministry of "Works", Transport'


# ---------------------------------------------------------------- addressing.csv
def test_addressing_csv_has_the_published_columns(docs):
    header = read_csv(docs["addressing.csv"])[0]
    assert header == ["institution_id", "slug", "device", "purpose", "vlan", "prefix", "gateway"]


def test_addressing_csv_has_every_subnet_loopback_and_uplink_of_every_institution(docs, network):
    alloc = network[0]
    rows = read_csv(docs["addressing.csv"])[1]
    index = {(row["slug"], row["device"], row["purpose"], row["prefix"]): row for row in rows}
    for plan in alloc.institutions:
        slug = plan.institution.slug
        site = index[(slug, "", "site", str(plan.block))]
        assert site["institution_id"] == str(plan.institution.id)
        for subnet in plan.subnets:
            row = index[(slug, "", subnet.vlan.role, str(subnet.prefix))]
            assert row["vlan"] == str(subnet.vlan.id)
            assert row["gateway"] == str(subnet.gateway)
            assert ipaddress.ip_address(row["gateway"]) in subnet.prefix
        for router, loopback in zip(plan.routers, plan.loopbacks):
            assert index[(slug, router, "loopback", str(loopback))]["gateway"] == ""
        for link in plan.uplinks:
            row = index[(slug, link.downstream, "uplink", str(link.prefix))]
            assert row["gateway"] == str(link.upstream_address.ip)


def test_addressing_csv_has_the_infrastructure(docs, network):
    alloc = network[0]
    rows = read_csv(docs["addressing.csv"])[1]
    infra = {(row["device"], row["purpose"], row["prefix"]): row for row in rows if not row["slug"]}
    assert all(row["institution_id"] == "" for row in infra.values())
    for hub in alloc.hubs:
        assert (hub.hostname, "loopback", str(hub.loopback)) in infra
        services = infra[(hub.hostname, "shared_services", str(hub.services_block))]
        assert services["gateway"] == str(hub.services_block.network_address + 1)
        if hub.operations is not None:
            assert (hub.hostname, "operations", str(hub.operations)) in infra
    for link in alloc.core_links:
        assert infra[(link.downstream, "core_link", str(link.prefix))]["gateway"] == str(link.upstream_address.ip)
    for agg in alloc.aggregation:
        assert (agg.hostname, "region_summary", str(agg.block)) in infra
        assert (agg.hostname, "loopback", str(agg.loopback)) in infra
        for link in agg.uplinks:
            assert infra[(agg.hostname, "uplink", str(link.prefix))]["gateway"] == str(link.upstream_address.ip)
    expected = (
        3 * len(alloc.hubs)
        - sum(hub.operations is None for hub in alloc.hubs)
        + len(alloc.core_links)
        + sum(2 + len(agg.uplinks) for agg in alloc.aggregation)
    )
    assert len(infra) == expected


def test_addressing_csv_rows_are_unique_and_sorted_by_address(docs, network):
    alloc = network[0]
    rows = read_csv(docs["addressing.csv"])[1]
    keys = [(row["device"], row["purpose"], row["prefix"]) for row in rows]
    assert len(set(keys)) == len(keys)
    networks = [ipaddress.ip_network(row["prefix"]) for row in rows]
    assert [(int(n.network_address), n.prefixlen) for n in networks] == sorted((int(n.network_address), n.prefixlen) for n in networks)
    per_institution = sum(1 + len(plan.subnets) + len(plan.loopbacks) + len(plan.uplinks) for plan in alloc.institutions)
    assert sum(1 for row in rows if row["slug"]) == per_institution


# ---------------------------------------------------------------- Markdown
def test_numbering_markdown_explains_dialling_and_lists_every_institution(docs, network):
    alloc, policy = network
    text = docs["numbering.md"].decode()
    assert text.startswith("# GovNet numbering directory\n")
    assert f"dial {policy.numbering.pstn_access_digit}, then the public number" in text
    for code in policy.numbering.short_codes:
        assert f"Short code {code.number}" in text
    table = [line for line in text.splitlines() if line.startswith("| ") and not line.startswith("| Id ")]
    assert len(table) == len(alloc.institutions)
    assert all(line.count(" | ") == 9 for line in table)  # ten cells: no stray pipe broke a row


def test_markdown_cells_escape_pipes():
    assert publish.md_table(("a",), [("x | y",)]).splitlines()[2] == "| x \\| y |"


def test_addressing_markdown_has_a_row_per_prefix(docs):
    rows = read_csv(docs["addressing.csv"])[1]
    text = docs["addressing.md"].decode()
    prefixes = [
        line.split(" | ")[0][2:] for line in text.split("## Prefixes", 1)[1].splitlines() if line.startswith("| ") and "Prefix" not in line
    ]
    assert prefixes == [row["prefix"] for row in rows]


# ---------------------------------------------------------------- determinism
def test_documents_are_byte_for_byte_deterministic(docs, network):
    alloc, policy = network
    again = publish.documents(alloc, policy)
    assert list(again) == list(docs)
    assert again == docs
    assert list(docs) == sorted(docs)
    assert all(isinstance(value, bytes) for value in docs.values())


def test_documents_do_not_depend_on_the_order_of_the_allocation(docs, network):
    alloc, policy = network
    shuffled = allocation.Allocation(alloc.hubs[::-1], alloc.core_links[::-1], alloc.aggregation[::-1], alloc.institutions[::-1])
    assert publish.documents(shuffled, policy) == docs


def test_no_document_carries_a_date_or_a_version(docs):
    stamp = re.compile(rb"20\d\d-\d\d-\d\d|graphviz version")
    assert [path for path, data in docs.items() if stamp.search(data)] == []


# ---------------------------------------------------------------- HTML
class Page(HTMLParser):
    """Collects tags, the attributes that load or link something, and checks that elements nest."""

    VOID = {"meta", "link", "br", "img", "input", "hr", "wbr", "source", "col", "area", "base", "embed", "track"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.doctype = ""

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def parse_page(data: bytes) -> Page:
    page = Page()
    page.feed(data.decode("utf-8"))
    page.close()
    assert page.errors == []
    assert page.stack == []
    return page


def rows_of(page: Page, table_id: str) -> list[dict[str, str | None]]:
    """The attributes of the <tr> elements with data-search inside the table with that id (in document order)."""
    inside, out = False, []
    for tag, attrs in page.tags:
        if tag == "table":
            inside = attrs.get("id") == table_id
        elif inside and tag == "tr" and "data-search" in attrs:
            out.append(attrs)
    return out


def test_index_html_is_a_self_contained_html5_page(docs):
    page = parse_page(docs["index.html"])
    assert page.doctype.lower() == "doctype html"
    html = [attrs for tag, attrs in page.tags if tag == "html"]
    assert html == [{"lang": "en"}]
    assert ("meta", {"charset": "utf-8"}) in page.tags
    loads = [(tag, attrs) for tag, attrs in page.tags if {"src", "href"} & set(attrs) or tag == "link"]
    assert all(not re.match(r"(?i)^\s*(https?:)?//", attrs.get("src") or attrs.get("href") or "") for tag, attrs in loads), loads
    assert not [
        tag for tag, attrs in page.tags if tag in ("link", "iframe", "img", "object", "embed") or (tag == "script" and "src" in attrs)
    ]
    text = docs["index.html"].decode()
    assert not re.search(r"(?i)\b(src|href)\s*=\s*[\"']?\s*(https?:)?//", text)
    assert not re.search(r"(?i)@import|url\(", text)


def test_index_html_lists_every_institution_and_every_prefix_searchably(docs, network):
    alloc = network[0]
    page = parse_page(docs["index.html"])
    numbering = rows_of(page, "numbering")
    assert len(numbering) == len(alloc.institutions)
    for attrs, plan in zip(numbering, sorted(alloc.institutions, key=lambda p: p.institution.id)):
        inst = plan.institution
        search = attrs["data-search"] or ""
        for term in (inst.name, inst.name_sw, inst.abbreviation, inst.slug, plan.region.slug, str(plan.code)):
            if term:
                assert term.lower() in search
        assert attrs["data-first"] == str(plan.first_number) and attrs["data-last"] == str(plan.last_number)
    rows = read_csv(docs["addressing.csv"])[1]
    addressing = rows_of(page, "addressing")
    assert len(addressing) == len(rows)
    for attrs, row in zip(addressing, rows):
        network_ = ipaddress.ip_network(row["prefix"])
        assert attrs["data-net"] == str(int(network_.network_address)) and attrs["data-len"] == str(network_.prefixlen)
        assert row["prefix"] in (attrs["data-search"] or "") and row["device"] in (attrs["data-search"] or "")
    assert [attrs.get("id") for tag, attrs in page.tags if tag == "input"] == ["q"]
    assert [entry[0] for entry in page.tags].count("script") == 1


def test_index_html_escapes_names(network):
    alloc, policy = network
    plan = alloc.institutions[0]
    evil = dataclasses.replace(plan, institution=dataclasses.replace(plan.institution, name="<script>alert(1)</script> & Co"))
    page = publish_html.index_page(alloc, policy, publish.numbering_rows([evil]), [], publish.dialling_lines(policy))
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in page
    assert "&lt;script&gt;" in publish_html.institution_page(evil, policy, publish.institution_dialling(evil, policy))


def test_every_institution_has_a_summary_page(docs, network):
    alloc, policy = network
    pages = {path for path in docs if path.startswith("institutions/") and path.endswith(".html")}
    assert pages == {f"institutions/{plan.institution.slug}.html" for plan in alloc.institutions}
    assert {path for path in docs if path.startswith("institutions/") and path.endswith(".md")} == {p[:-5] + ".md" for p in pages}
    pictured = {agg.region.slug for agg in alloc.aggregation}
    for plan in alloc.institutions:
        data = docs[f"institutions/{plan.institution.slug}.html"]
        page = parse_page(data)
        text = " ".join(page.text)
        assert plan.institution.name in text
        assert str(plan.code) in text and str(plan.first_number) in text and str(plan.last_number) in text
        assert str(plan.asn) in text and str(plan.block) in text
        for subnet in plan.subnets:
            assert str(subnet.prefix) in text and str(subnet.gateway) in text
        for router, loopback, link in zip(plan.routers, plan.loopbacks, plan.uplinks):
            assert router in text and str(loopback) in text and link.upstream in text
            assert str(link.upstream_address.ip) in text and str(link.downstream_address.ip) in text
        hrefs = [attrs["href"] for tag, attrs in page.tags if tag == "a"]
        assert (f"../regions/{plan.region.slug}.svg" in hrefs) == (plan.region.slug in pictured)
        assert not [h for h in hrefs if re.match(r"(?i)(https?:)?//", h or "")]
        assert f"dial {policy.numbering.pstn_access_digit}" in text


def test_every_relative_link_points_at_a_published_document(docs):
    links = set()
    for path, data in docs.items():
        if path.endswith(".html"):
            targets = [attrs.get("href") for tag, attrs in parse_page(data).tags if tag == "a"]
        elif path.endswith(".svg"):
            targets = [a.get("{http://www.w3.org/1999/xlink}href") for a in ET.fromstring(data).iter(f"{SVG}a")]
        else:
            continue
        for target in targets:
            assert target and not re.match(r"(?i)^[a-z]+:|^//", target), (path, target)
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(path), target.split("#")[0]))
            links.add(resolved)
            assert resolved in docs, (path, target)
    assert {
        "numbering.csv",
        "numbering.sw.csv",
        "numbering.sw.md",
        "addressing.csv",
        "topology.svg",
        "regions/dodoma.svg",
        "institutions/ikulu.html",
        "index.html",
        "index.sw.html",
        "guides/ikulu.html",
        "guides/ikulu.sw.html",
    } <= links


# ---------------------------------------------------------------- pictures
def svg_text(data: bytes) -> str:
    root = ET.fromstring(data)
    assert root.tag == f"{SVG}svg"
    return "\n".join(node.text or "" for node in root.iter(f"{SVG}text"))


def test_topology_svg_shows_hubs_regions_and_central_institutions(docs, network):
    alloc = network[0]
    text = svg_text(docs["topology.svg"])
    for hub in alloc.hubs:
        assert hub.hostname in text
    for agg in alloc.aggregation:
        assert agg.hostname in text
        assert f"{agg.region.name}: " in text and str(agg.block) in text
    for link in alloc.core_links:
        assert str(link.prefix) in text
    central = sum(plan.institution.central for plan in alloc.institutions)
    counts = [int(n) for n in re.findall(r"^(\d+) (?:ministr|independent|executive)", text, re.M)]
    assert sum(counts) == central


def test_every_region_has_a_picture_of_its_institutions(docs, network):
    alloc = network[0]
    assert {path for path in docs if path.startswith("regions/")} == {f"regions/{agg.region.slug}.svg" for agg in alloc.aggregation}
    for agg in alloc.aggregation:
        text = svg_text(docs[f"regions/{agg.region.slug}.svg"])
        assert agg.hostname in text
        for link in agg.uplinks:
            assert link.upstream in text
        for plan in alloc.institutions:
            if plan.region.slug == agg.region.slug and not plan.institution.central:
                assert plan.institution.slug in text and f"code {plan.code}" in text and str(plan.block) in text


@needs_dot
def test_dot_gives_the_same_svg_twice(network):
    alloc = network[0]
    source_text = publish_graph.topology_dot(alloc)
    assert publish_graph.render_svg(source_text) == publish_graph.render_svg(source_text)


def test_missing_dot_is_a_clear_error(network, monkeypatch):
    monkeypatch.setattr(publish_graph.shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match=r"^graphviz 'dot' is not installed: run make setup \(installs the graphviz package\)$"):
        publish.documents(*network)


def test_dot_labels_are_quoted():
    assert publish_graph.q('a "b" \\ c\nd') == '"a \\"b\\" \\\\ c\\nd"'


# ---------------------------------------------------------------- Kiswahili and English
@pytest.fixture(scope="module")
def small():
    registry, policy = validation.parse(source.read_source(SMALL))
    alloc = allocation.allocate(registry, policy)
    return {plan.institution.slug: plan for plan in alloc.institutions}, alloc, policy


def test_both_languages_have_every_string_with_the_same_fields():
    fields = re.compile(r"{(\w*)}")
    assert set(publish_i18n.STRINGS) == set(publish_i18n.LANGUAGES) == {"en", "sw"}
    english = publish_i18n.STRINGS["en"]
    for lang, strings in publish_i18n.STRINGS.items():
        assert set(strings) == set(english), lang
        for key, value in strings.items():
            assert value.strip() == value and value, (lang, key)
            assert sorted(fields.findall(value)) == sorted(fields.findall(english[key])), (lang, key)
    for table in (publish_i18n.CATEGORIES, publish_i18n.COUNCIL_TYPES):
        assert set(table["en"]) == set(table["sw"])


def test_kiswahili_words_of_the_directory_and_the_guide():
    sw = publish_i18n.STRINGS["sw"]
    assert sw["directory_title"] == "Saraka ya Namba za Simu za GovNet"
    assert sw["guide_title"] == "Mwongozo wa Kupiga Simu"
    assert (sw["guide_dial"], sw["col_institution"], sw["col_region"], sw["guide_emergency"]) == ("Piga", "Taasisi", "Mkoa", "Dharura")
    assert publish_i18n.category_label("sw", "council", "district") == "Halmashauri (wilaya)"
    assert publish_i18n.category_label("en", "council", "city") == "Council (city)"
    assert publish_i18n.category_label("sw", "executive_agency") == "Wakala wa Serikali"


def test_every_short_code_has_a_kiswahili_name(network):
    policy = network[1]
    assert [code.name for code in policy.numbering.short_codes if code.name not in publish_i18n.SHORT_CODE_NAMES_SW] == []


@pytest.mark.parametrize(
    ("name", "lang", "path"),
    [
        ("index.html", "en", "index.html"),
        ("index.html", "sw", "index.sw.html"),
        ("guides/mof.html", "sw", "guides/mof.sw.html"),
        ("numbering.csv", "sw", "numbering.sw.csv"),
        ("../index.html", "sw", "../index.sw.html"),
    ],
)
def test_a_kiswahili_document_adds_sw_before_the_extension(name, lang, path):
    assert publish_i18n.localized(name, lang) == path


def test_kiswahili_name_first_where_known():
    assert publish_i18n.names("sw", "Ministry of Finance", "Wizara ya Fedha") == ("Wizara ya Fedha", "Ministry of Finance")
    assert publish_i18n.names("sw", "Tanzania Buildings Agency", None) == ("Tanzania Buildings Agency", "")
    assert publish_i18n.names("en", "Ministry of Finance", "Wizara ya Fedha") == ("Ministry of Finance", "Wizara ya Fedha")


def test_numbering_sw_csv_is_the_directory_in_kiswahili(docs, network):
    alloc = network[0]
    header, rows = read_csv(docs["numbering.sw.csv"])
    assert header == list(publish.NUMBERING_COLUMNS_SW)
    english = read_csv(docs["numbering.csv"])[1]
    plans = {str(plan.institution.id): plan for plan in alloc.institutions}
    assert [row["kitambulisho"] for row in rows] == [row["institution_id"] for row in english]
    for row, en in zip(rows, english):
        plan = plans[row["kitambulisho"]]
        assert (row["jina_kiswahili"], row["jina_kiingereza"], row["kifupisho"]) == (en["name_sw"], en["name"], en["abbreviation"])
        assert (row["msimbo"], row["namba_ya_kwanza"], row["namba_ya_mwisho"]) == (en["code"], en["first_number"], en["last_number"])
        assert (row["namba_za_mikutano"], row["awamu"]) == (en["conference_numbers"], en["phase"])
        assert row["mkoa"] == (plan.region.name_sw or plan.region.name)
        assert row["aina"] == publish_i18n.category_label("sw", plan.institution.category, plan.institution.council_type)
    assert {row["aina"].split(" (")[0] for row in rows} == {
        "Wizara",
        "Idara inayojitegemea",
        "Wakala wa Serikali",
        "Sekretarieti ya mkoa",
        "Halmashauri",
    }


def test_numbering_sw_markdown_explains_dialling_in_kiswahili_and_lists_every_institution(docs, network):
    alloc, policy = network
    text = docs["numbering.sw.md"].decode()
    assert text.startswith("# Saraka ya Namba za Simu za GovNet\n")
    assert "## Jinsi ya kupiga simu\n" in text
    assert f"piga {policy.numbering.pstn_access_digit}, kisha namba ya simu ya nje" in text
    for code in policy.numbering.short_codes:
        assert f"Namba fupi {code.number}" in text
    table = [line for line in text.splitlines() if line.startswith("| ") and not line.startswith("| Na. ")]
    assert len(table) == len(alloc.institutions)
    assert all(line.count(" | ") == 9 for line in table)
    assert "| 8 | Wizara ya Fedha | Ministry of Finance |" in text


def test_index_sw_html_is_the_searchable_directory_in_kiswahili(docs, network):
    alloc = network[0]
    page = parse_page(docs["index.sw.html"])
    assert [attrs for tag, attrs in page.tags if tag == "html"] == [{"lang": "sw"}]
    text = " ".join(page.text)
    assert "Saraka ya Namba za Simu za GovNet" in text and "Jinsi ya kupiga simu" in text and "Tafuta" in text
    numbering = rows_of(page, "numbering")
    assert [attrs["data-slug"] for attrs in numbering] == [
        p.institution.slug for p in sorted(alloc.institutions, key=lambda p: p.institution.id)
    ]
    english = {attrs["data-slug"]: attrs["data-search"] for attrs in rows_of(parse_page(docs["index.html"]), "numbering")}
    assert {attrs["data-slug"]: attrs["data-search"] for attrs in numbering} == english  # the same search in both languages
    assert rows_of(page, "addressing") == []
    hrefs = {attrs.get("href") for tag, attrs in page.tags if tag == "a"}
    assert {"index.html", "numbering.sw.csv", "numbering.sw.md", "guides/mof.sw.html"} <= hrefs


def test_search_text_holds_both_names_abbreviation_and_region_names(docs, network):
    alloc = network[0]
    rows = {attrs["data-slug"]: attrs["data-search"] or "" for attrs in rows_of(parse_page(docs["index.sw.html"]), "numbering")}
    for plan in alloc.institutions:
        inst = plan.institution
        for term in (inst.name, inst.name_sw, inst.abbreviation, plan.region.name, plan.region.name_sw, str(plan.first_number)):
            if term:
                assert term.lower() in rows[inst.slug], (inst.slug, term)


# ---------------------------------------------------------------- dialling guides
def test_every_institution_has_a_dialling_guide_in_both_languages(docs, network):
    alloc, policy = network
    n = policy.numbering
    guides = {path for path in docs if path.startswith("guides/")}
    assert guides == {f"guides/{plan.institution.slug}{suffix}.html" for plan in alloc.institutions for suffix in ("", ".sw")}
    emergency = [code.number for code in n.short_codes if code.emergency]
    for plan in alloc.institutions:
        slug = plan.institution.slug
        for lang, suffix in (("en", ""), ("sw", ".sw")):
            page = parse_page(docs[f"guides/{slug}{suffix}.html"])
            assert [attrs for tag, attrs in page.tags if tag == "html"] == [{"lang": lang}]
            text = " ".join(page.text)
            first_extension = str(plan.first_number)[-n.extension_digits :]
            assert publish_i18n.STRINGS[lang]["guide_title"] in text
            assert publish_i18n.names(lang, plan.institution.name, plan.institution.name_sw)[0] in text
            assert f"{plan.first_number}\u2013{plan.last_number}" in text
            assert f"{plan.code} + {first_extension} = {plan.first_number}" in text
            assert f"{str(plan.conference[0])[-n.extension_digits:]} / {plan.conference[0]}" in text
            assert ", ".join(emergency) in text
            assert all(code.number in text for code in n.short_codes)
            hrefs = {attrs.get("href") for tag, attrs in page.tags if tag == "a"}
            other = f"{slug}.html" if lang == "sw" else f"{slug}.sw.html"
            assert hrefs == {publish_i18n.localized("../index.html", lang), other}


def test_a_guide_in_kiswahili_speaks_kiswahili(small):
    plans, alloc, policy = small
    text = publish_html.guide_page(plans["kongwa-dc"], policy, "sw", plans["rs-dodoma"])
    for words in (
        "Mwongozo wa Kupiga Simu",
        "Halmashauri ya Wilaya ya Kongwa",
        "Halmashauri (wilaya)",
        "Mkoa wa Dodoma",
        "Dharura",
        "Piga",
    ):
        assert words in text
    assert "Kongwa District Council" in text  # the English name, second
    assert "Dialling guide" not in text and "Emergency" not in text


def test_a_guide_shows_calling_another_institution_with_a_real_one(small):
    plans, alloc, policy = small
    ordered = sorted(plans.values(), key=lambda p: p.institution.id)
    examples = publish.guide_examples(ordered)
    assert examples[plans["kongwa-dc"].institution.id] is plans["rs-dodoma"]  # a council: its regional secretariat
    assert examples[plans["rs-dodoma"].institution.id] is plans["mof"]  # otherwise the first other one by id
    assert examples[plans["mof"].institution.id] is plans["tba"]
    assert publish.guide_examples([plans["mof"]]) == {plans["mof"].institution.id: None}
    text = publish_html.guide_page(plans["kongwa-dc"], policy, "en", plans["rs-dodoma"])
    rs = plans["rs-dodoma"]
    assert f"{rs.code} + {str(rs.first_number)[-4:]} = {rs.first_number}" in text and "(Dodoma Regional Secretariat)" in text


def test_a_guide_without_conference_bridges_says_so(small):
    plans, alloc, policy = small
    bare = dataclasses.replace(plans["tba"], conference=())
    for lang in publish_i18n.LANGUAGES:
        text = " ".join(parse_page(publish_html.guide_page(bare, policy, lang, None).encode()).text)
        assert publish_i18n.STRINGS[lang]["guide_no_bridges"] in text
        assert publish_i18n.STRINGS[lang]["guide_conference_none"] in text


def test_a_guide_escapes_names(small):
    plans, alloc, policy = small
    evil = dataclasses.replace(plans["mof"], institution=dataclasses.replace(plans["mof"].institution, name_sw="<b>Wizara</b> & Co"))
    text = publish_html.guide_page(evil, policy, "sw", plans["tba"])
    assert "<b>Wizara</b>" not in text and "&lt;b&gt;Wizara&lt;/b&gt; &amp; Co" in text


@pytest.mark.golden
@pytest.mark.parametrize(("slug", "lang"), [("mof", "en"), ("mof", "sw"), ("kongwa-dc", "sw"), ("tba", "sw")])
def test_dialling_guide_golden(small, slug, lang):
    plans, alloc, policy = small
    ordered = sorted(plans.values(), key=lambda p: p.institution.id)
    text = publish_html.guide_page(plans[slug], policy, lang, publish.guide_examples(ordered)[plans[slug].institution.id])
    check_golden(GOLDEN / "docs" / publish_i18n.localized(f"guides/{slug}.html", lang), text)


@pytest.mark.golden
@pytest.mark.parametrize("lang", ["en", "sw"])
def test_numbering_markdown_golden(small, lang):
    plans, alloc, policy = small
    text = publish.numbering_markdown(list(plans.values()), publish.dialling_lines(policy, lang), policy, lang)
    check_golden(GOLDEN / "docs" / publish_i18n.localized("numbering.md", lang), text)


def test_a_guide_shows_outside_numbers_as_far_as_the_class_of_service_allows(small):
    plans, alloc, policy = small
    n = policy.numbering
    national, abroad = f"{n.pstn_access_digit} {n.pstn.national_prefix}\u2026", f"{n.pstn_access_digit} {n.pstn.international_prefix}\u2026"

    def guide(slug: str, lang: str, pol=policy) -> str:
        return " ".join(parse_page(publish_html.guide_page(plans[slug], pol, lang, None).encode()).text)

    assert (n.pstn.class_of_service["ministry"], n.pstn.class_of_service["council"]) == ("international", "national")
    ministry = guide("mof", "en")
    assert national in ministry and abroad in ministry and "not allowed from this institution" not in ministry
    council = guide("kongwa-dc", "sw")
    assert national in council and abroad not in council and council.count("hairuhusiwi kutoka taasisi hii") == 1
    onnet = dataclasses.replace(
        policy,
        numbering=dataclasses.replace(
            n, pstn=dataclasses.replace(n.pstn, class_of_service={**n.pstn.class_of_service, "council": "onnet"})
        ),
    )
    barred = guide("kongwa-dc", "en", onnet)
    assert national not in barred and barred.count("not allowed from this institution") == 2
    assert all(code.number in barred for code in n.short_codes)  # short codes are never barred
