"""The per-device and per-institution parts of a build spread over workers: the same bytes whatever the number of workers."""

from __future__ import annotations

import os
import re
import signal

import pytest
from conftest import ROOT, SMALL

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build import parts as build_parts
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.pipeline import outputs, plan
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.publish.documents import Pages

SMALL_LAB = ROOT / "tests" / "fixtures" / "small-lab" / "institutions.yml"


@pytest.mark.parametrize("inventory", [SMALL, SMALL_LAB], ids=["ios_xe", "lab"])
def test_workers_make_the_same_bytes_as_one_process(inventory) -> None:
    network = plan(inventory)
    alone = outputs(network, jobs=1)
    shared = outputs(network, jobs=3)
    assert list(shared) != [] and shared == alone
    assert {path for path in alone if path.startswith("plan/")} == {f"plan/{hostname}.yml" for hostname in network.states}
    guides = {path for path in alone if path.startswith("docs/guides/")}
    assert guides == {f"docs/guides/{plan.institution.slug}{lang}.html" for plan in network.allocation.institutions for lang in ("", ".sw")}


def test_a_worker_error_reaches_the_build() -> None:
    network = plan(SMALL)
    broken = {**network.states}
    hostname = next(name for name, state in broken.items() if state["platform"] == "ios_xe" and state["role"] == "ce_router")
    management = broken[hostname]["management"]
    broken[hostname] = {**broken[hostname], "management": {**management, "secrets": {**management["secrets"], "enable": "S3cret!"}}}
    pages = Pages(network.allocation, network.policy)
    with build_parts.BuildParts(broken, pages, jobs=2) as devices, pytest.raises(ValueError, match="secret enable is not a vault reference"):
        devices.result()


@pytest.mark.parametrize("value", ["0", "two", "-1"])
def test_a_bad_jobs_setting_is_named(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(build_parts.JOBS_VARIABLE, value)
    with pytest.raises(ValueError) as raised:
        build_parts.default_jobs()
    assert str(raised.value) == f"GOVNET_BUILD_JOBS={value!r} is not a number of workers; set a whole number from 1, or unset it"


def test_jobs_default_to_the_usable_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(build_parts.JOBS_VARIABLE, raising=False)
    assert 1 <= build_parts.default_jobs() <= build_parts.MAX_JOBS
    monkeypatch.setenv(build_parts.JOBS_VARIABLE, "3")
    assert build_parts.default_jobs() == 3


def test_a_killed_worker_is_an_error_naming_it_and_leaves_no_process() -> None:
    network = plan(SMALL)
    pages = Pages(network.allocation, network.policy)
    parent = os.getpid()

    def killed(files: dict[str, bytes]) -> dict[str, bytes]:
        if os.getpid() != parent and "plan/tba-ce1.yml" in files:
            os.kill(os.getpid(), signal.SIGKILL)
        return files

    with pytest.raises(build_parts.BuildWorkerError) as raised:
        with build_parts.BuildParts(network.states, pages, jobs=3, sink=killed) as parts:
            workers = [worker.pid for worker in parts._workers]  # pylint: disable=protected-access
            parts.result()
    assert re.fullmatch(
        r"A build worker \(process \d+\) was killed by signal 9 \(Killed\) before it handed back its part of the build\. "
        r"Hint: something stopped it from outside \(out of memory, or a signal\); nothing was replaced, run the build again",
        str(raised.value),
    )
    for pid in workers:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def test_workers_do_not_inherit_the_callers_signal_handlers() -> None:
    network = plan(SMALL)
    pages = Pages(network.allocation, network.policy)

    def handlers(_files: dict[str, bytes]) -> list[object]:
        return [signal.getsignal(number) for number in build_parts.PLAIN_SIGNALS]

    previous = signal.signal(signal.SIGTERM, lambda *_: None)
    try:
        with build_parts.BuildParts(network.states, pages, jobs=2, sink=handlers) as parts:
            seen = parts.result()
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert seen == [[signal.SIG_DFL] * len(build_parts.PLAIN_SIGNALS)] * 2
