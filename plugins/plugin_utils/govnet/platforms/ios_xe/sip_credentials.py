"""Phones' SIP digest credentials on IOS-XE call control (CME), pushed at deploy and never part of a build.

The rendered configuration (templates/ios_xe/call_control.j2) turns on digest authentication of registrations
(``voice register global`` / ``authenticate register`` / ``authenticate realm <realm>``) and holds pool 1, the
phones' voice subnet with their class of service. CME checks a phone's digest response against the
``username``/``password`` of the ``voice register pool`` its number belongs to, so each phone needs a directory
number and a pool of its own carrying its credentials. Those are made here, from the intended state and the
vault's SIP secret, as blocks for ``cisco.ios.ios_config`` (parents + lines, match none), the same form as the
other secret lines (ios_secrets.py):

    voice register dn <k>                       k = 1 .. number of extensions, in extension order
     number <extension>
    voice register pool <k + 1>                 pool 1 stays the voice subnet's
     id network <voice subnet> mask <netmask>   the phone registers from its voice VLAN
     number 1 dn <k>
     cor incoming GOVNET-PHONES                 the institution's class of service, as pool 1
     username <extension> password <derived>

The digest user is the extension and the password ``sip_credentials.phone_password(secret, realm, extension)``,
the very credentials a phone has on the lab's Kamailio call control: provisioning a phone needs the same secret
whatever the platform. The result holds passwords in clear: use it only in a task with ``no_log``.
"""

from __future__ import annotations

from typing import Any

from . import render as ios_xe
from ...design.sip_credentials import extensions, phone_password

FIRST_PHONE_POOL = 2  # pool 1 is the voice subnet's, in the rendered configuration


def phone_blocks(state: dict[str, Any], secret: str) -> list[dict[str, list[str]]]:
    """Every phone's directory number and pool with its digest credentials, as ios_config blocks in push order
    (a directory number before the pool that uses it)."""
    hostname = state.get("hostname", "device")
    if state.get("role") != "call_control" or "sip" not in state or "phones_subnet" not in state:
        raise ValueError(
            f"{hostname}: role {state.get('role')!r} is not a call control with SIP registration: give the intended state of"
            " a call control (plan/<hostname>.yml of a build)"
        )
    if state.get("platform") != ios_xe.PLATFORM:
        raise ValueError(
            f"{hostname}: platform {state.get('platform')!r} is not {ios_xe.PLATFORM!r}: lab call control takes its phones'"
            " credentials from ega.govnet.sip_subscribers"
        )
    realm = state["sip"]["realm"]
    phones = ios_xe.network_mask(state["phones_subnet"])
    blocks: list[dict[str, list[str]]] = []
    for index, extension in enumerate(extensions(state), start=1):
        blocks.append({"parents": [f"voice register dn {index}"], "lines": [f"number {extension}"]})
        blocks.append(
            {
                "parents": [f"voice register pool {FIRST_PHONE_POOL + index - 1}"],
                "lines": [
                    f"id network {phones['network']} mask {phones['mask']}",
                    f"number 1 dn {index}",
                    f"cor incoming {ios_xe.COR_PHONES}",
                    f"username {extension} password {phone_password(secret, realm, extension)}",
                ],
            }
        )
    return blocks
