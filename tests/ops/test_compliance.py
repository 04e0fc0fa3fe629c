"""Compliance and remediation: IOS-XE through hier_config on the golden fixture with injected drift; the lab's
comparisons; the reports (golden files, word for word) and that none of them holds a secret."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hier_config import Host
from hier_config.root import HConfig

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.ops import compliance

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.ops import compliance_report

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.ops import compliance_run

from conftest import GOLDEN, check_golden

IOS = GOLDEN / "configs" / "ios_xe"
CE = (IOS / "kongwa-dc-ce1.cfg").read_text()
HUB = (IOS / "core-dodoma.cfg").read_text()
SWITCH = (IOS / "mof-sw1.cfg").read_text()
CC = (IOS / "mof-cc1.cfg").read_text()


def _replace(text: str, old: str, new: str) -> str:
    assert old in text, f"the fixture no longer holds {old!r}"
    return text.replace(old, new, 1)


# Each drift: (name, config it applies to, old text, new text) -- a person's change on the device.
DRIFTS = [
    ("acl line added", CE, " 20 deny any log\n", " 15 permit 10.9.9.0 0.0.0.255\n 20 deny any log\n"),
    ("acl line removed", CE, " 30 permit udp 10.65.133.0 0.0.0.255 object-group GOVNET-NET-1 eq 53\n", ""),
    ("acl lines reordered", CE, " 10 permit 10.0.8.0 0.0.0.255\n 20 deny any log\n",
     " 10 deny any log\n 20 permit 10.0.8.0 0.0.0.255\n"),
    ("object-group host removed", CE, " host 10.0.18.53\n!\nobject-group network GOVNET-NET-2", "!\nobject-group network GOVNET-NET-2"),
    ("interface sub-command changed", CE, " ip address 10.65.133.1 255.255.255.128\n", " ip address 10.65.133.2 255.255.255.128\n"),
    ("interface sub-command removed", CE, " ip helper-address 10.0.18.67\n", ""),
    ("interface sub-command added", CE, "interface Loopback0\n description Router ID\n",
     "interface Loopback0\n description Router ID\n shutdown\n"),
    ("bgp neighbour added", CE, " neighbor 10.65.194.42 remote-as 64601\n",
     " neighbor 10.65.194.42 remote-as 64601\n neighbor 192.0.2.1 remote-as 65000\n"),
    ("bgp neighbour line changed", CE, " neighbor 10.65.194.42 description upstream agg-dodoma\n",
     " neighbor 10.65.194.42 description changed by hand\n"),
    ("bgp address-family line removed", CE, "  neighbor 10.65.194.42 prefix-list PL-AGG-DODOMA-IN in\n", ""),
    ("nested qos line changed", CE, "  priority percent 30\n", "  priority percent 40\n"),
    ("nested police action changed", CE, "   exceed-action drop\n", "   exceed-action transmit\n"),
    ("prefix-list line added", CE, "ip prefix-list PL-AGG-DODOMA-IN seq 5 permit 10.0.0.0/8\n",
     "ip prefix-list PL-AGG-DODOMA-IN seq 5 permit 10.0.0.0/8\nip prefix-list PL-AGG-DODOMA-IN seq 10 permit 0.0.0.0/0\n"),
    ("static route added", CE, "ip ssh version 2\n", "ip route 192.0.2.0 255.255.255.0 Null0\nip ssh version 2\n"),
    ("management line removed", CE, "ntp server 10.0.18.123 key 1\n", ""),
    ("hub prefix-list line removed", HUB, "ip prefix-list PL-AGG-DODOMA-IN seq 5 permit 10.65.0.0/16\n", ""),
    ("access port vlan changed", SWITCH, " switchport access vlan 10\n", " switchport access vlan 30\n"),
    ("voice dial-peer changed", CC, " destination-pattern ", " destination-pattern 9"),
]


# The lines hier_config's remediation adds to close a section: a device accepts them, they change nothing.
EXITS = frozenset(("exit-address-family", "exit-peer-policy", "exit-peer-session"))


def _tree(config: str) -> HConfig:
    """A configuration as hier_config reads it, secrets aside (as compliance compares it)."""
    host = Host("device", "ios")
    host.load_running_config(compliance.ios_comparable(config))
    return host.running_config


def _apply(running: str, remediation: str) -> str:
    """The configuration a device would have after the remediation: hier_config's future configuration."""
    host = Host("device", "ios")
    host.load_running_config("".join(line + "\n" for line in remediation.splitlines() if line.strip() not in EXITS))
    return "".join(" " * (child.depth() - 1) + child.text + "\n" for child in _tree(running).future(host.running_config).all_children())


