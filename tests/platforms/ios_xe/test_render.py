"""The production platform: Cisco IOS-XE configurations rendered from the intended state.

Golden files hold the small fixture's configurations word for word. The meaning tests parse every
configuration of the shipped GovNet with ciscoconfparse2 and check what the network depends on: voice on
every access port, exact BGP filters between each CE and its upstream, LLQ on every WAN link, region
summaries, the dial plan, and a management plane without plaintext secrets or telnet.
"""

from __future__ import annotations

import ipaddress
import multiprocessing
import os
import re
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from ciscoconfparse2 import CiscoConfParse
from conftest import GOLDEN, ROOT, SHIPPED, SMALL, UPDATE_GOLDEN, check_golden, default_policy, small_institutions

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.platforms.ios_xe import render as ios_xe
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.pipeline import Network, plan
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.core.problems import GovnetInputError
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design.schema import ROUTER_ROLES

CONFIGS = GOLDEN / "configs" / "ios_xe"

# A parsed configuration: its top-level lines, each with its children and their children.
Tree = list[tuple[str, list[tuple[str, list[str]]]]]


# ---------------------------------------------------------------- parsing


def parse_tree(item: tuple[str, str]) -> tuple[str, Tree]:
    """Parse one configuration with ciscoconfparse2; any structural problem raises ValueError."""
    hostname, config = item
    problems = []
    if not config.endswith("\nend\n"):
        problems.append("does not end with 'end' and a newline")
    lines = config.splitlines()
    for number, line in enumerate(lines, 1):
        if not line.strip() or line != line.rstrip() or "\t" in line:
            problems.append(f"line {number} is blank, has trailing space or a tab: {line!r}")
    parse = CiscoConfParse(lines, syntax="ios", loguru=False)
    if len(parse.objs) != len(lines):
        problems.append(f"ciscoconfparse2 read {len(parse.objs)} of {len(lines)} lines")
    tree: Tree = []
    for obj in parse.objs:
        if obj.is_comment:
            continue
        parent = obj.parent
        if obj.indent > 0 and (parent is obj or obj.indent != parent.indent + 1):
            problems.append(f"line {obj.linenum + 1} has no parent one level up: {obj.text!r}")
        if parent is obj:
            children = [(child.text.strip(), [grand.text.strip() for grand in child.children if not grand.is_comment]) for child in obj.children]
            tree.append((obj.text, [child for child in children if child[0] != "!"]))
    if problems:
        raise ValueError(f"{hostname}: " + "; ".join(problems))
    return hostname, tree


def children(tree: Tree, regex: str) -> list[list[tuple[str, list[str]]]]:
    """The children of every top-level line that matches regex."""
    return [kids for text, kids in tree if re.fullmatch(regex, text)]


def child_lines(tree: Tree, regex: str) -> list[str]:
    """The child lines of the one top-level line that matches regex."""
    found = children(tree, regex)
    assert len(found) == 1, f"expected one '{regex}', found {len(found)}"
    return [text for text, _ in found[0]]


def top(tree: Tree) -> list[str]:
    return [text for text, _ in tree]


def all_lines(tree: Tree) -> list[str]:
    """Every line, at every level, without indentation."""
    out = []
    for text, kids in tree:
        out.append(text)
        for kid, grands in kids:
            out.append(kid)
            out.extend(grands)
    return out


def prefix_list(tree: Tree, name: str) -> list[str]:
    """The entries of a prefix list as 'permit 10.0.0.0/8'."""
    entries = [m.group(1) for m in (re.fullmatch(rf"ip prefix-list {re.escape(name)} seq \d+ (.+)", t) for t in top(tree)) if m]
    assert entries, f"prefix list {name} is missing"
    return entries


def bgp(tree: Tree) -> tuple[int, list[str], list[str]]:
    """The BGP process: its ASN, its neighbour lines and its ipv4 address-family lines."""
    found = [(text, kids) for text, kids in tree if text.startswith("router bgp ")]
    assert len(found) == 1
    text, kids = found[0]
    family = [grand for kid, grands in kids if kid == "address-family ipv4" for grand in grands]
    return int(text.split()[2]), [kid for kid, _ in kids], family


def neighbors(tree: Tree) -> dict[str, dict[str, Any]]:
    asn, process, family = bgp(tree)
    out: dict[str, dict[str, Any]] = {}
    for line in process:
        m = re.fullmatch(r"neighbor (\S+) remote-as (\d+)", line)
        if m:
            out[m.group(1)] = {"remote_as": int(m.group(2)), "lines": []}
    for line in family:
        m = re.fullmatch(r"neighbor (\S+) (.+)", line)
        if m:
            out[m.group(1)]["lines"].append(m.group(2))
    for item in out.values():
        item["ebgp"] = item["remote_as"] != asn
        item["in"] = [line.split()[1] for line in item["lines"] if re.fullmatch(r"prefix-list \S+ in", line)]
    return out


def cisco_pattern(pattern: str) -> re.Pattern[str]:
    """A Cisco dial pattern of digits, '.' (any digit) and '[..]' digit classes as a Python regex."""
    tokens = re.findall(r"\[[^]]*\]|.", pattern)
    return re.compile("".join("[0-9]" if t == "." else t if t.startswith("[") else re.escape(t) for t in tokens) + "$")


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def small() -> tuple[Network, dict[str, str]]:
    network = plan(SMALL)
    return network, ios_xe.render(network.states)


