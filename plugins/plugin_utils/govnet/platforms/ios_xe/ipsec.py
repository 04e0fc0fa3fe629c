"""IOS-XE view of IPsec between a CE and its upstream (the state's ``ipsec``, ipsec.protection): IKEv2 with a
pre-shared key, and a crypto map on each protected WAN sub-interface.

One IKEv2 proposal, policy, keyring and profile per router, shared by its protected links; per link an ACL of the
traffic to protect (the link's traffic selectors, every local one towards every remote one) and a crypto map
``GOVNET-IPSEC-<circuit>`` applied to the link's sub-interface. A crypto map acts only on what leaves and arrives
through its interface, so traffic that takes another path (a CE pair's other upstream, a core link) is untouched.
The keyring's ``pre-shared-key`` line carries the vault reference: a secret line (ios_secrets.py), pushed only with
``govnet_push_secrets=true``.
"""

from __future__ import annotations

from typing import Any, Callable

from ...design import ipsec
from .security import ace_address
from ...design.state import RouterState

PROPOSAL = "GOVNET-IKEV2"
KEYRING = "GOVNET-KEYRING"
TRANSFORM_SET = "GOVNET-ESP"
DPD_RETRY = 3  # seconds between DPD retries once a peer stops answering


def crypto_map(circuit: int) -> str:
    """The crypto map (and its ACL) of one protected NICTBB circuit."""
    return f"GOVNET-IPSEC-{circuit}"


def crypto(state: RouterState, wan_interface: Callable[[str, int], str]) -> dict[str, Any] | None:
    """The router's IKEv2 and IPsec configuration, or None when no link of it is protected."""
    protection = state.get("ipsec")
    if not protection:
        return None
    params = protection["params"]
    peers = []
    for link in protection["links"]:
        entries = [f"permit ip {ace_address(local)} {ace_address(remote)}" for local in link["local_ts"] for remote in link["remote_ts"]]
        peers.append(
            {
                "name": link["peer"],
                "address": link["remote"],
                "psk": protection["psk"],
                "interface": wan_interface(state["role"], link["circuit"]),
                "map": crypto_map(link["circuit"]),
                "acl": entries,
            }
        )
    return {
        "proposal": PROPOSAL,
        "keyring": KEYRING,
        "transform_set": TRANSFORM_SET,
        "ike_lifetime": params["ike_lifetime"],
        "esp_lifetime": params["esp_lifetime"],
        "dpd": f"{params['dpd_interval']} {DPD_RETRY} periodic",
        **ipsec.ios_xe_proposals(params),
        "peers": peers,
    }
