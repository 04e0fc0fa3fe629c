"""The rollout plan: render two revisions, find the devices whose files changed, and order them in waves.

Each revision is rendered by its own code (a `git archive` of it, built in a subprocess), so a template
change is seen as a change. The deployed revision of every device of an environment is kept in a state
file in the repository (deployed/<environment>.json); it moves forward only for devices that verified.
"""

from __future__ import annotations

import difflib
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..build.manifest import Entry, ManifestError, read_manifest
from ..core.input_limits import InputLimitError, read_text

STATE_DIR = "deployed"
STATE_KEYS = ("environment", "devices")
STATE_LIMIT = 4 * 1024 * 1024  # bytes; a state file of 20,000 devices is about 1.2 MB
COMMIT = re.compile(r"[0-9a-f]{40}")
HOSTNAME = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
GIT_TIMEOUT = 120  # seconds for one git command
RENDER_TIMEOUT = 900  # seconds to render one revision
ROLE_ORDER = ("ce_router", "access_switch", "call_control", "regional_aggregation", "core_hub")
INFRASTRUCTURE = ("regional_aggregation", "core_hub")

# Run by the interpreter of the caller with the archived revision first on sys.path: that revision's
# own library renders it (template and code changes included) into a build directory.
_RENDER = """
import sys
try:
    from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.pipeline import build
except ImportError:  # a revision from before the library was laid out by stage
    from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build import build
build(sys.argv[1], sys.argv[2])
"""


class RolloutError(Exception):
    """A rollout cannot be planned; the message names what and gives a hint."""


@dataclass(frozen=True)
class Device:
    """What the rollout needs to know of a device, read from its intended state (plan/<device>.yml)."""

    hostname: str
    role: str
    platform: str
    region: str
    institution: str | None = None
    category: str | None = None
    institution_id: int | None = None

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Device:
        inst = state.get("institution") or {}
        return cls(
            state["hostname"], state["role"], state["platform"], state["region"], inst.get("slug"), inst.get("category"), inst.get("id")
        )


@dataclass(frozen=True)
class Change:
    """One device to roll out: its files' unified diffs against the revision it runs."""

    device: Device
    base: str | None
    diffs: dict[str, str]


@dataclass(frozen=True)
class Wave:
    name: str
    devices: tuple[str, ...]


