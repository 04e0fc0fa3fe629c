"""Attacks on the lab's network, each of which must fail, and each shown to have really been tried.

* Institution A's PC opens a TCP connection to a listener on institution B's PC: refused by A's CE, whose
  ``segmentation_out_denied`` counter grows; the same kind of listener on a shared service answers A.
  A shared-services host pinging B's PC is stopped at B's CE (``segmentation_in_denied``).
* A rogue CE (A's) announces B's block and a default route: its upstream received both (soft-reconfiguration
  keeps them as received) and installed neither; B's block stays routed to B, B's PC still reaches the services.
  The announcement is then withdrawn and the CE's configuration is the rendered one again.
* SSH to a router from a user VLAN is refused (TCP reset, ``management_denied`` grows) although sshd listens;
  from the e-GA operations network (gn-ops, with the lab's operations key) ``ssh ... true`` succeeds.

Every command runs inside a lab namespace; every wait is bounded.
"""

from __future__ import annotations

import json
import subprocess
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import pytest
from conftest import by_role, connects, in_ns, institution, pc_address, run, vtysh_json, wait_until

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.pipeline import Network
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.lab import net as labnet

FRR_RELOAD = "/usr/lib/frr/frr-reload.py"
LISTEN = """
import socket, sys
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind((sys.argv[1], int(sys.argv[2])))
server.listen()
server.settimeout(30)
print("listening", flush=True)
connection, peer = server.accept()
print("accepted", peer[0], flush=True)
"""


def counter(ns: str, name: str) -> int:
    """Packets an nftables counter of the router's govnet table has seen."""
    out = in_ns(ns, "nft", "-j", "list", "counter", "inet", "govnet", name)
    assert out.returncode == 0, f"{ns}: no counter {name}: {out.stderr}"
    return next(item["counter"]["packets"] for item in json.loads(out.stdout)["nftables"] if "counter" in item)


