"""The published pages in a real browser: Debian's headless chromium, driven through chromedriver.

The directory (English and Kiswahili) and the dialling guides of the shipped GovNet are written to a
folder and opened as file:// URLs. Each page must load with no console error; typing in the search box must
show the institution asked for, by English or Kiswahili name, abbreviation, region or number; a guide must
print on one A4 page. Skipped when chromium or chromedriver is missing and we are not root; as root (CI,
after `make setup`) a missing browser is a failure, so these tests cannot silently stop running.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
from pathlib import Path
from types import ModuleType

import pytest
from conftest import ROOT, SHIPPED
from selenium.webdriver.common.keys import Keys

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design import allocation, source, validation
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.publish import documents as publish
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.publish import i18n as publish_i18n


def _headless() -> ModuleType:
    """hacking/headless_chromium.py, the launcher `make guides-pdf` uses too."""
    spec = importlib.util.spec_from_file_location("headless_chromium", ROOT / "hacking" / "headless_chromium.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


headless = _headless()

# The rows shown now, as the browser lays them out (hidden rows have no layout box).
VISIBLE_SLUGS = """
return Array.prototype.filter.call(document.querySelectorAll('#numbering tbody tr'),
    function (row) { return row.getClientRects().length > 0; })
  .map(function (row) { return row.getAttribute('data-slug'); });
