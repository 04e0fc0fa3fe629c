"""ega.govnet.lab_process keeps a daemon running in a namespace, idempotently, and stops it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.lab
BIN = Path(sys.executable).parent
UDP_SERVER = "import socket, time; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('127.0.0.1', 5999)); time.sleep(600)"




def module(tmp_path: Path, **args: object) -> dict:
    inventory = tmp_path / "hosts.yml"
    inventory.write_text(
        f"all:\n  hosts:\n    localhost:\n      ansible_connection: local\n      ansible_python_interpreter: {sys.executable}\n"
    )
    ran = subprocess.run(
        [str(BIN / "ansible"), "-i", str(inventory), "localhost", "-m", "ega.govnet.lab_process", "-a", json.dumps(args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "ANSIBLE_STDOUT_CALLBACK": "json", "ANSIBLE_LOAD_CALLBACK_PLUGINS": "1"},
    )
    return json.loads(ran.stdout)["plays"][0]["tasks"][0]["hosts"]["localhost"]


def test_started_twice_is_one_process_and_stopped_is_gone(namespace: str, tmp_path: Path) -> None:
    pidfile = tmp_path / "run" / "udp.pid"
    args = {"netns": namespace, "argv": [sys.executable, "-c", UDP_SERVER], "pidfile": str(pidfile), "wait_udp": 5999, "timeout": 20}
    first = module(tmp_path, **args)
    assert first["changed"] and not first.get("failed"), first
    listening = subprocess.run(
        ["ip", "netns", "exec", namespace, "ss", "-Hlun", "sport = :5999"], capture_output=True, text=True, check=True
    )
    assert ":5999" in listening.stdout
    second = module(tmp_path, **args)
    assert not second["changed"] and second["pid"] == first["pid"]
    stopped = module(tmp_path, netns=namespace, pidfile=str(pidfile), state="stopped")
    assert stopped["changed"] and not pidfile.exists()
    assert not Path(f"/proc/{first['pid']}").exists() or "Z" in Path(f"/proc/{first['pid']}/stat").read_text().rsplit(")", 1)[1][:3]


def test_a_program_that_never_listens_fails_within_the_bound(namespace: str, tmp_path: Path) -> None:
    pidfile = tmp_path / "run" / "quiet.pid"
    result = module(tmp_path, netns=namespace, argv=["sleep", "600"], pidfile=str(pidfile), wait_udp=5999, timeout=2)
    assert result.get("failed") and "did not listen on UDP 5999 within 2 s" in result["msg"]
    assert not pidfile.exists()