@contextmanager
def listener(ns: str, address: str, port: int) -> Iterator[subprocess.Popen]:
    """A TCP listener inside a namespace that accepts one connection (bounded: it gives up after 30 s)."""
    process = subprocess.Popen(["ip", "netns", "exec", ns, "python3", "-c", LISTEN, address, str(port)], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "listening", f"no listener in {ns}"
        yield process
    finally:
        process.kill()
        process.wait(timeout=10)


def _ping(ns: str, address: str, source: str | None = None) -> bool:
    return in_ns(ns, "ping", "-n", "-q", "-c", "1", "-W", "2", *(["-I", source] if source else []), address).returncode == 0


def service(network: Network, name: str) -> tuple[str, str]:
    """The services namespace and the address of a shared service (at the first hub that has it)."""
    for hub, state in by_role(network, "core_hub").items():
        for item in state["services"]:
            if item["name"] == name:
                return f"{labnet.netns(hub)}-svc", item["address"].split("/")[0]
    raise AssertionError(f"no service {name} in the lab")


# ================================================================ segmentation


def test_a_pc_cannot_reach_another_institutions_pc_but_reaches_a_shared_service(network: Network) -> None:
    a_ce, a = institution(network, "gpsa")
    b_ce, b = institution(network, "moa")
    a_pc, b_pc = f"{labnet.PREFIX}gpsa-pc1", f"{labnet.PREFIX}moa-pc1"
    b_address = pc_address(b)
    # The way is there: A's CE has a route towards B's PC, so only the filter stands in between.
    route = json.loads(run("ip", "-n", labnet.netns(a_ce), "-j", "route", "get", b_address).stdout or "[{}]")[0]
    assert route.get("dev", "").startswith("c"), f"{a_ce} has no WAN route to {b_address}: {route}"

    before = counter(labnet.netns(a_ce), "segmentation_out_denied")
    with listener(b_pc, b_address, 443) as server:
        assert not connects(a_pc, b_address, 443), f"{a_pc} opened a connection to {b_pc}"
        server.kill()
    assert not _ping(a_pc, b_address), f"{a_pc} pinged {b_pc}"
    denied = counter(labnet.netns(a_ce), "segmentation_out_denied") - before
    assert denied >= 2, f"{a_ce} did not count the attempts at its filter (counted {denied})"

    # The same kind of listener on a shared service (GePG, TCP 443) answers.
    svc_ns, gepg = service(network, "gepg")
    with listener(svc_ns, gepg, 443) as server:
        assert connects(a_pc, gepg, 443), f"{a_pc} cannot open a connection to the payment gateway {gepg}"
        assert server.stdout is not None and server.stdout.readline().startswith("accepted")
    assert _ping(a_pc, gepg)

    # The other direction: a shared-services host may not open anything towards B's PC; B's CE stops it.
    before = counter(labnet.netns(b_ce), "segmentation_in_denied")
    assert not _ping(svc_ns, b_address, source=gepg)
    assert counter(labnet.netns(b_ce), "segmentation_in_denied") - before >= 1, f"{b_ce} did not count the inbound attempt"


# ================================================================ routing protection


def received(upstream: str, neighbor: str, accepted: bool = False) -> set[str]:
    """Prefixes the upstream got from a neighbour: as received (before its filter) or as accepted."""
    which = "routes" if accepted else "received-routes"
    out = vtysh_json(upstream, f"show bgp ipv4 unicast neighbors {neighbor} {which} json")
    return set(out.get("receivedRoutes" if not accepted else "routes", {}))


def best_next_hop(upstream: str, prefix: str) -> str | None:
    paths = vtysh_json(upstream, f"show bgp ipv4 unicast {prefix} json").get("paths", [])
    best = [path for path in paths if path.get("bestpath", {}).get("overall")]
    return best[0]["nexthops"][0]["ip"] if best else None


def vtysh_config(hostname: str, *lines: str) -> None:
    args = ["vtysh", "-N", labnet.netns(hostname), "-c", "configure terminal"]
    for line in lines:
        args += ["-c", line]
    result = run(*args)
    assert result.returncode == 0 and "% " not in result.stdout, f"{hostname}: {' / '.join(lines)}: {result.stdout}{result.stderr}"


def test_a_rogue_ce_cannot_announce_another_institutions_block_or_a_default_route(network: Network) -> None:
    rogue, a = institution(network, "gpsa")
    _b_ce, b = institution(network, "moa")
    b_block = b["bgp"]["originate"][0]
    uplink = a["bgp"]["neighbors"][0]
    upstream = uplink["peer"]
    rogue_address = next(n["address"] for n in network.states[upstream]["bgp"]["neighbors"] if n["peer"] == rogue)
    wait_until(f"{b_block} at {upstream}", lambda: best_next_hop(upstream, b_block), 60)
    honest = best_next_hop(upstream, b_block)
    assert honest != rogue_address
    bogus = [b_block, "0.0.0.0/0"]
    out_list = f"{upstream}-out"
    announce = [f"ip route {prefix} blackhole" for prefix in bogus] + [
        f"ip prefix-list {out_list} seq {100 + 5 * n} permit {prefix}" for n, prefix in enumerate(bogus)
    ]
    bgp = [f"router bgp {a['bgp']['asn']}", "address-family ipv4 unicast"]
    try:
        vtysh_config(rogue, *announce, *bgp, *(f"network {prefix}" for prefix in bogus))
        wait_until(f"{upstream} to receive {bogus} from {rogue}", lambda: set(bogus) <= received(upstream, rogue_address), 30)
        assert not set(bogus) & received(upstream, rogue_address, accepted=True), f"{upstream} accepted {bogus} from {rogue}"
        assert best_next_hop(upstream, b_block) == honest, f"{upstream} moved {b_block} away from {honest}"
        assert not vtysh_json(upstream, "show bgp ipv4 unicast 0.0.0.0/0 json").get("paths")
        kernel = json.loads(run("ip", "-n", labnet.netns(upstream), "-j", "route", "show", "exact", b_block).stdout or "[]")
        assert kernel and kernel[0].get("gateway") == honest, f"{upstream} kernel route to {b_block}: {kernel}"
        assert not json.loads(run("ip", "-n", labnet.netns(upstream), "-j", "route", "show", "default").stdout or "[]")
        # B's traffic is unaffected: its PC still reaches the shared services at every hub.
        for hub, state in by_role(network, "core_hub").items():
            dns = next(item["address"] for item in state["services"] if item["role"] == "dns").split("/")[0]
            assert _ping(f"{labnet.PREFIX}moa-pc1", dns), f"moa's PC lost {dns} at {hub}"
    finally:
        vtysh_config(
            rogue, *bgp, *(f"no network {prefix}" for prefix in bogus), "exit-address-family", "exit", *(f"no {line}" for line in announce)
        )
    wait_until(f"{rogue} to withdraw {bogus}", lambda: not set(bogus) & received(upstream, rogue_address), 30)
    assert not reload_changes(rogue), f"{rogue} is not back to its rendered configuration: {reload_changes(rogue)}"


def reload_changes(hostname: str) -> list[str]:
    """What frr-reload.py would change to make the router's running configuration its frr.conf again (FRR shows the
    namespace's host name and no `ip forwarding` line, so those two are left out)."""
    ns = labnet.netns(hostname)
    check = run(FRR_RELOAD, "--test", "-N", ns, f"/etc/frr/{ns}/frr.conf", timeout=60)
    assert check.returncode == 0, check.stderr
    lines, inside = [], False
    for line in check.stdout.splitlines():
        if line.startswith(("Lines To Delete", "Lines To Add")):
            inside = True
        elif inside and line.strip() and not set(line.strip()) <= {"="}:
            lines.append(line.strip())
    return [line for line in lines if not line.startswith(("hostname ", "no hostname ", "ip forwarding"))]


# ================================================================ management plane


def ssh(ns: str, address: str, known_hosts: Path) -> subprocess.CompletedProcess:
    """ssh root@address true from a namespace, with the lab's operations key, checking the lab's host key."""
    keys = labnet.ssh_keys()
    return in_ns(
        ns, "ssh", "-F", "/dev/null", "-i", keys["operations"], "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
        "-o", "StrictHostKeyChecking=yes", "-o", f"UserKnownHostsFile={known_hosts}", "-o", "ConnectTimeout=5",
        f"root@{address}", "true", timeout=30,
    )  # fmt: skip


@pytest.fixture(scope="module")
def known_hosts(network: Network, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every router address the test connects to, with the lab's host key."""
    host_key = Path(labnet.ssh_keys()["host"] + ".pub").read_text().split()[:2]
    path = tmp_path_factory.mktemp("ssh") / "known_hosts"
    addresses = [management_address(state) for state in by_role(network, "ce_router").values()]
    path.write_text("".join(f"{address} {' '.join(host_key)}\n" for address in addresses))
    return path


def management_address(ce: dict[str, Any]) -> str:
    return next(vlan["address"] for vlan in ce["vlans"] if vlan["role"] == "management").split("/")[0]


def test_ssh_to_a_router_is_refused_from_a_user_vlan_and_allowed_from_operations(network: Network, known_hosts: Path) -> None:
    for hostname, ce in by_role(network, "ce_router").items():
        ns = labnet.netns(hostname)
        wait_until(f"sshd to listen in {ns}", lambda ns=ns: ":22 " in in_ns(ns, "ss", "-Htln", "sport = :22").stdout, 20)
        pc = f"{labnet.PREFIX}{ce['institution']['slug']}-pc1"
        gateway = next(vlan["gateway"] for vlan in ce["vlans"] if vlan["role"] == "data")
        for address in (gateway, management_address(ce)):
            before = counter(ns, "management_denied")
            refused = ssh(pc, address, known_hosts)
            assert refused.returncode == 255 and "Connection refused" in refused.stderr, (pc, address, refused.stderr)
            assert counter(ns, "management_denied") > before, f"{hostname} did not count the SSH attempt from {pc}"
        denied_before_ops = counter(ns, "management_denied")
        address = management_address(ce)
        ops = f"{labnet.PREFIX}ops"
        wait_until(f"ssh from {ops} to {hostname}", lambda address=address: ssh(ops, address, known_hosts).returncode == 0, 30)
        assert counter(ns, "management_denied") == denied_before_ops, f"{hostname} counted SSH from the operations network"