@dataclass
class Plan:
    environment: str
    head: str
    changes: dict[str, Change]
    waves: list[Wave]
    removed: list[str] = field(default_factory=list)
    # Device -> its files at HEAD and at the revision it runs, each {path, platform, daemon, name}: what
    # roles/rollout_device pushes, backs up and restores (from the manifests of the two builds).
    files: dict[str, dict[str, list[dict[str, Any]]]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The plan as plain data (plan.json)."""
        return {
            "environment": self.environment,
            "head": self.head,
            "waves": [{"name": wave.name, "devices": list(wave.devices)} for wave in self.waves],
            "devices": {
                name: {
                    "role": change.device.role,
                    "platform": change.device.platform,
                    "region": change.device.region,
                    "institution": change.device.institution,
                    "category": change.device.category,
                    "base": change.base,
                    "files": sorted(change.diffs),
                    "diff": "".join(change.diffs[path] for path in sorted(change.diffs)),
                }
                for name, change in sorted(self.changes.items())
            },
            "removed": self.removed,
        }


# ---------------------------------------------------------------- revisions and rendering
def _run(argv: list[str], what: str, timeout: float, **options: Any) -> subprocess.CompletedProcess:
    """A subprocess (an argument list, never a shell) with a bound; a hang or a missing program is a RolloutError."""
    try:
        return subprocess.run(argv, capture_output=True, check=False, timeout=timeout, **options)
    except subprocess.TimeoutExpired:
        raise RolloutError(f"{what} did not finish in {timeout} s. Hint: is the machine overloaded, or the repository on a hung mount?") from None
    except OSError as error:
        raise RolloutError(f"{what} could not start ({error.strerror}). Hint: install git and run from a git checkout") from None


def git(repo: Path, *args: str) -> str:
    """Run git in repo and return its output; a failure is a RolloutError naming the command.

    Callers put --end-of-options before every value that comes from a file or a user, so none is read as an option.
    """
    done = _run(["git", "-C", str(repo), *args], f"git {' '.join(args)}", GIT_TIMEOUT, text=True)
    if done.returncode != 0:
        raise RolloutError(
            f"git {' '.join(args)} failed in {repo}: {done.stderr.strip()}. Hint: is {repo} a git checkout with that revision?"
        )
    return done.stdout.strip()


def resolve(repo: Path, ref: str) -> str:
    """The full commit id of a revision (a value starting with '-' is a revision name, never an option)."""
    return git(repo, "rev-parse", "--verify", "--end-of-options", f"{ref}^{{commit}}")


def render_revision(repo: Path, revision: str, inventory: str, dest: Path) -> dict[str, bytes]:
    """Render the inventory (a path relative to the repository) at a revision with that revision's code."""
    if not COMMIT.fullmatch(revision):
        raise RolloutError(f"revision {revision!r} is not a commit id. Hint: resolve it first (rollout.resolve)")
    with tempfile.TemporaryDirectory(prefix="govnet-rev-") as tmp:
        archive = _run(["git", "-C", str(repo), "archive", "--format=tar", "--end-of-options", revision], "git archive", GIT_TIMEOUT)
        if archive.returncode != 0:
            raise RolloutError(f"cannot read revision {revision}: {archive.stderr.decode(errors='replace').strip()}")
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(tmp, filter="tar")
        tree = Path(tmp)
        if not (tree / inventory).is_file():
            raise RolloutError(
                f"revision {revision[:12]} has no inventory {inventory}. Hint: record that environment's devices again (mode record)"
            )
        env = dict(os.environ, PYTHONPATH=str(tree / "collections"))
        done = _run(
            [sys.executable, "-c", _RENDER, str(tree / inventory), str(dest)], f"rendering revision {revision[:12]}", RENDER_TIMEOUT, env=env, text=True
        )
        if done.returncode != 0:
            raise RolloutError(f"revision {revision[:12]} does not build:\n{done.stderr.strip()}")
    return read_tree(dest)


def read_tree(dest: Path) -> dict[str, bytes]:
    """Every file of a build directory, keyed by its path inside it."""
    return {path.relative_to(dest).as_posix(): path.read_bytes() for path in sorted(dest.rglob("*")) if path.is_file()}


@dataclass(frozen=True)
class Revision:
    """A rendered revision: each device's files (its intended state and every file rendered for it) and its
    manifest entry (which platform and daemon each file is for)."""

    files: dict[str, dict[str, bytes]]
    entries: dict[str, Entry]


def revision_devices(files: dict[str, bytes]) -> Revision:
    """A build's files per device, as its manifest says: plan/<device>.yml, configs/<device>.cfg or lab/<device>/...,
    and a hub's SIP core server files (configs/<hub>-sip-core/). A build rendered by a revision from before the
    manifest has none; its devices are worked out of its paths by the same platform rules."""
    try:
        entries = read_manifest(files)
    except ManifestError as error:
        raise RolloutError(f"the build cannot be read device by device: {error}") from None
    devices = {name: {path: files[path] for path in (entry["plan"], *entry["files"]) if path in files} for name, entry in entries.items()}
    return Revision(devices, entries)


def device_files(files: dict[str, bytes]) -> dict[str, dict[str, bytes]]:
    """A build's files per device (revision_devices)."""
    return revision_devices(files).files


def unified(path: str, old: bytes | None, new: bytes | None) -> str:
    """A unified diff of one file between two revisions (empty when equal)."""
    before = old.decode(errors="replace").splitlines(keepends=True) if old is not None else []
    after = new.decode(errors="replace").splitlines(keepends=True) if new is not None else []
    lines = difflib.unified_diff(
        before, after, f"a/{path}" if old is not None else "/dev/null", f"b/{path}" if new is not None else "/dev/null"
    )
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def changed_devices(
    bases: dict[str, dict[str, dict[str, bytes]]], deployed: dict[str, str], head: dict[str, dict[str, bytes]]
) -> dict[str, Change]:
    """Devices of head whose files differ from those of the revision each one runs (all of them when it runs none)."""
    changes: dict[str, Change] = {}
    for name, files in head.items():
        base = deployed.get(name)
        old = bases.get(base, {}).get(name, {}) if base else {}
        diffs = {
            path: unified(path, old.get(path), files.get(path))
            for path in sorted(set(old) | set(files))
            if old.get(path) != files.get(path)
        }
        if diffs:
            changes[name] = Change(Device.from_state(yaml.safe_load(files[f"plan/{name}.yml"])), base, diffs)
    return changes


# ---------------------------------------------------------------- waves
def waves(changes: dict[str, Change], policy: dict[str, Any], region_order: list[str]) -> list[Wave]:
    """Canary wave (institutions chosen per category by policy), then batches by region, infrastructure as policy says."""
    institutions: dict[str, list[Device]] = {}
    infrastructure: dict[str, list[Device]] = {}
    for change in changes.values():
        device = change.device
        if device.institution:
            institutions.setdefault(device.institution, []).append(device)
        else:
            infrastructure.setdefault(device.role, []).append(device)
    first = {slug: devices[0] for slug, devices in institutions.items()}
    canary_policy = policy.get("canary", {})
    preferred = list(canary_policy.get("prefer", []))
    canaries: list[str] = []
    for category in canary_policy.get("categories", []):
        candidates = sorted(
            (slug for slug, device in first.items() if device.category == category),
            key=lambda slug: (slug not in preferred, preferred.index(slug) if slug in preferred else 0, first[slug].institution_id or 0),
        )
        canaries += candidates[: int(canary_policy.get("per_category", 1))]
    result: list[Wave] = []
    if canaries:
        result.append(Wave("canary", _ordered(device for slug in canaries for device in institutions[slug])))
    rank = {slug: index for index, slug in enumerate(region_order)}
    rest = sorted(
        (slug for slug in institutions if slug not in canaries),
        key=lambda slug: (rank.get(first[slug].region, len(rank)), first[slug].region, first[slug].institution_id or 0),
    )
    size = max(1, int(policy.get("batch_size", 10)))
    batch: list[str] = []
    for slug in rest + [""]:
        if batch and (not slug or len(batch) == size or first[slug].region != first[batch[0]].region):
            region = first[batch[0]].region
            count = sum(1 for wave in result if wave.name.startswith(f"region {region} "))
            result.append(Wave(f"region {region} batch {count + 1}", _ordered(device for item in batch for device in institutions[item])))
            batch = []
        if slug:
            batch.append(slug)
    infra = [Wave(role.replace("_", " "), _ordered(infrastructure[role])) for role in INFRASTRUCTURE if role in infrastructure]
    return infra + result if policy.get("infrastructure", "last") == "first" else result + infra


def _ordered(devices: Any) -> tuple[str, ...]:
    return tuple(device.hostname for device in sorted(devices, key=lambda d: (d.institution_id or 0, ROLE_ORDER.index(d.role), d.hostname)))


# ---------------------------------------------------------------- the deployed state
def state_path(repo: Path, environment: str) -> Path:
    return repo / STATE_DIR / f"{environment}.json"


def read_state(repo: Path, environment: str) -> dict[str, str]:
    """Device -> the revision it last verified on; a missing or invalid file is a RolloutError with a hint."""
    path = state_path(repo, environment)
    if not path.is_file():
        raise RolloutError(
            f"environment {environment}: no deployed state in {path}. Hint: after a full deploy, record it with "
            f"`make rollout-record ENV={environment}` (playbooks/rollout.yml -e govnet_rollout_mode=record)"
        )
    try:
        data = json.loads(read_text(path, STATE_LIMIT))
    except InputLimitError as error:
        raise RolloutError(f"state file {path}: {error}") from None
    except ValueError as error:
        raise RolloutError(f"state file {path}: is not JSON ({error}). Hint: {_RECORD_HINT.format(environment=environment)}") from None
    return _checked_state(path, environment, data)


_RECORD_HINT = "restore it from git (git log -- deployed/) or record the environment again (govnet_rollout_mode=record)"


def _checked_state(path: Path, environment: str, data: Any) -> dict[str, str]:
    """The devices of a state file, every name a hostname and every revision a full commit id."""
    hint = _RECORD_HINT.format(environment=environment)
    if not isinstance(data, dict) or not isinstance(data.get("devices"), dict):
        raise RolloutError(f"state file {path}: must be an object with a 'devices' object (device -> commit id). Hint: {hint}")
    unknown = sorted(str(key) for key in data if key not in STATE_KEYS)
    if unknown:
        raise RolloutError(f"state file {path}: unknown key {unknown[0]!r}. Hint: only {', '.join(STATE_KEYS)} belong there")
    if data.get("environment", environment) != environment:
        raise RolloutError(f"state file {path}: says environment {data['environment']!r}, not {environment!r}. Hint: {hint}")
    problems = []
    for device, commit in data["devices"].items():
        if not HOSTNAME.fullmatch(device):
            problems.append(f"device {device!r} is not a GovNet hostname")
        elif not isinstance(commit, str) or not COMMIT.fullmatch(commit):
            problems.append(f"device {device}, value {commit!r}: is not a commit id (40 hexadecimal digits)")
    if problems:
        raise RolloutError(f"state file {path}: {'; '.join(problems[:5])}. Hint: {hint}")
    return dict(data["devices"])


def write_state(repo: Path, environment: str, devices: dict[str, str]) -> Path:
    """Write the state file, sorted and newline-terminated so its diffs are readable."""
    path = state_path(repo, environment)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"environment": environment, "devices": dict(sorted(devices.items()))}, indent=2) + "\n")
    return path


