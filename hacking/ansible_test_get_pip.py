"""Stand-in for get-pip.py, which ansible-test uses to put pip into each sanity-test virtualenv.

ansible-test creates those virtualenvs without pip and downloads get-pip.py from a host that our
machines cannot reach (only package registries are reachable). This does the same job offline: it runs
the pip wheel bundled with Python's ensurepip to install the pip version ansible-test asks for (from
PyPI). `make sanity` copies it to ~/.ansible/test/cache/get_pip_<version>.py, where ansible-test looks
before downloading.
"""

from __future__ import annotations

import ensurepip
import glob
import os
import sys

# get-pip.py options that are not pip options.
GET_PIP_ONLY_OPTIONS = ("--no-setuptools", "--no-wheel")


def main() -> None:
    """Install pip (and any other requested packages) with the pip wheel bundled in ensurepip."""
    bundled = sorted(glob.glob(os.path.join(os.path.dirname(ensurepip.__file__), "_bundled", "pip-*.whl")))
    if not bundled:
        sys.exit("ensurepip has no bundled pip wheel: cannot bootstrap pip")
    sys.path.insert(0, bundled[-1])

    from pip._internal.cli.main import main as pip_main  # pylint: disable=import-outside-toplevel

    args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY_OPTIONS]
    sys.exit(pip_main(["install", "--quiet", "--upgrade", "--force-reinstall", *args]))


if __name__ == "__main__":
    main()
