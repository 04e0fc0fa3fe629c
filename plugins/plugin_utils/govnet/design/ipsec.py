"""IPsec between every CE router and its upstream, derived from the intended state of the whole network.

The policy (``govnet_segmentation.ipsec``) reaches a CE's intended state as ``segmentation.ipsec``; an upstream
(core hub or regional aggregation router) protects each of its WAN links whose peer is such a CE, with the
parameters of that CE. ``protection(state, states)`` gives the IPsec of one router, platform-neutral; the facts
pass (facts.py) keeps it in the router's intended state as ``ipsec``, so renderers never look at another device:

* tunnel mode between the two WAN addresses of the NICTBB link, IKEv2 with the pre-shared key whose vault
  reference is ``management.secrets.ipsec_psk`` (a build holds only the reference);
* traffic selectors that cover everything crossing the link: on the CE its site block, its loopback and its
  WAN address towards anywhere (``0.0.0.0/0``); on the upstream the mirror image. So BGP between the two WAN
  addresses, the institution's traffic and the management of the CE all travel inside ESP;
* the CE initiates, the upstream answers (and starts the exchange itself when it has traffic for the CE).

The IOS-XE keywords of the algorithms live here too (``ios_xe_proposals``).
"""

from __future__ import annotations

from typing import Any, Mapping

from .schema import ROUTER_ROLES
from .segmentation import IPSEC_ENCRYPTION
from .state import Ipsec, IpsecLink, State

EVERYWHERE = "0.0.0.0/0"
PSK_SECRET = "ipsec_psk"  # the name of the pre-shared key under govnet_security.secrets
# encryption -> (IOS-XE IKEv2 proposal, IOS-XE ESP transform); IOS-XE writes a Diffie-Hellman group as its number
ENCRYPTION = {name: (name, f"esp-gcm {name.removeprefix('aes-gcm-')}") for name in IPSEC_ENCRYPTION}  # every one AES-GCM


def _host(address: str) -> str:
    return address.split("/")[0] + "/32"


def _ip(address: str) -> str:
    return address.split("/")[0]


def _protected(state: Mapping[str, Any]) -> dict[str, Any] | None:
    """The IPsec parameters of a CE (None when the policy does not ask for IPsec)."""
    if state["role"] != "ce_router":
        return None
    return (state.get("segmentation") or {}).get("ipsec")


def _ce_selectors(ce: Mapping[str, Any], wan_address: str) -> list[str]:
    return [ce["segmentation"]["site"], _host(ce["loopback"]), _host(wan_address)]


def links(state: Mapping[str, Any], states: Mapping[str, Mapping[str, Any]]) -> list[tuple[IpsecLink, dict[str, Any]]]:
    """The IPsec-protected WAN links of a router, in circuit order, each with the parameters of its CE (none for
    other roles or without IPsec)."""
    if state["role"] not in ROUTER_ROLES:
        return []
    out = []
    for interface in sorted((i for i in state["interfaces"] if i["kind"] == "wan"), key=lambda i: i["circuit"]):
        params = _protected(state)
        if params is not None:
            local_ts, remote_ts, initiator = _ce_selectors(state, interface["address"]), [EVERYWHERE], True
        else:
            peer = states.get(interface["peer"])
            params = _protected(peer) if peer else None
            if params is None:
                continue
            local_ts, remote_ts, initiator = [EVERYWHERE], _ce_selectors(peer, interface["peer_address"]), False
        link: IpsecLink = {
            "peer": interface["peer"],
            "circuit": interface["circuit"],
            "local": _ip(interface["address"]),
            "remote": _ip(interface["peer_address"]),
            "local_ts": local_ts,
            "remote_ts": remote_ts,
            "initiator": initiator,
        }
        out.append((link, params))
    return out


def protection(state: State, states: Mapping[str, State]) -> Ipsec | None:
    """A router's IPsec: the parameters (one policy: every CE has the same), the vault reference of the pre-shared
    key (validation requires govnet_security.secrets.ipsec_psk) and its protected links; None without any."""
    found = links(state, states)
    if not found:
        return None
    return {"params": found[0][1], "psk": state["management"]["secrets"][PSK_SECRET], "links": [link for link, _params in found]}


def ios_xe_proposals(params: Mapping[str, Any]) -> dict[str, Any]:
    """IOS-XE keywords: the IKEv2 proposal's encryption, prf and group, the ESP transform and the PFS group."""
    ike, esp = params["ike_proposal"], params["esp_proposal"]
    return {
        "encryption": ENCRYPTION[ike["encryption"]][0],
        "prf": ike["prf"],
        "group": ike["group"],
        "transform": ENCRYPTION[esp["encryption"]][1],
        "pfs": f"group{esp['group']}",
    }
