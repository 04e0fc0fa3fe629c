"""No entry point shows a Python traceback or bare exception text: the inventory, filters, actions.

The real entry points (ansible-inventory, ansible-playbook) run as subprocesses with a timeout.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.ega.govnet.plugins.filter import govnet as filters
from ansible_collections.ega.govnet.plugins.filter import sip
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.core.problems import internal_error
from conftest import GOLDEN, ROOT, check_golden, small_institutions, write_registry

BIN = Path(sys.executable).parent
NUMBERING = {"code_offset": 400, "code_digits": 3, "code_first_digits": "45678"}


def ansible(tool: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / tool), *args], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)


def invalid_registry(tmp_path: Path) -> Path:
    items = small_institutions()
    items[1]["region"] = "dodom"
    return write_registry(tmp_path / "bad", items)


@pytest.mark.parametrize("view", ["--graph", "--list"])
def test_inventory_of_an_invalid_registry_fails_with_the_problems(tmp_path: Path, view: str) -> None:
    shown = ansible("ansible-inventory", "-i", str(invalid_registry(tmp_path)), view)
    assert shown.returncode != 0
    assert "Traceback" not in shown.stdout + shown.stderr
    message = "- institution 48 (tba), field 'region', value 'dodom': is not a known region."
    assert "GovNet input is invalid: 1 problem found.\n" + message in shown.stderr


def test_inventory_of_an_alias_bomb_fails_with_the_limit(tmp_path: Path) -> None:
    bomb = tmp_path / "institutions.yml"
    levels = "".join(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]\n" for prev, name in zip("abcdefgh", "bcdefghi"))
    bomb.write_text('plugin: ega.govnet.registry\na: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + levels + "institutions: *i\n")
    shown = ansible("ansible-inventory", "-i", str(bomb), "--graph")
    assert shown.returncode != 0
    assert "expands to more than 5,000,000 values through its aliases" in shown.stderr


def test_a_filter_with_a_wrong_argument_fails_the_task_clearly(tmp_path: Path) -> None:
    playbook = tmp_path / "filter.yml"
    playbook.write_text(
        "- hosts: localhost\n  gather_facts: false\n  tasks:\n"
        "    - ansible.builtin.debug:\n        msg: \"{{ 8 | ega.govnet.institution_code(none) }}\"\n"
    )
    hosts = tmp_path / "hosts.yml"
    hosts.write_text(f"all:\n  hosts:\n    localhost:\n      ansible_connection: local\n      ansible_python_interpreter: {sys.executable}\n")
    ran = ansible("ansible-playbook", "-i", str(hosts), str(playbook))
    assert ran.returncode != 0
    assert "Traceback" not in ran.stdout + ran.stderr
    assert "institution_code: argument 'numbering', value None (NoneType): must be a dict" in ran.stdout + ran.stderr


ACTION_CALLS = [
    ("ega.govnet.validate", "{inventroy: x}", "missing required arguments: inventory"),
    ("ega.govnet.build", "{inventory: x, dest: y, jobs: 2}", "module: jobs. Supported parameters include: dest, inventory."),
    ("ega.govnet.lab", "{state: up}", "value of state must be one of: present, absent, got: up"),
    ("ega.govnet.lab", "{}", "state is present but all of the following are missing: inventory"),
    ("ega.govnet.report", "{inventory: x, dest: y, records: [1]}", "argument 'records' is of type list and we were unable to convert to dict"),
    ("ega.govnet.rollout_plan", "{inventory: x, environment: lab, dest: y, record: maybe}",
     "argument 'record' is of type str and we were unable to convert to bool"),
]


def test_an_action_with_a_wrong_argument_gets_ansibles_standard_message(tmp_path: Path) -> None:
    """Each action checks its arguments against its module stub's DOCUMENTATION (validate_argument_spec)."""
    playbook = tmp_path / "actions.yml"
    tasks = "".join(f"    - {action}: {args}\n      ignore_errors: true\n" for action, args, _message in ACTION_CALLS)
    playbook.write_text(f"- hosts: localhost\n  gather_facts: false\n  tasks:\n{tasks}")
    hosts = tmp_path / "hosts.yml"
    hosts.write_text(f"all:\n  hosts:\n    localhost:\n      ansible_connection: local\n      ansible_python_interpreter: {sys.executable}\n")
    ran = ansible("ansible-playbook", "-i", str(hosts), str(playbook))
    shown = " ".join((ran.stdout + ran.stderr).split())
    assert "Traceback" not in shown
    for action, _args, message in ACTION_CALLS:
        assert message in shown, (action, message)
    assert f"failed={len(ACTION_CALLS)}" not in shown and f"ignored={len(ACTION_CALLS)}" in shown


