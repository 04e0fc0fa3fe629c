"""Call records of call control, from either platform, as one typed record per call.

Each call is recorded once, by the caller's call control (the originating side).

Lab (Kamailio ``acc`` with ``db_flatstore``): lines appended to ``acc_<process>.log`` in the call control's run
folder, fields separated by ``|`` (a ``|`` inside a value is written ``%7C``)::

    method|from_tag|to_tag|call_id|sip_code|sip_reason|time|timestamp|caller|dialled
    INVITE|...|...|1-4626@10.0.9.10|200|OK|1795909542|1795909542.896815|2001|4142001     the call was answered
    BYE|...|...|1-4626@10.0.9.10|200|OK|1795909544|1795909544.902880||                  ... and ended
    INVITE|...|...|1-4756@10.0.9.10|404|Not Found|1795909587|1795909587.593907|2001|4092999    it failed

IOS-XE (``gw-accounting syslog`` of the voice gateway): one ``%VOIPAAA-5-VOIP_CALL_HISTORY`` message per call
leg, the leg the gateway answered (``CallOrigin 2``, PeerAddress the calling number) and the leg it originated
(``CallOrigin 1``, PeerAddress the called number) sharing a ``ConnectionId``.

A record that cannot be read is an error, never skipped: a report that silently left calls out would give
wrong minutes and savings. Every problem of every file is found in one run (file, line, field, value and a hint),
so one run shows every line to repair or cut; nothing else is raised for any text or bytes.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable, Optional
from urllib.parse import unquote

from ..core.problems import GovnetInputError, Problem, show
from ..design.tariffs import Tariffs

LAB_FIELDS = ("method", "from_tag", "to_tag", "call_id", "sip_code", "sip_reason", "time", "timestamp", "caller", "dialled")
ANSWERED = "answered"
# Q.850 disconnect causes of a call that never connected, as the SIP response RFC 3398 maps them to.
Q850_SIP = {
    1: 404,
    3: 404,
    16: 480,
    17: 486,
    18: 408,
    19: 480,
    21: 403,
    22: 410,
    27: 502,
    28: 484,
    31: 480,
    34: 503,
    38: 503,
    41: 503,
    42: 503,
    47: 503,
    127: 500,
}
CISCO_TIME = re.compile(r"^[*.]?(\d{2}:\d{2}:\d{2}\.\d{3}) (\S+) \w{3} (\w{3} {1,2}\d{1,2} \d{4})$", re.ASCII)
CISCO_CDR = re.compile(r"%VOIPAAA-5-VOIP_CALL_HISTORY: (.*)$")
SECONDS = re.compile(r"^[0-9]{1,12}(\.[0-9]{1,9})?$")
SIP_CODE = re.compile(r"^[1-6][0-9]{2}$")
Q850_HEX = re.compile(r"^[0-9A-Fa-f]{1,8}$")
CISCO_FIELDS = ("ConnectionId", "CallOrigin", "PeerAddress", "SetupTime", "DisconnectCause", "DisconnectText")


@dataclass(frozen=True)
class CallRecord:
    """One call: who called whom, between which institutions, when, for how long and how it ended.

    `callee_institution` is an institution slug, or pstn, emergency, conference or unknown. `start` is a UTC
    epoch time: when the call was answered, or when it failed. `duration` is seconds from answer to hang-up
    (0 for a failed call). `result` is "answered" or the SIP code and reason of the failure. `complete` is
    False for an answered call whose end was not (yet) recorded."""

    call_id: str
    device: str
    caller: str
    callee: str
    caller_institution: str
    callee_institution: str
    call_type: str
    start: float
    duration: float
    result: str
    complete: bool = True

    @property
    def answered(self) -> bool:
        return self.result == ANSWERED


@dataclass(frozen=True)
class CallControl:
    """The institution a call control device serves."""

    hostname: str
    institution: str
    code: str


@dataclass(frozen=True)
class Dialling:
    """What the GovNet dial plan says about a dialled number: whose it is and what kind of call it makes."""

    codes: dict[str, str]
    conferences: frozenset[str]
    short_codes: dict[str, bool]
    extension_digits: int
    onnet_digits: int
    access_digit: str
    international_prefixes: tuple[str, ...]
    mobile_prefixes: tuple[str, ...]

    def classify(self, dialled: str, caller: CallControl) -> tuple[str, str, str]:
        """(callee number, callee institution, call type) of a number dialled from `caller`'s phones."""
        if dialled in self.short_codes:
            return dialled, "emergency" if self.short_codes[dialled] else "pstn", "short_code"
        if len(dialled) == self.extension_digits:
            dialled = caller.code + dialled
        if dialled in self.conferences:
            return dialled, "conference", "conference"
        if len(dialled) == self.onnet_digits and _digits(dialled):
            institution = self.codes.get(dialled[: self.onnet_digits - self.extension_digits], "unknown")
            return dialled, institution, "same_institution" if institution == caller.institution else "other_institution"
        if dialled.startswith(self.access_digit) and _digits(dialled[1:]):
            number = dialled[len(self.access_digit) :]
            if number.startswith(self.international_prefixes):
                return dialled, "pstn", "international"
            if number.startswith(self.mobile_prefixes):
                return dialled, "pstn", "national_mobile"
            return dialled, "pstn", "national_fixed"
        return dialled, "unknown", "other_institution"


