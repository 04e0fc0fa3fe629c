"""The lab platform renderer (lab.py): golden files, properties, and the rendered files run by the real tools.

Tests marked ``lab`` start FRR, Open vSwitch and Kamailio in network namespaces named
``govnet-t-<random>-<role>``; they need root and the lab packages and skip, saying why, otherwise. Each stops
every process it started (by pid) and deletes its namespaces and files, also when it fails; a run first
removes what an interrupted earlier run left behind (namespaces whose owner process is gone, see ``Lab``).
The root namespace gets no address, link or route into the test namespaces, and nothing is sent anywhere
but between addresses inside one test namespace or across a veth between two of them. Every wait is bounded.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.platforms.lab import render as lab
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.pipeline import Network, plan
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.design.sip_credentials import call_control_subscribers, phone_password
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.ops import live_checks

from conftest import GOLDEN, ROOT, SHIPPED, UPDATE_GOLDEN, check_golden, write_registry

FIXTURE = ROOT / "tests" / "fixtures" / "small-lab" / "institutions.yml"
LAB_GOLDEN = GOLDEN / "configs"
LAB_POLICY = yaml.safe_load((FIXTURE.parent / "lab-policy.yml").read_text())
ROUTER_FILES = {"frr.conf", "daemons", "vtysh.conf", "nftables.conf", "sshd_config", "rsyslog.conf", "snmpd.conf"}
COLLECTOR_FILES = {"soc/rsyslog.conf", "soc/snmptrapd.conf"}  # the hub whose services hold the syslog role's address
HUB_SERVICE_FILES = {"answer.xml", "sip-core/kamailio.cfg", "sip-core/dialplan", "sip-core/version"}
FILES_BY_ROLE = {
    "core_hub": ROUTER_FILES | HUB_SERVICE_FILES,
    "regional_aggregation": ROUTER_FILES,
    "ce_router": ROUTER_FILES | {"ulogd.conf"},
    "access_switch": {"ovs.sh"},
    "call_control": {"kamailio.cfg", "dispatcher.list", "dialplan", "version"},
}


@pytest.fixture(scope="module")
def network() -> Network:
    return plan(FIXTURE)


@pytest.fixture(scope="module")
def files(network: Network) -> dict[str, str]:
    return lab.render(network.states)


def device(files: dict[str, str], hostname: str) -> dict[str, str]:
    prefix = f"lab/{hostname}/"
    return {path[len(prefix) :]: content for path, content in files.items() if path.startswith(prefix)}


# ================================================================ without the lab tools


@pytest.mark.golden
def test_golden_files(files: dict[str, str]) -> None:
    """Every rendered file of the small-lab GovNet, word for word; the set of files matches too."""
    golden = {path.relative_to(LAB_GOLDEN).as_posix() for path in (LAB_GOLDEN / "lab").rglob("*") if path.is_file()}
    if UPDATE_GOLDEN:
        for stale in golden - set(files):
            (LAB_GOLDEN / stale).unlink()
        golden &= set(files)
    for path, content in files.items():
        check_golden(LAB_GOLDEN / path, content)
    assert golden == set(files) or UPDATE_GOLDEN, f"golden files differ: missing {sorted(set(files) - golden)}, stale {sorted(golden - set(files))}"


def test_files_per_role(network: Network, files: dict[str, str]) -> None:
    assert {path.split("/")[1] for path in files} == set(network.states)
    for hostname, state in network.states.items():
        services = {item["address"].split("/")[0] for item in state.get("services", [])}
        collector = COLLECTOR_FILES if services & set(state.get("management", {}).get("syslog_servers", [])) else set()
        assert set(device(files, hostname)) == FILES_BY_ROLE[state["role"]] | collector, hostname


def test_deterministic_and_order_free(network: Network, files: dict[str, str]) -> None:
    assert lab.render(network.states) == files
    assert list(files) == sorted(files, key=lambda path: (path.split("/")[1], list(files).index(path)))
    reordered = dict(reversed(list(network.states.items())))
    assert lab.render(reordered) == files


def test_other_platforms_are_skipped(network: Network) -> None:
    states = {name: dict(state, platform="ios_xe") if name.startswith("mof-") else state for name, state in network.states.items()}
    rendered = lab.render(states)
    assert rendered and not any(path.startswith("lab/mof-") for path in rendered)
    assert lab.render({name: dict(state, platform="ios_xe") for name, state in network.states.items()}) == {}


BGP_KEY_LINE = re.compile(r"^ neighbor \S+ password \{\{ vault_govnet_bgp_key \}\}$", re.M)
SNMP_KEY = re.compile(r'"\{\{ vault_govnet_snmp_(auth|priv) \}\}"')
TEST_BGP_KEY = "lab-test-bgp-key"  # what deploy fills in for the BGP key's vault reference, in these tests


def test_no_secret_or_unrendered_template(files: dict[str, str]) -> None:
    """The only markup in lab files: the BGP key's vault reference in frr.conf and the SNMPv3 keys' in snmpd.conf and
    the collector's snmptrapd.conf (deploy fills them in)."""
    keyed = 0
    for path, content in files.items():
        if path.endswith("/frr.conf"):
            keyed += len(BGP_KEY_LINE.findall(content))
            content = BGP_KEY_LINE.sub("", content)
        if path.endswith(("/snmpd.conf", "/soc/snmptrapd.conf")):
            assert SNMP_KEY.search(content), path
            content = SNMP_KEY.sub("", content)
        assert "{{" not in content and "{%" not in content and " password " not in content, path
    assert keyed == sum(len(state["bgp"]["neighbors"]) for state in plan(FIXTURE).states.values() if state["role"] in lab.ROUTER_ROLES)


def interface_names(frr_conf: str) -> list[str]:
    return re.findall(r"^interface (\S+)$", frr_conf, re.M)


