"""Write a synthetic GovNet registry of exactly N devices (and its policy override) into a folder.

Usage: python hacking/synthetic_registry.py DEVICES FOLDER [--seed N]
Then:  ansible-playbook -i FOLDER/institutions.yml playbooks/build.yml -e govnet_build_dir=DIR
The registry's shape and the policy it overrides are described in plugins/plugin_utils/govnet/design/synthetic.py.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "collections"))

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design.synthetic import write  # noqa: E402


def main() -> int:
    """Parse the arguments and write the registry; print its path."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("devices", type=int, help="devices in the network, core hubs and aggregation routers included")
    parser.add_argument("folder", type=Path, help="where to write institutions.yml and synthetic-policy.yml")
    parser.add_argument("--seed", type=int, default=0, help="the same seed gives the same registry")
    args = parser.parse_args()
    try:
        print(write(args.folder, args.devices, args.seed))
    except ValueError as error:
        parser.error(str(error))
    return 0


if __name__ == "__main__":
    sys.exit(main())
