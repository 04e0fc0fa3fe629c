"""The secret scan (make secrets-check) catches every kind of secret in clear that is planted, and passes the
repository and fresh builds as they are. Planted secrets are put together at run time, so this file holds none."""

from __future__ import annotations

import subprocess

import pytest

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.pipeline import outputs, plan
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.secret_scan import ALLOW, report, scan_files, scan_text
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design.sip_credentials import subscriber_table

from conftest import ROOT, SMALL

SMALL_LAB = ROOT / "tests" / "fixtures" / "small-lab" / "institutions.yml"
CLEAR = "Tz" + "Gov" + "Net2026x"  # a made-up secret value
SECRET, PASSWORD, KEY = "secret", "password", "key"  # keywords kept apart from values, so this file is clean

PLANTED = [
    ("configs/mof-ce1.cfg", f"enable {SECRET} 0 {CLEAR}", "ios-clear"),
    ("configs/mof-ce1.cfg", f"username govnet-admin privilege 15 {PASSWORD} {CLEAR}", "ios-clear"),
    ("configs/mof-ce1.cfg", f" {KEY} 7 0822455D0A16", "ios-clear"),
    ("configs/mof-ce1.cfg", f" {KEY} {CLEAR}", "ios-clear"),
    ("configs/mof-ce1.cfg", f"ntp authentication-{KEY} 1 hmac-sha2-256 {CLEAR}", "ios-clear"),
    ("lab/mof-ce1/frr.conf", f" neighbor 10.0.4.3 {PASSWORD} {CLEAR}", "ios-clear"),
    ("configs/mof-ce1.cfg", f"snmp-server user govnet-ops GOVNET-OPS v3 auth sha {CLEAR} priv aes 256 {CLEAR}", "snmp-clear"),
    ("configs/mof-ce1.cfg", "snmp-server user govnet-ops GOVNET-OPS v3 auth sha {{ vault_govnet_snmp_auth }} priv aes 256 " + CLEAR, "snmp-clear"),
    ("docs/notes.md", "-----BEGIN OPENSSH " + "PRIVATE KEY-----", "private-key"),
    ("hacking/id_rsa", "-----BEGIN RSA " + "PRIVATE KEY-----", "private-key"),
    ("group_vars/all/extra.yml", f"vault_govnet_sip_secret: {CLEAR}", "vault-clear"),
]


@pytest.mark.parametrize(("path", "line", "kind"), PLANTED, ids=[f"{kind}-{n}" for n, (_, _, kind) in enumerate(PLANTED)])
def test_a_planted_secret_is_found(path: str, line: str, kind: str) -> None:
    found = scan_text(path, f"! before\n{line}\n! after\n".encode())
    assert [(f.path, f.line, f.kind) for f in found] == [(path, 2, kind)]
    assert CLEAR not in str(found[0]) and found[0].hint, "a finding names a fix and never repeats the secret"


def test_a_vault_file_in_clear_is_found_and_an_encrypted_one_passes() -> None:
    path = "inventories/govnet/group_vars/all/vault.yml"
    assert [f.kind for f in scan_text(path, b"---\nenable: x\n")] == ["vault-clear"]
    assert scan_text(path, b"$ANSIBLE_VAULT;1.1;AES256\n6162636465\n") == []


def test_a_sip_subscriber_table_is_found() -> None:
    table = subscriber_table(CLEAR, "moa.govnet.go.tz", ["2000", "2001"])
    assert [f.kind for f in scan_text("lab/moa-cc1/subscriber", table.encode())] == ["sip-subscriber"]


def test_a_known_value_is_found_anywhere() -> None:
    found = scan_text("docs/index.html", f"<p>{CLEAR}</p>".encode(), known=[CLEAR])
    assert [(f.line, f.kind) for f in found] == [(1, "known-value")]
    assert scan_text("docs/index.html", b"<p>short</p>", known=["short"]) == [], "values shorter than 8 characters are not searched"


@pytest.mark.parametrize(
    "line",
    [
        "enable algorithm-type scrypt " + SECRET + " {{ vault_govnet_enable_secret }}",
        "username govnet-admin privilege 15 algorithm-type scrypt " + SECRET + " {{ vault_govnet_admin_secret }}",
        " " + KEY + " {{ vault_govnet_tacacs_key }}",
        " neighbor 10.0.4.3 " + PASSWORD + " {{ vault_govnet_bgp_key }}",
        "snmp-server user govnet-ops GOVNET-OPS v3 auth sha {{ vault_govnet_snmp_auth }} priv aes 256 {{ vault_govnet_snmp_priv }}",
        "enable " + SECRET + " 9 $9$hashedvaluehashedvalue",
        "    " + SECRET + "s:\n      enable: vault_govnet_enable_secret",
        f"enable {SECRET} 0 {CLEAR}  ! {ALLOW}",
    ],
)
def test_references_names_hashes_and_allowed_lines_pass(line: str) -> None:
    assert scan_text("configs/mof-ce1.cfg", line.encode()) == []
    assert scan_text("group_vars/all/security.yml", line.encode()) == []


def test_a_secret_planted_in_a_build_is_found_with_its_place() -> None:
    files = outputs(plan(SMALL))
    assert scan_files(files) == [], report(scan_files(files), "a build of the small fixture")
    config = files["configs/mof-ce1.cfg"].decode()
    line = next(n for n, text in enumerate(config.splitlines(), start=1) if "{{ vault_govnet_enable_secret }}" in text)
    files["configs/mof-ce1.cfg"] = config.replace("{{ vault_govnet_enable_secret }}", CLEAR).encode()
    assert [(f.path, f.line, f.kind) for f in scan_files(files)] == [("configs/mof-ce1.cfg", line, "ios-clear")]
    assert report(scan_files(files), "a build").startswith("secrets-check: 1 secret in clear in a build\n- configs/mof-ce1.cfg:")


def test_a_lab_build_is_clean() -> None:
    files = outputs(plan(SMALL_LAB))
    assert any(name.endswith("/kamailio.cfg") for name in files)
    assert scan_files(files) == [], report(scan_files(files), "a lab build of the small fixture")


def test_the_repository_is_clean() -> None:
    listed = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True, check=True).stdout.decode()
    files = {name: (ROOT / name).read_bytes() for name in filter(None, listed.split("\0")) if (ROOT / name).is_file()}
    assert len(files) > 100
    assert scan_files(files) == [], report(scan_files(files), "the repository")


@pytest.mark.slow
def test_make_secrets_check_passes_the_tree_and_the_shipped_build() -> None:
    command = [str(ROOT / ".venv" / "bin" / "python"), str(ROOT / "hacking" / "secrets_check.py")]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("secrets-check: no secret in clear in the repository and a fresh build")
