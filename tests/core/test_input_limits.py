"""Input read with limits: a hostile registry, policy or rollout state file is refused with a clear message.

The alias bomb runs in a subprocess under an address-space cap, so a regression fails instead of eating the machine.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.ops import rollout
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.core.input_limits import MAX_BYTES, load_yaml
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.core.problems import GovnetInputError
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design.source import read_source
from conftest import GOLDEN, ROOT, check_golden

HEADER = "plugin: ega.govnet.registry\n"
# 528 bytes: nine levels of nine aliases, 10^9 strings once expanded.
BOMB = HEADER + 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]\n" for prev, name in zip("abcdefgh", "bcdefghi")
)
MEMORY_CAP = 1024 * 1024 * 1024  # bytes of address space for the bomb's reader
READ = """
import sys
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.core.problems import GovnetInputError
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design.source import read_source
try:
    read_source(sys.argv[1])
except GovnetInputError as error:
    print(error.report())
"""


def refusal(path: Path) -> str:
    """The report of a refused registry, with the test's folder taken out."""
    with pytest.raises(GovnetInputError) as raised:
        read_source(path)
    return raised.value.report().replace(str(path.parent), "DIR") + "\n"


def registry(tmp_path: Path, text: str | bytes, name: str = "institutions.yml") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


@pytest.mark.golden
def test_alias_bomb_is_refused_before_it_expands(tmp_path: Path) -> None:
    path = registry(tmp_path, BOMB + "institutions: *i\n")
    done = subprocess.run(
        [sys.executable, "-c", READ, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=_cap_memory,
        env={"PYTHONPATH": str(ROOT / "collections"), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    check_golden(GOLDEN / "errors" / "source_alias_bomb.txt", done.stdout)


@pytest.mark.golden
def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    flow = registry(tmp_path, HEADER + "institutions: " + "[" * 100_000 + "]" * 100_000 + "\n", "flow.yml")
    block = registry(tmp_path, HEADER + "institutions:\n" + "".join("  " * depth + f"k{depth}:\n" for depth in range(1, 80)), "block.yml")
    check_golden(GOLDEN / "errors" / "source_deep_nesting.txt", refusal(flow) + refusal(block))


@pytest.mark.golden
def test_oversized_file_is_refused(tmp_path: Path) -> None:
    path = registry(tmp_path, HEADER + "institutions: []\n" + "#" * MAX_BYTES + "\n")
    check_golden(GOLDEN / "errors" / "source_oversized.txt", refusal(path))


@pytest.mark.golden
def test_duplicate_key_names_its_lines(tmp_path: Path) -> None:
    path = registry(tmp_path, HEADER + "institutions:\n  - id: 8\n    slug: mof\n    id: 9\n")
    check_golden(GOLDEN / "errors" / "source_duplicate_key.txt", refusal(path))


@pytest.mark.golden
def test_invalid_utf8_names_byte_and_line(tmp_path: Path) -> None:
    path = registry(tmp_path, HEADER.encode() + b"institutions:\n  - id: 8\n    name: Wizara ya Fedha \xe9\n")
    check_golden(GOLDEN / "errors" / "source_invalid_utf8.txt", refusal(path))


@pytest.mark.golden
def test_missing_and_undecodable_policy_files_are_named(tmp_path: Path) -> None:
    (tmp_path / "missing").mkdir()
    (tmp_path / "bad").mkdir()
    missing = registry(tmp_path / "missing", HEADER + "institutions: []\npolicy: [nothere.yml]\n")
    registry(tmp_path / "bad", b"govnet_extra: \xff\xfe\n", "policy.yml")
    bad = registry(tmp_path / "bad", HEADER + "institutions: []\npolicy: [policy.yml]\n")
    text = refusal(missing) + refusal(bad)
    check_golden(GOLDEN / "errors" / "source_policy_files.txt", text)


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=8),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4),
        max_leaves=20,
    )
)
def test_limited_reader_gives_the_same_data_as_yaml(data: object) -> None:
    """Within the limits, the reader is libyaml's safe loader: the same data for any document."""
    text = yaml.safe_dump(data, allow_unicode=True)
    assert load_yaml(text, "x.yml") == yaml.safe_load(text)


# ---------------------------------------------------------------- the rollout's state file
def state(repo: Path, content: str | bytes) -> None:
    path = rollout.state_path(repo, "lab")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode() if isinstance(content, str) else content)


def state_refusal(repo: Path) -> str:
    with pytest.raises(rollout.RolloutError) as raised:
        rollout.read_state(repo, "lab")
    return str(raised.value).replace(str(repo), "REPO") + "\n"


@pytest.mark.golden
def test_garbage_state_files_are_refused(tmp_path: Path) -> None:
    texts = []
    for content in (b"\x00\x01garbage", "{not json", "[1, 2]", '{"devices": {"mof-ce1": 5}}', '{"devices": {}, "extra": 1}'):
        state(tmp_path, content)
        texts.append(state_refusal(tmp_path))
    state(tmp_path, "{}" + " " * rollout.STATE_LIMIT)
    texts.append(state_refusal(tmp_path))
    check_golden(GOLDEN / "errors" / "rollout_garbage_state.txt", "".join(texts))


@pytest.mark.golden
def test_a_state_value_is_never_an_option_to_git(tmp_path: Path) -> None:
    """The reviewer's case: '--output=FILE' as a device's revision truncated FILE during a dry-run plan."""
    target = tmp_path / "SOMEFILE"
    target.write_text("keep me\n")
    state(tmp_path, json.dumps({"devices": {"mof-ce1": f"--output={target}"}}))
    message = state_refusal(tmp_path).replace(str(target), "FILE")
    with pytest.raises(rollout.RolloutError) as raised:
        rollout.resolve(ROOT, f"--output={target}")
    with pytest.raises(rollout.RolloutError):
        rollout.render_revision(ROOT, f"--output={target}", "inventories/lab/default.yml", tmp_path / "out")
    assert "Needed a single revision" in str(raised.value)
    assert target.read_text() == "keep me\n"
    check_golden(GOLDEN / "errors" / "rollout_option_state.txt", message)
