"""Read an inventory source (the registry file) and the GovNet policy files it names."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..core.input_limits import InputLimitError, load_yaml, read_text
from ..core.problems import GovnetInputError, Problem, show

# The collection's own policy, shipped inside this package; an inventory's policy: files are read after it.
DEFAULT_POLICY = Path(__file__).resolve().parent / "defaults"
INVENTORY_KEYS = ("plugin", "institutions", "policy", "include_zanzibar")
VAULT_HEADER = "$ANSIBLE_VAULT"


@dataclass(frozen=True)
class Source:
    """What one inventory source says: its institutions, the merged policy and its options."""

    path: Path
    institutions: Any
    policy: dict[str, Any]
    include_zanzibar: bool


def _read(path: Path, where: str) -> str:
    """A file's text, read with the input limits (size, UTF-8)."""
    try:
        return read_text(path)
    except InputLimitError as error:
        raise GovnetInputError([_problem(where, error)]) from None


def _load_yaml(text: str, path: Path, where: str) -> Any:
    """The data of a file's text, parsed with the input limits (aliases, depth, duplicate keys)."""
    try:
        return load_yaml(text, path.name)
    except InputLimitError as error:
        raise GovnetInputError([_problem(where, error)]) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark else ""
        raise GovnetInputError(
            [Problem(where, "(yaml)", show(path.name), f"is not valid YAML{line}", "fix the YAML syntax (yamllint shows where)")]
        ) from None


def _problem(where: str, error: InputLimitError) -> Problem:
    return Problem(where, error.field, error.value, error.message, error.hint)


def _policy_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix in (".yml", ".yaml") and p.is_file())
    return [path]


def read_policy(paths: list[Path]) -> dict[str, Any]:
    """Merge the govnet_* variables of every policy file; a later path replaces a key of an earlier one."""
    policy: dict[str, Any] = {}
    for base in paths:
        if not base.exists():
            raise GovnetInputError(
                [
                    Problem(
                        f"policy file {base.name}",
                        "(file)",
                        show(str(base)),
                        "does not exist",
                        "name policy files or folders relative to the registry file, under its policy: key",
                    )
                ]
            )
        for path in _policy_files(base):
            where = f"policy file {path.name}"
            text = _read(path, where)
            if text.startswith(VAULT_HEADER):
                continue  # secrets are vaulted and never part of the plan
            data = _load_yaml(text, path, where) or {}
            if not isinstance(data, dict):
                raise GovnetInputError(
                    [
                        Problem(
                            f"policy file {path.name}",
                            "(top level)",
                            show(type(data).__name__),
                            "must be a mapping of variables",
                            "write govnet_NAME: value at the top level",
                        )
                    ]
                )
            policy.update({key: value for key, value in data.items() if str(key).startswith("govnet_")})
    return policy


def read_source(path: str | Path) -> Source:
    """Read a registry file (an inventory source of the ega.govnet.registry plugin)."""
    path = Path(path).resolve()
    where = f"registry {path.name}"
    data = _load_yaml(_read(path, where), path, where)
    if not isinstance(data, dict):
        raise GovnetInputError(
            [
                Problem(
                    where,
                    "(top level)",
                    show(type(data).__name__),
                    "must be a mapping",
                    "start the file with 'plugin: ega.govnet.registry' and an 'institutions:' list",
                )
            ]
        )
    problems = [
        Problem(where, str(key), show(data[key]), "is not a known key", f"use only {', '.join(INVENTORY_KEYS)}")
        for key in data
        if key not in INVENTORY_KEYS
    ]
    extra = data.get("policy") or []
    if not isinstance(extra, list) or not all(isinstance(item, str) for item in extra):
        problems.append(
            Problem(where, "policy", show(extra), "must be a list of paths", "list policy files or folders, relative to this file")
        )
        extra = []
    zanzibar = data.get("include_zanzibar", False)
    if not isinstance(zanzibar, bool):
        problems.append(Problem(where, "include_zanzibar", show(zanzibar), "must be true or false", "write true or false without quotes"))
    if problems:
        raise GovnetInputError(problems)
    policy = read_policy([DEFAULT_POLICY] + [(path.parent / item).resolve() for item in extra])
    return Source(path, data.get("institutions"), policy, zanzibar is True)
