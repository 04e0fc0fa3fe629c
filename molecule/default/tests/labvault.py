"""The lab's own vault (made by molecule/default/tasks/lab_vault.yml under /run/govnet-lab/vault/), read the way deploy
reads a vault, and the phones' digest credentials derived from it: what a phone in the lab registers with."""

from __future__ import annotations

import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import yaml

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design.sip_credentials import phone_password

VAULT_DIR = Path("/run/govnet-lab/vault")
SIP_SECRET = "vault_govnet_sip_secret"


@lru_cache(maxsize=1)
def lab_secrets() -> dict[str, str]:
    """Every secret of the lab vault, decrypted with the lab's vault password (ansible-vault view)."""
    view = subprocess.run(
        [str(Path(sys.executable).parent / "ansible-vault"), "view", f"--vault-password-file={VAULT_DIR / 'password'}", str(VAULT_DIR / "vault.yml")],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert view.returncode == 0, f"cannot read the lab vault in {VAULT_DIR} (is the lab up?): {view.stderr}"
    return yaml.safe_load(view.stdout)


def credentials(realm: str, extension: int | str) -> tuple[str, str]:
    """The digest user and password of a lab phone."""
    return str(extension), phone_password(lab_secrets()[SIP_SECRET], realm, str(extension))