@pytest.fixture(scope="module")
def shipped() -> tuple[Network, dict[str, str], dict[str, Tree]]:
    """The shipped GovNet: plan, configurations, and every configuration parsed (in parallel)."""
    network = plan(SHIPPED)
    configs = ios_xe.render(network.states)
    items = [(Path(path).stem, text) for path, text in configs.items()]
    workers = max(1, min(4, os.cpu_count() or 1))
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        trees = dict(pool.map(parse_tree, items, chunksize=16))
    return network, configs, trees


# ---------------------------------------------------------------- golden and determinism


@pytest.mark.golden
def test_golden_small_fixture(small: tuple[Network, dict[str, str]]) -> None:
    network, configs = small
    expected = {f"configs/{hostname}.cfg" for hostname in network.states}
    assert set(configs) == expected, "every device of the small fixture is ios_xe and gets a configuration"
    if UPDATE_GOLDEN:
        for stale in CONFIGS.glob("*.cfg"):
            if f"configs/{stale.name}" not in configs:
                stale.unlink()
    for path, text in sorted(configs.items()):
        check_golden(CONFIGS / Path(path).name, text)
    assert {f"configs/{p.name}" for p in CONFIGS.glob("*.cfg")} == set(configs), "golden files and rendered devices differ"


def test_small_configs_parse(small: tuple[Network, dict[str, str]]) -> None:
    for path, text in small[1].items():
        parse_tree((path, text))


def test_render_is_deterministic(small: tuple[Network, dict[str, str]]) -> None:
    network, configs = small
    assert ios_xe.render(network.states) == configs
    reordered = dict(reversed(list(network.states.items())))
    assert ios_xe.render(reordered) == configs, "the order of the states changes nothing"
    assert list(ios_xe.render(network.states)) == list(configs)


def test_render_does_not_depend_on_hash_seed(small: tuple[Network, dict[str, str]]) -> None:
    script = (
        "import hashlib, sys\n"
        "from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.pipeline import plan\n"
        "from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.platforms.ios_xe.render import render\n"
        "out = render(plan(sys.argv[1]).states)\n"
        "print(hashlib.sha256(repr(sorted(out.items())).encode()).hexdigest())\n"
    )
    digests = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT / "collections")}
        digests.add(subprocess.run([sys.executable, "-c", script, str(SMALL)], env=env, check=True, capture_output=True, text=True).stdout)
    assert len(digests) == 1


def test_other_platforms_are_skipped(small: tuple[Network, dict[str, str]]) -> None:
    network, configs = small
    lab = ("kongwa-dc", "dodoma-cc")  # the only institutions with codes 5xx
    states = {name: dict(state, platform="lab") if state.get("institution", {}).get("slug") in lab else state for name, state in network.states.items()}
    out = ios_xe.render(states)
    assert set(out) == {path for path in configs if not Path(path).stem.startswith(lab)}
    assert out == {path: text for path, text in configs.items() if path in out}, "lab institutions still count, in the on-net dial plan too"
    assert "e164 5......" in out["configs/mof-cc1.cfg"]


# ---------------------------------------------------------------- refusals


def test_a_secret_value_is_refused(small: tuple[Network, dict[str, str]]) -> None:
    network, _ = small
    state = network.states["kongwa-dc-sw1"]
    bad = {**state, "management": {**state["management"], "secrets": {**state["management"]["secrets"], "enable": "S3cret!"}}}
    with pytest.raises(ValueError, match="secret enable is not a vault reference"):
        ios_xe.render({**network.states, "kongwa-dc-sw1": bad})


def test_stray_template_markup_is_neutralised(small: tuple[Network, dict[str, str]]) -> None:
    """The schema refuses it; if it got past, the description's braces become parentheses (no live markup)."""
    network, _ = small
    state = network.states["kongwa-dc-ce1"]
    bad = {**state, "institution": {**state["institution"], "name": "Kongwa {{ lookup('pipe', 'id') }}"}}
    rendered = ios_xe.render({**network.states, "kongwa-dc-ce1": bad})
    assert not any("lookup('pipe'" in line and "{" in line for content in rendered.values() for line in content.splitlines())


def test_banner_delimiter_is_neutralised(small: tuple[Network, dict[str, str]]) -> None:
    """The schema refuses it; if it got past, '^' becomes a space and cannot end the banner early."""
    network, _ = small
    state = network.states["core-dar"]
    bad = {**state, "management": {**state["management"], "banner": "Keep out ^C now"}}
    rendered = ios_xe.render({"core-dar": bad})
    assert all("Keep out ^" not in content for content in rendered.values())
    assert any("Keep out" in content for content in rendered.values())


# What the renderer does not check again: validation refuses it, each with its golden message. Cases already in
# tests/golden/errors/: call_route_services (no pstn_gateway, 10 sip_core addresses), text_policy_injection (admin
# user, SNMP group, QoS class and VLAN names that are not one word), code_space_exhausted and pins (a code of the
# wrong length). What the intended state guarantees by construction is tested in tests/design/test_intended.py.
def _snmp_v2(policy: dict[str, Any]) -> None:
    policy["govnet_security"]["snmp_version"] = 2


def _snmp_user(policy: dict[str, Any]) -> None:
    policy["govnet_security"]["snmp_user"] = "GovNet Ops"


