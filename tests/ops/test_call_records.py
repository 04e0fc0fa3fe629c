"""Call records of both platforms parsed into one typed record: who called whom, between which institutions,
when, for how long and how the call ended."""

from __future__ import annotations

import functools
from typing import Any, Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.pipeline import Network, plan
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.ops.call_records import (
    CallControl,
    Dialling,
    call_controls,
    collect,
    decode_records,
    dialling,
    ios_xe_records,
    lab_records,
)
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.ops.call_report import read_sources
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.core.problems import GovnetInputError

from conftest import GOLDEN, SMALL, check_golden

T0 = 1795909542.5  # 2026-11-28 23:45:42.5 UTC


small_network = functools.cache(lambda: plan(SMALL))


@pytest.fixture(scope="module")
def network() -> Network:
    return small_network()


@pytest.fixture(scope="module")
def mof(network: Network) -> CallControl:
    return call_controls(network.states)["mof-cc1"]


@pytest.fixture(scope="module")
def numbers(network: Network) -> Dialling:
    return dialling(network.states, network.policy.tariffs)


def invite(call_id: str, when: float, dialled: str, code: str = "200", reason: str = "OK", caller: str = "2001") -> str:
    return f"INVITE|ft|tt|{call_id}|{code}|{reason}|{int(when)}|{when:.6f}|{caller}|{dialled}"


def bye(call_id: str, when: float) -> str:
    return f"BYE|ft|tt|{call_id}|200|OK|{int(when)}|{when:.6f}||"


@pytest.mark.parametrize(
    ("dialled", "callee", "institution", "call_type"),
    [
        ("2002", "4082002", "mof", "same_institution"),
        ("4082002", "4082002", "mof", "same_institution"),
        ("4482001", "4482001", "tba", "other_institution"),
        ("3900", "4083900", "conference", "conference"),
        ("5013901", "5013901", "conference", "conference"),
        ("4992001", "4992001", "unknown", "other_institution"),
        ("90754123456", "90754123456", "pstn", "national_mobile"),
        ("90222123456", "90222123456", "pstn", "national_fixed"),
        ("9000441234567", "9000441234567", "pstn", "international"),
        ("112", "112", "emergency", "short_code"),
        ("116", "116", "pstn", "short_code"),
    ],
)
def test_a_dialled_number_names_the_callee_and_the_call_type(
    numbers: Dialling, mof: CallControl, dialled: str, callee: str, institution: str, call_type: str
) -> None:
    assert numbers.classify(dialled, mof) == (callee, institution, call_type)


def test_lab_records_pair_an_answered_invite_with_its_bye(numbers: Dialling, mof: CallControl) -> None:
    text = "\n".join([invite("a", T0, "4482001"), invite("b", T0 + 1, "4082999", "404", "Not Found"), bye("a", T0 + 3.25)])
    answered, failed = sorted(lab_records([("acc_1.log", text)], mof, numbers), key=lambda r: r.call_id)
    assert (answered.caller, answered.callee, answered.caller_institution, answered.callee_institution) == ("4082001", "4482001", "mof", "tba")
    assert (answered.result, answered.start, answered.duration, answered.complete) == ("answered", T0, pytest.approx(3.25), True)
    assert (failed.result, failed.duration, failed.callee_institution) == ("404 Not Found", 0.0, "mof")


def test_a_refused_invite_seen_twice_counts_once_and_an_unended_call_is_open(numbers: Dialling, mof: CallControl) -> None:
    text = "\n".join([invite("r", T0, "4082999", "404", "Not Found"), invite("r", T0 + 0.5, "4082999", "404", "Not Found"), invite("o", T0 + 1, "2002")])
    records = {record.call_id: record for record in lab_records([("acc_1.log", text)], mof, numbers)}
    assert len(records) == 2
    assert (records["o"].answered, records["o"].complete, records["o"].duration) == (True, False, 0.0)


def test_records_spread_over_several_files_are_one_set(numbers: Dialling, mof: CallControl) -> None:
    records = lab_records([("acc_1.log", invite("a", T0, "2002")), ("acc_2.log", bye("a", T0 + 60))], mof, numbers)
    assert [(record.call_id, record.duration) for record in records] == [("a", pytest.approx(60.0))]


@given(st.lists(st.floats(min_value=0, max_value=7200, allow_nan=False), min_size=1, max_size=20))
def test_each_duration_is_the_time_from_answer_to_bye(durations: list[float]) -> None:
    network = small_network()
    control, numbers = call_controls(network.states)["mof-cc1"], dialling(network.states, network.policy.tariffs)
    lines = [line for index, seconds in enumerate(durations) for line in (invite(f"c{index}", T0 + index, "2002"), bye(f"c{index}", T0 + index + seconds))]
    records = sorted(lab_records([("acc_1.log", "\n".join(lines))], control, numbers), key=lambda r: int(r.call_id[1:]))
    assert [record.duration for record in records] == [pytest.approx(seconds, abs=2e-6) for seconds in durations]


