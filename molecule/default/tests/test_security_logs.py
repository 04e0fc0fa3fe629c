"""The security logs reach the security operations collector: events caused here, found there.

* A PC of one institution tries a port on another institution's PC: its CE drops it, and a syslog line at the
  collector names the CE (hostname), the rule (``govnet-deny-out``) and the attempt (addresses, port).
* A CE's BGP session is shut down and brought back: the CE's snmpd sends bgpBackwardTransition, the upstream's
  bgpEstablished, as SNMPv3 authPriv traps that the collector decodes with the vault's user and keys, and FRR's
  neighbour-change lines arrive by syslog. A trap with the right user and engine ID but other keys is not logged.
* A PC pings a shared service and sends it a UDP datagram: when the CE's connection tracking ends the flows, the
  CE's IPFIX records show up at the collector (nfcapd) with the addresses, ports and protocols.

Every command runs inside a lab namespace (or reads the collector's files); every wait is bounded.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

from conftest import by_role, connects, in_ns, institution, pc_address, run, wait_until
from labvault import lab_secrets

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.platforms.lab import render as lab

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build.pipeline import Network
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.lab import net as labnet

BGP_BACKWARD_TRANSITION = ".1.3.6.1.2.1.15.0.2"
BGP_ESTABLISHED = ".1.3.6.1.2.1.15.0.1"
BGP_PEER_REMOTE_ADDR = ".1.3.6.1.2.1.15.3.1.7"
MARKER_TRAP = ".1.3.6.1.4.1.8072.2.3.0.1"  # NET-SNMP-EXAMPLES-MIB netSnmpExampleHeartbeatNotification
MARKER_OBJECT = ".1.3.6.1.4.1.8072.2.3.2.1"  # netSnmpExampleHeartbeatRate, carries the marker text here
WAIT = 30  # seconds a message may take to reach the collector
BGP_WAIT = 90  # seconds a BGP session may take to come back (hold time, connect retry)


def collector(network: Network) -> tuple[str, str]:
    """The collector's address and its folder (in the services namespace of the hub that holds it)."""
    address = next(iter(by_role(network, "ce_router").values()))["management"]["syslog_servers"][0].split("/")[0]
    for hub, state in by_role(network, "core_hub").items():
        if any(item["address"].split("/")[0] == address for item in state.get("services", [])):
            return address, f"{labnet.run_dir(labnet.netns(hub) + '-svc')}/soc"
    raise AssertionError(f"no hub of the lab holds the collector {address}")


def lines(path: Path, *words: str) -> list[str]:
    """Lines of a collector file holding every word."""
    text = path.read_text(errors="replace") if path.is_file() else ""
    return [line for line in text.splitlines() if all(word in line for word in words)]


def wan(ce: dict[str, Any]) -> tuple[str, str]:
    """A CE's WAN address and its upstream's (BGP neighbour) address."""
    interface = next(item for item in ce["interfaces"] if item["kind"] == "wan")
    return interface["address"].split("/")[0], ce["bgp"]["neighbors"][0]["address"]


def bgp_state(hostname: str, neighbor: str) -> str:
    out = run("vtysh", "-N", labnet.netns(hostname), "-c", f"show bgp neighbors {neighbor} json").stdout or "{}"
    return json.loads(out).get(neighbor, {}).get("bgpState", "")


def vtysh_bgp(hostname: str, asn: int, line: str) -> None:
    out = run("vtysh", "-N", labnet.netns(hostname), "-c", "configure terminal", "-c", f"router bgp {asn}", "-c", line)
    assert out.returncode == 0 and "% " not in out.stdout, f"{hostname}: {line}: {out.stdout}{out.stderr}"


def agentx_connected(hostname: str) -> bool:
    """Whether bgpd has its AgentX session with the namespace's snmpd."""
    master = lab.AGENTX_SOCKET.split(":", 1)[1]
    sockets = in_ns(labnet.netns(hostname), "ss", "-Htnp", "state", "established").stdout.splitlines()
    return any(master in line and '"bgpd"' in line for line in sockets)