def _spanning_tree(policy: dict[str, Any]) -> None:
    policy["govnet_switching"]["spanning_tree"] = "pvst"


def _qos_queue(policy: dict[str, Any]) -> None:
    policy["govnet_qos"]["classes"][0]["queue"] = "shaped"


def _qos_total(policy: dict[str, Any]) -> None:
    for item in policy["govnet_qos"]["classes"]:
        item["queue"], item["percent"] = "bandwidth", 60


def _no_ipsec_psk(policy: dict[str, Any]) -> None:
    del policy["govnet_security"]["secrets"]["ipsec_psk"]


def _region_126(policy: dict[str, Any]) -> None:
    """A region id whose aggregation uplinks would take the hub-to-hub circuits (pools widened so it is allocated)."""
    pools = policy["govnet_addressing"]["pools"]
    pools["infra_links"]["prefix"], pools["regions"]["prefix"] = "10.3.0.0/20", "10.128.0.0/9"
    next(region for region in policy["govnet_regions"] if region["slug"] == "dodoma")["id"] = 126


def _secret_name(policy: dict[str, Any]) -> None:
    policy["govnet_security"]["secrets"]["enable"] = "vault_a b"


REFUSED = {case.__name__[1:]: case for case in (_snmp_v2, _snmp_user, _spanning_tree, _qos_queue, _qos_total, _no_ipsec_psk, _region_126, _secret_name)}


@pytest.mark.golden
@pytest.mark.parametrize("name", sorted(REFUSED))
def test_what_the_renderer_trusts_is_refused_at_validation(name: str, registry_factory: Any) -> None:
    policy = default_policy()
    REFUSED[name](policy)
    changed = {key: value for key, value in policy.items() if value != default_policy().get(key)}
    with pytest.raises(GovnetInputError) as raised:
        plan(registry_factory(small_institutions(), changed))
    check_golden(GOLDEN / "ios_xe" / "refused" / f"{name}.txt", raised.value.report() + "\n")


def test_a_fifo_default_queue_leaves_class_default_without_a_queueing_action(registry_factory: Any) -> None:
    policy = default_policy()
    policy["govnet_qos"]["default_queue"] = "fifo"
    network = plan(registry_factory(small_institutions(), {"govnet_qos": policy["govnet_qos"]}))
    config = next(text for path, text in ios_xe.render(network.states).items() if path.endswith("-ce1.cfg"))
    after = config.split(" class class-default\n")[-1]
    assert after.startswith("!\n") and "fair-queue" not in config


def test_parse_problems_fail() -> None:
    with pytest.raises(ValueError, match="no parent one level up"):
        parse_tree(("x", "hostname x\n  description skipped a level\nend\n"))
    with pytest.raises(ValueError, match="does not end with 'end'"):
        parse_tree(("x", "hostname x\n"))
    with pytest.raises(ValueError, match="blank"):
        parse_tree(("x", "hostname x\n\nend\n"))


# ---------------------------------------------------------------- small computations


def test_masks() -> None:
    assert ios_xe.netmask(31) == "255.255.255.254"
    assert ios_xe.wildcard(24) == "0.0.0.255"
    assert ios_xe.address_mask("10.2.0.67/31") == "10.2.0.67 255.255.255.254"
    assert ios_xe.network_mask("10.16.32.0/22") == {"network": "10.16.32.0", "mask": "255.255.252.0"}


def test_digit_classes_and_onnet_patterns() -> None:
    assert ios_xe.digit_class("4") == "4"
    assert ios_xe.digit_class("45678") == "[4-8]"
    assert ios_xe.digit_class("4568") == "[4-68]"
    assert ios_xe.digit_class("0235689") == "[0235689]"
    assert ios_xe.digit_class("0234") == "[02-4]"
    patterns = ios_xe.onnet_patterns("501", "45678", 7)
    assert patterns == ["[46-8]......", "5[1-9].....", "50[02-9]...."]
    for number in range(4000000, 9000000, 997):
        dialled = str(number)
        hits = [p for p in patterns if cisco_pattern(p).match(dialled)]
        assert len(hits) == (0 if dialled.startswith("501") else 1), dialled


def test_interface_names() -> None:
    assert ios_xe.wan_interface("ce_router", 116) == "GigabitEthernet0/0/0.116"
    assert ios_xe.wan_interface("core_hub", 4001) == "TenGigabitEthernet0/1/0.4001"
    assert ios_xe.lan_subinterface(20) == "GigabitEthernet0/0/1.20"
    assert ios_xe.access_port(24) == "GigabitEthernet1/0/24"


# ---------------------------------------------------------------- meaning, over the whole shipped network
# These share one fixture that parses all ~1,000 configurations (about 30 s on 2 cores): marked slow.


@pytest.mark.slow
def test_every_shipped_device_is_rendered(shipped: tuple[Network, dict[str, str], dict[str, Tree]]) -> None:
    network, configs, trees = shipped
    ios = {name for name, state in network.states.items() if state["platform"] == "ios_xe"}
    assert set(trees) == ios
    assert all(text.endswith("\nend\n") for text in configs.values())


