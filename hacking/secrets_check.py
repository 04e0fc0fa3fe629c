"""make secrets-check: fail when a secret is in clear in the repository's files or in a fresh build.

The files are those git knows (tracked, or new and not ignored); the build is made in memory, as
`make build` would write it, for the shipped GovNet and for the lab. When a lab is up, the values of its
vault (/run/govnet-lab/vault/) are looked for too. The rules are in plugins/plugin_utils/govnet/build/secret_scan.py.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "collections"))

# pylint: disable=wrong-import-position
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.pipeline import outputs, plan  # noqa: E402
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.secret_scan import report, scan_files  # noqa: E402

BUILDS = (ROOT / "inventories" / "govnet" / "institutions.yml", ROOT / "inventories" / "lab" / "default.yml")
LAB_VAULT = Path("/run/govnet-lab/vault")


def repository_files() -> dict[str, bytes]:
    """The files git knows in the work tree: tracked, or new and not ignored."""
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"], capture_output=True, check=True
    ).stdout.decode()
    files = {}
    for name in sorted(set(filter(None, listed.split("\0")))):
        path = ROOT / name
        if path.is_file() and not path.is_symlink():
            files[name] = path.read_bytes()
    return files


def build_files() -> dict[str, bytes]:
    """A fresh build of every shipped inventory, in memory."""
    files = {}
    for inventory in BUILDS:
        for name, content in outputs(plan(inventory)).items():
            files[f"build of {inventory.relative_to(ROOT)}/{name}"] = content
    return files


def lab_vault_values() -> list[str]:
    """The secret values of the lab's vault, when a lab is up and this user may read it."""
    password, vault = LAB_VAULT / "password", LAB_VAULT / "vault.yml"
    try:
        if not (password.is_file() and vault.is_file()):
            return []
    except PermissionError:
        return []
    view = subprocess.run(
        [str(Path(sys.executable).parent / "ansible-vault"), "view", f"--vault-password-file={password}", str(vault)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    if view.returncode != 0:
        return []
    return [str(value) for value in (yaml.safe_load(view.stdout) or {}).values()]


def main() -> int:
    known = lab_vault_values()
    findings = scan_files(repository_files(), known) + scan_files(build_files(), known)
    lab = f", and {len(known)} values of the lab vault" if known else ""
    print(report(findings, f"the repository and a fresh build{lab}"))
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
