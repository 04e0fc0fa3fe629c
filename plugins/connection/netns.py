# -*- coding: utf-8 -*-
# Copyright: e-Government Authority (e-GA)
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Connection plugin: run tasks inside a Linux network namespace of the GovNet lab."""

from __future__ import annotations

DOCUMENTATION = r"""
name: netns
short_description: Run tasks inside a network namespace on the controller
version_added: 0.1.0
author: e-Government Authority (e-GA) network engineering (!UNKNOWN)
description:
  - Runs commands and copies files inside a Linux network namespace on the Ansible controller with
    C(ip netns exec), so a playbook reaches the nodes of a GovNet lab without any route from the root
    namespace into the lab.
  - Files go through C(cat) inside the namespace, so they land where the node sees them, including files
    that C(ip netns exec) bind-mounts from C(/etc/netns/NAME/).
  - Needs root (as the lab does); the lab nodes share the controller's filesystem and Python.
options:
  netns:
    description: Name of the network namespace.
    type: str
    required: true
    vars:
      - name: govnet_netns
  timeout:
    description: Seconds a single command may run before it is stopped.
    type: int
    default: 300
    vars:
      - name: govnet_netns_timeout
extends_documentation_fragment:
  - connection_pipelining
"""

EXAMPLES = r"""
# A lab router as ega.govnet.lab makes it: an inventory host in the namespace gn-<hostname>.
# inventory (YAML):
#   all:
#     hosts:
#       core-dodoma:
#         ansible_connection: ega.govnet.netns
#         govnet_netns: gn-core-dodoma
#         ansible_python_interpreter: /usr/bin/python3
- name: Show the BGP sessions of a lab router
  hosts: core-dodoma
  gather_facts: false
  tasks:
    - name: Ask FRR inside the router's namespace
      ansible.builtin.command: vtysh -N gn-core-dodoma -c 'show bgp summary'
      changed_when: false
"""

import os
import re
import shlex
import subprocess

from ansible.errors import AnsibleConnectionFailure, AnsibleFileNotFound
from ansible.module_utils.common.text.converters import to_bytes
from ansible.plugins.connection import ConnectionBase


NETNS_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")  # never read as an option by ip


class Connection(ConnectionBase):
    """Commands through `ip netns exec NAME /bin/sh -c ...`."""

    transport = "ega.govnet.netns"
    has_pipelining = True
    default_user = "root"

    def _connect(self):
        if not self._connected:
            name = self.get_option("netns")
            if not isinstance(name, str) or not NETNS_NAME.fullmatch(name):
                raise AnsibleConnectionFailure(f"govnet_netns {name!r} is not a namespace name. Hint: the lab's are gn-<hostname>")
            try:
                names = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=False, timeout=30).stdout.split()
            except (OSError, subprocess.TimeoutExpired) as error:
                raise AnsibleConnectionFailure(f"cannot list network namespaces with ip: {error}. Hint: the lab needs iproute2 and root") from None
            if name not in names:
                raise AnsibleConnectionFailure(f"network namespace {name} does not exist: bring the lab up first (make lab)")
            self._connected = True
        return self

    def _run(self, command, data=None):
        argv = ["ip", "netns", "exec", self.get_option("netns"), "/bin/sh", "-c", command]
        try:
            done = subprocess.run(argv, input=data, capture_output=True, timeout=self.get_option("timeout"), check=False)
        except subprocess.TimeoutExpired as error:
            raise AnsibleConnectionFailure(f"command timed out after {error.timeout} s in {self.get_option('netns')}") from None
        except OSError as error:
            raise AnsibleConnectionFailure(f"cannot run ip netns exec in {self.get_option('netns')}: {error.strerror}") from None
        return done.returncode, done.stdout, done.stderr

    def exec_command(self, cmd, in_data=None, sudoable=True):
        super().exec_command(cmd, in_data=in_data, sudoable=sudoable)
        self._connect()
        return self._run(cmd, in_data)

    def put_file(self, in_path, out_path):
        super().put_file(in_path, out_path)
        self._connect()
        if not os.path.exists(to_bytes(in_path, errors="surrogate_or_strict")):
            raise AnsibleFileNotFound(f"file to copy does not exist: {in_path}")
        try:
            with open(in_path, "rb") as handle:
                content = handle.read()
        except OSError as error:
            raise AnsibleFileNotFound(f"cannot read {in_path}: {error.strerror}") from None
        code, _out, err = self._run(f"cat > {shlex.quote(out_path)}", content)
        if code != 0:
            raise AnsibleConnectionFailure(f"cannot write {out_path} in {self.get_option('netns')}: {err.decode(errors='replace')}")

    def fetch_file(self, in_path, out_path):
        super().fetch_file(in_path, out_path)
        self._connect()
        code, data, err = self._run(f"cat {shlex.quote(in_path)}")
        if code != 0:
            raise AnsibleFileNotFound(f"cannot read {in_path} in {self.get_option('netns')}: {err.decode(errors='replace')}")
        try:
            with open(out_path, "wb") as handle:
                handle.write(data)
        except OSError as error:
            raise AnsibleConnectionFailure(f"cannot write {out_path} on the controller: {error.strerror}") from None

    def close(self):
        self._connected = False
