"""Find secrets in clear: in the files of the repository and in a build. GovNet keeps secrets only in ansible-vault.

What counts as a secret in clear (each a ``Finding``, named by ``kind``):

- ``ios-clear``: an IOS-XE secret, password or key given in clear (type 0) or in the reversible type 7
  (``enable secret 0 ...``, ``username x password ...``, ``key 7 0822455D0A16``, ``neighbor x password ...``);
- ``snmp-clear``: an SNMPv3 user whose auth or priv key is not a vault reference;
- ``private-key``: a PEM or OpenSSH private key;
- ``vault-clear``: a vault file that is not encrypted, or a ``vault_...: value`` assignment in a plain file;
- ``sip-subscriber``: a Kamailio subscriber table (phones' credentials are written at deploy, never kept);
- ``known-value``: a value the caller knows to be secret (e.g. each value of the lab vault) appears anywhere.

A reference to a vault variable (``{{ vault_govnet_tacacs_key }}``) or its name is not a secret. A line that
must show such a form on purpose (documentation of this check) carries the marker ``secret-scan: allow``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Iterable, Mapping

ALLOW = "secret-scan: allow"
VAULT_HEADER = b"$ANSIBLE_VAULT"
MIN_KNOWN = 8  # shorter known values would match by chance
# A value that is no secret: a vault reference, another Jinja2 expression, a placeholder, or nothing.
_REFERENCE = r"(?:\{\{[^}]*\}\}|<[^>\s]*>|\"?\{\{)"
LINE_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("ios-clear", re.compile(r"\b(?:secret|password|key(?:-string)?)\s+[07]\s+(?!" + _REFERENCE + r")\S+")),
    (
        "ios-clear",
        re.compile(
            r"^\s*(?:username\s+\S+.*\s|enable\s+(?:.*\s)?|neighbor\s+\S+\s+|tacacs-server\s.*\s)(?:secret|password)\s+(?!\d\s)(?!" + _REFERENCE + r")\S+"
        ),
    ),
    ("ios-clear", re.compile(r"^\s*key\s+(?!\d\s)(?!" + _REFERENCE + r")\S+\s*$")),
    ("ios-clear", re.compile(r"^\s*ntp\s+authentication-key\s+\d+\s+\S+\s+(?!" + _REFERENCE + r")\S+")),
    (
        "snmp-clear",
        re.compile(
            r"^\s*snmp-server user\s.*\b(?:auth\s+(?:sha|md5)|priv\s+(?:aes\s+(?:128|192|256)|3des|des|aes))\s+(?!\d+\s)(?!" + _REFERENCE + r")\S+"
        ),
    ),
    ("private-key", re.compile(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----")),
    ("vault-clear", re.compile(r"^\s*vault_[A-Za-z0-9_]+\s*:\s*(?!" + _REFERENCE + r")[^\s#]")),
    ("sip-subscriber", re.compile(r"^id\(int,auto\) username\(string\) (?:domain\(string\) )?(?:password|ha1)\(")),
)
# Files that only a configuration of a device can be: the IOS rules are meant for them, and for templates.
CONFIG_SUFFIXES = (".cfg", ".j2", ".conf")


@dataclass(frozen=True, order=True)
class Finding:
    """One secret in clear: where (path and line) and what kind; the secret itself is never repeated."""

    path: str
    line: int
    kind: str
    hint: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.kind}: {self.hint}"


HINTS = {
    "ios-clear": "write the vault reference {{ vault_NAME }} instead, with the value in the vault",
    "snmp-clear": "give the SNMPv3 keys as vault references {{ vault_NAME }}",
    "private-key": "keep private keys out of the repository and the build (the lab makes its own at create time)",
    "vault-clear": "encrypt the file with ansible-vault (ansible-vault encrypt FILE)",
    "sip-subscriber": "phones' credentials are derived at deploy from the vault's SIP secret; do not keep the table",
    "known-value": "a value of the vault is in clear: remove it and change the secret",
}


def _is_vault_file(path: str) -> bool:
    name = PurePosixPath(path).name
    parts = PurePosixPath(path).parts
    return name.startswith("vault") and name.endswith((".yml", ".yaml")) or "vault" in parts[:-1] and name.endswith((".yml", ".yaml"))


def scan_text(path: str, content: bytes, known: Iterable[str] = ()) -> list[Finding]:
    """Every secret in clear in one file (its path inside the tree, and its bytes)."""
    findings: list[Finding] = []
    if _is_vault_file(path) and not content.startswith(VAULT_HEADER) and content.strip():
        findings.append(Finding(path, 1, "vault-clear", HINTS["vault-clear"]))
    if content.startswith(VAULT_HEADER) or b"\0" in content[:4096]:
        return findings
    text = content.decode("utf-8", errors="replace")
    secrets = [value for value in known if len(value) >= MIN_KNOWN]
    config = path.endswith(CONFIG_SUFFIXES) or "/configs/" in f"/{path}"
    for number, line in enumerate(text.splitlines(), start=1):
        if ALLOW in line:
            continue
        for kind, rule in LINE_RULES:
            if kind in ("ios-clear", "snmp-clear") and not config:
                continue
            if rule.search(line):
                findings.append(Finding(path, number, kind, HINTS[kind]))
                break
        if any(value in line for value in secrets):
            findings.append(Finding(path, number, "known-value", HINTS["known-value"]))
    return findings


def scan_files(files: Mapping[str, bytes], known: Iterable[str] = ()) -> list[Finding]:
    """Every secret in clear in a set of files (path -> bytes), sorted by path and line."""
    values = tuple(known)
    return sorted(finding for path, content in files.items() for finding in scan_text(path, content, values))


def report(findings: list[Finding], what: str) -> str:
    """A summary for the engineer: one line per finding under a count."""
    if not findings:
        return f"secrets-check: no secret in clear in {what}"
    head = f"secrets-check: {len(findings)} secret{'s' if len(findings) != 1 else ''} in clear in {what}"
    return "\n".join([head] + [f"- {finding}" for finding in findings])
