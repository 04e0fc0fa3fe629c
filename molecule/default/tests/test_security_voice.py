"""Attacks on GovNet voice in the lab, each of which must fail, with proof that it was really tried: sipp's own
message trace shows the request it sent and the 401/403 it got back, and the Kamailio that refused it logged the
refusal. Then the allowed counterpart succeeds, so a test cannot pass by the lab being simply broken.

- an unauthenticated REGISTER, and one answering the digest challenge with a wrong password: 401;
- an INVITE to the GovNet SIP core from an address that is not GovNet call control: 403;
- institution A claiming a calling number of institution B, from A's phone (A's call control refuses) and from
  A's call control itself (the SIP core refuses): 403;
- an international call from an institution whose class of service is national: 403; a national call from it
  reaches the PSTN gateway.
"""

from __future__ import annotations

import ipaddress
import re
import subprocess
from pathlib import Path

from conftest import SCENARIOS, wait_until
from labvault import credentials

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.pipeline import Network
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.lab import net as labnet

RUN = Path("/run/govnet-lab")
TIMEOUT = 15  # seconds sipp may wait for an answer before the attempt counts as failed
INTERNATIONAL = "441234567"  # a number abroad, dialled after the access digit and the international prefix
NATIONAL = "222123456"  # a Dar es Salaam number, dialled after the access digit and the national prefix


class Log:
    """A Kamailio log; `new()` is what it gained since this object was made."""

    def __init__(self, path: Path) -> None:
        assert path.is_file(), f"no Kamailio log at {path}"
        self.path = path
        self.start = path.stat().st_size

    def new(self) -> str:
        with self.path.open(encoding="utf-8", errors="replace") as handle:
            handle.seek(self.start)
            return handle.read()

    def shows(self, pattern: str) -> str:
        """Wait (bounded) for a line matching pattern among the new lines; return it."""
        found = wait_until(f"{pattern!r} in {self.path}", lambda: re.search(pattern, self.new()), 10)
        return found.group(0)


def call_control_log(hostname: str) -> Log:
    return Log(RUN / labnet.netns(hostname) / "kamailio.log")


def sip_core_log(hub: str) -> Log:
    return Log(RUN / f"{labnet.netns(hub)}-svc" / "sip-core.pid.log")


def sipp(netns: str, local: str, remote: str, scenario: str, trace: Path, *args: str) -> tuple[int, str]:
    """Run one sipp attempt from (netns, local address) to remote; return its exit code and its message trace."""
    command = ["ip", "netns", "exec", netns, "timeout", str(TIMEOUT + 10), "sipp", f"{remote}:5060", "-sf", str(SCENARIOS / scenario),
               "-i", local, "-p", "5071", "-m", "1", "-nostdin", "-timeout", str(TIMEOUT), "-timeout_error",
               "-trace_msg", "-message_file", str(trace), *args]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT + 20, check=False)
    return done.returncode, (trace.read_text(errors="replace") if trace.exists() else "") + done.stdout + done.stderr


def sent_and_answered(trace: str, method: str, code: int) -> None:
    """The trace shows the request sent and the final answer received."""
    assert re.search(rf"message sent[^\n]*\n+{method} sip:", trace), f"sipp did not send the {method}:\n{trace}"
    assert re.search(rf"message received[^\n]*\n+SIP/2\.0 {code} ", trace), f"no {code} came back:\n{trace}"


class Phone:
    """Phone 1 of an institution: namespace gn-<slug>-ph1, voice subnet host 10, the first extension."""

    def __init__(self, network: Network, slug: str) -> None:
        cc = network.states[f"{slug}-cc1"]
        self.hostname = f"{slug}-cc1"
        self.netns = f"gn-{slug}-ph1"
        self.address = str(ipaddress.ip_network(cc["phones_subnet"]).network_address + 10)
        self.extension = str(cc["numbering"]["first_extension"])
        self.numbering = cc["numbering"]
        self.routes = cc["routes"]
        self.realm = cc["sip"]["realm"]
        self.call_control = cc["address"].split("/")[0]

    def attempt(self, scenario: str, trace: Path, caller: str | None = None, number: str = "", *args: str) -> tuple[int, str]:
        keys = ["-key", "ext", self.extension, "-key", "contact_port", "5071", "-key", "caller", caller or self.extension]
        return sipp(self.netns, self.address, self.call_control, scenario, trace, *keys, *(["-s", number] if number else []), *args)


