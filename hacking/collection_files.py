"""Print the files of the ega.govnet collection, NUL-separated, for `make sanity`'s copy in .tree/.

The collection is what `ansible-galaxy collection build` ships: the files git knows (tracked, plus
untracked ones that are not ignored), less galaxy.yml's build_ignore patterns and ansible-galaxy's own
defaults, matched the way ansible-galaxy matches them (fnmatch on the path relative to the root, a
directory dropping everything under it). So ansible-test sanity checks exactly what ships, and never
sees the project's own tooling, tests or the collections/ symlink back to the root.

tests/sanity/ is kept although `tests` is in build_ignore: ansible-test reads its ignore files there.

Usage: python hacking/collection_files.py [ROOT]   (ROOT defaults to the repository root)
"""

from __future__ import annotations

import fnmatch
import os
import subprocess
import sys
from pathlib import Path

import yaml

# ansible-galaxy's built-in patterns (ansible/galaxy/collection/__init__.py, _build_files_manifest_walk),
# less galaxy.yml itself, which ansible-test needs.
DEFAULT_PATTERNS = ["MANIFEST.json", "FILES.json", ".git", "*.pyc", "*.retry", "tests/output"]
DEFAULT_DIR_NAMES = {"CVS", ".bzr", ".hg", ".git", ".svn", "__pycache__", ".tox"}
ALWAYS_KEEP = ("tests/sanity/",)


def collection_files(root: Path) -> list[str]:
    """The collection's files under root, relative to it, sorted."""
    galaxy = yaml.safe_load((root / "galaxy.yml").read_text(encoding="utf-8"))
    patterns = DEFAULT_PATTERNS + [f"{galaxy['namespace']}-{galaxy['name']}-*.tar.gz"] + list(galaxy.get("build_ignore") or [])
    listed = (
        subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=root,
            check=True,
            capture_output=True,
        )
        .stdout.decode("utf-8")
        .split("\0")
    )

    def ignored(path: str) -> bool:
        parts = path.split("/")
        for depth in range(1, len(parts) + 1):
            prefix = "/".join(parts[:depth])
            is_dir = depth < len(parts)
            if is_dir and parts[depth - 1] in DEFAULT_DIR_NAMES:
                return True
            if any(fnmatch.fnmatch(prefix, pattern) for pattern in patterns):
                return True
        return False

    keep = set()
    for path in filter(None, listed):
        if not os.path.lexists(root / path):  # tracked but deleted in the work tree
            continue
        if path.startswith(ALWAYS_KEEP) or not ignored(path):
            keep.add(path)
    return sorted(keep)


def main() -> None:
    """Print the collection's files, each followed by a NUL."""
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent
    sys.stdout.write("".join(f"{path}\0" for path in collection_files(root)))


if __name__ == "__main__":
    main()
