"""Verify voice in the lab with real SIP calls (sipp phones in the phones' namespaces): each test places a call
through the institution's call control and, between institutions, the GovNet SIP core at the hubs."""

from __future__ import annotations

import ipaddress
import subprocess
from pathlib import Path

import pytest

from conftest import SCENARIOS
from labvault import credentials

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.pipeline import Network
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.platforms.lab.render import render

CALL_TIMEOUT = 15  # seconds a call may take before sipp gives up (and the test fails)


@pytest.fixture(scope="module")
def answerer(network: Network, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The lab's answering scenario (the one the hubs' services run), for phones that answer."""
    path = tmp_path_factory.mktemp("scenarios") / "answer.xml"
    path.write_text(render(network.states)["lab/core-dodoma/answer.xml"])
    return path


class Phone:
    """Phone n of an institution: namespace gn-<slug>-ph<n>, voice subnet host 9 + n, extension first + n - 1."""

    def __init__(self, network: Network, slug: str, n: int) -> None:
        cc = network.states[f"{slug}-cc1"]
        self.netns = f"gn-{slug}-ph{n}"
        self.address = str(ipaddress.ip_network(cc["phones_subnet"]).network_address + 9 + n)
        self.extension = cc["numbering"]["first_extension"] + n - 1
        self.numbering = cc["numbering"]
        self.call_control = cc["address"].split("/")[0]
        self.realm = cc["sip"]["realm"]

    def sipp(self, scenario: Path, port: int, *args: str, background: bool = False) -> subprocess.CompletedProcess | subprocess.Popen:
        command = ["ip", "netns", "exec", self.netns, "timeout", str(CALL_TIMEOUT + 10), "sipp", f"{self.call_control}:5060", "-sf", str(scenario),
                   "-i", self.address, "-p", str(port), "-m", "1", "-nostdin", "-timeout", str(CALL_TIMEOUT), "-timeout_error",
                   "-key", "caller", str(self.extension), "-key", "ext", str(self.extension), "-key", "contact_port", "5060", *args]  # fmt: skip
        if background:
            return subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
            )  # pylint: disable=consider-using-with
        return subprocess.run(command, capture_output=True, text=True, timeout=CALL_TIMEOUT + 20, check=False)

    def register(self) -> None:
        user, password = credentials(self.realm, self.extension)
        done = self.sipp(SCENARIOS / "register.xml", 5061, "-au", user, "-ap", password)
        assert done.returncode == 0, f"{self.netns} could not register {self.extension}: {done.stdout}{done.stderr}"

    def call(self, number: str, scenario: str = "call.xml") -> subprocess.CompletedProcess:
        return self.sipp(SCENARIOS / scenario, 5062, "-s", number)


def answered(caller: Phone, callee: Phone, number: str, answerer: Path) -> None:
    """callee registers and answers; caller dials number; both sides must finish the call cleanly."""
    callee.register()
    ringing = callee.sipp(answerer, 5060, background=True)
    try:
        done = caller.call(number)
        out, _err = ringing.communicate(timeout=CALL_TIMEOUT + 20)
    finally:
        if ringing.poll() is None:
            ringing.kill()
    assert done.returncode == 0, f"{caller.netns} calling {number}: exit {done.returncode}\n{done.stdout}{done.stderr}"
    assert ringing.returncode == 0, f"{callee.netns} did not answer {number}: exit {ringing.returncode}\n{out}"


def test_a_phone_calls_another_institution_by_its_number(network: Network, answerer: Path) -> None:
    caller, callee = Phone(network, "moa", 1), Phone(network, "kongwa-dc", 1)
    answered(caller, callee, str(callee.numbering["first_number"]), answerer)


def test_a_call_crosses_both_hubs(network: Network, answerer: Path) -> None:
    caller, callee = Phone(network, "gpsa", 1), Phone(network, "moa", 1)
    answered(caller, callee, str(callee.numbering["first_number"]), answerer)


def test_short_dialling_reaches_a_colleague(network: Network, answerer: Path) -> None:
    caller, colleague = Phone(network, "moa", 1), Phone(network, "moa", 2)
    answered(caller, colleague, str(colleague.extension), answerer)


def test_an_unassigned_number_is_rejected(network: Network) -> None:
    caller = Phone(network, "moa", 1)
    unassigned = f"{caller.numbering['code']}{caller.numbering['last_extension'] + 1}"
    done = caller.call(unassigned, "unassigned.xml")
    assert done.returncode == 0, f"{unassigned} was not refused with 404: {done.stdout}{done.stderr}"


def test_a_conference_number_reaches_the_conference_service(network: Network) -> None:
    caller = Phone(network, "kongwa-dc", 1)
    done = caller.call(str(caller.numbering["conference_numbers"][0]))
    assert done.returncode == 0, f"conference call not answered: {done.stdout}{done.stderr}"


def test_an_emergency_number_is_routed_to_the_pstn_gateway(network: Network) -> None:
    caller = Phone(network, "gpsa", 1)
    emergency = next(code["number"] for code in network.states["gpsa-cc1"]["routes"]["short_codes"] if code["emergency"])
    done = caller.call(emergency)
    assert done.returncode == 0, f"emergency call {emergency} not answered: {done.stdout}{done.stderr}"


def test_signalling_leaves_call_control_marked_cs3(network: Network) -> None:
    caller = Phone(network, "moa", 1)
    cc_netns, cc = "gn-moa-cc1", caller.call_control
    capture = subprocess.Popen(  # pylint: disable=consider-using-with
        ["ip", "netns", "exec", cc_netns, "timeout", "20", "tcpdump", "-n", "-t", "-v", "-l", "-c", "3", "-i", "eth0", f"udp port 5060 and src host {cc}"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        for _attempt in range(5):  # each call makes call control send SIP out of eth0, until tcpdump has its packets
            if capture.poll() is not None:
                break
            caller.call(str(caller.numbering["conference_numbers"][0]))
        out, _err = capture.communicate(timeout=25)
    finally:
        if capture.poll() is None:
            capture.kill()
    headers = [line for line in out.splitlines() if line.startswith(("IP ", "    ")) and "tos 0x" in line]
    assert headers, f"no SIP from call control was captured:\n{out}"
    assert all("tos 0x60" in line for line in headers), f"SIP from call control is not CS3 (tos 0x60):\n{out}"
