"""Bring the lab's topology (labnet) up on this machine, or take it down, with ip, ovsdb-tool, ovsdb-server,
ovs-vswitchd and ovs-vsctl. Needs root.

The lab owns exactly these names, and touches nothing else:

    network namespaces      gn-*                    (/run/netns/gn-*)
    per-namespace /etc      /etc/netns/gn-*/        hosts, an empty resolv.conf (no DNS stall), and for call
                                                    control an own kamailio/ that `ip netns exec` mounts over
                                                    /etc/kamailio, so /etc/kamailio/<hostname>/ is the node's own;
                                                    for a router snmp/frr.conf, the AgentX socket of its snmpd
                                                    for FRR (lab.AGENTX_SOCKET; its daemons file points there),
                                                    and snmp/snmp.conf (no MIBs to load, as Debian's)
    FRR                     /etc/frr/gn-*/, /run/frr/gn-*/   (one pathspace per router namespace)
    run files               /run/govnet-lab/        one folder per namespace: OVS database, sockets, logs and the
                                                    pid file of every process the lab or its playbooks start
    SSH keys                /run/govnet-lab/ssh/    made at create, for this lab only: the routers' sshd host key,
                                                    and the key pair of the operations network (gn-ops), whose
                                                    public key is the routers' authorized_keys (labnet.ssh_keys)

``present`` leaves a lab that already matches the topology alone (changed=False); otherwise it first removes
everything of the lab's own names (a stale or different lab, an interrupted run) and builds the whole lab again,
so the devices have to be converged afterwards. ``absent`` stops every process by its pid file (FRR's watchfrr
first), then whatever still runs inside a lab namespace, each with a bounded wait and SIGKILL after it, and
removes the namespaces (their veths go with them) and every folder above. A pid is signalled only when the
process is really the lab's: it runs in a lab namespace or its command line names the lab's folder or namespace.

The root namespace never gets a link, an address or a route into the lab: each veth is created straight into
its two namespaces, and every address and route is set inside a lab namespace.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from ..platforms.lab import names
from ..platforms.lab import render as lab
from . import net as labnet

SBIN_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/lib/frr"])
PREFIX = names.PREFIX
RUN_ROOT = Path(names.RUN_ROOT)
NETNS_RUN = Path("/run/netns")
NETNS_ETC = Path("/etc/netns")
FRR_ETC = Path("/etc/frr")
FRR_RUN = Path("/run/frr")
OVS_SCHEMA = Path("/usr/share/openvswitch/vswitch.ovsschema")
TOOLS = ("ip", "ethtool", "ovsdb-tool", "ovsdb-server", "ovs-vswitchd", "ovs-vsctl", "ssh-keygen")
GRACE = 10.0  # seconds processes get to exit after SIGTERM, before SIGKILL


class LabError(Exception):
    """The lab could not be brought up or taken down; the message says what failed."""


@dataclass
class Outcome:
    changed: bool
    counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PATH": SBIN_PATH, **extra}


def run(*args: str, check: bool = True, timeout: float = 30, stdin: str | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    try:
        result = subprocess.run(
            list(args), input=stdin, capture_output=True, text=True, timeout=timeout, env=env or _env(), check=False
        )
    except subprocess.TimeoutExpired as error:
        raise LabError(f"{' '.join(args)} did not finish in {timeout} s") from error
    except FileNotFoundError as error:
        raise LabError(f"{args[0]} is not installed (the lab packages: make setup as root, see DEB_PACKAGES)") from error
    if check and result.returncode != 0:
        raise LabError(f"{' '.join(args)} failed ({result.returncode}): {(result.stderr or result.stdout).strip()}")
    return result


def check_prerequisites() -> None:
    if os.geteuid() != 0:
        raise LabError("the lab needs root (network namespaces, Open vSwitch, FRR)")
    missing = [name for name in TOOLS if not shutil.which(name, path=SBIN_PATH)]
    if not OVS_SCHEMA.is_file():
        missing.append(str(OVS_SCHEMA))
    if missing:
        raise LabError(f"lab tools missing: {', '.join(missing)} (install the lab packages: make setup as root, see DEB_PACKAGES)")


# ---------------------------------------------------------------- what of the lab is here


def lab_namespaces() -> list[str]:
    """The lab's network namespaces on this machine (gn-*), whatever lab they belong to."""
    names = set(run("ip", "netns", "list").stdout.split()) if shutil.which("ip", path=SBIN_PATH) else set()
    if NETNS_RUN.is_dir():
        names |= {path.name for path in NETNS_RUN.iterdir()}
    return sorted(name for name in names if name.startswith(PREFIX))


