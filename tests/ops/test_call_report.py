"""The call report: totals that add up, the saving at the tariff's rates, the rendered pages (golden files) and
the tariff policy's error texts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.pipeline import plan
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.ops.call_records import CallRecord
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.ops.call_report import make_report, render, summarise
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.core.problems import GovnetInputError
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design.tariffs import CALL_TYPES, ONNET_TYPES, Tariffs

from conftest import GOLDEN, ROOT, SMALL, check_golden, default_policy, small_institutions

TARIFFS = Tariffs("TZS", True, ("000",), ("06", "07"), {name: float(rate) for name, rate in zip(CALL_TYPES, (0, 30, 30, 30, 40, 600, 0))})
INSTITUTIONS = ("mof", "tba", "kongwa-dc")
CALLEES = INSTITUTIONS + ("pstn", "emergency", "conference", "unknown")
FAILURES = ("404 Not Found", "480 Temporarily Unavailable", "503 Service Unavailable")


def record(index: int, caller: str, callee: str, call_type: str, seconds: float, result: str = "answered") -> CallRecord:
    answered = result == "answered"
    return CallRecord(
        f"c{index}", f"{caller}-cc1", "4082001", "4482001", caller, callee, call_type, 1795909542.0 + 60 * index, seconds if answered else 0.0, result
    )


records_strategy = st.lists(
    st.tuples(
        st.sampled_from(INSTITUTIONS),
        st.sampled_from(CALLEES),
        st.sampled_from(CALL_TYPES),
        st.floats(min_value=0, max_value=3600, allow_nan=False),
        st.sampled_from(("answered",) + FAILURES),
    ),
    max_size=40,
).map(lambda rows: [record(index, *row) for index, row in enumerate(rows)])


@given(records_strategy)
def test_institutions_and_pairs_add_up_to_the_grand_total(records: list[CallRecord]) -> None:
    report = summarise(records, TARIFFS, 3)
    for tallies in (report.institutions.values(), report.pairs.values()):
        assert sum(t.calls for t in tallies) == report.total.calls == len(records)
        assert sum(t.answered for t in tallies) == report.total.answered
        assert sum(t.seconds for t in tallies) == pytest.approx(report.total.seconds)
    assert sum(report.failures.values()) == report.total.failed
    assert report.total.seconds == pytest.approx(sum(r.duration for r in records))


@given(records_strategy)
def test_saving_is_onnet_minutes_times_rate_and_spend_the_rest(records: list[CallRecord]) -> None:
    report = summarise(records, TARIFFS, 3)
    answered = [r for r in records if r.answered]
    assert report.saving == pytest.approx(sum(r.duration / 60 * TARIFFS.rates[r.call_type] for r in answered if r.call_type in ONNET_TYPES))
    assert report.spend == pytest.approx(sum(r.duration / 60 * TARIFFS.rates[r.call_type] for r in answered if r.call_type not in ONNET_TYPES))
    assert sum(line.calls for line in report.types) == len(answered)


def fixed_records() -> list[CallRecord]:
    return [
        record(0, "mof", "tba", "other_institution", 125.0),
        record(1, "mof", "tba", "other_institution", 65.5),
        record(2, "mof", "mof", "same_institution", 30.0),
        record(3, "tba", "conference", "conference", 600.0),
        record(4, "tba", "pstn", "national_mobile", 90.0),
        record(5, "kongwa-dc", "unknown", "other_institution", 0.0, "404 Not Found"),
        record(6, "kongwa-dc", "mof", "other_institution", 0.0, "480 Temporarily Unavailable"),
        record(7, "kongwa-dc", "emergency", "short_code", 45.0),
        record(8, "mof", "pstn", "international", 0.0, "403 Forbidden: Class Of Service"),
        record(9, "tba", "kongwa-dc", "other_institution", 0.0, "404 Not Found"),
    ]


@pytest.mark.golden
@pytest.mark.parametrize("name", ["calls.md", "calls.html", "calls.svg"])
def test_the_report_of_a_fixed_set_of_calls(name: str) -> None:
    check_golden(GOLDEN / "report" / name, render(summarise(fixed_records(), TARIFFS, 3))[name])


def test_html_escapes_what_the_records_say() -> None:
    page = render(summarise([record(0, "mof", "tba", "other_institution", 0.0, "500 <script>")], TARIFFS, 1))["calls.html"]
    assert "<script>" not in page and "500 &lt;script&gt;" in page


def test_make_report_writes_once_and_then_changes_nothing(tmp_path: Path) -> None:
    cdr = (ROOT / "tests" / "ops" / "test_call_records.py").read_text().split('CISCO = """\\\n', 1)[1].split('"""', 1)[0]
    (tmp_path / "cdr.log").write_text(cdr)
    records = {"mof-cc1": [str(tmp_path / "*.log")], "tba-cc1": [str(tmp_path / "none-*.log")]}
    first = make_report(SMALL, tmp_path / "reports", records)
    assert (first.changed, first.report.total.calls, first.report.total.answered, first.report.devices) == (True, 2, 1, 2)
    assert (tmp_path / "reports" / "calls.md").read_text() == first.files["calls.md"]
    assert not make_report(SMALL, tmp_path / "reports", records).changed
    assert make_report(SMALL, tmp_path / "reports", records, since=first.report.last + 1).report.total.calls == 0


@pytest.mark.golden
def test_tariff_errors_name_field_value_and_hint(registry_factory) -> None:
    texts = []
    for tariffs in (
        {"currency": "TZS", "illustrative": "yes", "international_prefixes": ["000"], "mobile_prefixes": [7], "rates": {}},
        {
            "currency": "TZS",
            "illustrative": True,
            "international_prefixes": ["000"],
            "mobile_prefixes": ["07"],
            "rates": dict(default_policy()["govnet_tariffs"]["rates"], conference=-1, roaming=5),
        },
    ):
        policy = {"govnet_tariffs": tariffs}
        with pytest.raises(GovnetInputError) as caught:
            plan(registry_factory(small_institutions(), policy))
        texts.append(caught.value.report())
    check_golden(GOLDEN / "report" / "tariff_errors.txt", "\n".join(texts) + "\n")


# ---------------------------------------------------------------- the entry point: no bare exception text
BAD_LEG = (
    "x: %VOIPAAA-5-VOIP_CALL_HISTORY: CallLegType 3, ConnectionId 1, CallOrigin 1, PeerAddress 4482001, "
    "SetupTime 10:17:58.601 EAT Sat Feb 30 2026, DisconnectCause zz, DisconnectText x"
)


@pytest.mark.golden
def test_every_bad_record_file_of_a_report_is_named_in_one_run(tmp_path: Path) -> None:
    (tmp_path / "mof.log").write_text(BAD_LEG + "\n")
    (tmp_path / "tba.log").write_bytes(b"ok\n\xe2\x82")
    records = {"mof-cc1": [str(tmp_path / "mof.log")], "tba-cc1": [str(tmp_path / "tba.log")], "mof-r1": [str(tmp_path / "none-*.log")]}
    with pytest.raises(GovnetInputError) as caught:
        make_report(SMALL, tmp_path / "out", records)
    check_golden(GOLDEN / "errors" / "report_records.txt", caught.value.report() + "\n")
    assert not (tmp_path / "out").exists()


@pytest.mark.golden
def test_a_period_that_is_not_a_time_is_named_with_what_it_may_be() -> None:
    from ansible_collections.ega.govnet.plugins.action.report import _epoch  # pylint: disable=import-outside-toplevel

    messages = []
    for value in ("yesterday", "nan", "inf", "1e999", "2026-02-30T00:00:00+03:00", ["1"]):
        with pytest.raises(ValueError) as caught:
            _epoch("period_start", value)
        messages.append(str(caught.value))
    assert _epoch("period_end", "2026-11-28T10:00:00+03:00") == 1795849200.0 and _epoch("period_end", "") is None
    check_golden(GOLDEN / "errors" / "report_period.txt", "\n".join(messages) + "\n")


def test_the_report_playbook_fails_with_the_problems_and_no_traceback(tmp_path: Path) -> None:
    (tmp_path / "cdr.log").write_text(BAD_LEG + "\n")
    run = subprocess.run(
        [
            str(Path(sys.executable).parent / "ansible-playbook"),
            "-i",
            str(SMALL),
            "playbooks/report.yml",
            "-e",
            f"govnet_build_dir={tmp_path / 'build'}",
            "-e",
            json.dumps({"govnet_report_records": {"mof-cc1": [str(tmp_path / "cdr.log")]}}),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "ANSIBLE_FORCE_COLOR": "0"},
    )
    assert run.returncode != 0
    assert "device mof-cc1 call records cdr.log line 1, field 'DisconnectCause', value 'zz'" in run.stdout
    assert "Traceback" not in run.stdout + run.stderr and "Unexpected" not in run.stdout + run.stderr
