"""IPsec between every CE and its upstream, proven in the lab (Molecule verify; pytest-testinfra, local backend).

Every protected link (ipsec.links of the plan the lab was built from) has its IKE SA established and its child
SA installed at both ends (``swanctl --list-sas``). Then, for each CE, a capture on its NICTBB link (tcpdump inside
the CE's namespace, bounded in packets and time) runs while a PC of the institution pings a shared service at a
hub and at least one BGP keepalive goes each way (bgpd's counters grow): every IPv4 packet of the capture is IKE
(UDP 500, or 4500 with the non-ESP marker) or ESP (in UDP 4500, as the lab's strongSwan sends it), and the
capture holds ESP packets, so it really saw the traffic. Every wait is bounded; nothing leaves the lab.
"""

from __future__ import annotations

import signal
import struct
import subprocess
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from test_network import INVENTORY, by_role, pings, vtysh_json, wait_until

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet import ipsec, lab, labnet
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.build import Network, plan

SA_WAIT = 45  # seconds for an IKE exchange (the CE starts it at converge; DPD restarts it)
CAPTURE_PACKETS = 400  # tcpdump stops after this many packets ...
CAPTURE_SECONDS = 40  # ... or this many seconds, whichever comes first
ETH_IP, ETH_ARP, ETH_IP6 = 0x0800, 0x0806, 0x86DD
IP_UDP, IP_ESP, IP6_ICMP, IP6_HOP_BY_HOP = 17, 50, 58, 0


@pytest.fixture(scope="module")
def network() -> Network:
    return plan(INVENTORY)


def protected_links(network: Network) -> list[tuple[str, dict[str, Any]]]:
    """(router, link) for every protected link of every router of the lab."""
    return [(hostname, link) for hostname, state in sorted(network.states.items()) for link in ipsec.links(state, network.states)]


def sas(host: Any, hostname: str) -> str:
    ns = labnet.netns(hostname)
    return host.run(f"ip netns exec {ns} swanctl --list-sas --uri unix://{labnet.run_dir(ns)}/charon.vici").stdout


def test_the_policy_protects_every_ce_link(network: Network) -> None:
    """Positive control: the lab policy has IPsec on, so every CE has a protected link and so does its upstream."""
    ces = by_role(network, "ce_router")
    links = protected_links(network)
    assert ces and {hostname for hostname, _link in links} >= set(ces)
    for hostname, ce in ces.items():
        for interface in (i for i in ce["interfaces"] if i["kind"] == "wan"):
            assert (interface["peer"], hostname) in {(router, link["peer"]) for router, link in links}


def test_every_protected_link_has_its_security_associations(host: Any, network: Network) -> None:
    for hostname, link in protected_links(network):
        wanted = (link["peer"], "ESTABLISHED", "INSTALLED", f"remote '{link['remote']}'")

        def established(hostname: str = hostname) -> str:
            text = sas(host, hostname)
            return text if all(word in text for word in wanted) else ""

        text = wait_until(f"{hostname}: IKE and child SA with {link['peer']} ({link['remote']})", established, SA_WAIT)
        for selector in link["local_ts"]:
            assert selector in text, f"{hostname}: the child SA with {link['peer']} lacks local selector {selector}:\n{text}"


def classify(frame: bytes) -> str:
    """What an Ethernet frame of the NICTBB link is: ike, esp, arp, ipv6-link-local (ND/MLD) or clear (anything else)."""
    ethertype = struct.unpack("!H", frame[12:14])[0]
    payload = frame[14:]
    if ethertype == ETH_ARP:
        return "arp"
    if ethertype == ETH_IP6:
        source, next_header = payload[8:24], payload[6]
        link_local = source[:2] == b"\xfe\x80" or source == bytes(16)
        return "ipv6-link-local" if link_local and next_header in (IP6_ICMP, IP6_HOP_BY_HOP) else "clear"
    if ethertype != ETH_IP:
        return "clear"
    header = (payload[0] & 0x0F) * 4
    protocol = payload[9]
    if protocol == IP_ESP:
        return "esp"
    if protocol == IP_UDP:
        source_port, destination_port = struct.unpack("!HH", payload[header : header + 4])
        data = payload[header + 8 :]
        if 500 in (source_port, destination_port):
            return "ike"
        if 4500 in (source_port, destination_port):
            if data[:4] == b"\0\0\0\0":
                return "ike"  # the non-ESP marker: IKE on the NAT-T port
            return "esp" if len(data) > 8 else "clear"  # one 0xff byte is a NAT-T keepalive, not ESP
    return "clear"


