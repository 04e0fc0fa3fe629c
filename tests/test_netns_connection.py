"""The netns connection plugin: Ansible reaches a namespace with no route from the root namespace."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.lab
BIN = Path(sys.executable).parent




def test_tasks_run_inside_the_namespace(namespace: str, tmp_path: Path) -> None:
    inventory = tmp_path / "hosts.yml"
    inventory.write_text(f"""---
all:
  hosts:
    node:
      ansible_connection: ega.govnet.netns
      govnet_netns: {namespace}
      ansible_python_interpreter: {sys.executable}
""")
    playbook = tmp_path / "play.yml"
    target = tmp_path / "copied.txt"
    playbook.write_text(f"""---
- hosts: node
  gather_facts: false
  tasks:
    - name: See the namespace's links
      ansible.builtin.command: ip -o link show
      register: links
      changed_when: false
    - name: Copy a file through the namespace
      ansible.builtin.copy:
        content: "hello from {{{{ inventory_hostname }}}}\\n"
        dest: {target}
        mode: "0644"
    - name: Prove the namespace holds only its loopback
      ansible.builtin.assert:
        that:
          - links.stdout_lines | length == 1
          - "'lo:' in links.stdout"
""")
    ran = subprocess.run(
        [str(BIN / "ansible-playbook"), "-i", str(inventory), str(playbook)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert target.read_text() == "hello from node\n"
    again = subprocess.run(
        [str(BIN / "ansible-playbook"), "-i", str(inventory), str(playbook)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert "changed=0" in again.stdout, again.stdout


def test_a_missing_namespace_is_reported(tmp_path: Path) -> None:
    inventory = tmp_path / "hosts.yml"
    inventory.write_text(f"""---
all:
  hosts:
    node:
      ansible_connection: ega.govnet.netns
      govnet_netns: govnet-t-absent
      ansible_python_interpreter: {sys.executable}
""")
    ran = subprocess.run(
        [str(BIN / "ansible"), "-i", str(inventory), "node", "-m", "ansible.builtin.ping"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ran.returncode != 0
    assert "network namespace govnet-t-absent does not exist: bring the lab up first (make lab)" in ran.stdout + ran.stderr
