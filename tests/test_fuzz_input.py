"""Fuzzing the registry and the policy (hypothesis): whatever an engineer writes, the answer is either a plan or a
GovnetInputError whose every problem names where, field, value and a hint; never a traceback. A build with bad
input writes nothing and leaves the previous build byte for byte as it was.

Inputs are structurally plausible mutations of the small fixture and the shipped policy: a field or a policy
entry replaced by a value of the wrong type, a huge or negative number, unicode, an empty or missing value;
a key removed; institutions duplicated; pools made to overlap; and raw YAML text that is not a registry.
"""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.pipeline import build, outputs, plan, validate
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.core.problems import GovnetInputError

from conftest import SMALL, default_policy, small_institutions, write_registry

EXAMPLES = settings(max_examples=80, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
INSTITUTIONS = small_institutions()
POLICY = default_policy()

BAD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, -1, 2**31, 2**64, 10**30]),
    st.floats(allow_nan=False),
    st.text(max_size=40),
    st.sampled_from(["", " ", "Ω" * 30, "\u202e", "🇹🇿", "10.0.0.0/33", "999.1.1.1/8", "a" * 300, "ministry ", "vault_", "{{ x }}"]),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)


def paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path (keys and list indexes) into a nested structure of dicts and lists."""
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            out += paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out += paths(item, prefix + (index,))
    return out


INSTITUTION_PATHS = paths(INSTITUTIONS)
POLICY_PATHS = paths(POLICY)


def _set(data: Any, path: tuple, value: Any, delete: bool = False) -> None:
    *parents, last = path
    for key in parents:
        data = data[key]
    if delete:
        del data[last]
    else:
        data[last] = value


@st.composite
def bad_inputs(draw: st.DrawFn) -> tuple[Any, dict[str, Any]]:
    """A registry (its institutions) and a policy with one to three mutations."""
    institutions: Any = copy.deepcopy(INSTITUTIONS)
    policy = copy.deepcopy(POLICY)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        kind = draw(st.sampled_from(["institution", "policy", "delete", "duplicate", "overlap", "swap", "top"]))
        if kind == "institution" and isinstance(institutions, list):
            path = draw(st.sampled_from(INSTITUTION_PATHS))
            try:
                _set(institutions, path, draw(BAD_VALUES))
            except (KeyError, IndexError, TypeError):
                pass  # an earlier mutation changed the shape on this path
        elif kind == "policy":
            path = draw(st.sampled_from(POLICY_PATHS))
            try:
                _set(policy, path, draw(BAD_VALUES))
            except (KeyError, IndexError, TypeError):
                pass
        elif kind == "delete":
            source = draw(st.sampled_from(["institution", "policy"]))
            data, candidates = (institutions, INSTITUTION_PATHS) if source == "institution" else (policy, POLICY_PATHS)
            try:
                _set(data, draw(st.sampled_from(candidates)), None, delete=True)
            except (KeyError, IndexError, TypeError):
                pass
        elif kind == "duplicate" and isinstance(institutions, list) and institutions:
            twin = copy.deepcopy(draw(st.sampled_from(institutions)))
            if isinstance(twin, dict) and draw(st.booleans()):
                twin["slug"] = draw(st.sampled_from(["mof2", "x", "Ω"]))
            institutions.append(twin)
        elif kind == "overlap":
            pools = policy.get("govnet_addressing", {}).get("pools", {})
            if isinstance(pools, dict) and len(pools) > 1:
                first, second = draw(st.permutations(sorted(pools)))[:2]
                if isinstance(pools[first], dict) and isinstance(pools[second], dict):
                    pools[first]["prefix"] = pools[second].get("prefix")
        elif kind == "swap" and isinstance(institutions, list) and len(institutions) > 1:
            a, b = draw(st.permutations(range(len(institutions))))[:2]
            if isinstance(institutions[a], dict) and isinstance(institutions[b], dict):
                institutions[a]["id"], institutions[b]["site"] = institutions[b].get("id"), institutions[a].get("site")
        elif kind == "top":
            institutions = draw(BAD_VALUES)
    return institutions, policy


ROUTING_EDGES = st.sampled_from(
    [1, 3, 23455, 23456, 64495, 64496, 64511, 64512, 64600, 65534, 65535, 65536, 65551, 65552, 4200000000, 4294967200, 4294967294]
)


@st.composite
def routing_inputs(draw: st.DrawFn) -> tuple[Any, dict[str, Any]]:
    """The small fixture with the routing policy's ASNs and timers near every edge validation knows."""
    policy = copy.deepcopy(POLICY)
    routing = policy["govnet_routing"]
    for field in ("core_asn", "region_asn_base", "institution_asn_base"):
        if draw(st.booleans()):
            routing[field] = draw(ROUTING_EDGES)
    if draw(st.booleans()):
        routing["keepalive"] = draw(st.integers(min_value=1, max_value=3600))
        routing["holdtime"] = draw(st.integers(min_value=3, max_value=65535))
    return copy.deepcopy(INSTITUTIONS), policy


