"""The lab routers' flow export (lab_flows.py): conntrack events read right, IPFIX laid out right, and nfcapd (the
collector's decoder) reading back the addresses, ports and counts that were sent."""

from __future__ import annotations

import shutil
import struct
import subprocess
import time
from pathlib import Path
from typing import Any, Callable

import pytest

from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.lab import flows as lab_flows
from ansible_collections.ega.govnet.plugins.plugin_utils.govnet.lab.flows import Flow

UDP_EVENT = (
    '<flow type="destroy"><meta direction="original"><layer3 protonum="2" protoname="ipv4"><src>10.1.2.10</src>'
    '<dst>10.0.18.53</dst></layer3><layer4 protonum="17" protoname="udp"><sport>40001</sport><dport>53</dport>'
    "</layer4><counters><packets>3</packets><bytes>210</bytes></counters></meta><meta direction=\"reply\"><layer3 "
    'protonum="2" protoname="ipv4"><src>10.0.18.53</src><dst>10.1.2.10</dst></layer3><layer4 protonum="17" '
    'protoname="udp"><sport>53</sport><dport>40001</dport></layer4><counters><packets>2</packets><bytes>300</bytes>'
    '</counters></meta><meta direction="independent"><timeout>29</timeout><id>1</id><deltatime>4</deltatime></meta>'
    "</flow> [USERSPACE] portid=1"
)
UNANSWERED = UDP_EVENT.replace("<packets>2</packets><bytes>300</bytes>", "<packets>0</packets><bytes>0</bytes>")
IPV6 = UDP_EVENT.replace('protoname="ipv4"', 'protoname="ipv6"')


def test_a_destroy_event_gives_both_directions_with_counts_and_times() -> None:
    flows = lab_flows.parse_flow(UDP_EVENT, now_ms=1_000_000)
    assert flows == [
        Flow("10.1.2.10", "10.0.18.53", 40001, 53, 17, 3, 210, 996_000, 1_000_000),
        Flow("10.0.18.53", "10.1.2.10", 53, 40001, 17, 2, 300, 996_000, 1_000_000),
    ]


def test_an_unanswered_flow_has_one_record_and_other_lines_none() -> None:
    assert [flow.source for flow in lab_flows.parse_flow(UNANSWERED, 0)] == ["10.1.2.10"]
    assert not lab_flows.parse_flow(IPV6, 0)
    assert not lab_flows.parse_flow('<?xml version="1.0" encoding="utf-8"?>', 0)
    assert not lab_flows.parse_flow("<conntrack>", 0)


def test_the_observation_domain_is_the_loopback_address() -> None:
    assert lab_flows.observation_domain("10.0.0.2/32") == lab_flows.observation_domain("10.0.0.2") == 0x0A000002


def test_the_message_is_ipfix_with_its_template_and_one_record_per_flow() -> None:
    flows = lab_flows.parse_flow(UDP_EVENT, now_ms=5_000)
    data = lab_flows.message(flows, sequence=7, domain=42, export_time=123)
    version, length, export_time, sequence, domain = struct.unpack_from("!HHIII", data)
    assert (version, length, export_time, sequence, domain) == (10, len(data), 123, 7, 42)
    set_id, set_length, template_id, count = struct.unpack_from("!HHHH", data, 16)
    assert (set_id, template_id, count) == (2, 256, len(lab_flows.FIELDS))
    assert sum(length for _element, length in lab_flows.FIELDS) == lab_flows.RECORD.size
    data_set = 16 + set_length
    set_id, set_length = struct.unpack_from("!HH", data, data_set)
    assert (set_id, set_length) == (256, 4 + 2 * lab_flows.RECORD.size)
    first = lab_flows.RECORD.unpack_from(data, data_set + 4)
    assert first[2:7] == (40001, 53, 17, 3, 210)


def in_ns(namespace: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["ip", "netns", "exec", namespace, *args], capture_output=True, text=True, timeout=10, check=False)


def wait_for(probe: Callable[[], Any], what: str, timeout: float = 15) -> Any:
    """Poll probe until it returns something true, at most timeout seconds."""
    deadline = time.monotonic() + timeout
    while not (value := probe()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)
    return value


@pytest.mark.skipif(not shutil.which("nfcapd") or not shutil.which("nfdump"), reason="needs nfdump (make setup)")
def test_nfcapd_reads_the_exported_flows(namespace: str, tmp_path: Path) -> None:
    """What the collector decodes is what was sent: sent over UDP inside a namespace to a real nfcapd."""
    flows_dir = tmp_path / "flows"
    flows_dir.mkdir()
    collector = subprocess.Popen(
        ["ip", "netns", "exec", namespace, "nfcapd", "-w", str(flows_dir), "-b", "127.0.0.1", "-p", "2055", "-t", "2"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for(lambda: ":2055 " in in_ns(namespace, "ss", "-lun").stdout, "nfcapd to listen")
        now = int(time.time() * 1000)
        data = lab_flows.message(lab_flows.parse_flow(UDP_EVENT, now), 0, 1, now // 1000)
        send = "import socket, sys; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(sys.stdin.buffer.read(), ('127.0.0.1', 2055))"
        subprocess.run(["ip", "netns", "exec", namespace, "python3", "-c", send], input=data, check=True, timeout=10)
        # nfcapd writes what it received when it rotates its file (every 2 s here).
        read = ["nfdump", "-R", str(flows_dir), "-q", "-o", "fmt:%sa %da %sp %dp %pr %pkt %byt"]
        decoded = wait_for(lambda: "10.1.2.10" in (out := in_ns(namespace, *read).stdout) and out, "nfcapd to write the flows")
    finally:
        collector.terminate()
        collector.wait(timeout=10)
    lines = {" ".join(line.split()) for line in decoded.splitlines()}
    assert "10.1.2.10 10.0.18.53 40001 53 UDP 3 210" in lines, decoded
    assert "10.0.18.53 10.1.2.10 53 40001 UDP 2 300" in lines, decoded