def _managed_lines(config: str) -> set[str]:
    """Every line of the configuration with its parents (order aside), for comparing two configurations."""
    return set(_apply(config, "").splitlines())


@pytest.mark.parametrize("name, intended, old, new", DRIFTS, ids=[d[0] for d in DRIFTS])
def test_remediation_brings_running_to_intended(name: str, intended: str, old: str, new: str) -> None:
    running = _replace(intended, old, new)
    remediation = compliance.ios_remediation(running, intended)
    assert remediation, f"{name}: no remediation"
    applied = _apply(running, remediation)
    assert compliance.ios_remediation(applied, intended) == "", f"{name}: a second remediation is not empty"
    assert compliance.ios_remediation(intended, applied) == "", f"{name}: the result holds more than the intent"


def test_remediation_names_the_exact_lines() -> None:
    running = _replace(CE, " 10 permit 10.0.8.0 0.0.0.255\n 20 deny any log\n", " 10 deny any log\n 20 permit 10.0.8.0 0.0.0.255\n")
    running = _replace(running, " neighbor 10.65.194.42 description upstream agg-dodoma\n",
                       " neighbor 10.65.194.42 description upstream agg-dodoma\n neighbor 192.0.2.1 remote-as 65000\n")
    assert compliance.ios_remediation(running, CE) == (
        "ip access-list standard GOVNET-MGMT\n"
        " no 10 deny any log\n"
        " no 20 permit 10.0.8.0 0.0.0.255\n"
        " 10 permit 10.0.8.0 0.0.0.255\n"
        " 20 deny any log\n"
        "router bgp 4200000101\n"
        " no neighbor 192.0.2.1 remote-as 65000\n"
    )


def test_unmanaged_lines_are_left_alone_and_device_noise_ignored() -> None:
    running = ("Building configuration...\n\nCurrent configuration : 9999 bytes\n!\nversion 17.9\n"
               "license udi pid ISR4331/K9 sn FDO0000\nredundancy\n mode none\n" + CE)
    assert compliance.ios_remediation(running, CE) == ""


def test_secrets_are_not_compared_and_never_reported() -> None:
    hashed = CE
    for old, new in [
        ("secret {{ vault_govnet_admin_secret }}", "secret 9 $9$hashedADMINhash"),
        ("enable algorithm-type scrypt secret {{ vault_govnet_enable_secret }}", "enable secret 9 $9$hashedENABLE"),
        (" key {{ vault_govnet_tacacs_key }}", " key 7 0822455D0A16TACACS"),
        (" neighbor 10.65.194.42 password {{ vault_govnet_bgp_key }}", " neighbor 10.65.194.42 password 7 BGPKEY1234"),
        ("  pre-shared-key {{ vault_govnet_ipsec_psk }}", "  pre-shared-key 6 PSKPSKPSK"),
    ]:
        hashed = _replace(hashed, old, new)
    hashed = hashed.replace("snmp-server user govnet-ops", "!snmp-server user govnet-ops")  # a device hides SNMPv3 users
    assert compliance.ios_remediation(hashed, CE) == ""
    drifted = _replace(hashed, "ntp server 10.0.18.123 key 1\n", "ntp server 10.0.18.123 key 1\ncrypto isakmp key NTPSECRET address 0.0.0.0\n")
    result = compliance.ios_compare("kongwa-dc-ce1", "kongwa-dc", drifted, CE)
    text = json.dumps([item.lines for item in result.drift])
    assert "NTPSECRET" not in text and "<secret-not-shown>" in text


