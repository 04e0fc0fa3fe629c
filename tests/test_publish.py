"""The published documents: numbering directory, addressing plan, HTML pages and pictures."""

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
from pathlib import Path

import pytest

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet import (
    allocation,
    publish,
    publish_graph,
    publish_html,
    source,
    validation,
)

ROOT = Path(__file__).resolve().parents[1]
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
    assert {"numbering.csv", "addressing.csv", "topology.svg", "regions/dodoma.svg", "institutions/ikulu.html"} <= links


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
