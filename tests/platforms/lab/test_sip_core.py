"""The GovNet SIP core as rendered for the lab, run for real: it routes on-net numbers to call control by code."""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path
from typing import Any

import pytest

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.pipeline import Network, plan
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.platforms.lab.render import render

from .test_render import FIXTURE, SIP_PROBE, Lab, in_ns, lab_env, need, run, start_kamailio  # noqa: F401  (lab_env is a fixture)


@pytest.fixture(scope="module")
def network() -> Network:
    return plan(FIXTURE)


def test_sip_core_routes_every_code_to_its_call_control(network: Network) -> None:
    core = network.states["core-dodoma"]["sip_core"]
    call_control = {
        state["institution"]["code"]: state["address"].split("/")[0] for state in network.states.values() if state["role"] == "call_control"
    }
    assert {route["code"]: route["call_control"][0] for route in core["routes"]} == call_control
    files = render(network.states)
    rules = [line.split(":") for line in files["lab/core-dodoma/sip-core/dialplan"].splitlines()[1:]]
    assert len([rule for rule in rules if rule[1] == "1"]) == len(call_control)
    # dpid 2: who may send calls to the SIP core, and for which code (the anti-spoofing check)
    assert {rule[4]: int(rule[8]) for rule in rules if rule[1] == "2"} == {address: code for code, address in call_control.items()}
    assert "core-dar" in {name.split("/")[1] for name in files if name.endswith("sip-core/kamailio.cfg")}


@pytest.mark.lab
def test_sip_core_relays_by_code_and_refuses_unknown_codes(network: Network, lab_env: Lab, tmp_path: Path) -> None:
    need("kamailio", "ss", "python3")
    hub = network.states["core-dodoma"]
    core = hub["sip_core"]["address"]
    kongwa = network.states["kongwa-dc-cc1"]
    mof = network.states["mof-cc1"]
    target, caller = kongwa["address"].split("/")[0], mof["address"].split("/")[0]
    stranger = str(ipaddress.ip_interface(mof["address"]).ip + 1)
    ns = lab_env.netns("sipcore")
    for address in (core, target, caller, stranger):
        run("ip", "-n", ns, "address", "add", f"{address}/32", "dev", "lo")
    folder = tmp_path / "sip-core"
    folder.mkdir()
    for name, content in render(network.states).items():
        if name.startswith("lab/core-dodoma/sip-core/"):
            (folder / name.rsplit("/", 1)[1]).write_text(content)
    (folder / "dispatcher.list").write_text("")
    start_kamailio(lab_env, ns, folder)

    number = str(kongwa["numbering"]["first_number"])
    steps: list[dict[str, Any]] = [
        {"name": "options", "method": "OPTIONS", "from": "caller"},
        {"name": "call to kongwa-dc", "method": "INVITE", "user": number, "from": "caller"},
        {"name": "unknown code", "method": "INVITE", "user": "9991234", "from": "caller"},
        {"name": "not from call control", "method": "INVITE", "user": number, "from": "stranger"},
        {"name": "calling number of another institution", "method": "INVITE", "user": number, "from": "spoofer"},
        {"name": "asserted own number", "method": "INVITE", "user": number, "from": "spoofer",
         "headers": [f"P-Asserted-Identity: <sip:{mof['numbering']['first_number']}@{caller}>"]},
        {"name": "asserted number of another institution", "method": "INVITE", "user": number, "from": "caller",
         "headers": [f"P-Asserted-Identity: <sip:{kongwa['numbering']['first_number']}@{caller}>"]},
    ]
    endpoints = {"caller": [caller, 5071, 486], "kongwa": [target, 5060, 486], "stranger": [stranger, 5072, 486], "spoofer": [caller, 5073, 486]}
    script = tmp_path / "sip_probe.py"
    script.write_text(SIP_PROBE)
    config = {"cc": core, "caller": str(mof["numbering"]["first_number"]), "endpoints": endpoints, "steps": steps,
              "callers": {"spoofer": str(kongwa["numbering"]["first_number"])}}
    results = {result["name"]: result for result in json.loads(in_ns(ns, "python3", str(script), json.dumps(config), timeout=60).stdout)}
    assert results["options"]["final"] == 200
    assert results["call to kongwa-dc"]["final"] == 486  # the answer of kongwa-dc's call control, relayed back
    assert results["call to kongwa-dc"]["seen"] == [["kongwa", f"sip:{number}@{core}", True]]
    assert results["unknown code"]["final"] == 404 and results["unknown code"]["seen"] == []
    # call control asserts the full calling number (P-Asserted-Identity); that is what counts, not From
    assert results["asserted own number"]["final"] == 486, results["asserted own number"]
    for refused in ("not from call control", "calling number of another institution", "asserted number of another institution"):
        assert (results[refused]["final"], results[refused]["seen"]) == (403, []), refused
    assert {tos for result in results.values() for tos in result["tos"]} == {0x60}, "SIP from the SIP core is not CS3"