def vault_keys(ce: dict[str, Any]) -> tuple[str, str]:
    """The SNMPv3 keys from the lab's vault (the variables the policy names, as in snmpd.conf)."""
    names = [ce["management"]["secrets"][key].strip("{} ") for key in ("snmp_auth", "snmp_priv")]
    vault = lab_secrets()
    return vault[names[0]], vault[names[1]]


def send_trap(hostname: str, user: str, address: str, keys: tuple[str, str], marker: str) -> None:
    """An SNMPv3 authPriv trap from a CE's namespace with its engine ID, the policy's user and the given keys."""
    out = in_ns(
        labnet.netns(hostname), "snmptrap", "-m", "", "-v", "3", "-e", lab.engine_id(hostname), "-u", user,
        "-l", "authPriv", "-a", lab.SNMP_AUTH, "-A", keys[0], "-x", lab.SNMP_PRIV, "-X", keys[1],
        f"{address}:{lab.TRAP_PORT}", "", MARKER_TRAP, MARKER_OBJECT, "s", marker,
    )  # fmt: skip
    assert out.returncode == 0, f"snmptrap from {hostname}: {out.stderr}"


def flows(folder: str) -> set[str]:
    """The flow records the collector has written: source, destination, ports and protocol, one per line."""
    read = run("nfdump", "-R", f"{folder}/flows", "-q", "-o", "fmt:%sa %da %sp %dp %pr")
    return {" ".join(line.split()) for line in read.stdout.splitlines()}


# ================================================================ syslog


def test_a_denied_connection_between_institutions_is_a_syslog_line_at_the_collector(network: Network) -> None:
    _address, folder = collector(network)
    a_ce, a = institution(network, "gpsa")
    _b_ce, b = institution(network, "moa")
    a_pc, b_address = f"{labnet.PREFIX}gpsa-pc1", pc_address(b)
    port = 20000 + secrets.randbelow(10000)  # this attempt's own port, so older lines cannot answer for it
    assert not connects(a_pc, b_address, port), f"{a_pc} reached {b_address}:{port}"
    words = (f" {a_ce} ", "govnet-deny-out", f"DST={b_address}", f"DPT={port}", "PROTO=TCP")
    found = wait_until(f"the deny line of {a_ce} at the collector", lambda: lines(Path(folder, "syslog.log"), *words), WAIT)
    assert f"SRC={pc_address(a)}" in found[0], found[0]


# ================================================================ SNMPv3 traps


def test_a_bgp_session_going_down_and_up_gives_snmpv3_traps_and_syslog_at_the_collector(network: Network) -> None:
    """The CE reports the session going down (it still has its routes then); the upstream reports it coming back
    (the CE learns its route to the collector from that very session, so its own trap at that moment has no way)."""
    _address, folder = collector(network)
    traps, syslog = Path(folder, "traps.log"), Path(folder, "syslog.log")
    ce_name, ce = institution(network, "kongwa-dc")
    source, neighbor = wan(ce)
    upstream = ce["bgp"]["neighbors"][0]["peer"]
    asn = ce["bgp"]["asn"]
    down_trap = (f"[{source}]", BGP_BACKWARD_TRANSITION, f"{BGP_PEER_REMOTE_ADDR}.{neighbor} = IpAddress: {neighbor}")
    up_trap = (BGP_ESTABLISHED, f"{BGP_PEER_REMOTE_ADDR}.{source} = IpAddress: {source}")
    down_line, up_line = (f" {ce_name} ", "%ADJCHANGE", neighbor, "Down"), (f" {upstream} ", "%ADJCHANGE", source, "Up")
    wait_until(f"{ce_name}'s session with {neighbor}", lambda: bgp_state(ce_name, neighbor) == "Established", BGP_WAIT)
    wait_until(f"{ce_name}'s bgpd to join its snmpd over AgentX", lambda: agentx_connected(ce_name), WAIT)
    watched = {"down": (traps, down_trap), "up": (traps, up_trap), "down_line": (syslog, down_line), "up_line": (syslog, up_line)}
    before = {what: len(lines(path, *words)) for what, (path, words) in watched.items()}
    try:
        vtysh_bgp(ce_name, asn, f"neighbor {neighbor} shutdown")
        down = wait_until(f"bgpBackwardTransition from {ce_name}", lambda: lines(traps, *down_trap)[before["down"]:], WAIT)
        assert "SNMP v3, user " + ce["management"]["snmp_user"] in down[0], down[0]
        wait_until(f"{ce_name}'s %ADJCHANGE Down line by syslog", lambda: lines(syslog, *down_line)[before["down_line"]:], WAIT)
    finally:
        vtysh_bgp(ce_name, asn, f"no neighbor {neighbor} shutdown")
    wait_until(f"{ce_name}'s session back", lambda: bgp_state(ce_name, neighbor) == "Established", BGP_WAIT)
    wait_until(f"bgpEstablished from {upstream} for {ce_name}", lambda: lines(traps, *up_trap)[before["up"]:], WAIT)
    wait_until(f"{upstream}'s %ADJCHANGE Up line by syslog", lambda: lines(syslog, *up_line)[before["up_line"]:], WAIT)