def _digits(text: str) -> bool:
    """ASCII digits only: str.isdigit() also admits other scripts' digits."""
    return text.isascii() and text.isdigit()


def decode_records(where: str, data: bytes) -> str:
    """The text of a record file, which must be UTF-8; an undecodable byte is named by line and offset."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise GovnetInputError(
            [
                Problem(
                    f"{where} line {line}",
                    "(bytes)",
                    show(data[error.start : error.end]),
                    f"is not UTF-8 (byte {error.start} of the file)",
                    "give the records as the device wrote them; a damaged file can be cut at this line",
                )
            ]
        ) from None


def call_controls(states: dict[str, dict[str, Any]]) -> dict[str, CallControl]:
    """Every call control device of the plan, by hostname."""
    return {
        name: CallControl(name, state["institution"]["slug"], str(state["numbering"]["code"]))
        for name, state in states.items()
        if state["role"] == "call_control"
    }


def dialling(states: dict[str, dict[str, Any]], tariffs: Tariffs) -> Dialling:
    """The dial plan of the planned network, as the call records need it."""
    controls = [state for state in states.values() if state["role"] == "call_control"]
    if not controls:
        raise GovnetInputError([Problem("policy", "(devices)", "(missing)", "the plan has no call control", "call records come from call control devices")])
    routes, numbering = controls[0]["routes"], controls[0]["numbering"]
    return Dialling(
        codes={str(state["numbering"]["code"]): state["institution"]["slug"] for state in controls},
        conferences=frozenset(str(number) for state in controls for number in state["numbering"]["conference_numbers"]),
        short_codes={short["number"]: short["emergency"] for short in routes["short_codes"]},
        extension_digits=numbering["extension_digits"],
        onnet_digits=routes["onnet_digits"],
        access_digit=routes["pstn_access_digit"],
        international_prefixes=tariffs.international_prefixes,
        mobile_prefixes=tariffs.mobile_prefixes,
    )


def _record(
    call_id: str, control: CallControl, plan: Dialling, caller: str, dialled: str, start: float, duration: float, result: str, complete: bool = True
) -> CallRecord:
    callee, institution, call_type = plan.classify(dialled, control)
    full_caller = control.code + caller if len(caller) == plan.extension_digits else caller
    return CallRecord(call_id, control.hostname, full_caller, callee, control.institution, institution, call_type, start, duration, result, complete)


# ---------------------------------------------------------------- lab: Kamailio acc lines


def _lab_problem(where: str, field: str, value: str, message: str, hint: str) -> Problem:
    return Problem(where, field, show(value), message, hint)


def _lab_line_problem(line: str, where: str) -> Optional[Problem]:
    """What is wrong with one acc line, if anything."""
    values = line.split("|")
    if len(values) != len(LAB_FIELDS):
        return _lab_problem(
            where,
            "(line)",
            line,
            f"has {len(values)} field{'' if len(values) == 1 else 's'}, not {len(LAB_FIELDS)}",
            "keep the acc db_extra of kamailio.cfg as rendered (caller, dialled)",
        )
    fields = dict(zip(LAB_FIELDS, values))
    if not SECONDS.match(fields["timestamp"]) or not math.isfinite(float(fields["timestamp"])):
        return _lab_problem(where, "timestamp", fields["timestamp"], "is not a number of seconds", "keep acc time_mode 2 of kamailio.cfg as rendered")
    if fields["method"] == "INVITE" and not SIP_CODE.match(fields["sip_code"]):
        return _lab_problem(where, "sip_code", fields["sip_code"], "is not a SIP response code (100 to 699)", "keep the acc lines as Kamailio writes them")
    return None


def _lab_lines(text: str, where: str, problems: list[Problem]) -> Iterable[dict[str, str]]:
    """The fields of each good acc line; each bad line's problem is added to `problems`."""
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        problem = _lab_line_problem(line, f"{where} line {number}")
        if problem:
            problems.append(problem)
            continue
        yield dict(zip(LAB_FIELDS, (unquote(value) for value in line.split("|"))))