def test_rollback_removes_what_the_failed_push_added() -> None:
    backup = CE
    failed = _replace(backup, " neighbor 10.65.194.42 remote-as 64601\n", " neighbor 10.65.194.42 remote-as 64999\n")
    failed = _replace(failed, "ip ssh version 2\n", "ip route 192.0.2.0 255.255.255.0 Null0\nip ssh version 2\n")
    failed = _replace(failed, "  neighbor 10.65.194.42 activate\n", "  neighbor 10.65.194.42 activate\n  neighbor 10.65.194.42 soft-reconfiguration inbound\n")
    rollback = compliance.ios_remediation(failed, backup)  # the rollout restores with the remediation to the backup
    assert "no ip route 192.0.2.0 255.255.255.0 Null0" in rollback
    assert "  no neighbor 10.65.194.42 soft-reconfiguration inbound" in rollback
    restored = _apply(failed, rollback)
    assert compliance.ios_remediation(restored, backup) == "" and compliance.ios_remediation(backup, restored) == ""


def test_every_rendered_top_level_line_belongs_to_a_feature() -> None:
    for path in sorted(IOS.glob("*.cfg")):
        sections = [child.text for child in _tree(path.read_text()).children]
        unmanaged = [line for line in sections if compliance.ios_feature(line) is None]
        assert not unmanaged, f"{path.name}: lines of no feature: {unmanaged[:5]}"


@pytest.mark.parametrize("path", sorted(IOS.glob("*.cfg")), ids=lambda p: p.stem)
def test_unchanged_intent_and_device_is_compliant(path: Path) -> None:
    text = path.read_text()
    assert compliance.ios_compare(path.stem, "x", text, text).compliant


# As frr-reload.py --test prints it (FRR 8.4): a static route added by hand, a prefix-list line removed, the BGP
# key changed; the hostname and ip forwarding lines it prints on every lab router are no drift.
FRR_TEST = """2026-12-03 11:42:36,690  INFO: "frr version 8.4.4" cannot be removed

Lines To Delete
===============
no hostname vm
router bgp 64512
 no neighbor 10.0.4.2 password {secret}

Lines To Add
============
no ip route 192.0.2.0/24 blackhole
ip prefix-list core-dodoma-in seq 5 permit 10.0.0.0/8 le 32
router bgp 64512
 neighbor 10.0.4.2 password OTHERSECRET
hostname core-dodoma
ip forwarding
"""


def test_frr_delta_by_feature_and_masked() -> None:
    result = compliance.frr_compare("core-dodoma", "infrastructure", FRR_TEST.format(secret="S3CRET"))
    assert [item.feature for item in result.drift] == ["bgp", "prefix lists", "static routes"]
    text = json.dumps([item.lines for item in result.drift])
    assert "S3CRET" not in text and "OTHERSECRET" not in text
    assert compliance.frr_compare("x", "y", FRR_TEST.split("Lines To Delete")[0]).compliant
    quirks = "Lines To Delete\n===============\nno hostname vm\n\nLines To Add\n============\nhostname core-dodoma\nip forwarding\n"
    assert compliance.frr_compare("x", "y", quirks).compliant


def test_ovs_port_moved_to_another_vlan() -> None:
    ovs_sh = (GOLDEN / "configs" / "lab" / "kongwa-dc-sw1" / "ovs.sh").read_text()
    ports = compliance.ovs_intended_ports(ovs_sh)
    assert ports["p1"] == 10 and ports["ph1"] == 20 and ports["mgmt"] == 99
    running = {"headings": ["name", "tag"], "data": [[name, tag] for name, tag in ports.items()] + [["br0", ["set", []]]]}
    assert compliance.ovs_compare("kongwa-dc-sw1", "kongwa-dc", ovs_sh, running).compliant
    running["data"] = [[n, 30 if n == "p3" else t] for n, t in running["data"]]
    result = compliance.ovs_compare("kongwa-dc-sw1", "kongwa-dc", ovs_sh, running)
    assert result.drift == (compliance.FeatureDrift("vlans", ("- port p3 tag=30", "+ port p3 tag=10")),)