@pytest.mark.slow
def test_access_ports_carry_data_and_voice(shipped: tuple[Network, dict[str, str], dict[str, Tree]]) -> None:
    network, _, trees = shipped
    switches = [state for state in network.states.values() if state["role"] == "access_switch"]
    assert switches
    for state in switches:
        tree = trees[state["hostname"]]
        data, voice = state["access_ports"]["data_vlan"], state["access_ports"]["voice_vlan"]
        ports = [(text, [k for k, _ in kids]) for text, kids in tree if text.startswith("interface ")]
        access = [(text, kids) for text, kids in ports if "switchport mode access" in kids]
        assert len(access) == state["access_ports"]["count"], state["hostname"]
        for text, kids in access:
            for line in (
                f"switchport access vlan {data}",
                f"switchport voice vlan {voice}",
                "network-policy 1",
                "spanning-tree portfast",
                "spanning-tree bpduguard enable",
                "service-policy input GOVNET-ACCESS-IN",
            ):
                assert line in kids, f"{state['hostname']} {text}: missing '{line}'"
            assert "ip dhcp snooping trust" not in kids
        uplink = child_lines(tree, "interface GigabitEthernet1/1/1")
        assert "switchport mode trunk" in uplink and "ip dhcp snooping trust" in uplink
        allowed = [line.split()[-1] for line in uplink if line.startswith("switchport trunk allowed vlan ")]
        assert allowed == [",".join(str(v) for v in sorted(state["uplink"]["vlans"]))]
        assert f"ip dhcp snooping vlan {data},{voice}" in top(tree)
        assert "ip dhcp snooping" in top(tree) and "lldp run" in top(tree)
        assert f"voice vlan {voice} cos 5" in child_lines(tree, "network-policy profile 1")
        assert f"spanning-tree mode {state['spanning_tree']}" in top(tree)
        assert f"ip default-gateway {state['management_interface']['gateway']}" in top(tree)


@pytest.mark.slow
def test_ce_bgp_filters_both_ways(shipped: tuple[Network, dict[str, str], dict[str, Tree]]) -> None:
    network, _, trees = shipped
    supernet = str(network.policy.supernet)
    blocks = {router: str(plan_.block) for plan_ in network.allocation.institutions for router in plan_.routers}
    assert blocks
    for router, block in blocks.items():
        tree = trees[router]
        ebgp = {address: item for address, item in neighbors(tree).items() if item["ebgp"]}
        assert len(ebgp) == 1, f"{router}: {len(ebgp)} eBGP neighbours"
        ((upstream_address, neighbour),) = ebgp.items()
        assert len(neighbour["in"]) == 1, f"{router}: no inbound prefix list"
        assert prefix_list(tree, neighbour["in"][0]) == [f"permit {supernet}"], router
        # The upstream: the router whose interface holds upstream_address; its neighbour for this CE.
        state = network.states[router]
        upstream = state["bgp"]["neighbors"][0]["peer"]
        own = next(i["address"].split("/")[0] for i in state["interfaces"] if i["kind"] == "wan")
        assert any(
            line.startswith("ip address " + upstream_address + " ") for line in all_lines(trees[upstream])
        ), f"{router}: {upstream} lacks {upstream_address}"
        theirs = neighbors(trees[upstream])[own]
        assert theirs["ebgp"] and len(theirs["in"]) == 1, f"{upstream}: no inbound filter for {router}"
        assert prefix_list(trees[upstream], theirs["in"][0]) == [f"permit {block}"], f"{upstream} accepts more than {block} from {router}"
        assert f"maximum-prefix {network.policy.routing.ce_max_prefixes}" in theirs["lines"]
        assert f"network {ipaddress.ip_network(block).network_address} mask {ipaddress.ip_network(block).netmask}" in bgp(tree)[2]


@pytest.mark.slow
def test_wan_links_have_llq(shipped: tuple[Network, dict[str, str], dict[str, Tree]]) -> None:
    network, _, trees = shipped
    for hostname, tree in trees.items():
        state = network.states[hostname]
        circuits = sorted(i["circuit"] for i in state.get("interfaces", []) if "circuit" in i)
        wan = [
            (text, [k for k, _ in kids])
            for text, kids in tree
            if re.fullmatch(r"interface \S+\.\d+", text) and "NICTBB circuit" in " ".join(k for k, _ in kids)
        ]
        assert sorted(int(text.rsplit(".", 1)[1]) for text, _ in wan) == circuits, hostname
        for text, kids in wan:
            assert "service-policy output GOVNET-WAN-OUT" in kids, f"{hostname} {text}"
            assert f"encapsulation dot1Q {text.rsplit('.', 1)[1]}" in kids
        if circuits:
            policy = child_lines(tree, "policy-map GOVNET-WAN-OUT")
            assert "class class-default" in policy
            assert [k for k, grands in children(tree, "policy-map GOVNET-WAN-OUT")[0] if k == "class class-default" and "fair-queue" in grands]
            classes = {c["name"]: c for c in state["qos"]["classes"]}
            for name, item in classes.items():
                actions = [grands for k, grands in children(tree, "policy-map GOVNET-WAN-OUT")[0] if k == f"class GOVNET-{name}"][0]
                verb = "priority percent" if item["queue"] == "priority" else "bandwidth percent"
                assert actions == [f"{verb} {item['percent']}"]
                assert child_lines(tree, f"class-map match-any GOVNET-{name}") == [f"match dscp {item['dscp']}"]


