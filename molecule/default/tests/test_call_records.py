"""Prove the call records and the call report in the lab: place a known set of calls with sipp phones, run the
report playbook against the lab, and check that the report counts exactly those calls and minutes.

The calls (none needs a registered phone): three answered calls held for known times (the caller's own
conference bridge, another institution's conference bridge, the emergency number), one to an unassigned number
(404) and one to an extension of another institution that no phone registered (480, through the GovNet SIP
core). Only calls from the moment the test starts are reported (govnet_report_start), so earlier calls of other
tests do not count."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import INVENTORY, ROOT, SCENARIOS
from test_voice import CALL_TIMEOUT, Phone

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.pipeline import Network

HELD = {"own_conference": 2.0, "other_conference": 3.0, "emergency": 1.5}  # seconds each answered call is held
TOLERANCE = 0.5  # seconds a recorded duration may differ from the hold (signalling between answer and BYE)


def place(phone: Phone, number: str, scenario: str, hold: float | None = None) -> None:
    """One call from `phone`; the scenario must end as it expects (answered, or the expected refusal)."""
    args = ["-d", str(int(hold * 1000))] if hold is not None else []
    done = subprocess.run(
        ["ip", "netns", "exec", phone.netns, "timeout", str(CALL_TIMEOUT + 10), "sipp", f"{phone.call_control}:5060", "-sf", str(SCENARIOS / scenario),
         "-i", phone.address, "-p", "5062", "-m", "1", "-nostdin", "-timeout", str(CALL_TIMEOUT), "-timeout_error",
         "-key", "caller", str(phone.extension), "-s", number, *args],
        capture_output=True, text=True, timeout=CALL_TIMEOUT + 20, check=False,
    )  # fmt: skip
    assert done.returncode == 0, f"{phone.netns} calling {number} ({scenario}): exit {done.returncode}\n{done.stdout}{done.stderr}"


def report(since: float, folder: Path) -> dict:
    """Run playbooks/report.yml against the lab; the ega.govnet.report task's result."""
    done = subprocess.run(
        [str(Path(sys.executable).parent / "ansible-playbook"), "-i", str(INVENTORY), "playbooks/report.yml",
         "-e", f"govnet_build_dir={folder}", "-e", f"govnet_report_start={since}"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
        env=dict(os.environ, ANSIBLE_STDOUT_CALLBACK="json"),
    )  # fmt: skip
    assert done.returncode == 0, f"report playbook failed:\n{done.stdout[-3000:]}{done.stderr[-2000:]}"
    tasks = [task for play in json.loads(done.stdout)["plays"] for task in play["tasks"]]
    return next(task["hosts"]["localhost"] for task in tasks if task["task"]["name"] == "Write the call report")


def test_the_report_counts_exactly_the_calls_placed(network: Network, tmp_path: Path) -> None:
    moa, gpsa, kongwa = Phone(network, "moa", 1), Phone(network, "gpsa", 1), Phone(network, "kongwa-dc", 1)
    emergency = next(code["number"] for code in network.states["gpsa-cc1"]["routes"]["short_codes"] if code["emergency"])
    unregistered = str(kongwa.numbering["last_number"])
    unassigned = f"{moa.numbering['code']}{moa.numbering['last_extension'] + 1}"
    since = time.time()
    place(moa, str(moa.numbering["conference_numbers"][0]), "held_call.xml", HELD["own_conference"])
    place(moa, str(kongwa.numbering["conference_numbers"][0]), "held_call.xml", HELD["other_conference"])
    place(gpsa, emergency, "held_call.xml", HELD["emergency"])
    place(moa, unassigned, "unassigned.xml")
    place(moa, unregistered, "unavailable.xml")

    result = report(since, tmp_path)

    held_minutes = sum(HELD.values()) / 60
    assert (result["calls"], result["answered"], result["failed_calls"]) == (5, 3, 2), result["msg"]
    assert result["minutes"] == pytest.approx(held_minutes, abs=3 * TOLERANCE / 60)
    assert result["failures"] == {"404 Not Found": 1, "480 Temporarily Unavailable": 1}
    assert {name: (tally["calls"], tally["answered"]) for name, tally in result["institutions"].items()} == {"moa": (4, 2), "gpsa": (1, 1)}
    assert result["institutions"]["moa"]["minutes"] == pytest.approx((HELD["own_conference"] + HELD["other_conference"]) / 60, abs=2 * TOLERANCE / 60)
    assert result["institutions"]["gpsa"]["minutes"] == pytest.approx(HELD["emergency"] / 60, abs=TOLERANCE / 60)
    rates = network.policy.tariffs.rates
    assert result["saving"] == pytest.approx(
        (HELD["own_conference"] + HELD["other_conference"]) / 60 * rates["conference"], abs=2 * TOLERANCE / 60 * rates["conference"] + 0.01
    )
    page = (tmp_path / "reports" / "calls.md").read_text()
    assert "| moa | kongwa-dc | 1 | 0 | 1 | 0.00 |" in page, page
    assert "| moa | conference | 2 | 2 | 0 |" in page and "| gpsa | emergency | 1 | 1 | 0 |" in page, page
    assert (tmp_path / "reports" / "calls.html").is_file() and (tmp_path / "reports" / "calls.svg").is_file()