def test_call_control_dial_plan_edited() -> None:
    folder = GOLDEN / "configs" / "lab" / "kongwa-dc-cc1"
    intended = {name: (folder / name).read_text() for name in compliance.KAMAILIO_FEATURES}
    running = dict(intended, dialplan=intended["dialplan"].replace("501", "509", 1))
    result = compliance.files_compare("kongwa-dc-cc1", "kongwa-dc", intended, running, compliance.KAMAILIO_FEATURES)
    assert [item.feature for item in result.drift] == ["dial plan"]
    assert compliance.files_compare("x", "y", intended, intended, compliance.KAMAILIO_FEATURES).compliant


def _report_results() -> list[compliance.DeviceCompliance]:
    drifted = _replace(CE, " 10 permit 10.0.8.0 0.0.0.255\n", " 10 permit 10.0.9.0 0.0.0.255\n")
    return [
        compliance.ios_compare("kongwa-dc-ce1", "kongwa-dc", drifted, CE),
        compliance.ios_compare("kongwa-dc-sw1", "kongwa-dc", (IOS / "kongwa-dc-sw1.cfg").read_text(), (IOS / "kongwa-dc-sw1.cfg").read_text()),
        compliance.frr_compare("core-dodoma", "infrastructure", FRR_TEST.format(secret="S3CRET")),
        compliance.DeviceCompliance("mof-ce1", "ios_xe", "mof", error="unreachable: <timeout> & no answer"),
    ]


@pytest.mark.golden
@pytest.mark.parametrize("name", compliance_report.REPORT_FILES)
def test_report_golden(tmp_path: Path, name: str) -> None:
    compliance_report.write_reports(_report_results(), tmp_path, "GovNet compliance: test <fixture>")
    text = (tmp_path / name).read_text()
    assert "S3CRET" not in text and "OTHERSECRET" not in text
    check_golden(GOLDEN / "compliance" / name, text)


def _tiny_build(folder: Path, devices: dict[str, str]) -> Path:
    (folder / "plan").mkdir(parents=True)
    (folder / "configs").mkdir()
    for name, config in devices.items():
        (folder / "plan" / f"{name}.yml").write_text("platform: ios_xe\nrole: ce_router\ninstitution: {slug: kongwa-dc}\n")
        (folder / "configs" / f"{name}.cfg").write_text(config)
    return folder


def test_a_build_against_itself_and_an_unreadable_device(tmp_path: Path) -> None:
    build = _tiny_build(tmp_path, {"kongwa-dc-ce1": CE})
    results = compliance_run.compare(build, compliance_run.running_from_dir(build / "configs", build))
    assert [(r.device, r.compliant) for r in results] == [("kongwa-dc-ce1", True)]
    results = compliance_run.compare(build, {"kongwa-dc-ce1": {"error": "unreachable"}})
    assert results[0].error == "unreachable" and not results[0].compliant


def test_forked_workers_give_the_same_results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    drifted = _replace(CE, "ntp server 10.0.18.123 key 1\n", "")
    build = _tiny_build(tmp_path, {f"dev{i}": CE for i in range(6)})
    running = {f"dev{i}": {"config": drifted if i % 2 else CE} for i in range(6)}
    alone = compliance_run.compare(build, running, jobs=1)
    monkeypatch.setattr(compliance_run, "PARALLEL_FROM", 2)
    assert compliance_run.compare(build, running, jobs=2) == alone
    assert [r.compliant for r in alone] == [True, False] * 3


def test_html_report_escapes_device_text(tmp_path: Path) -> None:
    result = compliance.DeviceCompliance("x", "lab", "<b>inst</b>", drift=(compliance.FeatureDrift("f", ("<script>",)),))
    compliance_report.write_reports([result], tmp_path, "t")
    page = (tmp_path / "compliance.html").read_text()
    assert "<script>" not in page and "&lt;script&gt;" in page and not re.search(r"<b>inst", page)
