"""IPsec between every CE router and its upstream, derived from the intended state of the whole network.

The policy (``govnet_segmentation.ipsec``) reaches a CE's intended state as ``segmentation.ipsec``; an upstream
(core hub or regional aggregation router) protects each of its WAN links whose peer is such a CE, with the
parameters of that CE. ``links(state, states)`` gives the protected links of one router, platform-neutral:

* tunnel mode between the two WAN addresses of the NICTBB link, IKEv2 with the pre-shared key whose vault
  reference is ``management.secrets.ipsec_psk`` (a build holds only the reference);
* traffic selectors that cover everything crossing the link: on the CE its site block, its loopback and its
  WAN address towards anywhere (``0.0.0.0/0``); on the upstream the mirror image. So BGP between the two WAN
  addresses, the institution's traffic and the management of the CE all travel inside ESP;
* the CE initiates, the upstream answers (and starts the exchange itself when it has traffic for the CE).

Platform words live here too, so both renderers read one table: strongSwan proposal strings for the lab
(``strongswan_proposals``) and the IOS-XE keywords (``ios_xe_proposals``).
"""

from __future__ import annotations

from typing import Any

State = dict[str, Any]

ROUTER_ROLES = ("core_hub", "regional_aggregation", "ce_router")
EVERYWHERE = "0.0.0.0/0"
PSK_SECRET = "ipsec_psk"  # the name of the pre-shared key under govnet_security.secrets
# encryption -> (strongSwan, IOS-XE IKEv2 proposal, IOS-XE ESP transform)
ENCRYPTION = {"aes-gcm-128": ("aes128gcm16", "aes-gcm-128", "esp-gcm 128"), "aes-gcm-256": ("aes256gcm16", "aes-gcm-256", "esp-gcm 256")}
# Diffie-Hellman group -> strongSwan name (IOS-XE writes the number)
GROUPS = {14: "modp2048", 19: "ecp256", 20: "ecp384", 21: "ecp521"}


def _host(address: str) -> str:
    return address.split("/")[0] + "/32"


def _ip(address: str) -> str:
    return address.split("/")[0]


def _psk(state: State) -> str:
    reference = state["management"]["secrets"].get(PSK_SECRET)
    if not reference:
        raise ValueError(
            f"device {state['hostname']}: govnet_segmentation.ipsec is enabled but govnet_security.secrets has no "
            f"{PSK_SECRET}: name the vault variable of the IKE pre-shared key, e.g. {PSK_SECRET}: vault_govnet_ipsec_psk"
        )
    return reference


def _protected(state: State) -> State | None:
    """The IPsec parameters of a CE (None when the policy does not ask for IPsec)."""
    if state["role"] != "ce_router":
        return None
    return (state.get("segmentation") or {}).get("ipsec")


def _ce_selectors(ce: State, wan_address: str) -> list[str]:
    return [ce["segmentation"]["site"], _host(ce["loopback"]), _host(wan_address)]


def links(state: State, states: dict[str, State]) -> list[State]:
    """The IPsec-protected WAN links of a router, in circuit order (none for other roles or without IPsec)."""
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
        out.append(
            {
                "peer": interface["peer"],
                "circuit": interface["circuit"],
                "local": _ip(interface["address"]),
                "remote": _ip(interface["peer_address"]),
                "local_ts": local_ts,
                "remote_ts": remote_ts,
                "initiator": initiator,
                "params": params,
                "psk": _psk(state),
            }
        )
    return out


def strongswan_proposals(params: State) -> dict[str, str]:
    """strongSwan's proposal strings: IKE (encryption-prf-group) and ESP (encryption-group, the group for PFS)."""
    ike, esp = params["ike_proposal"], params["esp_proposal"]
    return {
        "ike": f"{ENCRYPTION[ike['encryption']][0]}-prf{ike['prf']}-{GROUPS[ike['group']]}",
        "esp": f"{ENCRYPTION[esp['encryption']][0]}-{GROUPS[esp['group']]}",
    }


def ios_xe_proposals(params: State) -> dict[str, Any]:
    """IOS-XE keywords: the IKEv2 proposal's encryption, prf and group, the ESP transform and the PFS group."""
    ike, esp = params["ike_proposal"], params["esp_proposal"]
    return {
        "encryption": ENCRYPTION[ike["encryption"]][1],
        "prf": ike["prf"],
        "group": ike["group"],
        "transform": ENCRYPTION[esp["encryption"]][2],
        "pfs": f"group{esp['group']}",
    }