CISCO = """\
Nov 28 10:18:07.141 EAT: %VOIPAAA-5-VOIP_CALL_HISTORY: CallLegType 3, ConnectionId 4D1E2A3A 11DA11B2 800FD9C4 7F5B8A5F, SetupTime 10:17:58.583 EAT Sat Nov 28 2026, PeerAddress 2001, PeerSubAddress , DisconnectCause 10  , DisconnectText normal call clearing (16), ConnectTime 10:18:03.093 EAT Sat Nov 28 2026, DisconnectTime 10:18:07.141 EAT Sat Nov 28 2026, CallOrigin 2, ChargedUnits 0, InfoType 2, TransmitPackets 233, TransmitBytes 37280, ReceivePackets 231, ReceiveBytes 36960
Nov 28 10:18:07.142 EAT: %VOIPAAA-5-VOIP_CALL_HISTORY: CallLegType 3, ConnectionId 4D1E2A3A 11DA11B2 800FD9C4 7F5B8A5F, SetupTime 10:17:58.601 EAT Sat Nov 28 2026, PeerAddress 4482001, PeerSubAddress , DisconnectCause 10  , DisconnectText normal call clearing (16), ConnectTime 10:18:03.093 EAT Sat Nov 28 2026, DisconnectTime 10:18:07.141 EAT Sat Nov 28 2026, CallOrigin 1, ChargedUnits 0, InfoType 2, TransmitPackets 231, TransmitBytes 36960, ReceivePackets 233, ReceiveBytes 37280
Nov 28 10:19:00.010 EAT: %VOIPAAA-5-VOIP_CALL_HISTORY: CallLegType 3, ConnectionId 5E000000 11DA11B2 800FD9C4 7F5B8A5F, SetupTime 10:19:00.001 EAT Sat Nov 28 2026, PeerAddress 2001, PeerSubAddress , DisconnectCause 1  , DisconnectText unassigned number (1), ConnectTime *00:00:00.000 UTC Mon Jan 1 1993, DisconnectTime 10:19:00.010 EAT Sat Nov 28 2026, CallOrigin 2, ChargedUnits 0, InfoType 2, TransmitPackets 0, TransmitBytes 0, ReceivePackets 0, ReceiveBytes 0
Nov 28 10:19:00.011 EAT: %VOIPAAA-5-VOIP_CALL_HISTORY: CallLegType 3, ConnectionId 5E000000 11DA11B2 800FD9C4 7F5B8A5F, SetupTime 10:19:00.002 EAT Sat Nov 28 2026, PeerAddress 4992001, PeerSubAddress , DisconnectCause 1  , DisconnectText unassigned number (1), ConnectTime *00:00:00.000 UTC Mon Jan 1 1993, DisconnectTime 10:19:00.010 EAT Sat Nov 28 2026, CallOrigin 1, ChargedUnits 0, InfoType 2, TransmitPackets 0, TransmitBytes 0, ReceivePackets 0, ReceiveBytes 0
"""


def test_ios_xe_call_history_legs_make_one_record_per_call(numbers: Dialling, mof: CallControl) -> None:
    answered, failed = sorted(ios_xe_records([("cdr.log", CISCO)], mof, numbers, {"EAT": 3, "UTC": 0}), key=lambda r: r.call_id)
    assert (answered.caller, answered.callee, answered.callee_institution, answered.result) == ("4082001", "4482001", "tba", "answered")
    assert answered.duration == pytest.approx(4.048)
    assert answered.start == pytest.approx(1795850283.093)  # 10:18:03.093 EAT = 07:18:03.093 UTC
    assert (failed.result, failed.duration, failed.callee_institution) == ("404 unassigned number (1)", 0.0, "unknown")


def test_collect_reads_each_call_control_by_its_platform(network: Network) -> None:
    records = collect(network.states, network.policy.tariffs, {"mof-cc1": [("cdr.log", CISCO)]})
    assert sorted(record.result for record in records) == ["404 unassigned number (1)", "answered"]


def problems_of(call: Callable[..., Any], *args: Any) -> str:
    with pytest.raises(GovnetInputError) as caught:
        call(*args)
    return caught.value.report()


@pytest.mark.golden
def test_record_errors_name_device_line_field_value_and_hint(network: Network, numbers: Dialling, mof: CallControl) -> None:
    texts = [
        problems_of(lab_records, [("acc_1.log", invite("a", T0, "2002")), ("acc_2.log", "INVITE|a|b|c")], mof, numbers),
        problems_of(lab_records, [("acc_1.log", invite("a", T0, "2002").replace(f"{T0:.6f}", "soon"))], mof, numbers),
        problems_of(
            ios_xe_records,
            [("cdr.log", CISCO.replace("EAT Sat Nov 28 2026, PeerAddress 4482001", "CAT Sat Nov 28 2026, PeerAddress 4482001"))],
            mof,
            numbers,
            {"EAT": 3, "UTC": 0},
        ),
        problems_of(ios_xe_records, [("cdr.log", "x: %VOIPAAA-5-VOIP_CALL_HISTORY: CallLegType 3, ConnectionId 1")], mof, numbers, {"EAT": 3}),
        problems_of(collect, network.states, network.policy.tariffs, {"mof-r1": []}),
    ]
    check_golden(GOLDEN / "report" / "record_errors.txt", "\n".join(texts) + "\n")