# `password 0 x`, `secret 7 x`, `key 0 x`, `enable password x`, or any `password x` at all.
SECRET_FORMS = re.compile(r"\b(password|secret|(?<!authentication-)key)\s+[0-9]\s|\benable\s+password\b|\bpassword\s+(?!\{\{ vault_)\S")
VAULT = re.compile(r"\{\{ vault_[a-z0-9_]+ \}\}")


@pytest.mark.slow
def test_no_plaintext_secrets(shipped: tuple[Network, dict[str, str], dict[str, Tree]]) -> None:
    _, configs, trees = shipped
    for hostname, tree in trees.items():
        for line in all_lines(tree):
            if line.startswith("description "):
                continue
            assert not SECRET_FORMS.search(line), f"{hostname}: plaintext secret form: {line}"
            if line.startswith("ntp "):  # key ids (ntp server ... key 1, trusted-key 1): the key itself is checked below
                continue
            for m in re.finditer(r"\b(secret|(?<!authentication-)key|sha|256|password)\s+(\{\{ \S+ \}\}|\S+)", line):
                assert VAULT.fullmatch(m.group(2)), f"{hostname}: {m.group(1)} is not a vault reference: {line}"
        lines = all_lines(tree)
        assert [line for line in lines if line.startswith("username ")] == [
            "username govnet-admin privilege 15 algorithm-type scrypt secret {{ vault_govnet_admin_secret }}"
        ]
        assert "enable algorithm-type scrypt secret {{ vault_govnet_enable_secret }}" in lines
        assert "ntp authentication-key 1 hmac-sha2-256 {{ vault_govnet_ntp_key }}" in lines
        assert "key {{ vault_govnet_tacacs_key }}" in lines
        assert re.search(r"^snmp-server user \S+ \S+ v3 auth sha \{\{ vault_\w+ \}\} priv aes 256 \{\{ vault_\w+ \}\}$", "\n".join(lines), re.M)
        assert len(VAULT.findall(configs[f"configs/{hostname}.cfg"])) == configs[f"configs/{hostname}.cfg"].count("{{")


@pytest.mark.slow
def test_management_plane(shipped: tuple[Network, dict[str, str], dict[str, Tree]]) -> None:
    network, _, trees = shipped
    for hostname, tree in trees.items():
        state = network.states[hostname]
        lines = all_lines(tree)
        assert not [line for line in lines if "telnet" in line], hostname
        for line in (
            "no ip http server",
            "no ip http secure-server",
            "ip domain name govnet.go.tz",
            "aaa new-model",
            "ip ssh version 2",
            "logging trap informational",
        ):
            assert line in top(tree), f"{hostname}: missing '{line}'"
        vty = child_lines(tree, "line vty 0 15")
        assert "transport input ssh" in vty and "access-class GOVNET-MGMT in vrf-also" in vty
        allowed = [ipaddress.ip_network(p) for p in state["management"]["allowed_from"]]
        acl = child_lines(tree, "ip access-list standard GOVNET-MGMT")
        assert acl[:-1] == [f"{10 * n} permit {net.network_address} {net.hostmask}" for n, net in enumerate(allowed, 1)] and acl[-1].endswith("deny any log")
        assert "snmp-server group GOVNET-OPS v3 priv access GOVNET-MGMT" in top(tree)
        for server in state["management"]["syslog_servers"]:
            assert f"logging host {server}" in top(tree) and f"snmp-server host {server} version 3 priv govnet-ops" in top(tree)
        for server in state["management"]["ntp_servers"]:
            assert f"ntp server {server} key 1" in top(tree)
        tacacs = [text for text in top(tree) if text.startswith("tacacs server ")]
        assert [child_lines(tree, re.escape(t))[0] for t in tacacs] == [f"address ipv4 {a}" for a in state["management"]["aaa_servers"]]
        assert "aaa authentication login default group GOVNET-TACACS local" in top(tree)
        assert "aaa authorization exec default group GOVNET-TACACS local" in top(tree)
        banner = child_lines(tree, r"banner login \^C")
        assert banner[-1] == "^C" and " ".join(banner[:-1]) == state["management"]["banner"]


@pytest.mark.slow
def test_aggregation_summarises_its_region(shipped: tuple[Network, dict[str, str], dict[str, Tree]]) -> None:
    network, _, trees = shipped
    assert network.allocation.aggregation
    for agg in network.allocation.aggregation:
        family = bgp(trees[agg.hostname])[2]
        summaries = [line.split()[1:3] for line in family if line.startswith("aggregate-address ") and line.endswith(" summary-only")]
        assert summaries == [[str(agg.block.network_address), str(agg.block.netmask)]], agg.hostname
        for address, item in neighbors(trees[agg.hostname]).items():
            if item["remote_as"] == network.policy.routing.core_asn:
                out = [line.split()[1] for line in item["lines"] if re.fullmatch(r"prefix-list \S+ out", line)]
                assert prefix_list(trees[agg.hostname], out[0]) == [f"permit {agg.block}"]


