"""Debian's chromium, headless, driven through Debian's chromedriver; and `make guides-pdf` with it.

The browser is the one `make setup` installs (/usr/bin/chromium); nothing is downloaded: Selenium is handed
the driver's path, so it never runs its own driver manager. Each browser gets a fresh profile folder and
flags that keep it off the network (no sync, updates, background requests or QUIC).

    python hacking/headless_chromium.py DOCS OUT [SLUG ...]

prints the dialling guides DOCS/guides/<slug>[.sw].html (all, or those of the SLUGs) to OUT/<slug>[.sw].pdf,
one A4 page each, in one browser session.
"""

from __future__ import annotations

import argparse
import base64
import re
import shutil
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.print_page_options import PrintOptions

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)
A4_CM = (21.0, 29.7)
PAGE = re.compile(rb"/Type\s*/Page\b")


def missing() -> list[str]:
    """What is not installed of chromium and chromedriver (empty when both are)."""
    return [path for path in (CHROMIUM, CHROMEDRIVER) if shutil.which(path) is None]


@contextmanager
def chromium(page_load_timeout: float = 60) -> Iterator[webdriver.Chrome]:
    """A headless chromium with a fresh profile that keeps its console log (``driver.get_log('browser')``)."""
    with tempfile.TemporaryDirectory(prefix="govnet-chromium-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={profile}")
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
        try:
            driver.set_page_load_timeout(page_load_timeout)
            yield driver
        finally:
            driver.quit()


def print_a4(driver: webdriver.Chrome, url: str) -> bytes:
    """The page at ``url`` as an A4 PDF (backgrounds printed, margins from the page's own CSS)."""
    driver.get(url)
    options = PrintOptions()
    options.page_width, options.page_height = A4_CM
    options.margin_top = options.margin_bottom = options.margin_left = options.margin_right = 0
    options.background = True
    return base64.b64decode(driver.print_page(options))


def pdf_pages(pdf: bytes) -> int:
    """How many pages a PDF holds (its /Type /Page objects)."""
    return len(PAGE.findall(pdf))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Print the dialling guides of a build to A4 PDFs with headless chromium.")
    parser.add_argument("docs", type=Path, help="the build's docs folder (build/docs)")
    parser.add_argument("out", type=Path, help="folder for the PDFs")
    parser.add_argument("slugs", nargs="*", help="institutions to print (default: all)")
    args = parser.parse_args(argv)
    if missing():
        print(
            f"ERROR: {', '.join(missing())} not installed: run make setup as root (Debian packages chromium, chromium-driver)",
            file=sys.stderr,
        )
        return 1
    guides = sorted((args.docs / "guides").glob("*.html"))
    if args.slugs:
        guides = [guide for guide in guides if guide.name.split(".", 1)[0] in args.slugs]
    if not guides:
        print(f"ERROR: no dialling guides to print in {args.docs / 'guides'}: run make build first", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    with chromium() as driver:
        for guide in guides:
            pdf = print_a4(driver, guide.resolve().as_uri())
            if pdf_pages(pdf) != 1:
                print(f"ERROR: {guide} prints on {pdf_pages(pdf)} A4 pages, not one", file=sys.stderr)
                return 1
            (args.out / guide.with_suffix(".pdf").name).write_bytes(pdf)
    print(f"{len(guides)} dialling guides printed to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