def test_register_without_valid_credentials_is_challenged(network: Network, tmp_path: Path) -> None:
    phone = Phone(network, "moa")
    log = call_control_log(phone.hostname)
    user, password = credentials(phone.realm, phone.extension)

    rc, trace = phone.attempt("register_unauthenticated.xml", tmp_path / "unauthenticated.log")
    assert rc == 0, f"an unauthenticated REGISTER was not refused with 401:\n{trace}"
    sent_and_answered(trace, "REGISTER", 401)
    assert "WWW-Authenticate: Digest" in trace and f'realm="{phone.realm}"' in trace
    log.shows(rf"challenged REGISTER of {phone.extension} from {re.escape(phone.address)}: no valid credentials, code -5 \(401\)")

    rc, trace = phone.attempt("register_wrong_password.xml", tmp_path / "wrong.log", None, "", "-au", user, "-ap", password[::-1])
    assert rc == 0, f"a REGISTER with a wrong password was not refused with 401:\n{trace}"
    assert "Authorization: Digest" in trace, f"sipp did not answer the challenge:\n{trace}"
    log.shows(rf"challenged REGISTER of {phone.extension} from {re.escape(phone.address)}: no valid credentials, code -2 \(401\)")

    rc, trace = phone.attempt("register.xml", tmp_path / "right.log", None, "", "-au", user, "-ap", password)
    assert rc == 0, f"the phone's own credentials were refused:\n{trace}"
    sent_and_answered(trace, "REGISTER", 200)


def test_sip_core_refuses_an_invite_from_an_unknown_address(network: Network, tmp_path: Path) -> None:
    hub = network.states["core-dodoma"]
    core = hub["sip_core"]["address"]
    stranger = next(service["address"].split("/")[0] for service in hub["services"] if service["role"] == "conference")
    callee = str(network.states["kongwa-dc-cc1"]["numbering"]["first_number"])
    caller = str(network.states["moa-cc1"]["numbering"]["first_number"])
    log = sip_core_log("core-dodoma")
    keys = ["-key", "caller", caller, "-s", callee]

    rc, trace = sipp(f"{labnet.netns('core-dodoma')}-svc", stranger, core, "forbidden.xml", tmp_path / "stranger.log", *keys)
    assert rc == 0, f"the SIP core did not refuse an INVITE from {stranger} with 403:\n{trace}"
    sent_and_answered(trace, "INVITE", 403)
    log.shows(rf"rejected INVITE from {re.escape(stranger)}: not a GovNet call control \(403\)")


def test_a_calling_number_of_another_institution_is_refused(network: Network, tmp_path: Path) -> None:
    phone = Phone(network, "moa")
    other = str(network.states["gpsa-cc1"]["numbering"]["first_number"])
    callee = str(network.states["kongwa-dc-cc1"]["numbering"]["first_number"])
    code = phone.numbering["code"]

    # From moa's phone, through moa's call control.
    log = call_control_log(phone.hostname)
    rc, trace = phone.attempt("forbidden.xml", tmp_path / "phone.log", other, callee)
    assert rc == 0, f"moa's call control did not refuse calling number {other} with 403:\n{trace}"
    sent_and_answered(trace, "INVITE", 403)
    assert f"From: <sip:{other}@" in trace
    log.shows(rf"rejected INVITE from {re.escape(phone.address)}: calling number {other} is not of code {code} \(403\)")

    # From moa's call control address straight to the SIP core.
    hub = network.states["core-dodoma"]
    core = hub["sip_core"]["address"]
    log = sip_core_log("core-dodoma")
    rc, trace = sipp(labnet.netns(phone.hostname), phone.call_control, core, "forbidden.xml", tmp_path / "cc.log", "-key", "caller", other, "-s", callee)
    assert rc == 0, f"the SIP core did not refuse calling number {other} from moa's call control with 403:\n{trace}"
    sent_and_answered(trace, "INVITE", 403)
    log.shows(rf"rejected INVITE from {re.escape(phone.call_control)}: calling number {other} is not of code {code} \(403\)")

    # moa's own number from moa's phone goes through (the check refuses only what it should).
    rc, trace = phone.attempt("call.xml", tmp_path / "own.log", None, str(phone.numbering["conference_numbers"][0]))
    assert rc == 0, f"moa's own calling number was refused:\n{trace}"


def test_pstn_breakout_follows_the_class_of_service(network: Network, tmp_path: Path) -> None:
    council, ministry = Phone(network, "kongwa-dc"), Phone(network, "moa")
    assert (council.routes["class_of_service"], ministry.routes["class_of_service"]) == ("national", "international")
    access = council.routes["pstn_access_digit"]
    abroad = f"{access}{council.routes['international_prefix']}{INTERNATIONAL}"
    national = f"{access}{council.routes['national_prefix']}{NATIONAL}"

    log = call_control_log(council.hostname)
    rc, trace = council.attempt("forbidden.xml", tmp_path / "abroad.log", None, abroad)
    assert rc == 0, f"kongwa-dc (class national) was not refused an international call with 403:\n{trace}"
    sent_and_answered(trace, "INVITE", 403)
    log.shows(rf"rejected INVITE from {re.escape(council.address)} to {abroad}: above class of service national \(403\)")

    rc, trace = council.attempt("call.xml", tmp_path / "national.log", None, national)
    assert rc == 0, f"kongwa-dc's national call was not answered:\n{trace}"
    log.shows(rf"INVITE from {re.escape(council.address)} to {national}: pstn")

    log = call_control_log(ministry.hostname)
    rc, trace = ministry.attempt("call.xml", tmp_path / "ministry.log", None, abroad)
    assert rc == 0, f"moa (class international) could not call abroad:\n{trace}"
    log.shows(rf"INVITE from {re.escape(ministry.address)} to {abroad}: pstn")