ZONES = {"EAT": 3, "UTC": 0}
ANSWERED_LEG = CISCO.splitlines()[1]


def ios_xe_problems(line: str, numbers: Dialling, mof: CallControl) -> str:
    """The problems of a file holding the first leg of CISCO and `line` as the second."""
    return problems_of(ios_xe_records, [("cdr.log", CISCO.splitlines()[0] + "\n" + line + "\n")], mof, numbers, ZONES)


@pytest.mark.golden
@pytest.mark.parametrize(
    ("case", "records"),
    [
        ("records_nan", [("acc_1.log", invite("a", T0, "2002").replace(f"{T0:.6f}", "nan"))]),
        ("records_truncated", [("acc_1.log", invite("a", T0, "2002") + "\n" + invite("b", T0, "2002")[:30])]),
        ("records_sip_code", [("acc_1.log", invite("a", T0, "2002", code="2OO"))]),
        (
            "records_every_line",
            [("acc_1.log", "\n".join(("INVITE|x", invite("a", T0, "2002", code="9"), bye("a", T0).replace(f"{T0:.6f}", "inf")))), ("acc_2.log", "BYE")],
        ),
    ],
)
def test_a_bad_lab_record_names_file_line_field_value_and_hint(case: str, records: list[tuple[str, str]], numbers: Dialling, mof: CallControl) -> None:
    check_golden(GOLDEN / "errors" / f"{case}.txt", problems_of(lab_records, records, mof, numbers) + "\n")


@pytest.mark.golden
@pytest.mark.parametrize(
    ("case", "old", "new"),
    [
        ("records_bad_hex", "DisconnectCause 10  ", "DisconnectCause -1x"),
        ("records_feb30", "10:18:03.093 EAT Sat Nov 28 2026", "10:18:03.093 EAT Sat Feb 30 2026"),
        ("records_unknown_zone", "SetupTime 10:17:58.601 EAT", "SetupTime 10:17:58.601 XYZ"),
        ("records_not_a_time", "DisconnectTime 10:18:07.141 EAT Sat Nov 28 2026", "DisconnectTime soon"),
        ("records_missing_field", ", PeerAddress 4482001", ""),
    ],
)
def test_a_bad_ios_xe_record_names_file_line_field_value_and_hint(case: str, old: str, new: str, numbers: Dialling, mof: CallControl) -> None:
    assert old in ANSWERED_LEG
    check_golden(GOLDEN / "errors" / f"{case}.txt", ios_xe_problems(ANSWERED_LEG.replace(old, new), numbers, mof) + "\n")


@pytest.mark.golden
def test_undecodable_bytes_are_named_by_file_line_and_offset(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "acc_1.log").write_bytes(invite("a", T0, "2002").encode() + b"\nINVITE|\xff\xfe|")
    (tmp_path / "acc_2.log").write_bytes(b"\xc3")
    files, problems = read_sources({"mof-cc1": [str(tmp_path / "acc_*.log")]})
    assert files == {"mof-cc1": []}
    check_golden(GOLDEN / "errors" / "records_undecodable.txt", GovnetInputError(problems).report() + "\n")


LAB_PIECES = st.sampled_from(["INVITE", "BYE", "|", "%7C", "%", "200", "nan", "-1", "1e999", "\r", "\n", "\u2028", "\x00", "2002", "9", " "])
CISCO_PIECES = st.sampled_from([ANSWERED_LEG, ", ", "DisconnectCause ", "-1", "nan", "CallOrigin 1", "CallOrigin 2", "EAT", "Feb 30", "\n", "\r", " "])


@settings(max_examples=300, deadline=None)
@given(
    data=st.one_of(
        st.binary(max_size=400),
        st.lists(LAB_PIECES, max_size=40).map(lambda pieces: "".join(pieces).encode()),
        st.lists(CISCO_PIECES, max_size=12).map(lambda pieces: "".join(pieces).encode()),
    )
)
def test_any_bytes_as_a_records_file_give_records_or_the_projects_error(data: bytes) -> None:
    network = small_network()
    control, numbers = call_controls(network.states)["mof-cc1"], dialling(network.states, network.policy.tariffs)
    for read in (
        lambda text: lab_records([("acc_1.log", text)], control, numbers),
        lambda text: collect(network.states, network.policy.tariffs, {"mof-cc1": [("cdr.log", text)]}),
    ):
        try:
            read(decode_records("device mof-cc1 call records x.log", data))
        except GovnetInputError as error:
            assert error.problems and all(problem.where.startswith("device mof-cc1 call records") for problem in error.problems)