def lab_records(files: Iterable[tuple[str, str]], control: CallControl, plan: Dialling) -> list[CallRecord]:
    """The calls in the Kamailio acc files (name, text) of one call control: an INVITE line is the outcome of a
    call, the BYE line with its call-id its end. A repeated INVITE line (a retransmission refused again) counts once."""
    outcomes: dict[str, dict[str, str]] = {}
    ends: dict[str, float] = {}
    problems: list[Problem] = []
    for name, text in files:
        for fields in _lab_lines(text, f"device {control.hostname} call records {name}", problems):
            if fields["method"] == "INVITE":
                outcomes.setdefault(fields["call_id"], fields)
            elif fields["method"] == "BYE":
                ends.setdefault(fields["call_id"], float(fields["timestamp"]))
    if problems:
        raise GovnetInputError(problems)
    records = []
    for call_id, fields in outcomes.items():
        start = float(fields["timestamp"])
        if fields["sip_code"] == "200":
            end = ends.get(call_id)
            records.append(
                _record(
                    call_id,
                    control,
                    plan,
                    fields["caller"],
                    fields["dialled"],
                    start,
                    max(0.0, end - start) if end is not None else 0.0,
                    ANSWERED,
                    end is not None,
                )
            )
        else:
            records.append(_record(call_id, control, plan, fields["caller"], fields["dialled"], start, 0.0, f"{fields['sip_code']} {fields['sip_reason']}"))
    return records


# ---------------------------------------------------------------- IOS-XE: VOIP_CALL_HISTORY syslog


def _cisco_time(value: str, zones: dict[str, int]) -> Optional[float]:
    """Epoch seconds of a Cisco timestamp ('10:18:03.093 EAT Sat Nov 28 2026'); None when never set (1993).
    A ValueError says what is wrong with it."""
    match = CISCO_TIME.match(value.strip())
    if not match:
        raise ValueError("is not a Cisco time (hh:mm:ss.mmm ZONE Day Mon dd yyyy)", "keep service timestamps as call_control.j2 renders them")
    clock, zone, day = match.groups()
    if zone not in zones:
        raise ValueError("is not a time of a known time zone", f"set the clock to one of {', '.join(sorted(zones))}")
    try:
        moment = datetime.strptime(f"{' '.join(day.split())} {clock}", "%b %d %Y %H:%M:%S.%f")
    except ValueError:
        raise ValueError("is not a date and time of the calendar", "check the gateway's clock (show clock) and the line, which may be damaged") from None
    if moment.year <= 1993:
        return None
    return moment.replace(tzinfo=timezone(timedelta(hours=zones[zone]))).timestamp()


def _leg_time(leg: dict[str, str], key: str, zones: dict[str, int]) -> Optional[float]:
    """The time of field `key` of a call leg; None when the leg has none (never connected)."""
    if not leg.get(key):
        return None
    try:
        return _cisco_time(leg[key], zones)
    except ValueError as error:
        message, hint = error.args
        raise GovnetInputError([Problem(leg["where"], key, show(leg[key]), message, hint)]) from None