def test_interface_naming(network: Network, files: dict[str, str]) -> None:
    """c<circuit> on both ends of every link, v<vlan> per CE VLAN, svc/ops at the hubs; at most 15 characters."""
    ends: dict[str, list[str]] = {}  # circuits are unique within this small GovNet (not across the whole one)
    for hostname, state in network.states.items():
        if state["role"] not in lab.ROUTER_ROLES:
            continue
        names = interface_names(device(files, hostname)["frr.conf"])
        assert all(len(name) <= 15 for name in names)
        for interface in state["interfaces"]:
            if interface["kind"] in ("wan", "core"):
                assert f"c{interface['circuit']}" in names
                ends.setdefault(f"c{interface['circuit']}", []).append(hostname)
        if state["role"] == "ce_router":
            assert [name for name in names if name.startswith("v")] == [f"v{vlan['id']}" for vlan in state["vlans"]]
        if state["role"] == "core_hub":
            assert "svc" in names
    assert ends and all(len(hosts) == 2 for hosts in ends.values()), ends
    assert "ops" in interface_names(device(files, "core-dodoma")["frr.conf"])


def test_ce_pair_gateway_on_the_active_ce_only(network: Network, files: dict[str, str]) -> None:
    active, standby = device(files, "mof-ce1")["frr.conf"], device(files, "mof-ce2")["frr.conf"]
    data = next(vlan for vlan in network.states["mof-ce1"]["vlans"] if vlan["role"] == "data")
    gateway = f" ip address {data['gateway']}/{ipaddress.ip_network(data['prefix']).prefixlen}\n"
    assert gateway in active and gateway not in standby
    assert "HSRP is IOS-XE only" in active and "DHCP relay is not in the lab" in active


def test_whole_shipped_govnet_renders_on_the_lab_platform(tmp_path: Path) -> None:
    """All 1,013 devices: every file renders, every interface name fits Linux, every link has two ends."""
    institutions = yaml.safe_load(SHIPPED.read_text())["institutions"]
    network = plan(write_registry(tmp_path, institutions, LAB_POLICY))
    rendered = lab.render(network.states)
    assert {path.split("/")[1] for path in rendered} == set(network.states)
    links: dict[tuple[str, str, str], int] = {}
    for hostname, state in network.states.items():
        if state["role"] in lab.ROUTER_ROLES:
            names = interface_names(rendered[f"lab/{hostname}/frr.conf"])
            assert len(names) == len(set(names)) and all(len(name) <= 15 for name in names), hostname
            for interface in state["interfaces"]:
                if interface["kind"] in ("wan", "core"):
                    assert f"c{interface['circuit']}" in names
                    key = (*sorted((hostname, interface["peer"])), f"c{interface['circuit']}")
                    links[key] = links.get(key, 0) + 1
    # Circuits are 802.1Q tags on the upstream's NICTBB port: unique per device, the same name on both ends.
    assert links and set(links.values()) == {2}


@given(st.integers(1, 4).flatmap(lambda width: st.tuples(st.just(width), st.integers(0, 10**width - 1), st.integers(0, 10**width - 1))))
def test_digit_range_regex_matches_exactly_the_range(case: tuple[int, int, int]) -> None:
    width, a, b = case
    first, last = min(a, b), max(a, b)
    pattern = re.compile(f"^(?:{lab.digit_range_regex(first, last, width)})$")
    assert [n for n in range(10**width) if pattern.match(f"{n:0{width}d}")] == list(range(first, last + 1))


def dialplan_rules(table: str) -> list[dict[str, str]]:
    """The rows of a rendered db_text dialplan table, unescaped."""
    header, *rows = table.splitlines()
    columns = [column.split("(")[0] for column in header.split()]
    parsed = []
    for row in rows:
        fields = [field.replace("\x00", ":") for field in re.split(r"(?<!\\):", row.replace("\\:", "\x00"))]
        fields = [field.replace("\\\\", "\\") for field in fields]
        parsed.append(dict(zip(columns, fields)))
    return sorted(parsed, key=lambda rule: int(rule["pr"]))


def classify(rules: list[dict[str, str]], number: str) -> tuple[str, str] | None:
    """What Kamailio's dialplan module does with a number: the first rule (by priority) that matches."""
    for rule in rules:
        if (rule["match_exp"] == number) if rule["match_op"] == "0" else re.search(rule["match_exp"], number):
            if rule["subst_exp"]:
                number = re.sub(rule["subst_exp"], rule["repl_exp"].replace("\\1", r"\g<1>"), number)
            return rule["attrs"], number
    return None


def test_dial_plan(network: Network, files: dict[str, str]) -> None:
    state = network.states["mof-cc1"]
    numbering = state["numbering"]
    rules = dialplan_rules(device(files, "mof-cc1")["dialplan"])
    code, first, last = numbering["code"], numbering["first_extension"], numbering["last_extension"]
    kongwa = network.states["kongwa-dc-cc1"]["numbering"]
    expected = {
        str(first): ("local", str(first)),
        str(last): ("local", str(last)),
        f"{code}{first}": ("local", str(first)),
        f"{code}{last}": ("local", str(last)),
        str(last + 1): None,
        f"{code}{last + 1}": ("unknown", f"{code}{last + 1}"),
        str(numbering["conference_numbers"][0]): ("conference", str(numbering["conference_numbers"][0])),
        str(numbering["conference_numbers"][0])[3:]: ("conference", str(numbering["conference_numbers"][0])),
        str(kongwa["conference_numbers"][1]): ("conference", str(kongwa["conference_numbers"][1])),
        str(kongwa["first_number"]): ("sipcore", str(kongwa["first_number"])),
        "112": ("emergency", "112"),
        "114": ("emergency", "114"),
        "116": ("pstn", "116"),
        "90222123456": ("pstn", "90222123456"),
        "9000441234567": ("pstn", "9000441234567"),  # a ministry's class of service allows international calls
        "9112": ("unknown", "9112"),  # neither national (0...) nor international (000...)
        "12345678": None,
        "11": None,
    }
    assert {number: classify(rules, number) for number in expected} == expected


