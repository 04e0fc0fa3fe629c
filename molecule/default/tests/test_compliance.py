"""Compliance in the lab: hand changes on four devices are found, exactly those devices and features, deploy's
remediation removes them, and the network is compliant again; no report holds a secret of the lab's vault.

The changes are a person's: a static route added in FRR (moa-ce1), a prefix-list line removed (core-dodoma), an
access port moved to another VLAN (gpsa-sw1, Open vSwitch) and a dial-plan rule edited (kongwa-dc-cc1, Kamailio's
file). Every command is bounded; the lab is remediated even when an assertion fails half-way.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import INVENTORY, ROOT
from labvault import VAULT_DIR, lab_secrets

HOSTS = ROOT / "molecule" / "default" / "inventory" / "hosts.yml"
RUN = Path("/run/govnet-lab")
DIALPLAN = Path("/etc/netns/gn-kongwa-dc-cc1/kamailio/kongwa-dc-cc1/dialplan")
EXPECTED = {"moa-ce1": ["static routes"], "core-dodoma": ["prefix lists"], "gpsa-sw1": ["vlans"], "kongwa-dc-cc1": ["dial plan"]}


def playbook(name: str, *extra: str) -> subprocess.CompletedProcess[str]:
    argv = [str(Path(sys.executable).parent / "ansible-playbook"), "-i", str(HOSTS), "-i", str(INVENTORY),
            "-e", f"@{VAULT_DIR / 'vault.yml'}", f"--vault-password-file={VAULT_DIR / 'password'}",
            str(ROOT / "playbooks" / name), *extra]
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)


def compliance(dest: Path) -> tuple[int, dict]:
    run = playbook("compliance.yml", "-e", f"govnet_compliance_dir={dest}")
    assert (dest / "compliance.json").is_file(), f"no report:\n{run.stdout[-3000:]}\n{run.stderr[-2000:]}"
    return run.returncode, json.loads((dest / "compliance.json").read_text())


def drifted(report: dict) -> dict[str, list[str]]:
    return {d["device"]: sorted(d["drift"]) for d in report["devices"] if d["status"] != "compliant"}


def sh(*argv: str) -> str:
    return subprocess.run(argv, capture_output=True, text=True, timeout=30, check=True).stdout


def change_by_hand() -> None:
    sh("vtysh", "-N", "gn-moa-ce1", "-c", "configure terminal", "-c", "ip route 192.0.2.0/24 blackhole")
    line = next(x for x in sh("vtysh", "-N", "gn-core-dodoma", "-c", "show running-config").splitlines()
                if x.startswith("ip prefix-list ") and " seq " in x)
    sh("vtysh", "-N", "gn-core-dodoma", "-c", "configure terminal", "-c", f"no {line}")
    sh("ovs-vsctl", f"--db=unix:{RUN / 'gn-gpsa-sw1' / 'db.sock'}", "set", "port", "p1", "tag=30")
    text = DIALPLAN.read_text()
    rule = next(x for x in text.splitlines() if x.endswith(":::emergency"))
    DIALPLAN.write_text(text.replace(rule, rule.replace(":::emergency", ":::pstn"), 1))


def remediate() -> subprocess.CompletedProcess[str]:
    return playbook("deploy.yml", "--limit", "localhost," + ",".join(EXPECTED), "-e", "govnet_remediate=true")


@pytest.mark.skipif(not DIALPLAN.parent.is_dir(), reason="the default lab's devices are not up")
def test_drift_found_exactly_and_remediated(tmp_path: Path) -> None:
    # The converged lab's compliance is the last step's (unchanged intent, remediated devices): one run fewer.
    fixed = False
    try:
        change_by_hand()
        rc, report = compliance(tmp_path / "drift")
        assert rc != 0, "compliance passed with drift"
        assert drifted(report) == EXPECTED
        run = remediate()
        assert run.returncode == 0, run.stdout[-3000:]
        fixed = True
        rc, report = compliance(tmp_path / "after")
        assert rc == 0 and drifted(report) == {}, f"still drifted after remediation: {drifted(report)}"
    finally:
        if not fixed:
            remediate()
    secrets = [value for value in lab_secrets().values() if isinstance(value, str) and len(value) >= 8]
    for path in tmp_path.rglob("compliance.*"):
        text = path.read_text()
        assert not [s for s in secrets if s in text], f"{path} holds a secret of the lab vault"