# ---------------------------------------------------------------- the whole plan
def make_plan(
    repo: Path, inventory: str, environment: str, workdir: Path, policy: dict[str, Any], region_order: list[str], head_ref: str = "HEAD"
) -> Plan:
    """Render HEAD into workdir/head and every deployed revision into workdir/base/<rev>; plan the rollout."""
    repo = repo.resolve()
    head = resolve(repo, head_ref)
    deployed = read_state(repo, environment)
    revisions = {head: revision_devices(render_revision(repo, head, inventory, workdir / "head"))}
    for rev in sorted(set(deployed.values()) - {head}):
        revisions[rev] = revision_devices(render_revision(repo, rev, inventory, workdir / "base" / rev))
    head_files = revisions[head].files
    changes = changed_devices({rev: revision.files for rev, revision in revisions.items()}, deployed, head_files)
    removed = sorted(name for name in deployed if name not in head_files)
    files = {
        name: {"head": _file_list(revisions[head].entries[name]), "base": _file_list(revisions[change.base].entries.get(name)) if change.base else []}
        for name, change in changes.items()
    }
    return Plan(environment, head, changes, waves(changes, policy, region_order), removed, files)


def _file_list(entry: Entry | None) -> list[dict[str, Any]]:
    """A device's rendered files as the roles install them: each one's platform, daemon and name (no intended state)."""
    return [dict(item, path=path) for path, item in sorted((entry or {}).get("files", {}).items())]