def test_switch_script_is_clean_shell(files: dict[str, str], tmp_path: Path) -> None:
    script = tmp_path / "ovs.sh"
    script.write_text(device(files, "kongwa-dc-sw1")["ovs.sh"])
    subprocess.run(["sh", "-n", str(script)], check=True, timeout=30)
    if not shutil.which("shellcheck"):
        pytest.skip("shellcheck is not installed (Debian package shellcheck, see DEB_PACKAGES in the Makefile)")
    result = subprocess.run(["shellcheck", "--shell=sh", str(script)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout


# ================================================================ the lab: namespaces and processes

SBIN_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin", "/usr/lib/frr"])
OWNERS = Path("/run/govnet-t")
FRR_ETC, FRR_RUN = Path("/etc/frr"), Path("/var/run/frr")
FRRINIT, FRR_RELOAD = Path("/usr/lib/frr/frrinit.sh"), Path("/usr/lib/frr/frr-reload.py")
OVS_SCHEMA = Path("/usr/share/openvswitch/vswitch.ovsschema")
PREFIX = "govnet-t-"


def tool(name: str) -> str | None:
    return shutil.which(name, path=SBIN_PATH)


def need(*tools: str) -> None:
    """Skip, saying why, unless root with every tool (a path or a command name) present."""
    if os.geteuid() != 0:
        pytest.skip("lab tests need root (network namespaces)")
    missing = [name for name in tools if not (Path(name).exists() if name.startswith("/") else tool(name))]
    if missing:
        pytest.skip(f"lab tools missing: {', '.join(missing)} (install the lab packages: make setup as root, see DEB_PACKAGES)")


def run(*args: str, check: bool = True, timeout: float = 30, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run(list(args), capture_output=True, text=True, timeout=timeout, env=env or {**os.environ, "PATH": SBIN_PATH})
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed ({result.returncode}): {result.stdout}{result.stderr}")
    return result


def in_ns(ns: str, *args: str, **kwargs: Any) -> subprocess.CompletedProcess:
    return run("ip", "netns", "exec", ns, *args, **kwargs)


def wait_until(what: str, probe: Callable[[], Any], timeout: float) -> Any:
    """Poll probe until it returns something true, at most timeout seconds; fail naming what never happened."""
    deadline = time.monotonic() + timeout
    delay = 0.05
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(delay)
        delay = min(delay * 1.5, 0.5)


def _alive(pid: int) -> bool:
    """Whether the process runs (a zombie waiting for its parent to reap it has stopped)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def stop_pids(pids: list[int], grace: float = 5) -> None:
    """SIGTERM these processes, then SIGKILL whichever is still there after grace seconds."""
    for pid in pids:
        if _alive(pid):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    for pid in pids:
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)


def pid_from(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def stop_frr(namespaces: list[str]) -> None:
    """Stop the FRR of these namespaces (pathspaces), all at once: each daemon takes about 2 s to exit. watchfrr
    goes first, or it would restart the daemons."""
    stop_pids([pid for pid in (pid_from(FRR_RUN / name / "watchfrr.pid") for name in namespaces) if pid])
    stop_pids([pid for name in namespaces for pid in map(pid_from, sorted((FRR_RUN / name).glob("*.pid"))) if pid])


def remove_netns(name: str) -> None:
    """Stop everything in a test namespace (FRR first, by its pid files), then delete it and its files."""
    frr_run = FRR_RUN / name
    stop_frr([name])
    if Path(f"/run/netns/{name}").exists():
        inside = run("ip", "netns", "pids", name, check=False).stdout.split()
        stop_pids([int(pid) for pid in inside if pid.isdigit()])
        run("ip", "netns", "delete", name, check=False)
    for folder in (FRR_ETC / name, frr_run, Path("/etc/netns") / name):
        shutil.rmtree(folder, ignore_errors=True)
    (OWNERS / name).unlink(missing_ok=True)


def remove_stale() -> None:
    """Remove the namespaces of earlier runs of these tests whose owner process is gone (never a live run's)."""
    if not OWNERS.is_dir():
        return
    for owner in sorted(OWNERS.iterdir()):
        pid = pid_from(owner)
        if owner.name.startswith(PREFIX) and not (pid and _alive(pid)):
            remove_netns(owner.name)


class Lab:
    """Namespaces and processes of one test, all removed by close()."""

    def __init__(self) -> None:
        self.tag = secrets.token_hex(3)
        self.namespaces: list[str] = []
        self.links: dict[str, set[str]] = {}
        self.cleanups: list[Callable[[], None]] = []

    def netns(self, role: str) -> str:
        name = f"{PREFIX}{self.tag}-{role}"
        for _ in range(3):  # another run may remove the empty folder in between
            OWNERS.mkdir(parents=True, exist_ok=True)
            try:
                (OWNERS / name).write_text(f"{os.getpid()}\n")
                break
            except FileNotFoundError:
                continue
        self.namespaces.append(name)
        etc = Path("/etc/netns") / name
        etc.mkdir(parents=True, exist_ok=True)
        (etc / "hosts").write_text("127.0.0.1 localhost\n")
        (etc / "resolv.conf").write_text("")
        added = run("ip", "netns", "add", name, check=False)
        if "Operation not permitted" in added.stderr:
            pytest.skip(f"this machine does not allow network namespaces here: {added.stderr.strip()}")
        assert added.returncode == 0, added.stderr
        run("ip", "-n", name, "link", "set", "lo", "up")
        return name

    def veth(self, ns: str, name: str, peer_ns: str, peer: str) -> None:
        """A veth pair created directly inside the namespaces (never in the root one), both ends up."""
        run("ip", "link", "add", name, "netns", ns, "type", "veth", "peer", "name", peer, "netns", peer_ns)
        run("ip", "-n", ns, "link", "set", name, "up")
        run("ip", "-n", peer_ns, "link", "set", peer, "up")
        self.links.setdefault(ns, set()).add(name)
        self.links.setdefault(peer_ns, set()).add(peer)

    def close(self) -> None:
        errors = []
        stop_frr(self.namespaces)
        for cleanup in reversed(self.cleanups):
            try:
                cleanup()
            except Exception as error:  # pylint: disable=broad-except
                errors.append(error)
        for name in reversed(self.namespaces):
            remove_netns(name)
        try:
            OWNERS.rmdir()
        except OSError:
            pass  # not empty: another run's namespaces
        assert not errors, errors


@pytest.fixture
def lab_env() -> Iterator[Lab]:
    need("ip")
    remove_stale()
    env = Lab()
    try:
        yield env
    finally:
        env.close()
        assert not [name for name in env.namespaces if Path(f"/run/netns/{name}").exists()]


# ================================================================ FRR


def start_frr(env: Lab, ns: str, rendered: dict[str, str]) -> None:
    """FRR with pathspace ns in namespace ns (watchfrr --netns), as the lab starts it: frrinit.sh start ns."""
    conf = FRR_ETC / ns
    conf.mkdir(parents=True)
    for name in ("daemons", "frr.conf", "vtysh.conf"):
        (conf / name).write_text(rendered[name].replace("{{ vault_govnet_bgp_key }}", TEST_BGP_KEY))
        shutil.chown(conf / name, "frr", "frr")
        (conf / name).chmod(0o640)
    shutil.chown(conf, "frr", "frr")
    run(str(FRRINIT), "start", ns, timeout=60)  # Lab.close() stops it, with every other FRR of the test
    wait_until(f"FRR in {ns} to load frr.conf", lambda: "router bgp" in vtysh(ns, "show running-config"), 30)


def vtysh(ns: str, *commands: str) -> str:
    args = ["vtysh", "-N", ns]
    for command in commands:
        args += ["-c", command]
    return run(*args, check=False).stdout


def established(ns: str, address: str) -> bool:
    """The session is Established, as the rollout's live check reads FRR (ops/live_checks.py)."""
    return live_checks.frr_sessions(vtysh(ns, "show bgp ipv4 unicast summary json")).get(address) == live_checks.ESTABLISHED


def bgp_routes(ns: str) -> set[str]:
    """The prefixes of the router's BGP table, as the rollout's live check reads them."""
    return live_checks.frr_routes(vtysh(ns, "show bgp ipv4 unicast json"))


def kernel_route(ns: str, prefix: str) -> dict[str, Any] | None:
    routes = json.loads(run("ip", "-n", ns, "-j", "route", "show", "exact", prefix).stdout or "[]")
    return routes[0] if routes else None


def reload_diff(ns: str, conf: Path) -> tuple[list[str], list[str]]:
    """frr-reload.py --test: the lines it would delete and add to make the running config equal the file."""
    out = run(str(FRR_RELOAD), "--test", "-N", ns, str(conf), timeout=60).stdout
    sections: dict[str, list[str]] = {"delete": [], "add": []}
    current = None
    for line in out.splitlines():
        if line.startswith("Lines To Delete"):
            current = "delete"
        elif line.startswith("Lines To Add"):
            current = "add"
        elif current and line.strip() and not set(line.strip()) <= {"="}:
            sections[current].append(line.strip())
    return sections["delete"], sections["add"]


def link_address(network: Network, hostname: str, peer: str) -> tuple[str, str]:
    """The interface name and the address of hostname on its link to peer."""
    interface = next(i for i in network.states[hostname]["interfaces"] if i.get("peer") == peer)
    return f"c{interface['circuit']}", interface["address"].split("/")[0]


@pytest.mark.lab
def test_frr_routers_load_peer_and_route(network: Network, files: dict[str, str], lab_env: Lab) -> None:
    """Both hubs, the Dodoma aggregation router, a council's CE behind it and the Ministry of Finance's first CE
    on core-dodoma, each in its own namespace with its own FRR, linked as the plan says (c<circuit> on both
    ends): every rendered frr.conf loads whole, the sessions come up, the aggregation router passes only its
    region's summary up, each hub learns the specific routes behind the other (unsuppress-map), the CEs learn
    GovNet's supernet, and nftables.conf loads (twice) beside FRR without breaking BGP."""
    need("vtysh", "nft", str(FRRINIT), str(FRR_RELOAD))
    hosts = {"hub": "core-dodoma", "hub2": "core-dar", "agg": "agg-dodoma", "ce": "kongwa-dc-ce1", "ce2": "mof-ce1"}
    ns = {role: lab_env.netns(role) for role in hosts}
    rendered = {role: device(files, hostname) for role, hostname in hosts.items()}
    for a, b in (("ce", "agg"), ("agg", "hub"), ("hub", "hub2"), ("ce2", "hub")):
        name, _ = link_address(network, hosts[a], hosts[b])
        assert link_address(network, hosts[b], hosts[a])[0] == name
        lab_env.veth(ns[a], name, ns[b], name)
    # Every other interface of each router: a veth whose peer stays in the router's own namespace.
    for role in hosts:
        for index, name in enumerate(interface_names(rendered[role]["frr.conf"])):
            if name != "lo" and name not in lab_env.links.get(ns[role], set()):
                lab_env.veth(ns[role], name, ns[role], f"peer{index}")
    for role in hosts:
        start_frr(lab_env, ns[role], rendered[role])

    # Every line of each frr.conf is in the running config (FRR shows the UTS host name, and no `ip forwarding`
    # line when forwarding is on, so those two are the only differences frr-reload.py may see).
    for role, hostname in hosts.items():
        deleted, added = reload_diff(ns[role], FRR_ETC / ns[role] / "frr.conf")
        assert all(line.startswith("no hostname ") for line in deleted), (hostname, deleted)
        assert set(added) <= {f"hostname {hostname}", "ip forwarding"}, (hostname, added)
        running = vtysh(ns[role], "show running-config")
        for neighbor in network.states[hostname]["bgp"]["neighbors"]:
            assert f"neighbor {neighbor['address']} remote-as {neighbor['remote_asn']}" in running
        assert re.search(r"^ip prefix-list \S+ seq 5 permit ", running, re.M)
        assert in_ns(ns[role], "sysctl", "-n", "net.ipv4.ip_forward").stdout.strip() == "1"

    ce_block = network.states[hosts["ce"]]["bgp"]["originate"][0]
    mof_block = network.states[hosts["ce2"]]["bgp"]["originate"][0]
    summary = network.states[hosts["agg"]]["bgp"]["summary"]
    supernet = network.states[hosts["hub"]]["bgp"]["aggregate"][0]
    for a, b in (("agg", "ce"), ("hub", "agg"), ("hub", "ce2"), ("hub2", "hub")):
        address = link_address(network, hosts[b], hosts[a])[1]
        wait_until(f"the BGP session {hosts[a]} - {hosts[b]}", lambda a=a, address=address: established(ns[a], address), 45)
    wait_until(f"{ce_block} at the aggregation router", lambda: ce_block in bgp_routes(ns["agg"]), 30)
    wait_until(f"{summary} at {hosts['hub']}", lambda: summary in bgp_routes(ns["hub"]), 30)
    wait_until(f"{summary} and {mof_block} at {hosts['hub2']}", lambda: {summary, mof_block} <= set(bgp_routes(ns["hub2"])), 30)
    wait_until(f"{supernet} at both CEs", lambda: supernet in bgp_routes(ns["ce"]) and supernet in bgp_routes(ns["ce2"]), 30)
    assert ce_block not in bgp_routes(ns["hub"]), "the aggregation router leaked a more-specific route past its summary"
    assert mof_block not in bgp_routes(ns["agg"]), "the hub leaked a more-specific route past its aggregate"
    # Kernel routes: over the links, by the next hops BGP chose (next-hop-self between the hubs).
    agg_address = link_address(network, hosts["agg"], hosts["hub"])[1]
    assert (kernel_route(ns["hub"], summary) or {}).get("gateway") == agg_address
    assert (kernel_route(ns["agg"], ce_block) or {}).get("gateway") == link_address(network, hosts["ce"], hosts["agg"])[1]
    core_if, core_address = link_address(network, hosts["hub"], hosts["hub2"])
    route = kernel_route(ns["hub2"], mof_block) or {}
    assert (route.get("gateway"), route.get("dev")) == (core_address, core_if)
    assert (kernel_route(ns["ce"], ce_block) or {}).get("type") == "blackhole"
    assert (kernel_route(ns["ce2"], mof_block) or {}).get("type") == "blackhole"
    # The active CE of the Ministry's pair holds its own and the gateway address of each VLAN.
    data = next(vlan for vlan in network.states[hosts["ce2"]]["vlans"] if vlan["role"] == "data")
    held = {
        f"{a['local']}/{a['prefixlen']}"
        for a in json.loads(run("ip", "-n", ns["ce2"], "-j", "address", "show", "dev", f"v{data['id']}").stdout)[0]["addr_info"]
    }
    assert {data["address"], f"{data['gateway']}/{ipaddress.ip_network(data['prefix']).prefixlen}"} <= held

    for role in hosts:
        conf = FRR_ETC / ns[role] / "nftables.conf"
        conf.write_text(rendered[role]["nftables.conf"])
        in_ns(ns[role], "nft", "-f", str(conf))
        in_ns(ns[role], "nft", "-f", str(conf))
        table = in_ns(ns[role], "nft", "list", "table", "inet", "govnet").stdout
        for allowed in network.states[hosts[role]]["management"]["allowed_from"]:
            assert allowed in table
        assert 'tcp dport 22 counter name "management_denied" reject with tcp reset' in table
        assert 'udp dport 161 counter name "management_denied" drop' in table
        assert in_ns(ns[role], "nft", "list", "tables").stdout.split().count("govnet") == 1
    # BGP is not management traffic: the sessions stay up with the filter in place.
    assert established(ns["agg"], link_address(network, hosts["ce"], hosts["agg"])[1])


# ================================================================ Open vSwitch


@pytest.mark.lab
def test_ovs_switch_script_is_idempotent(network: Network, files: dict[str, str], lab_env: Lab, tmp_path: Path) -> None:
    need("ovs-vsctl", "ovsdb-server", "ovs-vswitchd", "ovsdb-tool", str(OVS_SCHEMA))
    state = network.states["kongwa-dc-sw1"]
    ns = lab_env.netns("sw")
    for vlan in state["uplink"]["vlans"]:
        lab_env.veth(ns, f"up{vlan}", ns, f"ce{vlan}")
    lab_env.veth(ns, "p1", ns, "pc1")
    root = tmp_path / "ovs"
    dirs = {key: root / key for key in ("run", "db", "log")}
    for folder in dirs.values():
        folder.mkdir(parents=True)
    env = {**os.environ, "PATH": SBIN_PATH, "OVS_RUNDIR": str(dirs["run"]), "OVS_DBDIR": str(dirs["db"]), "OVS_LOGDIR": str(dirs["log"])}
    db = f"unix:{dirs['run'] / 'db.sock'}"
    pidfiles = [dirs["run"] / "ovs-vswitchd.pid", dirs["run"] / "ovsdb-server.pid"]
    lab_env.cleanups.append(lambda: stop_pids([pid for pid in map(pid_from, pidfiles) if pid]))
    run("ovsdb-tool", "create", str(dirs["db"] / "conf.db"), str(OVS_SCHEMA), env=env)
    in_ns(
        ns,
        "ovsdb-server",
        str(dirs["db"] / "conf.db"),
        f"--remote=p{db}",
        f"--pidfile={pidfiles[1]}",
        "--detach",
        f"--log-file={dirs['log'] / 'ovsdb-server.log'}",
        f"--unixctl={dirs['run'] / 'ovsdb-server.ctl'}",
        env=env,
    )
    run("ovs-vsctl", f"--db={db}", "--no-wait", "init", env=env)
    in_ns(
        ns,
        "ovs-vswitchd",
        db,
        f"--pidfile={pidfiles[0]}",
        "--detach",
        f"--log-file={dirs['log'] / 'ovs-vswitchd.log'}",
        f"--unixctl={dirs['run'] / 'ovs-vswitchd.ctl'}",
        env=env,
    )
    script = root / "ovs.sh"
    script.write_text(device(files, "kongwa-dc-sw1")["ovs.sh"])

    def vsctl(*args: str) -> str:
        return run("ovs-vsctl", f"--db={db}", *args, env=env).stdout

    def snapshot() -> tuple[str, str, str]:
        return (
            vsctl("--format=json", "--columns=name,datapath_type,ports", "list", "bridge"),
            vsctl("--format=json", "--columns=_uuid,name,tag,interfaces", "list", "port"),
            vsctl("--format=json", "--columns=_uuid,name,type", "list", "interface"),
        )

    refused = run("sh", str(script), check=False, env={**env, "OVS_DB": db})
    assert refused.returncode == 1 and "network namespace" in refused.stderr  # never touches the root namespace
    first = in_ns(ns, "sh", str(script), env={**env, "OVS_DB": db})
    assert first.stderr == "", first.stderr
    after_first = snapshot()
    second = in_ns(ns, "sh", str(script), env={**env, "OVS_DB": db})
    assert second.stderr == "" and snapshot() == after_first, "the second run changed the switch"

    assert vsctl("get", "bridge", "br0", "datapath_type").strip() == "netdev"
    ports = {row[0]: row[1] for row in json.loads(vsctl("--format=json", "--columns=name,tag", "list", "port"))["data"]}
    count, data, voice = state["access_ports"]["count"], state["access_ports"]["data_vlan"], state["access_ports"]["voice_vlan"]
    expected = {f"up{vlan}": vlan for vlan in state["uplink"]["vlans"]}
    expected |= {f"p{n}": data for n in range(1, count + 1)} | {f"ph{n}": voice for n in range(1, count + 1)}
    expected |= {"mgmt": state["management_interface"]["vlan"], "br0": ["set", []]}
    assert ports == expected
    assert vsctl("get", "interface", "mgmt", "type").strip() == "internal"
    wait_until(
        "OVS to open the uplinks and p1",
        lambda: all(int(vsctl("get", "interface", name, "ofport").strip()) > 0 for name in [f"up{vlan}" for vlan in state["uplink"]["vlans"]] + ["p1"]),
        10,
    )
    addresses = json.loads(run("ip", "-n", ns, "-j", "address", "show", "dev", "mgmt").stdout)
    management = state["management_interface"]
    assert f"{addresses[0]['addr_info'][0]['local']}/{addresses[0]['addr_info'][0]['prefixlen']}" == management["address"]
    assert (kernel_route(ns, "default") or {}).get("gateway") == management["gateway"]


# ================================================================ Kamailio

SIP_PROBE = r'''
"""Inside the call-control namespace: phones, a rogue host and the GovNet services as UDP sockets; run each
step (a request from one of them to call control), answer what call control sends on, report as JSON."""
import hashlib, json, re, select, socket, sys, time

config = json.loads(sys.argv[1])
CC = (config["cc"], 5060)
endpoints = {}
for name, (address, port, code) in config["endpoints"].items():
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.IPPROTO_IP, getattr(socket, "IP_RECVTOS", 13), 1)
    sock.bind((address, port))
    endpoints[name] = (sock, address, port, code)

def parse(data):
    head = data.decode(errors="replace").split("\r\n\r\n")[0].split("\r\n")
    headers = []
    for line in head[1:]:
        if ":" in line:
            key, value = line.split(":", 1)
            headers.append((key.strip().lower(), value.strip()))
    return head[0], headers

def get(headers, key):
    return [value for name, value in headers if name == key]

def answer(sock, start, headers, peer, code):
    lines = [f"SIP/2.0 {code} Probe"] + [f"Via: {via}" for via in get(headers, "via")]
    to = get(headers, "to")[0]
    lines += [f"From: {get(headers, 'from')[0]}", f"To: {to}" + ("" if "tag=" in to else ";tag=probe"),
              f"Call-ID: {get(headers, 'call-id')[0]}", f"CSeq: {get(headers, 'cseq')[0]}", "Content-Length: 0", "", ""]
    sock.sendto("\r\n".join(lines).encode(), peer)

def md5(text):
    return hashlib.md5(text.encode()).hexdigest()

def authorization(headers, method, uri, user, password):
    """The Authorization header answering a digest challenge (qop=auth)."""
    challenge = dict(re.findall(r'(\w+)="?([^",]*)"?', get(headers, "www-authenticate")[0]))
    ha1, ha2 = md5(f"{user}:{challenge['realm']}:{password}"), md5(f"{method}:{uri}")
    response = md5(f"{ha1}:{challenge['nonce']}:00000001:probe:auth:{ha2}")
    return (f'Authorization: Digest username="{user}", realm="{challenge["realm"]}", nonce="{challenge["nonce"]}", uri="{uri}", '
            f'qop=auth, nc=00000001, cnonce="probe", response="{response}", algorithm=MD5')

def send(name, method, user, to_user, step, extra, cseq=1):
    sock, address, port, _ = endpoints[name]
    uri = f"sip:{user}@{CC[0]}" if user else f"sip:{CC[0]}"
    branch = f"z9hG4bK-probe-{step}"
    lines = [f"{method} {uri} SIP/2.0", f"Via: SIP/2.0/UDP {address}:{port};branch={branch}", "Max-Forwards: 70",
             f"From: <sip:{config.get('callers', {}).get(name, config['caller'])}@{CC[0]}>;tag=probe{step}", f"To: <sip:{to_user or user}@{CC[0]}>",
             f"Call-ID: probe-{step}@{address}", f"CSeq: {cseq} {method}", f"Contact: <sip:{to_user or config['caller']}@{address}:{port}>"]
    lines += extra + ["Content-Length: 0", "", ""]
    sock.sendto("\r\n".join(lines).encode(), CC)
    return uri, branch

results = []
for index, step in enumerate(config["steps"]):
    uri, branch = send(step["from"], step["method"], step.get("user"), step.get("to"), index, step.get("headers", []))
    result = {"name": step["name"], "final": None, "seen": [], "tos": [], "asserted": []}
    deadline = time.monotonic() + 4
    while result["final"] is None and time.monotonic() < deadline:
        ready, _, _ = select.select([e[0] for e in endpoints.values()], [], [], 0.2)
        for sock in ready:
            name = next(n for n, e in endpoints.items() if e[0] is sock)
            data, ancillary, _, peer = sock.recvmsg(65535, 64)
            for level, kind, value in ancillary:
                if level == socket.IPPROTO_IP and kind == socket.IP_TOS and peer[0] == CC[0]:
                    result["tos"].append(value[0])
            start, headers = parse(data)
            if start.startswith("SIP/2.0 "):
                code = int(start.split()[1])
                if name == step["from"] and get(headers, "call-id")[0] == f"probe-{index}@{endpoints[name][1]}" and code >= 200:
                    if code == 401 and step.get("password") and "challenged" not in result:
                        result["challenged"] = True
                        extra = step.get("headers", []) + [authorization(headers, step["method"], uri, step["to"], step["password"])]
                        send(step["from"], step["method"], step.get("user"), step.get("to"), index, extra, cseq=2)
                        continue
                    result["final"] = code
                    if step["method"] == "INVITE":
                        to = get(headers, "to")[0]
                        ack = [f"ACK {uri} SIP/2.0", f"Via: SIP/2.0/UDP {endpoints[name][1]}:{endpoints[name][2]};branch={branch}",
                               "Max-Forwards: 70", f"From: {get(headers, 'from')[0]}", f"To: {to}", f"Call-ID: {get(headers, 'call-id')[0]}",
                               "CSeq: 1 ACK", "Content-Length: 0", "", ""]
                        sock.sendto("\r\n".join(ack).encode(), CC)
                continue
            method = start.split()[0]
            if method == "ACK":
                continue
            seen = [name, start.split()[1], bool(get(headers, "record-route"))]
            if seen not in result["seen"]:
                result["seen"].append(seen)
                result["asserted"] += get(headers, "p-asserted-identity")
            answer(sock, start, headers, peer, endpoints[name][3])
    results.append(result)
print(json.dumps(results))
'''


def start_kamailio(env: Lab, ns: str, folder: Path) -> subprocess.Popen:
    run_dir = folder / "run"
    run_dir.mkdir()
    log = (folder / "kamailio.log").open("w")
    command = [
        "ip", "netns", "exec", ns, tool("kamailio") or "kamailio", "-f", str(folder / "kamailio.cfg"), "-P", str(run_dir / "kamailio.pid"),
        "-Y", str(run_dir), "-A", f'GOVNET_DB="text://{folder}"', "-A", f'GOVNET_DISPATCHER="{folder / "dispatcher.list"}"', "-DD", "-E",
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)  # pylint: disable=consider-using-with

    def stop() -> None:
        # ip netns exec execs kamailio in place: the Popen pid is kamailio's main process, leader of its own group.
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        log.close()

    env.cleanups.append(stop)

    def listening() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"kamailio exited ({process.returncode}):\n{(folder / 'kamailio.log').read_text()[-3000:]}")
        return ":5060" in in_ns(ns, "ss", "-Hlun", "sport = :5060").stdout

    wait_until("kamailio to listen on UDP 5060", listening, 20)
    return process


@pytest.mark.lab
def test_kamailio_registers_and_routes_by_number(network: Network, files: dict[str, str], lab_env: Lab, tmp_path: Path) -> None:
    """kongwa-dc-cc1 runs for real: phones register, calls go to the phone, the conference service, the SIP core
    (failing over from the first to the second), the PSTN gateway, or are refused, as the dial plan says; signalling
    carries CS3 and call control record-routes."""
    need("kamailio", "kamcmd", "ss", "python3")
    state = network.states["kongwa-dc-cc1"]
    numbering, routes = state["numbering"], state["routes"]
    ns = lab_env.netns("cc")
    cc = state["address"].split("/")[0]
    voice = ipaddress.ip_network(state["phones_subnet"])
    phone, rogue = str(voice.network_address + 10), str(ipaddress.ip_network(state["address"], strict=False).network_address + 10)
    services = {"sipcore1": routes["sip_core"][0], "sipcore2": routes["sip_core"][1], "conference": routes["conference"][0],
                "pstn1": routes["pstn_gateway"][0]}  # fmt: skip
    for address in sorted({cc, phone, rogue, *services.values()}):
        run("ip", "-n", ns, "address", "add", f"{address}/32", "dev", "lo")
    folder = tmp_path / "cc"
    folder.mkdir()
    for name, content in device(files, "kongwa-dc-cc1").items():
        (folder / name).write_text(content)
    secret = "lab-test-secret"  # what deploy takes from the vault
    (folder / "subscriber").write_text(call_control_subscribers(state, secret))
    start_kamailio(lab_env, ns, folder)

    kamcmd = [tool("kamcmd") or "kamcmd", "-s", f"unixs:{folder / 'run' / 'kamailio_ctl'}"]
    translated = run(*kamcmd, "dialplan.translate", "1", f"s:{numbering['first_number'] + 1}").stdout
    assert re.search(rf"Output: {numbering['first_extension'] + 1}\s+Attributes: local", translated), translated

    code, first, last = numbering["code"], numbering["first_extension"], numbering["last_extension"]
    mof = network.states["mof-cc1"]["numbering"]
    ext = first + 1
    endpoints = {
        "phone": [phone, 5070, 486], "caller": [phone, 5071, 486], "rogue": [rogue, 5072, 486], "spoofer": [phone, 5073, 486],
        "sipcore1": [services["sipcore1"], 5060, 503], "sipcore2": [services["sipcore2"], 5060, 486],
        "conference": [services["conference"], 5060, 486], "pstn1": [services["pstn1"], 5060, 486],
    }  # fmt: skip

    def invite(name: str, user: str, caller: str = "caller") -> dict[str, Any]:
        return {"name": name, "method": "INVITE", "user": user, "from": caller}

    steps = [
        {"name": "options", "method": "OPTIONS", "from": "caller"},
        {"name": "register without credentials", "method": "REGISTER", "to": str(ext), "from": "phone", "headers": ["Expires: 300"]},
        {"name": "register with a wrong password", "method": "REGISTER", "to": str(ext), "from": "phone", "headers": ["Expires: 300"],
         "password": "guessed"},
        {"name": "register", "method": "REGISTER", "to": str(ext), "from": "phone", "headers": ["Expires: 300"],
         "password": phone_password(secret, state["sip"]["realm"], str(ext))},
        {"name": "register outside voice VLAN", "method": "REGISTER", "to": str(ext + 1), "from": "rogue", "headers": ["Expires: 300"]},
        {"name": "register unknown extension", "method": "REGISTER", "to": str(last + 1), "from": "phone", "headers": ["Expires: 300"]},
        invite("short dialling", str(ext)),
        invite("own on-net number", f"{code}{ext}"),
        invite("unregistered extension", f"{code}{ext + 5}"),
        invite("unknown own number", f"{code}{last + 1}"),
        invite("own conference", str(numbering["conference_numbers"][0])),
        invite("own conference, short", str(numbering["conference_numbers"][0])[3:]),
        invite("other institution's conference", str(mof["conference_numbers"][0])),
        invite("other institution", str(mof["first_number"])),
        invite("PSTN", f"{routes['pstn_access_digit']}0222123456"),
        invite("international, above the class of service", f"{routes['pstn_access_digit']}000441234567"),
        invite("calling number of another institution", str(ext), "spoofer"),
        invite("emergency from outside the voice VLAN", "112", "rogue"),
        invite("other short code from outside", "116", "rogue"),
        invite("other institution from outside", str(mof["first_number"]), "rogue"),
        invite("SIP core calls an extension", f"{code}{ext}", "sipcore2"),
        invite("no such number", "12345678"),
    ]
    script = tmp_path / "sip_probe.py"
    script.write_text(SIP_PROBE)
    config = {"cc": cc, "caller": str(first), "callers": {"spoofer": str(mof["first_number"])}, "endpoints": endpoints, "steps": steps}
    out = in_ns(ns, "python3", str(script), json.dumps(config), timeout=120).stdout
    results = {result["name"]: result for result in json.loads(out)}

    contact = f"sip:{ext}@{phone}:5070"
    expected = {
        "options": (200, []),
        "register without credentials": (401, []),
        "register with a wrong password": (401, []),
        "register": (200, []),
        "register outside voice VLAN": (403, []),
        "register unknown extension": (401, []),
        "short dialling": (486, [["phone", contact, True]]),
        "own on-net number": (486, [["phone", contact, True]]),
        "unregistered extension": (480, []),
        "unknown own number": (404, []),
        "own conference": (486, [["conference", f"sip:{numbering['conference_numbers'][0]}@{cc}", True]]),
        "own conference, short": (486, [["conference", f"sip:{numbering['conference_numbers'][0]}@{cc}", True]]),
        "other institution's conference": (486, [["conference", f"sip:{mof['conference_numbers'][0]}@{cc}", True]]),
        "other institution": (486, [["sipcore1", f"sip:{mof['first_number']}@{cc}", True], ["sipcore2", f"sip:{mof['first_number']}@{cc}", True]]),
        "PSTN": (486, [["pstn1", f"sip:{routes['pstn_access_digit']}0222123456@{cc}", True]]),
        "international, above the class of service": (403, []),
        "calling number of another institution": (403, []),
        "emergency from outside the voice VLAN": (486, [["pstn1", f"sip:112@{cc}", True]]),
        "other short code from outside": (403, []),
        "other institution from outside": (403, []),
        "SIP core calls an extension": (486, [["phone", contact, True]]),
        "no such number": (404, []),
    }
    assert {name: (result["final"], result["seen"]) for name, result in results.items()} == expected
    # Calls from phones reach the SIP core with the full calling number asserted, whatever the phone sent.
    assert results["other institution"]["asserted"] == [f"<sip:{code}{first}@{cc}>"] * 2
    assert {tos for result in results.values() for tos in result["tos"]} == {0x60}, "SIP from call control is not CS3"