def assert_clear(error: GovnetInputError) -> None:
    """Every problem names where, the field, the value and a hint; the report lists them all."""
    assert error.problems, "a GovnetInputError without problems"
    for problem in error.problems:
        for part in ("where", "field", "value", "message", "hint"):
            assert isinstance(getattr(problem, part), str) and getattr(problem, part).strip(), f"{part} is empty in: {problem}"
    assert str(error).count("\n- ") == len(error.problems)


@pytest.fixture(scope="module")
def previous_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    """A good build of the small fixture, and its bytes, for bad builds to leave alone."""
    dest = tmp_path_factory.mktemp("previous") / "build"
    build(SMALL, dest)
    return dest, snapshot(dest)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


@EXAMPLES
@given(bad_inputs())
def test_bad_registry_or_policy_is_a_clear_error_and_leaves_the_build(
    previous_build: tuple[Path, dict[str, bytes]], data: tuple[Any, dict[str, Any]]
) -> None:
    institutions, policy = data
    dest, before = previous_build
    with tempfile.TemporaryDirectory() as folder:
        inventory = write_registry(Path(folder) / "inv", institutions, policy)
        try:
            validate(inventory)
        except GovnetInputError as error:
            assert_clear(error)
            with pytest.raises(GovnetInputError):
                build(inventory, dest)
            assert snapshot(dest) == before, "a build with bad input changed the previous build"
            assert sorted(path.name for path in dest.parent.iterdir()) == [".build.lock", "build"], "a bad build left files beside the build"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.one_of(bad_inputs(), routing_inputs()))
def test_accepted_input_allocates_and_renders(data: tuple[Any, dict[str, Any]]) -> None:
    """What validation accepts, allocation, the intended states and every renderer take without an exception;
    what they would refuse, validation refuses first (a GovnetInputError, never a bare exception)."""
    institutions, policy = data
    with tempfile.TemporaryDirectory() as folder:
        inventory = write_registry(Path(folder) / "inv", institutions, policy)
        try:
            network = plan(inventory)
        except GovnetInputError as error:
            assert_clear(error)
            return
        assert outputs(network, jobs=1)


@settings(max_examples=60)
@given(st.text(max_size=300))
def test_any_text_as_a_registry_file_is_a_clear_error_or_a_plan(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "institutions.yml"
        path.write_text(text, encoding="utf-8")
        try:
            validate(path)
        except GovnetInputError as error:
            assert_clear(error)


def test_the_fuzzer_reaches_deep_fields() -> None:
    """The mutation paths cover every institution's fields and nested policy (pools, PSTN classes of service, SIP)."""
    assert {(index, "category") for index in range(len(INSTITUTIONS))} <= set(INSTITUTION_PATHS)
    assert ("govnet_numbering", "pstn", "class_of_service", "council") in POLICY_PATHS
    assert ("govnet_security", "sip", "realm_domain") in POLICY_PATHS
    assert any(path[:2] == ("govnet_addressing", "pools") for path in POLICY_PATHS)
