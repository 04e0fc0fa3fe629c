"""Phones' SIP digest credentials, derived at deploy time from one vault secret; never part of a build.

A phone registers with its extension as the digest user, in its institution's realm (``moa.govnet.go.tz``).
Its password is ``phone_password(secret, realm, extension)``: an HMAC of the realm and extension under the
vault's ``sip_secret``, so each phone of GovNet has its own password, nothing per phone is stored anywhere,
and provisioning a phone needs only the secret. Call control keeps only the digest hash HA1
(md5 of ``user:realm:password``), in the db_text table ``subscriber`` written at deploy.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any, Iterable

from ..core.text import dbtext

PASSWORD_LENGTH = 24  # hex digits of the HMAC kept as the password (96 bits)
SUBSCRIBER_HEADER = "id(int,auto) username(string) domain(string) ha1(string)"


def phone_password(secret: str, realm: str, user: str) -> str:
    """The digest password of phone `user` in `realm`."""
    if not isinstance(secret, str) or not secret:
        raise ValueError("the SIP secret is empty: define it in the vault (docs/secrets.md)")
    digest = hmac.new(secret.encode(), f"{realm}:{user}".encode(), hashlib.sha256).hexdigest()
    return digest[:PASSWORD_LENGTH]


def ha1(user: str, realm: str, password: str) -> str:
    """The digest hash call control checks a phone's response against (RFC 2617 HA1)."""
    return hashlib.md5(f"{user}:{realm}:{password}".encode(), usedforsecurity=False).hexdigest()


def extensions(state: dict[str, Any]) -> list[str]:
    """The extensions a call control's phones register, from its intended state."""
    numbering = state["numbering"]
    return [str(number) for number in range(numbering["first_extension"], numbering["last_extension"] + 1)]


def subscriber_table(secret: str, realm: str, users: Iterable[str]) -> str:
    """Kamailio's db_text ``subscriber`` table: user, realm and HA1 of every phone (no clear password)."""
    rows = [SUBSCRIBER_HEADER]
    for number, user in enumerate(users, start=1):
        rows.append(f"{number}:{dbtext(user)}:{dbtext(realm)}:{ha1(user, realm, phone_password(secret, realm, user))}")
    return "\n".join(rows) + "\n"


def call_control_subscribers(state: dict[str, Any], secret: str) -> str:
    """The subscriber table of one call control (its intended state) under the vault's SIP secret."""
    if state.get("role") != "call_control" or "sip" not in state:
        raise ValueError(f"{state.get('hostname', 'device')}: not a call control with SIP registration")
    return subscriber_table(secret, state["sip"]["realm"], extensions(state))
