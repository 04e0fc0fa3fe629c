"""The lab's IPsec: strongSwan in the namespace of every CE and upstream, from ``ipsec.links``.

This kernel has xfrm policies but no ESP transform (adding an ESP state fails with "Requested type not found"),
so the lab runs ESP in user space: strongSwan's charon-systemd (it writes no pid file, so several run on one
machine) with the kernel-libipsec plugin. charon encrypts what the routing table sends into its TUN device
``ipsec0`` and sends ESP in UDP (port 4500, RFC 3948), which is the only form kernel-libipsec sends. Traffic
reaches ``ipsec0`` through charon's routing table ``TABLE`` (one route per remote traffic selector), consulted
for every packet that does not carry ``FWMARK``; charon marks its own IKE and ESP packets (``socket-default``),
so they leave through the main table, straight onto the NICTBB link. The main table, and so BGP's routes, stay
as they were. A CE's remote selector is everywhere, so its LAN (the site block) gets a ``throw`` route in that
table (``ipsec-routes``): traffic between its own VLANs never enters the tunnel.

nftables makes the link carry nothing else (``firewall``): on a protected interface only IKE and ESP from and to
the peer pass, in and out; anything else in clear is dropped and counted (``ipsec_clear_denied``).

Files (``files``): ``ipsec/strongswan.conf`` (charon: plugins, its vici socket and log in the namespace's run
folder), ``ipsec/swanctl.conf`` (connections; the pre-shared key as its vault reference, filled in at deploy)
and, on a CE, ``ipsec/routes`` (``ip -batch`` lines).
"""

from __future__ import annotations

from typing import Any

from . import ipsec, lab, labnet
from .templating import config_environment

State = dict[str, Any]

ENV = config_environment("lab")
TABLE = 220  # charon's routing table (strongSwan's default)
FWMARK = "0x4e47"  # on charon's own IKE and ESP packets, which bypass TABLE
IKE_PORTS = (500, 4500)
PLUGINS = "random nonce openssl kdf hmac sha2 aes gcm gmp kernel-libipsec kernel-netlink socket-default vici"


def view(state: State, states: dict[str, State]) -> State | None:
    """What strongSwan and nftables need for one router, or None when no link of it is protected."""
    protected = ipsec.links(state, states)
    if not protected:
        return None
    run = labnet.run_dir(labnet.netns(state["hostname"]))
    links = []
    for link in protected:
        links.append({**link, "interface": lab.wan_ifname(link["circuit"]), "proposals": ipsec.strongswan_proposals(link["params"])})
    return {
        "run": run,
        "vici": f"unix://{run}/charon.vici",
        "table": TABLE,
        "fwmark": FWMARK,
        "plugins": PLUGINS,
        "ike_ports": ", ".join(str(port) for port in IKE_PORTS),
        "links": links,
        "interfaces": lab_set([f'"{link["interface"]}"' for link in links]),
        "peers": lab_set([link["remote"] for link in links]),
        "bypass": [state["segmentation"]["site"]] if state["role"] == "ce_router" else [],
    }


def lab_set(items: list[str]) -> str:
    """An nftables anonymous set (or the one item)."""
    return items[0] if len(items) == 1 else "{ " + ", ".join(items) + " }"


def files(device: State | None, title: str) -> dict[str, str]:
    """The router's strongSwan files from its ``view`` (none when no link of it is protected)."""
    if device is None:
        return {}
    device = {**device, "title": title}
    out = {f"ipsec/{name}": ENV.get_template(f"{name}.j2").render(device=device) for name in ("strongswan.conf", "swanctl.conf")}
    if device["bypass"]:
        out["ipsec/routes"] = ENV.get_template("ipsec-routes.j2").render(device=device)
    return out
