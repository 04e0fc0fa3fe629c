"""The compliance report: Markdown and HTML for people, JSON and JUnit XML for pipelines.

Every string is escaped for the file it lands in (HTML, XML, Markdown); lines arrive already masked
(``compliance.mask_secrets``), so no report holds a secret.
"""

from __future__ import annotations

import html
import json
from collections import Counter
from pathlib import Path
from typing import Sequence
from xml.sax.saxutils import escape, quoteattr

from .compliance import DeviceCompliance

REPORT_FILES = ("compliance.md", "compliance.html", "compliance.json", "compliance.xml")


def _status(result: DeviceCompliance) -> str:
    return "error" if result.error else ("compliant" if result.compliant else "drift")


def summary(results: Sequence[DeviceCompliance]) -> dict:
    """Counts for the whole network, per institution and per feature (features of drifted devices)."""
    institutions: dict[str, Counter] = {}
    features: Counter = Counter()
    for result in results:
        institutions.setdefault(result.institution, Counter())[_status(result)] += 1
        features.update(item.feature for item in result.drift)
    return {
        "devices": len(results),
        "compliant": sum(r.compliant for r in results),
        "drift": sum(bool(r.drift) for r in results),
        "errors": sum(bool(r.error) for r in results),
        "institutions": {name: dict(count) for name, count in sorted(institutions.items())},
        "features": dict(sorted(features.items())),
    }


def report_json(results: Sequence[DeviceCompliance]) -> str:
    devices = [{"device": r.device, "platform": r.platform, "institution": r.institution, "status": _status(r),
                "error": r.error, "drift": {item.feature: list(item.lines) for item in r.drift}} for r in results]
    return json.dumps({"summary": summary(results), "devices": devices}, indent=2, sort_keys=True) + "\n"


def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace("*", "\\*").replace("_", "\\_")


def report_markdown(results: Sequence[DeviceCompliance], title: str) -> str:
    total = summary(results)
    out = [f"# {_md(title)}", "",
           f"{total['devices']} devices: {total['compliant']} compliant, {total['drift']} drifted, "
           f"{total['errors']} not compared.", ""]
    if total["features"]:
        out += ["| Feature | Drifted devices |", "| --- | --- |"]
        out += [f"| {_md(name)} | {count} |" for name, count in total["features"].items()]
        out.append("")
    out += ["| Institution | Compliant | Drifted | Not compared |", "| --- | --- | --- | --- |"]
    for name, count in total["institutions"].items():
        out.append(f"| {_md(name)} | {count.get('compliant', 0)} | {count.get('drift', 0)} | {count.get('error', 0)} |")
    for result in results:
        if result.compliant:
            continue
        out += ["", f"## {_md(result.device)} ({_md(result.institution)}, {result.platform})", ""]
        if result.error:
            out += [f"Not compared: {_md(result.error)}"]
        for item in result.drift:
            out += [f"### {_md(item.feature)}", "", "```text", *item.lines, "```", ""]
    return "\n".join(out).rstrip("\n") + "\n"


_CSS = ("body{font-family:sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse}"
        "td,th{border:1px solid #999;padding:.2em .6em;text-align:left}.drift{color:#a00}.ok{color:#070}"
        "pre{background:#f4f4f4;padding:.5em;overflow-x:auto}")


def report_html(results: Sequence[DeviceCompliance], title: str) -> str:
    esc = html.escape
    total = summary(results)
    cls = "ok" if total["compliant"] == total["devices"] else "drift"
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">', f"<title>{esc(title)}</title>",
           f"<style>{_CSS}</style></head><body>", f"<h1>{esc(title)}</h1>",
           f'<p class="{cls}">{total["devices"]} devices: {total["compliant"]} compliant, {total["drift"]} drifted, '
           f'{total["errors"]} not compared.</p>', "<h2>Per feature</h2>"]
    if total["features"]:
        out.append("<table><tr><th>Feature</th><th>Drifted devices</th></tr>")
        out += [f"<tr><td>{esc(name)}</td><td>{count}</td></tr>" for name, count in total["features"].items()]
        out.append("</table>")
    else:
        out.append('<p class="ok">No feature has drifted.</p>')
    out += ["<h2>Per institution</h2>",
            "<table><tr><th>Institution</th><th>Compliant</th><th>Drifted</th><th>Not compared</th></tr>"]
    for name, count in total["institutions"].items():
        out.append(f"<tr><td>{esc(name)}</td><td>{count.get('compliant', 0)}</td><td>{count.get('drift', 0)}</td>"
                   f"<td>{count.get('error', 0)}</td></tr>")
    out.append("</table><h2>Devices that differ</h2>")
    for result in results:
        if result.compliant:
            continue
        out.append(f'<h3 id="{esc(result.device)}" class="drift">{esc(result.device)} '
                   f"({esc(result.institution)}, {esc(result.platform)})</h3>")
        if result.error:
            out.append(f"<p>Not compared: {esc(result.error)}</p>")
        for item in result.drift:
            out.append(f"<h4>{esc(item.feature)}</h4><pre>{esc(chr(10).join(item.lines))}</pre>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def report_junit(results: Sequence[DeviceCompliance], title: str) -> str:
    """A test suite per institution, a test case per device (failure: drift; error: not compared)."""
    suites: dict[str, list[DeviceCompliance]] = {}
    for result in results:
        suites.setdefault(result.institution, []).append(result)
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<testsuites name={quoteattr(title)} tests="{len(results)}" '
           f'failures="{sum(bool(r.drift) for r in results)}" errors="{sum(bool(r.error) for r in results)}">']
    for name, members in sorted(suites.items()):
        out.append(f'  <testsuite name={quoteattr(name)} tests="{len(members)}" '
                   f'failures="{sum(bool(r.drift) for r in members)}" errors="{sum(bool(r.error) for r in members)}">')
        for result in members:
            out.append(f"    <testcase classname={quoteattr(name)} name={quoteattr(result.device)}>")
            if result.error:
                out.append(f"      <error message={quoteattr(result.error)}/>")
            elif result.drift:
                features = ", ".join(item.feature for item in result.drift)
                body = "\n".join(f"[{item.feature}]\n" + "\n".join(item.lines) for item in result.drift)
                out.append(f"      <failure message={quoteattr('drift in ' + features)}>{escape(body)}</failure>")
            out.append("    </testcase>")
        out.append("  </testsuite>")
    out.append("</testsuites>")
    return "\n".join(out) + "\n"


def write_reports(results: Sequence[DeviceCompliance], dest: Path, title: str) -> list[Path]:
    """Write the four reports into dest (made if missing); returns their paths."""
    dest.mkdir(parents=True, exist_ok=True)
    ordered = sorted(results, key=lambda r: (r.institution, r.device))
    texts = (report_markdown(ordered, title), report_html(ordered, title), report_json(ordered),
             report_junit(ordered, title))
    paths = [dest / name for name in REPORT_FILES]
    for path, text in zip(paths, texts):
        path.write_text(text, encoding="utf-8")
    return paths