def test_only_traps_made_with_the_vaults_keys_are_logged(network: Network) -> None:
    address, folder = collector(network)
    traps = Path(folder, "traps.log")
    ce_name, ce = institution(network, "gpsa")
    user = ce["management"]["snmp_user"]
    auth, priv = vault_keys(ce)
    forged, genuine = f"forged-{secrets.token_hex(4)}", f"genuine-{secrets.token_hex(4)}"
    send_trap(ce_name, user, address, (auth[::-1], priv[::-1]), forged)  # the vault's keys reversed: other keys
    send_trap(ce_name, user, address, (auth, priv), genuine)  # sent after the forged one, the same way
    wait_until("the genuine trap at the collector", lambda: lines(traps, genuine), WAIT)
    assert not lines(traps, forged), "the collector logged a trap made with other keys"


# ================================================================ flows


def test_traffic_to_a_shared_service_shows_up_as_flow_records_at_the_collector(network: Network) -> None:
    _address, folder = collector(network)
    ce_name, ce = institution(network, "moa")
    pc, pc_ip = f"{labnet.PREFIX}moa-pc1", pc_address(ce)
    dns = next(item["address"] for hub in by_role(network, "core_hub").values() for item in hub["services"] if item["role"] == "dns")
    dns = dns.split("/")[0]
    port = 40000 + secrets.randbelow(10000)  # this test's own source port
    send = "import socket, sys; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('', int(sys.argv[2]))); s.sendto(b'govnet', (sys.argv[1], 53))"
    assert in_ns(pc, "python3", "-c", send, dns, str(port)).returncode == 0
    assert in_ns(pc, "ping", "-n", "-q", "-c", "2", "-i", "0.2", "-W", "2", dns).returncode == 0, f"{pc} cannot ping {dns}"
    # The flows end at the CE (as a flow cache's timeout would end them): its tracking of the PC's flows is cleared.
    cleared = in_ns(labnet.netns(ce_name), "conntrack", "-D", "-s", pc_ip)
    assert cleared.returncode == 0, f"{ce_name}: no flow of {pc_ip} to end: {cleared.stderr}"
    udp = f"{pc_ip} {dns} {port} 53 UDP"

    def icmp(records: set[str], source: str, destination: str) -> bool:
        return any(record.startswith(f"{source} {destination} ") and record.endswith(" ICMP") for record in records)

    def exported() -> set[str] | None:
        records = flows(folder)
        return records if udp in records and icmp(records, dns, pc_ip) else None

    records = wait_until(f"{ce_name}'s flow records at the collector", exported, WAIT)
    assert icmp(records, pc_ip, dns), sorted(records)
