#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: e-Government Authority (e-GA)
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: lab_process
short_description: Keep a GovNet lab daemon running inside a network namespace
version_added: 0.1.0
author: e-Government Authority (e-GA) network engineering (!UNKNOWN)
description:
  - Starts a program inside a lab network namespace with C(ip netns exec), in its own session, with its
    output in a log file beside its pid file, and keeps the pid in I(pidfile) so the lab can stop it.
  - "Idempotent: a process that is alive is left alone unless I(state=restarted)."
  - Optionally waits, with a bound, until the program listens on a UDP port inside the namespace.
  - Run it on the controller (delegate_to localhost); it needs root, as the lab does.
options:
  netns:
    description: The network namespace to run in.
    type: str
    required: true
  argv:
    description: The program and its arguments; the program must stay in the foreground.
    type: list
    elements: str
  pidfile:
    description: Where the pid is kept; the log goes beside it with the suffix C(.log).
    type: path
    required: true
  state:
    description: C(started) starts it when not running; C(restarted) stops it first; C(stopped) stops it.
    type: str
    choices: [started, restarted, stopped]
    default: started
  wait_udp:
    description: A UDP port the program must listen on before the task succeeds.
    type: int
  timeout:
    description: Seconds to wait for the port, and for a stopped process to go.
    type: int
    default: 20
attributes:
  check_mode:
    description: Reports what it would do and does nothing.
    support: full
  diff_mode:
    description: No diff.
    support: none
  platform:
    description: Linux with iproute2 network namespaces.
    support: full
    platforms: posix
"""

EXAMPLES = r"""
- name: Run the answerer of the conference service
  ega.govnet.lab_process:
    netns: gn-core-dodoma-svc
    argv: [sipp, -sf, /etc/govnet-lab/answer.xml, -i, 10.0.18.11, -p, "5060", -nostdin]
    pidfile: /run/govnet-lab/gn-core-dodoma-svc/conference.pid
    wait_udp: 5060
  delegate_to: localhost
"""

RETURN = r"""
pid:
  description: The pid of the running process (absent when stopped).
  returned: when running
  type: int
  sample: 4242
"""

import os
import re
import signal
import time

from ansible.module_utils.basic import AnsibleModule


NETNS_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")  # never read as an option by ip


def alive(pidfile):
    """The pid in pidfile when that process runs (and is not a zombie), else None."""
    try:
        with open(pidfile, encoding="ascii") as handle:
            pid = int(handle.read().strip())
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            state = handle.read().rsplit(")", 1)[1].split()[0]
    except (OSError, ValueError, IndexError):
        return None
    return None if state == "Z" else pid


def stop(pidfile, timeout):
    pid = alive(pidfile)
    if pid is not None:
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while alive(pidfile) is not None and time.monotonic() < deadline:
            time.sleep(0.05)
        if alive(pidfile) is not None:
            os.kill(pid, signal.SIGKILL)
    if os.path.exists(pidfile):
        os.unlink(pidfile)


def listening(module, netns, port):
    out = module.run_command(["ip", "netns", "exec", netns, "ss", "-Hlun", f"sport = :{port}"])[1]
    return f":{port}" in out


# The daemon must outlive this module: a shell starts it in the background in its own session, its output in
# the log, and prints its pid (setsid and ip netns exec exec in place, so that is the daemon's own pid).
LAUNCH = 'setsid "$@" </dev/null >>"$GOVNET_LOG" 2>&1 & echo $!'


def start(module, netns, argv, pidfile):
    os.makedirs(os.path.dirname(pidfile), exist_ok=True)
    code, out, err = module.run_command(
        ["sh", "-c", LAUNCH, "sh", "ip", "netns", "exec", netns] + argv, environ_update={"GOVNET_LOG": pidfile + ".log"}
    )
    if code != 0 or not out.strip().isdigit():
        module.fail_json(msg=f"could not start {argv[0]} in {netns}: {err or out}")
    pid = int(out.strip())
    with open(pidfile, "w", encoding="ascii") as handle:
        handle.write(f"{pid}\n")
    port, deadline = module.params["wait_udp"], time.monotonic() + module.params["timeout"]
    while port and not listening(module, netns, port):
        if alive(pidfile) is None or time.monotonic() > deadline:
            with open(pidfile + ".log", encoding="utf-8", errors="replace") as handle:
                tail = handle.read()[-2000:]
            stop(pidfile, 5)
            module.fail_json(msg=f"{argv[0]} in {netns} did not listen on UDP {port} within {module.params['timeout']} s", log=tail)
        time.sleep(0.05)
    return pid


def main():
    module = AnsibleModule(
        argument_spec=dict(
            netns=dict(type="str", required=True),
            argv=dict(type="list", elements="str"),
            pidfile=dict(type="path", required=True),
            state=dict(type="str", choices=["started", "restarted", "stopped"], default="started"),
            wait_udp=dict(type="int"),
            timeout=dict(type="int", default=20),
        ),
        required_if=[("state", "started", ["argv"]), ("state", "restarted", ["argv"])],
        supports_check_mode=True,
    )
    netns, pidfile, state = module.params["netns"], module.params["pidfile"], module.params["state"]
    if not NETNS_NAME.fullmatch(netns):
        module.fail_json(msg=f"netns {netns!r} is not a namespace name: letters, digits, '.', '_' and '-', not first")
    running = alive(pidfile)
    if state == "stopped":
        if running is not None and not module.check_mode:
            stop(pidfile, module.params["timeout"])
        module.exit_json(changed=running is not None)
    if state == "started" and running is not None:
        module.exit_json(changed=False, pid=running)
    if module.check_mode:
        module.exit_json(changed=True)
    if running is not None:
        stop(pidfile, module.params["timeout"])
    module.exit_json(changed=True, pid=start(module, netns, module.params["argv"], pidfile))


if __name__ == "__main__":
    main()