def lab_folders() -> list[Path]:
    """Every folder of the lab's own names that exists now."""
    folders = [path for root in (NETNS_ETC, FRR_ETC, FRR_RUN) if root.is_dir() for path in sorted(root.glob(f"{PREFIX}*"))]
    return folders + ([RUN_ROOT] if RUN_ROOT.exists() else [])


def _pid_from(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _alive(pid: int) -> bool:
    """Whether the process runs (a zombie waiting to be reaped has stopped)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _netns_inode(path: Path) -> int | None:
    try:
        return path.stat().st_ino
    except OSError:
        return None


def _is_lab_process(pid: int, namespaces: dict[int, str]) -> bool:
    """Whether a pid (from a pid file) is the lab's: in a lab namespace, or named after the lab's folders."""
    if pid <= 1 or pid == os.getpid() or not _alive(pid):
        return False
    if _netns_inode(Path(f"/proc/{pid}/ns/net")) in namespaces:
        return True
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return False
    return str(RUN_ROOT) + "/" in cmdline or any(f" {PREFIX}" in f" {word}" for word in cmdline.split())


def lab_processes() -> dict[str, list[int]]:
    """Running processes of the lab, in the order they are stopped: watchfrr (or it restarts the daemons), the
    other pid files, and whatever else runs inside a lab namespace."""
    namespaces = {inode: name for name in lab_namespaces() if (inode := _netns_inode(NETNS_RUN / name))}
    frr_dirs = sorted(FRR_RUN.glob(f"{PREFIX}*")) if FRR_RUN.is_dir() else []
    watchfrr = [pid for folder in frr_dirs if (pid := _pid_from(folder / "watchfrr.pid"))]
    pidfiles = [path for folder in frr_dirs for path in sorted(folder.glob("*.pid")) if path.name != "watchfrr.pid"]
    pidfiles += sorted(RUN_ROOT.rglob("*.pid")) if RUN_ROOT.is_dir() else []
    others = [pid for path in pidfiles if (pid := _pid_from(path))]
    inside = [int(pid) for name in namespaces.values() for pid in run("ip", "netns", "pids", name, check=False).stdout.split() if pid.isdigit()]
    order = {"watchfrr": watchfrr, "pidfiles": others, "namespaces": inside}
    seen: set[int] = set()
    out: dict[str, list[int]] = {}
    for stage, pids in order.items():
        out[stage] = [pid for pid in dict.fromkeys(pids) if pid not in seen and _is_lab_process(pid, namespaces)]
        seen.update(out[stage])
    return out


def stop_pids(pids: Iterable[int], grace: float = GRACE) -> int:
    """SIGTERM every process, wait at most grace seconds for them all, then SIGKILL the rest; how many there were."""
    pids = [pid for pid in pids if _alive(pid)]
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + grace
    delay = 0.02
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(delay)
        delay = min(delay * 1.5, 0.25)
    for pid in pids:
        if _alive(pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + 5
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return len(pids)


def remove_all() -> dict[str, int]:
    """Stop every process of the lab and remove every namespace and folder of its own names (any lab, stale or not)."""
    stopped = 0
    for stage in ("watchfrr", "pidfiles", "namespaces"):
        stopped += stop_pids(lab_processes()[stage])
    # Anything started in a namespace meanwhile (a watchfrr restart in the window): once more, at once.
    stopped += stop_pids([pid for pids in lab_processes().values() for pid in pids], grace=3)
    namespaces = lab_namespaces()
    for name in namespaces:
        run("ip", "netns", "delete", name, check=False)
        if (NETNS_RUN / name).exists():  # a stale entry ip no longer knows
            run("umount", "--", str(NETNS_RUN / name), check=False)
            (NETNS_RUN / name).unlink(missing_ok=True)
    folders = lab_folders()
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)
    left = lab_namespaces() + [str(path) for path in lab_folders()]
    if left:
        raise LabError(f"could not remove: {', '.join(left)}")
    return {"processes": stopped, "namespaces": len(namespaces), "folders": len(folders)}


# ---------------------------------------------------------------- does the lab match the topology


def _ns_state(ns: str) -> tuple[dict[str, list[str]], list[str]]:
    links = json.loads(run("ip", "-n", ns, "-j", "address", "show").stdout or "[]")
    addresses = {link["ifname"]: [f"{a['local']}/{a['prefixlen']}" for a in link.get("addr_info", [])] for link in links}
    routes = json.loads(run("ip", "-n", ns, "-j", "route", "show", "default").stdout or "[]")
    return addresses, [route.get("gateway", "") for route in routes]


def mismatches(topo: labnet.Topology) -> list[str]:
    """What keeps this machine's lab from being the topology (empty: it is)."""
    have = set(lab_namespaces())
    want = set(topo.namespace_names())
    problems = [f"namespace {name} missing" for name in sorted(want - have)]
    problems += [f"namespace {name} is not in this lab" for name in sorted(have - want)]
    if problems:
        return problems
    states = {ns: _ns_state(ns) for ns in sorted(want)}
    for link in topo.links:
        for ns, name in ((link.ns, link.name), (link.peer_ns, link.peer)):
            if name not in states[ns][0]:
                problems.append(f"{ns}: interface {name} missing")
    for host in topo.hosts:
        held = states[host.ns][0].get("eth0", [])
        problems += [f"{host.ns}: address {address} missing" for address in host.addresses if address not in held]
        if host.gateway not in states[host.ns][1]:
            problems.append(f"{host.ns}: default route via {host.gateway} missing")
    for ns in topo.namespaces:
        if not (NETNS_ETC / ns.name / "resolv.conf").is_file() or not Path(labnet.run_dir(ns.name)).is_dir():
            problems.append(f"{ns.name}: /etc/netns or run folder missing")
        if ns.kind == "router" and not (NETNS_ETC / ns.name / "snmp" / "frr.conf").is_file():
            problems.append(f"{ns.name}: AgentX socket file for FRR missing")
    problems += [f"SSH key {path} missing" for path in labnet.ssh_keys().values() if not Path(path).is_file()]
    for switch in topo.switches:
        folder = Path(labnet.run_dir(switch.ns))
        for daemon in ("ovsdb-server", "ovs-vswitchd"):
            pid = _pid_from(folder / f"{daemon}.pid")
            if not (pid and _alive(pid)):
                problems.append(f"{switch.ns}: {daemon} not running")
    return problems


# ---------------------------------------------------------------- bring it up


def _etc(ns: labnet.Namespace) -> None:
    etc = NETNS_ETC / ns.name
    etc.mkdir(parents=True, exist_ok=True)
    name = ns.device if ns.kind in ("router", "switch", "call_control") else ns.name
    (etc / "hosts").write_text(f"127.0.0.1\tlocalhost\n127.0.1.1\t{name}\n::1\tlocalhost ip6-localhost ip6-loopback\n")
    (etc / "resolv.conf").write_text("")
    if ns.kind == "call_control":
        (etc / "kamailio").mkdir(exist_ok=True)  # mounted over /etc/kamailio inside the namespace
    if ns.kind == "router":  # where FRR's zebra and bgpd find the namespace's snmpd (daemons: SNMPCONFPATH)
        (etc / "snmp").mkdir(exist_ok=True)
        (etc / "snmp" / "snmp.conf").write_text("mibs :\n")  # as Debian's: no MIB files, so load none (numeric OIDs)
        (etc / "snmp" / "frr.conf").write_text(f"agentXSocket {lab.AGENTX_SOCKET}\nagentxPingInterval {lab.AGENTX_RETRY}\n")
    Path(labnet.run_dir(ns.name)).mkdir(parents=True, exist_ok=True)


def _batch(commands: list[str], ns: str | None = None) -> None:
    if commands:
        run("ip", *(["-n", ns] if ns else []), "-batch", "-", stdin="\n".join(commands) + "\n", timeout=60)


def start_switch(switch: labnet.Switch) -> None:
    """An ovsdb-server and an ovs-vswitchd (userspace datapath) inside the switch's namespace, files in its run folder."""
    folder = labnet.run_dir(switch.ns)
    env = _env(OVS_RUNDIR=folder, OVS_DBDIR=folder, OVS_LOGDIR=folder)
    run("ovsdb-tool", "create", f"{folder}/conf.db", str(OVS_SCHEMA), env=env)
    run(
        "ip", "netns", "exec", switch.ns, "ovsdb-server", f"{folder}/conf.db", f"--remote=punix:{folder}/db.sock",
        f"--pidfile={folder}/ovsdb-server.pid", "--detach", f"--log-file={folder}/ovsdb-server.log",
        f"--unixctl={folder}/ovsdb-server.ctl", env=env,
    )  # fmt: skip
    run("ovs-vsctl", f"--db={labnet.ovs_db(switch.ns)}", "--no-wait", "init", env=env)
    run(
        "ip", "netns", "exec", switch.ns, "ovs-vswitchd", labnet.ovs_db(switch.ns), f"--pidfile={folder}/ovs-vswitchd.pid",
        "--detach", f"--log-file={folder}/ovs-vswitchd.log", f"--unixctl={folder}/ovs-vswitchd.ctl", env=env, timeout=60,
    )  # fmt: skip


def make_ssh_keys() -> None:
    """The lab's own SSH keys, fresh for every lab: the routers' host key and the operations network's key pair,
    whose public key is every router's authorized_keys. Nothing of them is kept outside the lab's run folder."""
    keys = labnet.ssh_keys()
    folder = Path(keys["host"]).parent
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    for name in ("host", "operations"):
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"govnet-lab-{name}", "-f", keys[name])
    Path(keys["authorized_keys"]).write_text(Path(keys["operations"] + ".pub").read_text())
    Path(keys["authorized_keys"]).chmod(0o600)


