# -*- coding: utf-8 -*-
# Copyright: e-Government Authority (e-GA)
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters for GovNet SIP credentials; the logic lives in plugin_utils/govnet/sip_credentials.py and ios_sip_credentials.py."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.platforms.ios_xe.sip_credentials import phone_blocks
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design.sip_credentials import call_control_subscribers


STATE_HINT = "pipe a call control's intended state (build/plan/<device>.yml) into it, with the vault's SIP secret"


def _check(name, state, secret):
    """The filter's arguments are a dict (the intended state) and a string (the secret)."""
    if not isinstance(state, dict):
        raise AnsibleFilterError(f"{name}: argument '_input', value of type {type(state).__name__}: must be a dict. Hint: {STATE_HINT}")
    if not isinstance(secret, str):
        raise AnsibleFilterError(f"{name}: argument 'secret', value of type {type(secret).__name__}: must be a string. Hint: {STATE_HINT}")


def sip_subscribers(state, secret):
    """Kamailio's subscriber table (user, realm, HA1) for a call control's phones, from the vault's SIP secret."""
    _check("sip_subscribers", state, secret)
    try:
        return call_control_subscribers(state, secret)
    except ValueError as error:
        raise AnsibleFilterError(f"sip_subscribers: {error}") from None
    except (KeyError, TypeError) as error:
        raise AnsibleFilterError(f"sip_subscribers: the intended state lacks or mistypes {error}. Hint: {STATE_HINT}") from None


def ios_sip_credentials(state, secret):
    """IOS-XE call control: each phone's directory number and pool with its digest credentials, as ios_config blocks."""
    _check("ios_sip_credentials", state, secret)
    try:
        return phone_blocks(state, secret)
    except ValueError as error:
        raise AnsibleFilterError(f"ios_sip_credentials: {error}") from None
    except (KeyError, TypeError) as error:
        raise AnsibleFilterError(f"ios_sip_credentials: the intended state lacks or mistypes {error}. Hint: {STATE_HINT}") from None


class FilterModule:
    def filters(self):
        return {"sip_subscribers": sip_subscribers, "ios_sip_credentials": ios_sip_credentials}