"""


def _unavailable(what: str) -> None:
    if os.geteuid() == 0:
        pytest.fail(f"{what} is not installed: run `make setup` (as root it installs the Debian packages)")
    pytest.skip(f"{what} is not installed and we are not root (sudo make setup installs it)")


@pytest.fixture(scope="module")
def network():
    registry, policy = validation.parse(source.read_source(SHIPPED))
    return allocation.allocate(registry, policy), policy


@pytest.fixture(scope="module")
def site(network, tmp_path_factory) -> Path:
    """The published documents of the shipped GovNet, written to a folder."""
    if shutil.which("dot") is None:
        _unavailable("graphviz 'dot'")
    folder = tmp_path_factory.mktemp("docs")
    for path, data in publish.documents(*network).items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_bytes(data)
    return folder


@pytest.fixture(scope="module")
def browser():
    missing = headless.missing()
    if missing:
        _unavailable(" and ".join(missing))
    with headless.chromium() as driver:
        yield driver


def severe(driver) -> list[str]:
    """Console errors since the last call: script errors, failed loads, anything logged at SEVERE."""
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def open_page(driver, site: Path, path: str) -> None:
    severe(driver)  # forget what earlier pages logged
    driver.get((site / path).as_uri())
    assert driver.execute_script("return document.readyState") == "complete"


def search(driver, query: str) -> list[str]:
    """Type ``query`` into the search box as a person would (select all, delete, type) and return the rows shown."""
    box = driver.find_element("id", "q")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.BACKSPACE)
    box.send_keys(query)
    return driver.execute_script(VISIBLE_SLUGS)


def test_a_script_error_is_caught(browser):
    """The check itself works: a page whose script fails shows up as a console error."""
    severe(browser)
    browser.get("data:text/html,<!DOCTYPE html><title>x</title><script>notDefined()</script>")
    assert any("notDefined" in message for message in severe(browser))


@pytest.mark.parametrize(
    "path", ["index.html", "index.sw.html", "guides/mof.html", "guides/mof.sw.html", "guides/kongwa-dc.sw.html", "institutions/mof.html"]
)
def test_page_loads_without_errors(browser, site, path):
    open_page(browser, site, path)
    assert browser.title
    assert severe(browser) == []


@pytest.mark.parametrize(("page", "counts"), [("index.html", "{n} of {n} institutions, "), ("index.sw.html", "taasisi {n} kati ya {n}")])
def test_directory_shows_every_institution_before_a_search(browser, site, network, page, counts):
    total = len(network[0].institutions)
    open_page(browser, site, page)
    assert len(browser.execute_script(VISIBLE_SLUGS)) == total
    assert browser.find_element("id", "counts").text.startswith(counts.format(n=total))


def test_search_finds_an_institution_by_name_abbreviation_region_and_number(browser, site, network):
    """On the Kiswahili directory (its rows carry the same search text as the English one's, see tests/publish/test_documents.py)."""
    alloc = network[0]
    plans = {plan.institution.slug: plan for plan in alloc.institutions}
    kigoma = {slug for slug, plan in plans.items() if plan.region.slug == "kigoma"}
    mof, tba = plans["mof"], plans["tba"]
    open_page(browser, site, "index.sw.html")
    assert search(browser, "Ministry of Finance") == ["mof"]
    assert search(browser, "Wizara ya Fedha") == ["mof"]
    assert search(browser, "TBA") == ["tba"] and tba.institution.abbreviation == "TBA"
    assert set(search(browser, "Kigoma")) == kigoma and len(kigoma) == 9
    assert search(browser, str(mof.first_number + 17)) == ["mof"]
    assert search(browser, str(mof.conference[-1])) == ["mof"]
    assert "mof" in search(browser, str(mof.code))
    assert search(browser, "hakuna taasisi kama hii") == []
    assert search(browser, "") == [plan.institution.slug for plan in sorted(alloc.institutions, key=lambda p: p.institution.id)]
    assert severe(browser) == []


def test_english_directory_search_finds_by_either_name_number_and_address(browser, site, network):
    """The English page, with its addressing table: fewer searches, as each one lays out thousands of rows."""
    plans = {plan.institution.slug: plan for plan in network[0].institutions}
    mof = plans["mof"]
    open_page(browser, site, "index.html")
    assert search(browser, "Wizara ya Fedha") == ["mof"]
    assert search(browser, "Ministry of Finance") == ["mof"]
    assert search(browser, str(mof.last_number)) == ["mof"]
    assert search(browser, str(mof.block.network_address + 300)) == ["mof"]
    assert severe(browser) == []


def test_kiswahili_directory_counts_in_kiswahili(browser, site, network):
    open_page(browser, site, "index.sw.html")
    assert search(browser, "Halmashauri ya Wilaya ya Kongwa") == ["kongwa-dc"]
    assert browser.find_element("id", "counts").text == f"taasisi 1 kati ya {len(network[0].institutions)}"


def _longest_names(alloc, lang: str):
    return max(
        alloc.institutions, key=lambda plan: len(" ".join(publish_i18n.names(lang, plan.institution.name, plan.institution.name_sw)))
    )


@pytest.mark.parametrize("lang", ["en", "sw"])
def test_a_dialling_guide_prints_on_one_a4_page(browser, site, network, lang):
    """The guide with the longest names, in each language, fits one A4 sheet."""
    plan = _longest_names(network[0], lang)
    path = publish_i18n.localized(f"guides/{plan.institution.slug}.html", lang)
    severe(browser)
    pdf = headless.print_a4(browser, (site / path).as_uri())
    assert severe(browser) == []
    assert pdf.startswith(b"%PDF-")
    assert headless.pdf_pages(pdf) == 1
    width, height = (float(v) for v in re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf).groups())
    assert abs(width - 595.3) < 2 and abs(height - 841.9) < 2  # A4: 210 x 297 mm in points


def test_guides_pdf_prints_the_guides_asked_for(browser, site, tmp_path, capsys):
    """What `make guides-pdf GUIDES=tba` runs: one A4 page per guide, in both languages."""
    assert headless.main([str(site), str(tmp_path), "tba"]) == 0
    assert sorted(path.name for path in tmp_path.iterdir()) == ["tba.pdf", "tba.sw.pdf"]
    assert [headless.pdf_pages(path.read_bytes()) for path in sorted(tmp_path.iterdir())] == [1, 1]
    assert capsys.readouterr().out == f"2 dialling guides printed to {tmp_path}\n"
    assert headless.main([str(site), str(tmp_path / "none"), "no-such-institution"]) == 1
    assert capsys.readouterr().err == f"ERROR: no dialling guides to print in {site / 'guides'}: run make build first\n"
