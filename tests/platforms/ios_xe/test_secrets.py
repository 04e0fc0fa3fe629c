"""Secret lines of IOS-XE configurations: set apart from the idempotent push, filled from the vault only on intent.

A device shows secrets back hashed or hidden, so deploy pushes a configuration less its secret lines every time
(roles/device_config/tasks/ios_xe.yml) and the secret lines only with -e govnet_push_secrets=true. These tests
check the split on every golden configuration and on generated configuration trees.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from ciscoconfparse2 import CiscoConfParse
from conftest import GOLDEN
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.core.text import VAULT_REFERENCE
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.platforms.ios_xe.secrets import secret_blocks, split_secrets

CONFIGS = sorted((GOLDEN / "configs" / "ios_xe").glob("*.cfg"))
VALUES = {
    "vault_govnet_enable_secret": "enable-value",
    "vault_govnet_admin_secret": "admin-value",
    "vault_govnet_tacacs_key": "tacacs-value",
    "vault_govnet_snmp_auth": "auth-value",
    "vault_govnet_snmp_priv": "priv-value",
    "vault_govnet_bgp_key": "bgp-value",
    "vault_govnet_ipsec_psk": "ipsec-value",
    "vault_govnet_ntp_key": "ntp-value",
}


def _without_secret_lines(config: str) -> list[str]:
    return [line for line in config.splitlines() if not VAULT_REFERENCE.search(line)]


@pytest.mark.parametrize("path", CONFIGS, ids=lambda path: path.stem)
def test_plain_part_is_the_config_less_its_secret_lines(path: Path) -> None:
    config = path.read_text()
    split = split_secrets(config)
    assert "{" not in split.plain and "}" not in split.plain
    assert split.plain.splitlines() == _without_secret_lines(config)
    assert split.plain.endswith("\nend\n")


@pytest.mark.parametrize("path", CONFIGS, ids=lambda path: path.stem)
def test_every_secret_line_sits_under_its_parents(path: Path) -> None:
    config = path.read_text()
    secrets = split_secrets(config).secrets
    expected = [line for line in config.splitlines() if VAULT_REFERENCE.search(line)]
    assert expected, "every golden configuration holds the management secrets"
    parsed = CiscoConfParse(secrets.splitlines(), syntax="ios", loguru=False)
    original = CiscoConfParse(config.splitlines(), syntax="ios", loguru=False)
    chains = {
        obj.text: [parent.text for parent in obj.all_parents] for obj in original.objs if VAULT_REFERENCE.search(obj.text)
    }
    found = {obj.text: [parent.text for parent in obj.all_parents] for obj in parsed.objs if VAULT_REFERENCE.search(obj.text)}
    assert found == chains


def test_tacacs_server_keeps_its_other_lines_in_the_plain_part() -> None:
    plain = split_secrets((GOLDEN / "configs" / "ios_xe" / "tba-ce1.cfg").read_text()).plain
    server = CiscoConfParse(plain.splitlines(), syntax="ios", loguru=False).find_parent_objects(["^tacacs server "])
    assert len(server) == 1
    children = [child.text.strip() for child in server[0].children]
    assert children[0].startswith("address ipv4 ") and "timeout 5" in children
    assert not any(child.startswith("key") for child in children)


def test_secret_blocks_fill_values_for_ios_config() -> None:
    blocks = secret_blocks((GOLDEN / "configs" / "ios_xe" / "tba-ce1.cfg").read_text(), VALUES)
    assert blocks == [
        {"parents": ["tacacs server GOVNET-TACACS-1"], "lines": ["key tacacs-value"]},
        {
            "parents": [],
            "lines": [
                "username govnet-admin privilege 15 algorithm-type scrypt secret admin-value",
                "enable algorithm-type scrypt secret enable-value",
            ],
        },
        {"parents": ["crypto ikev2 keyring GOVNET-KEYRING", "peer core-dar"], "lines": ["pre-shared-key ipsec-value"]},
        {"parents": ["router bgp 4200000048"], "lines": ["neighbor 10.2.1.130 password bgp-value"]},
        {
            "parents": [],
            "lines": [
                "snmp-server user govnet-ops GOVNET-OPS v3 auth sha auth-value priv aes 256 priv-value",
                "ntp authentication-key 1 hmac-sha2-256 ntp-value",
            ],
        },
    ]


def test_a_secret_without_a_value_is_named() -> None:
    values = {name: value for name, value in VALUES.items() if name != "vault_govnet_snmp_priv"}
    with pytest.raises(ValueError) as raised:
        secret_blocks((GOLDEN / "configs" / "ios_xe" / "tba-ce1.cfg").read_text(), values)
    assert str(raised.value) == (
        "the vault variable vault_govnet_snmp_priv has no value: define it in an ansible-vault file (see docs/secrets.md)"
    )


# ---------------------------------------------------------------- generated configuration trees

_WORD = st.text(alphabet="abcdefghij0123456789-", min_size=1, max_size=8)


@st.composite
def _lines(draw: st.DrawFn, depth: int = 0) -> list[str]:
    """A block structure: lines at `depth`, some holding a vault reference, some with children."""
    lines: list[str] = []
    for _ in range(draw(st.integers(0 if depth else 1, 4))):
        words = " ".join(draw(st.lists(_WORD, min_size=1, max_size=3)))
        if draw(st.booleans()) and draw(st.booleans()):
            lines.append(" " * depth + f"{words} {{{{ vault_{draw(_WORD).replace('-', '_')} }}}}")
            continue
        lines.append(" " * depth + words)
        if depth < 2 and draw(st.booleans()):
            lines.extend(draw(_lines(depth + 1)))
        if depth == 0:
            lines.append("!")
    return lines


@given(_lines())
def test_split_keeps_order_and_every_line(lines: list[str]) -> None:
    config = "\n".join(lines) + "\n"
    split = split_secrets(config)
    assert split.plain.splitlines() == _without_secret_lines(config)
    secret_lines = [line for line in split.secrets.splitlines() if VAULT_REFERENCE.search(line)]
    assert secret_lines == [line for line in lines if VAULT_REFERENCE.search(line)]
    names = {match[3:-3] for line in secret_lines for match in VAULT_REFERENCE.findall(line)}
    blocks = secret_blocks(config, {name: f"<{name}>" for name in names})
    assert [line for block in blocks for line in block["lines"]] == [
        VAULT_REFERENCE.sub(lambda m: f"<{m.group(0)[3:-3]}>", line).strip() for line in secret_lines
    ]
    for block in blocks:
        assert all(parent in (line.strip() for line in split.plain.splitlines()) for parent in block["parents"])