@pytest.mark.parametrize(
    ("device_roles", "message"),
    [
        ("[call_control]", "sw1 is a access_switch, not one of call_control."),
        ("[router]", "value of device_roles must be one or more of: core_hub, regional_aggregation, ce_router, access_switch, call_control. "
                     "Got no match for: router"),
    ],
)
def test_the_device_role_refuses_a_host_of_another_role(tmp_path: Path, device_roles: str, message: str) -> None:
    playbook = tmp_path / "device.yml"
    playbook.write_text(
        f"- hosts: sw1\n  gather_facts: false\n  roles:\n    - role: ega.govnet.device\n      vars:\n        device_roles: {device_roles}\n"
    )
    hosts = tmp_path / "hosts.yml"
    hosts.write_text(
        f"all:\n  hosts:\n    sw1:\n      ansible_connection: local\n      ansible_python_interpreter: {sys.executable}\n      govnet_role: access_switch\n"
    )
    ran = ansible("ansible-playbook", "-i", str(hosts), str(playbook))
    shown = " ".join((ran.stdout + ran.stderr).split())
    assert ran.returncode != 0 and "Traceback" not in shown
    assert message in shown


FILTER_CALLS = [
    ("pool_block", filters.pool_block, ("10.28.0.0/14", [24], 42)),
    ("pool_block", filters.pool_block, ("10.28.0.0/14", 24, 4.2)),
    ("pool_block", filters.pool_block, ("10.28.0.0/33", 24, 42)),
    ("pool_block", filters.pool_block, (None, 24, 42)),
    ("vlan_subnets", filters.vlan_subnets, ("10.28.42.0/24", None, {})),
    ("vlan_subnets", filters.vlan_subnets, ("10.28.42.0/24", {"subnets": 3}, {})),
    ("vlan_subnets", filters.vlan_subnets, ("10.28.42.0/24", {"subnets": {"data": 25}}, {"data": 10})),
    ("institution_code", filters.institution_code, ("eight", NUMBERING)),
    ("institution_code", filters.institution_code, (True, NUMBERING)),
    ("institution_code", filters.institution_code, (8, None)),
    ("institution_code", filters.institution_code, (8, dict(NUMBERING, code_offset="four hundred"))),
    ("onnet_number", filters.onnet_number, (408, "x", {})),
    ("onnet_number", filters.onnet_number, (408, 2001, [])),
    ("dial_plan_clashes", filters.dial_plan_clashes, ("4082001",)),
    ("dial_plan_clashes", filters.dial_plan_clashes, (None,)),
    ("ios_config_split", filters.ios_config_split, (5,)),
    ("ios_secret_blocks", filters.ios_secret_blocks, ("hostname x\n", None)),
    ("sip_subscribers", sip.sip_subscribers, (None, "secret")),
    ("sip_subscribers", sip.sip_subscribers, ({"role": "call_control"}, 5)),
    ("ios_sip_credentials", sip.ios_sip_credentials, ("state", "secret")),
]


@pytest.mark.golden
def test_filters_with_wrong_type_arguments_name_the_filter_argument_and_value() -> None:
    lines = []
    for name, function, args in FILTER_CALLS:
        with pytest.raises(AnsibleFilterError) as raised:
            function(*args)
        text = raised.value.message
        assert text.startswith(f"{name}: "), text
        lines.append(f"{name}{args!r}\n  {text}\n")
    check_golden(GOLDEN / "errors" / "entry_filters.txt", "".join(lines))


@pytest.mark.golden
def test_an_unexpected_error_is_an_internal_error_to_report() -> None:
    text = internal_error("validate", KeyError("hostname"))
    check_golden(GOLDEN / "errors" / "entry_internal_error.txt", text + "\n")
