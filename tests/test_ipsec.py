"""IPsec between CEs and their upstreams, from one policy (segmentation.yml ipsec) to both platforms.

The lab registry (inventories/lab/default.yml) gives every kind of protected link: a CE at a core hub (moa at
core-dodoma, gpsa at core-dar) and a CE behind a regional aggregation router (kongwa-dc at agg-dodoma), whose own
uplink to the core is not a CE link and stays unprotected. The lab's proof with packets is
molecule/default/tests/test_ipsec.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pytest
from conftest import ROOT, default_policy, small_institutions

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet import ios_xe, ipsec, lab
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build import Network, plan
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.ios_secrets import secret_blocks, split_secrets

LAB = ROOT / "inventories" / "lab" / "default.yml"
PSK = "{{ vault_govnet_ipsec_psk }}"


@pytest.fixture(scope="module")
def network() -> Network:
    return plan(LAB)


def links(network: Network, hostname: str) -> list[dict[str, Any]]:
    return ipsec.links(network.states[hostname], network.states)


def test_a_ce_protects_everything_it_sends_over_its_uplink(network: Network) -> None:
    ce = network.states["moa-ce1"]
    wan = next(i for i in ce["interfaces"] if i["kind"] == "wan")
    [link] = links(network, "moa-ce1")
    assert link["peer"] == wan["peer"] == "core-dodoma"
    assert (link["local"], link["remote"]) == (wan["address"].split("/")[0], wan["peer_address"])
    assert link["local_ts"] == [ce["segmentation"]["site"], ce["loopback"], wan["address"].split("/")[0] + "/32"]
    assert link["remote_ts"] == ["0.0.0.0/0"]
    assert link["initiator"] and link["psk"] == PSK


def test_the_upstream_mirrors_each_of_its_ces_and_leaves_its_own_uplink_alone(network: Network) -> None:
    for upstream, ce in (("core-dodoma", "moa-ce1"), ("core-dar", "gpsa-ce1"), ("agg-dodoma", "kongwa-dc-ce1")):
        [mine] = links(network, ce)
        [theirs] = links(network, upstream)
        assert theirs["peer"] == ce and not theirs["initiator"]
        assert (theirs["local"], theirs["remote"]) == (mine["remote"], mine["local"])
        assert (theirs["local_ts"], theirs["remote_ts"]) == (mine["remote_ts"], mine["local_ts"])
        assert theirs["params"] == mine["params"]
    # agg-dodoma's uplink to the core is not a CE link: core-dodoma protects only its CE's link.
    assert [link["peer"] for link in links(network, "core-dodoma")] == ["moa-ce1"]


def test_proposals_in_each_platforms_words(network: Network) -> None:
    params = links(network, "moa-ce1")[0]["params"]
    assert ipsec.strongswan_proposals(params) == {"ike": "aes256gcm16-prfsha384-ecp384", "esp": "aes256gcm16-ecp384"}
    assert ipsec.ios_xe_proposals(params) == {
        "encryption": "aes-gcm-256",
        "prf": "sha384",
        "group": 20,
        "transform": "esp-gcm 256",
        "pfs": "group20",
    }


def test_lab_files_hold_only_the_vault_reference_of_the_key(network: Network) -> None:
    files = lab.render(network.states)
    for hostname in ("moa-ce1", "core-dodoma"):
        swanctl = files[f"lab/{hostname}/ipsec/swanctl.conf"]
        assert f'secret = "{PSK}"' in swanctl
        assert swanctl.count("{") == swanctl.count("}")
    assert files["lab/moa-ce1/ipsec/routes"].splitlines()[-1] == f"route replace throw {network.states['moa-ce1']['segmentation']['site']} table 220"
    assert "lab/core-dodoma/ipsec/routes" not in files
    nft = files["lab/moa-ce1/nftables.conf"]
    assert 'iifname "c' in nft and "counter name ipsec_clear_denied drop" in nft


def test_ios_xe_keyring_lines_are_secret_lines(network: Network) -> None:
    states = {hostname: {**state, "platform": "ios_xe"} for hostname, state in network.states.items()}
    for hostname in ("moa-ce1", "core-dodoma"):
        config = ios_xe.render_device(states[hostname], states)
        peer = links(network, hostname)[0]
        split = split_secrets(config)
        assert "pre-shared-key" not in split.plain
        assert f" crypto map GOVNET-IPSEC-{peer['circuit']}" in split.plain
        values = {variable[3:-3]: "other-value" for variable in network.states[hostname]["management"]["secrets"].values()}
        blocks = secret_blocks(config, values | {"vault_govnet_ipsec_psk": "psk-value"})
        assert {"parents": ["crypto ikev2 keyring GOVNET-KEYRING", f"peer {peer['peer']}"], "lines": ["pre-shared-key psk-value"]} in blocks


def test_without_ipsec_in_the_policy_nothing_is_protected(registry_factory: Callable[..., Path]) -> None:
    policy = default_policy()
    policy["govnet_segmentation"]["ipsec"]["enabled"] = False
    network = plan(registry_factory(small_institutions(), {"govnet_segmentation": policy["govnet_segmentation"]}))
    assert not any(ipsec.links(state, network.states) for state in network.states.values())
    configs = ios_xe.render(network.states)
    assert configs and not any("crypto" in config or "isakmp" in config for config in configs.values())