@pytest.mark.slow
def test_hubs_keep_the_core_whole(shipped: tuple[Network, dict[str, str], dict[str, Tree]]) -> None:
    """Both hubs summarise GovNet to their eBGP peers but give each other every route."""
    network, _, trees = shipped
    for hub in network.allocation.hubs:
        tree = trees[hub.hostname]
        ibgp = [item for item in neighbors(tree).values() if not item["ebgp"]]
        assert len(ibgp) == len(network.allocation.hubs) - 1
        for item in ibgp:
            assert "next-hop-self" in item["lines"] and "unsuppress-map GOVNET-UNSUPPRESS-ALL" in item["lines"] and not item["in"]
        assert child_lines(tree, "route-map GOVNET-UNSUPPRESS-ALL permit 10")[0].startswith("description ")


@pytest.mark.slow
def test_redundant_ce_pairs_share_a_gateway(shipped: tuple[Network, dict[str, str], dict[str, Tree]]) -> None:
    network, _, trees = shipped
    pairs = [p for p in network.allocation.institutions if len(p.routers) == 2]
    assert pairs
    for pair in pairs:
        priorities = []
        for router in pair.routers:
            state = network.states[router]
            for vlan in state["vlans"]:
                lines = child_lines(trees[router], re.escape(f"interface GigabitEthernet0/0/1.{vlan['id']}"))
                assert f"standby {vlan['id']} ip {vlan['gateway']}" in lines and "standby version 2" in lines
                priorities.append(next(int(line.split()[-1]) for line in lines if re.fullmatch(r"standby \d+ priority \d+", line)))
        assert len(set(priorities)) == 2, pair.institution.slug


@pytest.mark.slow
def test_call_control_dial_plan(shipped: tuple[Network, dict[str, str], dict[str, Tree]]) -> None:
    network, _, trees = shipped
    numbering = network.policy.numbering
    codes = {str(p.code) for p in network.allocation.institutions}
    plans = [p for p in network.allocation.institutions if p.call_control]
    assert plans
    for inst in plans:
        own = str(inst.code)
        for host in inst.call_control:
            tree = trees[host]
            state = network.states[host]
            peers = {text: [k for k, _ in kids] for text, kids in tree if text.startswith("dial-peer voice ")}
            by_pattern: dict[str, list[list[str]]] = {}
            for kids in peers.values():
                for line in kids:
                    if line.startswith("destination-pattern "):
                        by_pattern.setdefault(line.split()[1], []).append(kids)
            gateways = {f"session target ipv4:{a}:5060" for a in state["routes"]["pstn_gateway"]}
            for short in numbering.short_codes:
                found = by_pattern.get(short.number, [])
                assert found and {line for kids in found for line in kids} & gateways, f"{host}: no dial-peer for {short.number}"
                if short.emergency:
                    assert all("voice-class sip options-keepalive" not in kids and not any("corlist" in k for k in kids) for kids in found)
            # PSTN by class of service: national and international dial-peers carry their COR; the phones' list
            # holds what the institution's category may dial; calls from GovNet may not break out to the PSTN.
            access, pstn = numbering.pstn_access_digit, numbering.pstn
            international = by_pattern.get(f"{access}{pstn.international_prefix}T", [])
            assert international and all(f"corlist outgoing {ios_xe.COR['international']}" in kids for kids in international), host
            national = [kids for pattern, found in by_pattern.items() if pattern.startswith(access + pstn.national_prefix) for kids in found]
            assert national and all(f"corlist outgoing {ios_xe.COR['international']}" in kids or f"corlist outgoing {ios_xe.COR['national']}" in kids for kids in national)
            for kids in national:
                if f"corlist outgoing {ios_xe.COR['national']}" in kids:
                    dial = next(k.split()[1] for k in kids if k.startswith("destination-pattern")).rstrip("T")
                    abroad = f"{access}{pstn.international_prefix}441234567"[: len(re.findall(r"\[[^]]*\]|.", dial))]
                    assert not cisco_pattern(dial).match(abroad), f"{host}: international calls match national dial-peer {dial}"
            allowed = pstn.class_of_service[state["institution"]["category"]]
            phones = {line.split()[1] for line in child_lines(tree, f"dial-peer cor list {ios_xe.COR_PHONES}") if line.startswith("member")}
            assert (ios_xe.COR["international"] in phones, ios_xe.COR["national"] in phones) == (allowed == "international", allowed != "onnet"), host
            assert f"cor incoming {ios_xe.COR_PHONES}" in child_lines(tree, "voice register pool 1")
            assert f"corlist incoming {ios_xe.COR_FROM_GOVNET}" in next(kids for kids in peers.values() if any(k.startswith("incoming called-number") for k in kids))
            assert not {ios_xe.COR["national"], ios_xe.COR["international"]} & {
                line.split()[1] for line in child_lines(tree, f"dial-peer cor list {ios_xe.COR_FROM_GOVNET}") if line.startswith("member")
            }
            # Phones register with digest authentication in the institution's realm.
            assert {"authenticate register", f"authenticate realm {state['sip']['realm']}"} <= set(child_lines(tree, "voice register global"))
            # On-net: the SIP core gets every 7-digit number of every other institution, none of ours.
            onnet = child_lines(tree, r"voice class e164-pattern-map 200")
            patterns = [line.split()[1] for line in onnet if line.startswith("e164 ")]
            regexes = [cisco_pattern(p) for p in patterns]
            digits = numbering.code_digits + numbering.extension_digits
            assert all(len(re.sub(r"\[[^]]*\]", "x", p)) == digits for p in patterns), patterns
            for code in codes:
                for extension in (numbering.extension_first, numbering.extension_last):
                    dialled = f"{code}{extension}"
                    assert any(r.match(dialled) for r in regexes) == (code != own), f"{host}: {dialled}"
            for other in [numbering.pstn_access_digit + "123456"] + [s.number + "1234" for s in numbering.short_codes]:
                assert not any(r.match(other) for r in regexes), f"{host}: on-net pattern catches {other}"
            onnet_peers = [kids for kids in peers.values() if "destination e164-pattern-map 200" in kids]
            assert {line for kids in onnet_peers for line in kids if line.startswith("session target")} == {
                f"session target ipv4:{a}:5060" for a in state["routes"]["sip_core"]
            }
            assert len({line for kids in onnet_peers for line in kids if line.startswith("preference")}) == len(onnet_peers)
            # Incoming for our numbers, short dialling both ways, conference bridges.
            assert any(f"incoming called-number {own}{'.' * numbering.extension_digits}" in kids for kids in peers.values())
            assert f"dialplan-pattern 1 {own}{'.' * numbering.extension_digits} extension-length {numbering.extension_digits}" in child_lines(
                tree, "voice register global"
            )
            conference = child_lines(tree, r"voice class e164-pattern-map 300")
            for number in inst.conference:
                assert f"e164 {number}" in conference
            for kids in peers.values():
                assert "ip qos dscp cs3 signaling" in kids and "ip qos dscp ef media" in kids
            assert "allow-connections sip to sip" in child_lines(tree, "voice service voip")


