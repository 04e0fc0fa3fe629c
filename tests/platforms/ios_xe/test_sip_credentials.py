"""Phones' SIP digest credentials on IOS-XE call control: derived at deploy, pushed only on intent, never built.

No IOS-XE device exists here, so this proves the pieces: the blocks the filter makes (golden, and the same
credentials as the lab's Kamailio), that they fit the rendered configuration (pool numbers within max-pool, the
same voice subnet and class of service as pool 1), that no credential reaches a build while the secret scan would
catch one that did, and that the role's own expressions give the blocks in a playbook.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import GOLDEN, ROOT, SMALL, ansible, check_golden

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.platforms.ios_xe import render as ios_xe
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.pipeline import Network, plan
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.platforms.ios_xe.sip_credentials import FIRST_PHONE_POOL, phone_blocks
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.platforms.registry import render_all
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.secret_scan import scan_files, scan_text
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design.sip_credentials import call_control_subscribers, extensions, ha1, phone_password


SECRET = "test-sip-secret-not-a-real-one"
CREDENTIALS_GOLDEN = GOLDEN / "credentials"


@pytest.fixture(scope="module")
def small() -> Network:
    return plan(SMALL)


def call_controls(network: Network) -> list[dict[str, Any]]:
    return [network.states[name] for name in sorted(network.states) if network.states[name]["role"] == "call_control"]


def as_text(blocks: list[dict[str, list[str]]]) -> str:
    """Blocks as the configuration they make: each parent, then its lines indented."""
    return "".join(
        "".join(f"{' ' * depth}{parent}\n" for depth, parent in enumerate(block["parents"]))
        + "".join(f"{' ' * len(block['parents'])}{line}\n" for line in block["lines"])
        for block in blocks
    )


@pytest.mark.golden
def test_golden_blocks(small: Network) -> None:
    """Three phones of tba-cc1, word for word (the test secret's passwords: no real credential)."""
    state = small.states["tba-cc1"]
    numbering = dict(state["numbering"], last_extension=state["numbering"]["first_extension"] + 2)
    check_golden(CREDENTIALS_GOLDEN / "tba-cc1.txt", as_text(phone_blocks(dict(state, numbering=numbering), SECRET)))


def test_every_phone_has_the_lab_credentials(small: Network) -> None:
    """User = extension, one pool per phone, and the password whose HA1 the lab's Kamailio keeps."""
    for state in call_controls(small):
        blocks = phone_blocks(state, SECRET)
        users = extensions(state)
        assert len(blocks) == 2 * len(users)
        realm = state["sip"]["realm"]
        subscribers = {row.split(":")[1]: row.split(":")[3] for row in call_control_subscribers(state, SECRET).splitlines()[1:]}
        for index, user in enumerate(users, start=1):
            dn, pool = blocks[2 * index - 2], blocks[2 * index - 1]
            assert dn == {"parents": [f"voice register dn {index}"], "lines": [f"number {user}"]}
            assert pool["parents"] == [f"voice register pool {FIRST_PHONE_POOL + index - 1}"]
            assert pool["lines"][1] == f"number 1 dn {index}"
            password = phone_password(SECRET, realm, user)
            assert pool["lines"][3] == f"username {user} password {password}"
            assert ha1(user, realm, password) == subscribers[user]
        passwords = [block["lines"][3].rsplit(" ", 1)[1] for block in blocks[1::2]]
        assert len(set(passwords)) == len(passwords), "every phone has its own password"


def test_blocks_fit_the_rendered_configuration(small: Network) -> None:
    """Pools and directory numbers within max-pool and max-dn; each pool in pool 1's voice subnet and class of service."""
    configs = ios_xe.render(small.states)
    for state in call_controls(small):
        config = configs[f"configs/{state['hostname']}.cfg"]
        blocks = phone_blocks(state, SECRET)
        max_dn = int(re.search(r"^ max-dn (\d+)$", config, re.M).group(1))
        max_pool = int(re.search(r"^ max-pool (\d+)$", config, re.M).group(1))
        pool_one = re.search(r"^voice register pool 1\n((?: .*\n)+)", config, re.M).group(1).splitlines()
        assert max(int(block["parents"][0].rsplit(" ", 1)[1]) for block in blocks[1::2]) == max_pool
        assert max(int(block["parents"][0].rsplit(" ", 1)[1]) for block in blocks[0::2]) == max_dn
        for block in blocks[1::2]:
            assert block["lines"][0] in {line.strip() for line in pool_one} and block["lines"][0].startswith("id network ")
            assert block["lines"][2] in {line.strip() for line in pool_one} and block["lines"][2].startswith("cor incoming ")
        assert not re.search(r"^\s*username \S+ password", config, re.M), "the rendered configuration holds no phone credential"


def test_no_credential_reaches_a_build_and_the_scan_would_catch_one(small: Network) -> None:
    built = {path: text.encode() for path, text in render_all(small.states).items()}
    passwords = [line.rsplit(" ", 1)[1] for state in call_controls(small) for block in phone_blocks(state, SECRET)[1::2] for line in block["lines"][3:]]
    assert scan_files(built, [SECRET, *passwords]) == []
    pushed = " " + phone_blocks(small.states["tba-cc1"], SECRET)[1]["lines"][3]
    assert [finding.kind for finding in scan_text("configs/tba-cc1.cfg", pushed.encode())] == ["ios-clear"]


@pytest.mark.parametrize(
    "change,message",
    [
        (
            {"hostname": "tba-ce1", "role": "ce_router"},
            "tba-ce1: role 'ce_router' is not a call control with SIP registration: give the intended state of a call control"
            " (plan/<hostname>.yml of a build)",
        ),
        (
            {"platform": "lab"},
            "tba-cc1: platform 'lab' is not 'ios_xe': lab call control takes its phones' credentials from ega.govnet.sip_subscribers",
        ),
    ],
)
def test_refusals_name_device_and_field(small: Network, change: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError) as raised:
        phone_blocks(dict(small.states["tba-cc1"], **change), SECRET)
    assert str(raised.value) == message


def test_an_empty_secret_is_refused(small: Network) -> None:
    with pytest.raises(ValueError) as raised:
        phone_blocks(small.states["tba-cc1"], "")
    assert str(raised.value) == "the SIP secret is empty: define it in the vault (docs/secrets.md)"


def _role_task() -> dict[str, Any]:
    tasks = yaml.safe_load((ROOT / "roles" / "device_config" / "tasks" / "ios_xe.yml").read_text())
    push = next(task for task in tasks if task.get("when") == "govnet_push_secrets | default(false) | bool")
    return next(task for task in push["block"] if "ios_sip_credentials" in str(task.get("loop", "")))


def test_role_pushes_credentials_only_on_intent_and_never_logs_them() -> None:
    task = _role_task()
    assert task["no_log"] is True and task["cisco.ios.ios_config"]["match"] == "none"


def test_role_expressions_in_a_playbook(small: Network, tmp_path: Path) -> None:
    """The role task's own loop and vars, run on a built plan: blocks for call control, none for a router."""
    build = tmp_path / "build"
    built = ansible("ansible-playbook", "-i", str(SMALL), "playbooks/build.yml", "-e", f"govnet_build_dir={build}")
    assert built.returncode == 0, built.stdout + built.stderr
    task = _role_task()
    state = small.states["tba-cc1"]
    first = extensions(state)[0]
    expected = f"username {first} password {phone_password(SECRET, state['sip']['realm'], first)}"
    playbook = tmp_path / "credentials.yml"
    playbook.write_text(
        yaml.safe_dump(
            [
                {
                    "hosts": "tba-cc1,tba-ce1",
                    "gather_facts": False,
                    "tasks": [
                        {
                            "name": "The role's loop",
                            "ansible.builtin.set_fact": {"pushed": task["loop"].strip()},
                            "vars": task["vars"],
                            "no_log": True,
                        },
                        {
                            "name": "Call control gets every phone, a router nothing",
                            "ansible.builtin.assert": {
                                "that": [
                                    f"pushed | length == {2 * len(extensions(state))} if inventory_hostname == 'tba-cc1' else pushed == []",
                                    f"inventory_hostname != 'tba-cc1' or pushed[1]['lines'][3] == '{expected}'",
                                    "inventory_hostname != 'tba-cc1' or pushed[1]['parents'] == ['voice register pool 2']",
                                ],
                                "quiet": True,
                            },
                            "no_log": True,
                        },
                    ],
                }
            ],
            sort_keys=False,
        )
    )
    vault = tmp_path / "vault.yml"
    vault.write_text(yaml.safe_dump({"vault_govnet_sip_secret": SECRET}))
    ran = ansible("ansible-playbook", "-i", str(SMALL), str(playbook), "-e", f"govnet_build_dir={build}", "-e", f"@{vault}")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert SECRET not in ran.stdout and expected not in ran.stdout, "no_log keeps credentials out of the output"