def _cisco_leg_problem(leg: dict[str, str], where: str) -> Optional[Problem]:
    """What is wrong with one VOIP_CALL_HISTORY message, if anything."""
    missing = [key for key in CISCO_FIELDS if key not in leg]
    if missing:
        hint = "configure gw-accounting syslog as call_control.j2 renders it"
        return Problem(where, missing[0], "(missing)", "is not in the VOIP_CALL_HISTORY message", hint)
    cause = leg["DisconnectCause"]
    if cause and not Q850_HEX.match(cause):
        hint = "keep the VOIP_CALL_HISTORY messages as the gateway writes them"
        return Problem(where, "DisconnectCause", show(cause), "is not a Q.850 cause in hexadecimal", hint)
    return None


def _cisco_legs(text: str, where: str, problems: list[Problem]) -> Iterable[tuple[int, dict[str, str]]]:
    """Each good call leg with its line number; each bad message's problem is added to `problems`."""
    for number, line in enumerate(text.split("\n"), start=1):
        match = CISCO_CDR.search(line.removesuffix("\r"))
        if match:
            pairs = (item.strip().split(" ", 1) for item in match.group(1).split(", "))
            leg = {pair[0]: (pair[1].strip() if len(pair) > 1 else "") for pair in pairs}
            problem = _cisco_leg_problem(leg, f"{where} line {number}")
            if problem:
                problems.append(problem)
                continue
            yield number, leg


def ios_xe_records(files: Iterable[tuple[str, str]], control: CallControl, plan: Dialling, zones: dict[str, int]) -> list[CallRecord]:
    """The calls in the VOIP_CALL_HISTORY messages of the files (name, text) of one IOS-XE voice gateway; `zones`
    maps the clock's time zone names to hours from UTC (e.g. {'EAT': 3, 'UTC': 0})."""
    legs: dict[str, dict[str, dict[str, str]]] = {}
    problems: list[Problem] = []
    for name, text in files:
        where = f"device {control.hostname} call records {name}"
        for number, leg in _cisco_legs(text, where, problems):
            legs.setdefault(leg["ConnectionId"], {}).setdefault(leg["CallOrigin"], leg | {"where": f"{where} line {number}"})
    records = []
    for call_id, pair in legs.items():
        if "1" not in pair or "2" not in pair:
            continue  # a leg the gateway has not reported yet
        out, into = pair["1"], pair["2"]
        try:
            setup, connect, disconnect = (_leg_time(out, key, zones) for key in ("SetupTime", "ConnectTime", "DisconnectTime"))
        except GovnetInputError as error:
            problems += error.problems
            continue
        if connect is not None and disconnect is not None:
            records.append(_record(call_id, control, plan, into["PeerAddress"], out["PeerAddress"], connect, max(0.0, disconnect - connect), ANSWERED))
            continue
        cause = int(out["DisconnectCause"] or "0", 16)
        result = f"{Q850_SIP.get(cause, 500)} {out['DisconnectText']}"
        records.append(_record(call_id, control, plan, into["PeerAddress"], out["PeerAddress"], disconnect or setup or 0.0, 0.0, result))
    if problems:
        raise GovnetInputError(problems)
    return records


# ---------------------------------------------------------------- every call control of a plan


def collect(states: dict[str, dict[str, Any]], tariffs: Tariffs, sources: dict[str, list[tuple[str, str]]]) -> list[CallRecord]:
    """The calls of every call control in `sources` (hostname -> its record files as (name, text)), each parsed
    by the format of its platform."""
    controls, plan = call_controls(states), dialling(states, tariffs)
    zones = {zone["name"]: zone["hours"] for zone in (states[name]["management"]["timezone"] for name in controls)} | {"UTC": 0}
    records: list[CallRecord] = []
    problems: list[Problem] = []
    for hostname in sorted(sources):
        if hostname not in controls:
            hint = "give the records of call_control hosts only"
            problems.append(Problem(f"device {hostname}", "(records)", show(hostname), "is not a call control device of the plan", hint))
            continue
        try:
            if states[hostname]["platform"] == "lab":
                records += lab_records(sources[hostname], controls[hostname], plan)
            else:
                records += ios_xe_records(sources[hostname], controls[hostname], plan, zones)
        except GovnetInputError as error:
            problems += error.problems
    if problems:
        raise GovnetInputError(problems)
    return records