# ---------------------------------------------------------------- network security (segmentation, BGP, CoPP, flows)



def object_groups(tree: Tree) -> dict[str, list[ipaddress.IPv4Network]]:
    """Every object-group network of a configuration, as networks."""
    out = {}
    for text, kids in tree:
        if text.startswith("object-group network "):
            entries = [kid.split() for kid, _ in kids if not kid.startswith("description ")]
            out[text.split()[2]] = [ipaddress.ip_network(f"{e[1]}/32" if e[0] == "host" else f"{e[0]}/{e[1]}") for e in entries]
    return out


def ace_operand(words: list[str], groups: dict[str, list[ipaddress.IPv4Network]]) -> list[ipaddress.IPv4Network]:
    """Consume one address operand of an ACE (host A, any, object-group N, A WILDCARD) from words."""
    first = words.pop(0)
    if first == "any":
        return [ipaddress.ip_network("0.0.0.0/0")]
    if first == "host":
        return [ipaddress.ip_network(f"{words.pop(0)}/32")]
    if first == "object-group":
        return groups[words.pop(0)]
    return [ipaddress.ip_network(f"{first}/{words.pop(0)}", strict=False)]


def ace(line: str, groups: dict[str, list[ipaddress.IPv4Network]]) -> dict[str, Any]:
    """A numbered extended ACE: action, protocol, sources, destinations, destination port words."""
    words = line.split()[1:]
    action, protocol = words.pop(0), words.pop(0)
    sources = ace_operand(words, groups)
    source_ports = []
    if words and words[0] in ("eq", "range"):
        size = 2 if words[0] == "eq" else 3
        source_ports, words = words[:size], words[size:]
    destinations = ace_operand(words, groups)
    return {"action": action, "protocol": protocol, "sources": sources, "destinations": destinations, "ports": words, "source_ports": source_ports}


def inside(networks: list[ipaddress.IPv4Network], allowed: list[ipaddress.IPv4Network]) -> bool:
    return all(any(network.subnet_of(wide) for wide in allowed) for network in networks)


@pytest.mark.slow
def test_every_bgp_session_is_signed_and_upstreams_limit_what_a_ce_sends(shipped: tuple[Network, dict[str, str], dict[str, Tree]]) -> None:
    network, _, trees = shipped
    for hostname, state in network.states.items():
        if state["role"] not in ROUTER_ROLES:
            continue
        process, family = bgp(trees[hostname])[1:]
        for neighbor in state["bgp"]["neighbors"]:
            address = neighbor["address"]
            assert f"neighbor {address} password {{{{ vault_govnet_bgp_key }}}}" in process, f"{hostname}: {address} is not signed"
            if neighbor.get("max_prefixes"):  # an upstream's side of a CE or aggregation session
                assert f"neighbor {address} maximum-prefix {neighbor['max_prefixes']}" in family, f"{hostname}: {address}"
                assert f"neighbor {address} soft-reconfiguration inbound" in family, f"{hostname}: {address}"
                accepted = prefix_list(trees[hostname], ios_xe.prefix_list_name(neighbor["peer"], "in"))
                assert accepted == [f"permit {prefix}" for prefix in neighbor["accept"]] and "permit 0.0.0.0/0" not in accepted


