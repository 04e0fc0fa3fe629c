"""The GovNet SIP core as rendered for production (the shipped GovNet), golden-tested and started for real.

Production hubs are IOS-XE routers; the SIP core is a Kamailio server in a hub's services LAN, rendered from the
same view and template as the lab's SIP core (sip_core.py). The files of both hubs are golden files; the Dodoma
one is started in a network namespace and must relay a call by code, refuse an unknown code (404), a sender that
is not call control and a calling number of another institution (403).
"""

from __future__ import annotations

import ipaddress
import json
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import GOLDEN, SHIPPED, SMALL, UPDATE_GOLDEN, ansible, check_golden

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.platforms.lab import render as lab

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.platforms.sip_core import render as sip_core
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.pipeline import Network, plan
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.platforms.registry import render_all

from ..lab.test_render import SIP_PROBE, Lab, in_ns, lab_env, need, run, start_kamailio  # noqa: F401  (lab_env is a fixture)

SIP_CORE_GOLDEN = GOLDEN / "configs" / "sip_core"


@pytest.fixture(scope="module")
def shipped() -> Network:
    return plan(SHIPPED)


@pytest.fixture(scope="module")
def files(shipped: Network) -> dict[str, str]:
    return sip_core.render(shipped.states)


def call_controls(network: Network) -> dict[int, str]:
    """Every institution's code and its (first) call control address."""
    found: dict[int, str] = {}
    for hostname in sorted(network.states):
        state = network.states[hostname]
        if state["role"] == "call_control":
            found.setdefault(state["institution"]["code"], state["address"].split("/")[0])
    return found


@pytest.mark.golden
def test_golden_shipped_sip_core(files: dict[str, str]) -> None:
    assert sorted(files) == [f"configs/{hub}-sip-core/{name}" for hub in ("core-dar", "core-dodoma") for name in sorted(sip_core.FILES)]
    if UPDATE_GOLDEN:
        for stale in SIP_CORE_GOLDEN.rglob("*"):
            if stale.is_file() and f"configs/{stale.relative_to(SIP_CORE_GOLDEN).as_posix()}" not in files:
                stale.unlink()
    for path, text in files.items():
        check_golden(SIP_CORE_GOLDEN / path.removeprefix("configs/"), text)


def test_every_institution_is_routed_and_only_its_call_control_may_send(shipped: Network, files: dict[str, str]) -> None:
    expected = call_controls(shipped)
    for hub in ("core-dar", "core-dodoma"):
        rules = [line.split(":") for line in files[f"configs/{hub}-sip-core/dialplan"].splitlines()[1:]]
        routes = {rule[4]: rule[8] for rule in rules if rule[1] == "1"}
        assert routes == {f"^{code}[0-9]{{4}}$": address for code, address in expected.items()}
        senders = {rule[4]: int(rule[8]) for rule in rules if rule[1] == "2"}
        assert {address: code for code, address in expected.items()}.items() <= senders.items()
        config = files[f"configs/{hub}-sip-core/kamailio.cfg"]
        assert f"listen=udp:{shipped.states[hub]['sip_core']['address']}:5060\n" in config
        assert '#!trydef GOVNET_DB "text:///etc/kamailio"\n' in config and "children=8\n" in config


def test_the_lab_sip_core_is_the_same_logic(shipped: Network, files: dict[str, str]) -> None:
    """Production and lab differ only in the platform lines: one view, one template."""
    hub = shipped.states["core-dodoma"]
    lab_files = lab.hub_service_files(hub)
    assert files["configs/core-dodoma-sip-core/dialplan"] == lab_files["sip-core/dialplan"]
    production, labs = ([line for line in text.splitlines() if not line.startswith("# ")] for text in (
        files["configs/core-dodoma-sip-core/kamailio.cfg"], lab_files["sip-core/kamailio.cfg"]))  # fmt: skip
    differ = [(a, b) for a, b in zip(production, labs) if a != b]
    assert len(production) == len(labs) and differ == [
        ("children=8", "children=2"),
        ('#!trydef GOVNET_DB "text:///etc/kamailio"', '#!trydef GOVNET_DB "text:///etc/kamailio/core-dodoma-sip-core"'),
    ]


def test_in_the_build_with_their_hub(shipped: Network) -> None:
    """The bulk render writes a hub's SIP core server with the hub (a parallel build's share), and lab hubs get none."""
    assert set(render_all(shipped.states, {"core-dar"})) == {"configs/core-dar.cfg", *(f"configs/core-dar-sip-core/{n}" for n in sip_core.FILES)}
    assert not sip_core.render(shipped.states, {"mof-ce1"})
    as_lab = {name: dict(state, platform="lab") for name, state in plan(SMALL).states.items()}
    assert not sip_core.render(as_lab)
    assert "lab/core-dodoma/sip-core/kamailio.cfg" in render_all(as_lab, {"core-dodoma"})