def read_pcap(path: Path) -> list[bytes]:
    """The frames of a classic pcap file (tcpdump -w)."""
    data = path.read_bytes()
    magic = data[:4]
    order = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    frames, offset = [], 24
    while offset + 16 <= len(data):
        captured = struct.unpack(order + "I", data[offset + 8 : offset + 12])[0]
        frames.append(data[offset + 16 : offset + 16 + captured])
        offset += 16 + captured
    return frames


def keepalives(host: Any, hostname: str, neighbor: str) -> tuple[int, int]:
    """(sent, received) BGP keepalives of one session, by bgpd's counters."""
    stats = vtysh_json(host, hostname, f"show bgp neighbors {neighbor} json").get(neighbor, {}).get("messageStats", {})
    return stats.get("keepalivesSent", -1), stats.get("keepalivesRecv", -1)


def test_the_nictbb_link_of_every_ce_carries_only_ike_and_esp(host: Any, network: Network) -> None:
    for hostname, ce in by_role(network, "ce_router").items():
        kinds = capture_while_traffic_crosses(host, network, hostname, ce)
        assert kinds["clear"] == 0, f"{hostname}: {kinds['clear']} packets in clear on its NICTBB link: {dict(kinds)}"
        assert kinds["esp"] >= 10, f"{hostname}: only {kinds['esp']} ESP packets for 4 pings and 2 keepalives: {dict(kinds)}"
        print(f"{hostname}: {dict(kinds)}")  # the figures, in pytest -s output


def capture_while_traffic_crosses(host: Any, network: Network, hostname: str, ce: dict[str, Any]) -> Counter[str]:
    """Capture on the CE's NICTBB link while a PC pings a shared service and BGP keepalives go both ways; the
    capture's packets counted by kind."""
    ns = labnet.netns(hostname)
    wan = next(i for i in ce["interfaces"] if i["kind"] == "wan")
    neighbor = wan["peer_address"]
    hub = next(state for state in by_role(network, "core_hub").values())
    service = next(s["address"] for s in hub["services"] if s["role"] == "dns").split("/")[0]
    pc = f"{labnet.PREFIX}{ce['institution']['slug']}-pc1"
    wait_until(f"{pc} to ping the DNS service {service} (before the capture)", lambda: pings(host, pc, service), 30)
    with tempfile.TemporaryDirectory(prefix="govnet-ipsec-") as folder:
        capture = Path(folder) / "link.pcap"
        argv = ["ip", "netns", "exec", ns, "timeout", str(CAPTURE_SECONDS), "tcpdump", "-nn", "-U", "-i", lab.wan_ifname(wan["circuit"])]
        argv += ["-c", str(CAPTURE_PACKETS), "-w", str(capture)]
        with subprocess.Popen(argv, stderr=subprocess.PIPE, text=True) as tcpdump:
            try:
                assert tcpdump.stderr is not None
                assert "listening on" in tcpdump.stderr.readline(), f"tcpdump did not start in {ns}"
                before = keepalives(host, hostname, neighbor)  # read once the capture runs: what follows crosses it
                assert min(before) >= 0, f"{hostname}: no BGP session with {neighbor}"
                assert pings(host, pc, service, count=3), f"{pc} lost the DNS service {service} during the capture"
                wait_until(
                    f"{hostname}: a BGP keepalive each way with {neighbor} during the capture",
                    lambda: all(now > then for now, then in zip(keepalives(host, hostname, neighbor), before)),
                    3 * ce["bgp"]["keepalive"],
                )
                # One more echo and reply after the keepalives: the capture is past them when it stops.
                assert pings(host, pc, service), f"{pc} lost the DNS service {service} during the capture"
            finally:
                tcpdump.send_signal(signal.SIGINT)
                tcpdump.wait(timeout=10)
        return Counter(classify(frame) for frame in read_pcap(capture))