@pytest.mark.slow
def test_ce_acls_keep_institutions_apart(shipped: tuple[Network, dict[str, str], dict[str, Tree]]) -> None:
    """On every CE, every LAN sub-interface filters inbound with GOVNET-LAN-IN and every WAN sub-interface with
    GOVNET-WAN-IN, both ending in a logged deny; LAN-IN lets traffic leave only for the institution itself, the
    shared services, the operations network and (voice media only, from its own voice VLAN and call control) other
    institutions' sites; WAN-IN lets into the site block only the shared services, the operations network and voice
    media for its own voice VLAN and call control. Together: media flows between voice VLANs alone."""
    network, _, trees = shipped
    supernet = network.policy.supernet
    hubs = [state for state in network.states.values() if state["role"] == "core_hub"]
    services = [ipaddress.ip_interface(service["address"]).network for hub in hubs for service in hub["services"][:1]]
    operations = [ipaddress.ip_network(p) for p in next(iter(network.states.values()))["management"]["allowed_from"]]
    pools = [pool.network for name, pool in network.policy.pools.items() if name.startswith("central_sites_") or name == "regions"]
    voice_ends: dict[str, list[ipaddress.IPv4Network]] = {}  # institution slug -> its voice VLAN and call control
    for state in network.states.values():
        if state["role"] == "call_control":
            ends = voice_ends.setdefault(state["institution"]["slug"], [ipaddress.ip_network(state["phones_subnet"])])
            ends.append(ipaddress.ip_network(ipaddress.ip_interface(state["address"]).ip))
    media = network.policy.segmentation["voice"]
    media_ports = ["range", str(media["media_first_port"]), str(media["media_last_port"])]
    checked = 0
    for hostname, state in network.states.items():
        if state["role"] != "ce_router":
            continue
        tree = trees[hostname]
        site = [ipaddress.ip_network(state["segmentation"]["site"])]
        own_voice = voice_ends.get(state["institution"]["slug"], [])
        groups = object_groups(tree)
        for text, kids in tree:
            if re.fullmatch(r"interface GigabitEthernet0/0/[01]\.\d+", text):
                lan = text.startswith(f"interface {ios_xe.CE_LAN_PORT}.")
                assert f"ip access-group GOVNET-{'LAN' if lan else 'WAN'}-IN in" in [kid for kid, _ in kids], f"{hostname}: {text}"
        lan_in = [ace(line, groups) for line in child_lines(tree, "ip access-list extended GOVNET-LAN-IN")]
        wan_in = [ace(line, groups) for line in child_lines(tree, "ip access-list extended GOVNET-WAN-IN")]
        for entries in (lan_in, wan_in):
            assert (entries[-1]["action"], entries[-1]["protocol"], entries[-1]["ports"]) == ("deny", "ip", ["log"])
            assert entries[-1]["sources"] == entries[-1]["destinations"] == [ipaddress.ip_network("0.0.0.0/0")]
            assert all(entry["action"] == "permit" for entry in entries[:-1])
        for entry in lan_in[:-1]:
            # Entries to addresses outside GovNet's supernet are DHCP (to the relay) and HSRP hellos.
            if inside(entry["destinations"], [supernet]) and not inside(entry["destinations"], site + services + operations):
                is_media = media_ports in (entry["ports"], entry["source_ports"])
                assert entry["protocol"] == "udp" and is_media, f"{hostname}: LAN-IN lets out {entry}"
                assert inside(entry["sources"], own_voice), f"{hostname}: media from {entry['sources']}"
                assert inside(entry["destinations"], pools + services), f"{hostname}: media to {entry['destinations']}"
            others = [d for d in entry["destinations"] if d.subnet_of(supernet) and not inside([d], site + services + operations + pools)]
            assert not others, f"{hostname}: LAN-IN reaches {others}"
        for entry in wan_in[:-1]:
            if entry["destinations"] and inside(entry["destinations"], site):
                assert inside(entry["sources"], services + operations) or (
                    entry["protocol"] == "udp" and inside(entry["sources"], pools + services) and inside(entry["destinations"], own_voice)
                ), f"{hostname}: WAN-IN lets in {entry}"
        checked += 1
    assert checked == sum(1 for state in network.states.values() if state["role"] == "ce_router")


@pytest.mark.slow
def test_routers_police_the_control_plane_and_export_flows(shipped: tuple[Network, dict[str, str], dict[str, Tree]]) -> None:
    network, _, trees = shipped
    for hostname, state in network.states.items():
        if state["role"] not in ROUTER_ROLES:
            continue
        tree = trees[hostname]
        assert "service-policy input GOVNET-COPP" in child_lines(tree, "control-plane"), hostname
        classes = [line for line in child_lines(tree, "policy-map GOVNET-COPP") if line.startswith("class ")]
        assert classes == ["class GOVNET-COPP-ROUTING", "class GOVNET-COPP-MANAGEMENT", "class GOVNET-COPP-ICMP", "class class-default"]
        management = child_lines(tree, "ip access-list extended GOVNET-COPP-MANAGEMENT")
        for line in management:
            if " eq 22" in line or " eq snmp" in line:
                sources = [ipaddress.ip_network(f"{line.split()[3]}/{line.split()[4]}", strict=False)]
                assert inside(sources, [ipaddress.ip_network(p) for p in state["management"]["allowed_from"]]), f"{hostname}: {line}"
        exporters = [text for text in top(tree) if text.startswith("flow exporter ")]
        destinations = [line for text in exporters for line in child_lines(tree, re.escape(text)) if line.startswith("destination ")]
        assert destinations == [f"destination {address}" for address in state["management"]["syslog_servers"]], hostname
        for text, kids in tree:
            if re.fullmatch(r"interface \S+\.\d+", text) and not text.startswith(f"interface {ios_xe.CE_LAN_PORT}."):
                assert "ip flow monitor GOVNET-FLOWS input" in [kid for kid, _ in kids], f"{hostname}: {text}"