def test_a_hub_without_sip_core_is_named(shipped: Network) -> None:
    state = {key: value for key, value in shipped.states["core-dar"].items() if key != "sip_core"}
    assert not sip_core.render({"core-dar": state})
    with pytest.raises(ValueError) as raised:
        sip_core.server_files(state)
    assert str(raised.value) == "core-dar: this hub hosts no SIP core (no sip_core in its intended state)"


@pytest.mark.lab
def test_production_sip_core_starts_relays_and_refuses(shipped: Network, files: dict[str, str], lab_env: Lab, tmp_path: Path) -> None:
    need("kamailio", "ss", "python3")
    core = shipped.states["core-dodoma"]["sip_core"]["address"]
    target_state, caller_state = shipped.states["kongwa-dc-cc1"], shipped.states["mof-cc1"]
    target, caller = target_state["address"].split("/")[0], caller_state["address"].split("/")[0]
    stranger = str(ipaddress.ip_interface(caller_state["address"]).ip + 1)
    ns = lab_env.netns("prodsip")
    for address in (core, target, caller, stranger):
        run("ip", "-n", ns, "address", "add", f"{address}/32", "dev", "lo")
    folder = tmp_path / "sip-core"
    folder.mkdir()
    for path, content in files.items():
        if path.startswith("configs/core-dodoma-sip-core/"):
            (folder / path.rsplit("/", 1)[1]).write_text(content)
    (folder / "dispatcher.list").write_text("")  # start_kamailio names one; the SIP core does not read it
    start_kamailio(lab_env, ns, folder)

    number = str(target_state["numbering"]["first_number"])
    own, other = str(caller_state["numbering"]["first_number"]), number
    steps: list[dict[str, Any]] = [
        {"name": "call", "method": "INVITE", "user": number, "from": "caller"},
        {"name": "unknown code", "method": "INVITE", "user": "9991234", "from": "caller"},
        {"name": "not from call control", "method": "INVITE", "user": number, "from": "stranger"},
        {"name": "calling number of another institution", "method": "INVITE", "user": number, "from": "spoofer"},
    ]
    endpoints = {"caller": [caller, 5071, 486], "kongwa": [target, 5060, 486], "stranger": [stranger, 5072, 486], "spoofer": [caller, 5073, 486]}
    script = tmp_path / "sip_probe.py"
    script.write_text(SIP_PROBE)
    config = {"cc": core, "caller": own, "endpoints": endpoints, "steps": steps, "callers": {"spoofer": other}}
    results = {result["name"]: result for result in json.loads(in_ns(ns, "python3", str(script), json.dumps(config), timeout=60).stdout)}
    assert results["call"]["final"] == 486 and results["call"]["seen"] == [["kongwa", f"sip:{number}@{core}", True]], results["call"]
    assert (results["unknown code"]["final"], results["unknown code"]["seen"]) == (404, [])
    for refused in ("not from call control", "calling number of another institution"):
        assert (results[refused]["final"], results[refused]["seen"]) == (403, []), refused


def test_install_playbook_refuses_a_hub_without_sip_core(tmp_path: Path) -> None:
    """playbooks/sip_core.yml parses, and stops before touching a server whose hub has no SIP core in the build."""
    servers = tmp_path / "servers.yml"
    servers.write_text(
        "govnet_sip_core:\n  hosts:\n    sip1:\n      ansible_connection: local\n"
        "      ansible_python_interpreter: '{{ ansible_playbook_python }}'\n      govnet_sip_core_hub: agg-dodoma\n"
    )
    assert ansible("ansible-playbook", "-i", str(servers), "playbooks/sip_core.yml", "--syntax-check").returncode == 0
    ran = ansible("ansible-playbook", "-i", str(servers), "playbooks/sip_core.yml", "-e", f"govnet_build_dir={tmp_path}")
    assert ran.returncode != 0
    assert (
        f"No SIP core for hub agg-dodoma in {tmp_path}/configs: set govnet_sip_core_hub to a hub that hosts one and run"
        " playbooks/build.yml first." in ran.stdout
    ), ran.stdout
    assert re.search(r"sip1\s+: ok=1\s+changed=0\s+unreachable=0\s+failed=1", ran.stdout), ran.stdout