def create(topo: labnet.Topology) -> dict[str, float]:
    """Build the whole topology on a machine with no lab; the time each stage took."""
    timings: dict[str, float] = {}
    start = time.monotonic()
    RUN_ROOT.mkdir(parents=True, exist_ok=True)
    make_ssh_keys()
    _batch([f"netns add {ns.name}" for ns in topo.namespaces])
    for ns in topo.namespaces:
        _etc(ns)
    timings["namespaces"] = time.monotonic() - start

    start = time.monotonic()
    _batch([f"link add {l.name} netns {l.ns} type veth peer name {l.peer} netns {l.peer_ns}" for l in topo.links])
    per_ns: dict[str, list[str]] = {ns.name: ["link set lo up"] for ns in topo.namespaces}
    inside: dict[str, list[str]] = {}  # shell commands run inside a namespace
    for link in topo.links:
        if not link.stub:
            per_ns[link.ns].append(f"link set {link.name} up")
            per_ns[link.peer_ns].append(f"link set {link.peer} up")
        for end in link.offload:
            ns, name = (link.ns, link.name) if end == "a" else (link.peer_ns, link.peer)
            inside.setdefault(ns, []).append(f"ethtool -K {name} tx off >/dev/null")
    for ns in topo.namespaces:
        if ns.forwarding:
            inside.setdefault(ns.name, []).append("sysctl -qw net.ipv4.ip_forward=1")
    for name, commands in per_ns.items():
        _batch(commands, name)
    for name, commands in sorted(inside.items()):
        run("ip", "netns", "exec", name, "sh", "-ec", "; ".join(commands))
    timings["links"] = time.monotonic() - start

    start = time.monotonic()
    for host in topo.hosts:
        _batch([f"address add {address} dev eth0" for address in host.addresses] + [f"route add default via {host.gateway} dev eth0"], host.ns)
    timings["hosts"] = time.monotonic() - start

    start = time.monotonic()
    for switch in topo.switches:
        start_switch(switch)
    timings["switches"] = time.monotonic() - start
    return timings


def present(states: dict[str, Any]) -> Outcome:
    """The lab of these intended states, up; changed=False when it already was."""
    check_prerequisites()
    topo = labnet.topology(states)
    counts = labnet.summary(topo)
    start = time.monotonic()
    problems = mismatches(topo)
    timings = {"check": time.monotonic() - start}
    if not problems:
        return Outcome(False, counts, timings)
    start = time.monotonic()
    removed = remove_all()
    timings["cleanup"] = time.monotonic() - start
    try:
        timings |= create(topo)
    except BaseException:
        remove_all()  # never leave half a lab
        raise
    left = mismatches(topo)
    if left:
        remove_all()
        raise LabError(f"the lab did not come up as planned: {'; '.join(left[:10])}")
    timings["total"] = sum(timings.values())
    return Outcome(True, counts, timings, removed)


def absent() -> Outcome:
    """No lab on this machine: every process stopped, every namespace and folder of the lab's names removed."""
    check_prerequisites()
    start = time.monotonic()
    existed = bool(lab_namespaces() or lab_folders())
    removed = remove_all() if existed else {"processes": 0, "namespaces": 0, "folders": 0}
    return Outcome(existed, {}, {"total": time.monotonic() - start}, removed)