def plan_markdown(plan: dict[str, Any]) -> str:
    """The plan a reviewer reads (plan.md): waves, devices and each device's unified diff."""
    devices = plan["devices"]
    lines = [
        f"# GovNet rollout plan: {plan['environment']}",
        "",
        f"HEAD `{plan['head'][:12]}`: {_count(len(devices), 'device')} to change, in {_count(len(plan['waves']), 'wave')}.",
        "",
    ]
    if not devices:
        lines += ["Nothing to roll out: no device's configuration changed.", ""]
    for number, wave in enumerate(plan["waves"], start=1):
        lines += [
            f"## Wave {number}: {wave['name']}",
            "",
            "| Device | Role | Institution | Region | From | Files |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for name in wave["devices"]:
            item = devices[name]
            base = f"`{item['base'][:12]}`" if item["base"] else "(new)"
            lines.append(
                f"| {name} | {item['role']} | {item['institution'] or '-'} | {item['region']} | {base} | {', '.join(item['files'])} |"
            )
        lines.append("")
    if plan["removed"]:
        lines += ["## Not at HEAD any more (left as they are; decommission by hand)", ""] + [f"- {name}" for name in plan["removed"]] + [""]
    for name, item in devices.items():
        lines += [f"### {name}", "", "```diff", item["diff"].rstrip("\n"), "```", ""]
    return "\n".join(lines)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
