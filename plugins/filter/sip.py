# -*- coding: utf-8 -*-
# Copyright: e-Government Authority (e-GA)
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters for GovNet SIP credentials; the logic lives in plugin_utils/govnet/sip_credentials.py and ios_sip_credentials.py."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.ios_sip_credentials import phone_blocks
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.sip_credentials import call_control_subscribers


def sip_subscribers(state, secret):
    """Kamailio's subscriber table (user, realm, HA1) for a call control's phones, from the vault's SIP secret."""
    try:
        return call_control_subscribers(state, secret)
    except (KeyError, TypeError, ValueError) as error:
        raise AnsibleFilterError(f"sip_subscribers: {error}") from error


def ios_sip_credentials(state, secret):
    """IOS-XE call control: each phone's directory number and pool with its digest credentials, as ios_config blocks."""
    if not isinstance(state, dict):
        raise AnsibleFilterError(f"ios_sip_credentials: expected the intended state of a call control (a dict), got {type(state).__name__}")
    try:
        return phone_blocks(state, secret)
    except (KeyError, TypeError, ValueError) as error:
        raise AnsibleFilterError(f"ios_sip_credentials: {error}") from error


class FilterModule:
    def filters(self):
        return {"sip_subscribers": sip_subscribers, "ios_sip_credentials": ios_sip_credentials}
