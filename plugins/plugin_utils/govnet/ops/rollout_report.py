"""The rollout report: what changed where, what was verified, what was rolled back (Markdown and JUnit XML).

Each device the rollout reached leaves a result (results/<device>.json, written by playbooks/rollout.yml):
  {"status": "verified" | "rolled_back" | "unreachable" | "failed", "checks": [{"name", "ok", "detail"}], "message"}
A device of the plan without a result was not started, because an earlier wave stopped the rollout.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STATUS_TEXT = {
    "verified": "pushed and verified",
    "rolled_back": "verify failed: previous configuration restored and verified",
    "restore_failed": "verify failed and the restored configuration did not verify: needs an engineer",
    "unreachable": "unreachable: nothing pushed, previous configuration kept",
    "not_started": "not started: an earlier wave stopped the rollout",
}


@dataclass(frozen=True)
class Outcome:
    """The rollout as it ended: per-device results, the wave that stopped it, the devices that verified HEAD."""

    results: dict[str, dict[str, Any]]
    stopped_at: str | None
    verified: list[str]


def read_results(folder: Path) -> dict[str, dict[str, Any]]:
    """Every device result the rollout wrote."""
    return {path.stem: json.loads(path.read_text()) for path in sorted(folder.glob("*.json"))} if folder.is_dir() else {}


def outcome(plan: dict[str, Any], results: dict[str, dict[str, Any]]) -> Outcome:
    """Fill in the devices the rollout never reached, and find the first wave that did not verify."""
    merged: dict[str, dict[str, Any]] = {}
    stopped_at = None
    for wave in plan["waves"]:
        for name in wave["devices"]:
            merged[name] = dict(results.get(name) or {"status": "not_started", "checks": [], "message": ""}, wave=wave["name"])
            if stopped_at is None and merged[name]["status"] not in ("verified", "not_started"):
                stopped_at = wave["name"]
    verified = sorted(name for name, result in merged.items() if result["status"] == "verified")
    return Outcome(merged, stopped_at, verified)


def report_markdown(plan: dict[str, Any], done: Outcome) -> str:
    """The report a person reads (report.md)."""
    total = len(done.results)
    counts = {status: sum(1 for r in done.results.values() if r["status"] == status) for status in STATUS_TEXT}
    head = plan["head"][:12]
    if done.stopped_at:
        verdict = f"**Stopped** in wave '{done.stopped_at}': no later wave was started."
    else:
        verdict = "**Completed**: every device of the plan was pushed and verified."
    lines = [
        f"# GovNet rollout report: {plan['environment']}",
        "",
        f"HEAD `{head}`: {total} devices in {len(plan['waves'])} waves. {verdict}",
        "",
    ]
    lines += [f"- {STATUS_TEXT[status]}: {count}" for status, count in counts.items() if count] + [""]
    lines += ["| Wave | Device | Institution | Result | Checks |", "| --- | --- | --- | --- | --- |"]
    for name, result in done.results.items():
        checks = "; ".join(f"{'ok' if c['ok'] else 'FAILED'} {c['name']}" for c in result["checks"]) or "-"
        institution = plan["devices"][name]["institution"] or "-"
        lines.append(f"| {result['wave']} | {name} | {institution} | {STATUS_TEXT[result['status']]} | {checks} |")
    lines.append("")
    problems = [(name, r) for name, r in done.results.items() if r.get("message")]
    if problems:
        lines += ["## What went wrong", ""] + [f"- {name}: {r['message']}" for name, r in problems] + [""]
    lines += [f"The deployed revision moved to `{head}` for {len(done.verified)} verified devices; the others keep theirs.", ""]
    return "\n".join(lines)


def report_junit(plan: dict[str, Any], done: Outcome) -> str:
    """The report a CI system shows (report.xml): a test suite per wave, a test case per device."""
    suites = ET.Element("testsuites", name=f"govnet rollout {plan['environment']}")
    for wave in plan["waves"]:
        suite = ET.SubElement(suites, "testsuite", name=wave["name"], tests=str(len(wave["devices"])))
        failures = skipped = 0
        for name in wave["devices"]:
            result = done.results[name]
            case = ET.SubElement(suite, "testcase", classname=f"rollout.{wave['name'].replace(' ', '_')}", name=name)
            text = "\n".join(f"{'ok' if c['ok'] else 'FAILED'} {c['name']}: {c.get('detail', '')}" for c in result["checks"])
            if result["status"] == "not_started":
                skipped += 1
                ET.SubElement(case, "skipped", message=STATUS_TEXT["not_started"])
            elif result["status"] != "verified":
                failures += 1
                failure = ET.SubElement(case, "failure", message=f"{STATUS_TEXT[result['status']]}: {result.get('message', '')}")
                failure.text = text
            elif text:
                ET.SubElement(case, "system-out").text = text
        suite.set("failures", str(failures))
        suite.set("skipped", str(skipped))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
