"""Flow export of a lab router: IPFIX records of the flows its connection tracking ends, sent to the collectors.

IOS-XE exports IPFIX from a flow cache (``flow exporter``/``flow monitor``, rendered from ``flow_export``). A lab
router is a Linux namespace whose stateful firewall already tracks every flow: this program follows the end of
each tracked flow (``conntrack -E -e DESTROY -o xml``, with the namespace's flow accounting and timestamps
switched on) and sends one IPFIX message per flow, one data record per direction (IOS-XE's flows are one
direction each), with the template in every message (UDP may lose a template). A flow is exported when it ends:
the counterpart of the flow cache's inactive timeout; there is no active timeout.

Run inside the router's namespace (stdlib only, so it runs as a plain script)::

    python3 lab_flows.py --collector 10.0.18.14 --port 2055 --domain 10.0.0.2

Pure functions (``parse_flow``, ``message``) are tested without a network; ``main`` needs root and conntrack.
"""

from __future__ import annotations

import argparse
import ipaddress
import re
import socket
import struct
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

IPFIX_VERSION = 10
TEMPLATE_SET = 2
TEMPLATE_ID = 256
# (information element, length): sourceIPv4Address, destinationIPv4Address, sourceTransportPort,
# destinationTransportPort, protocolIdentifier, packetDeltaCount, octetDeltaCount, flowStartMilliseconds,
# flowEndMilliseconds (RFC 7012).
FIELDS = ((8, 4), (12, 4), (7, 2), (11, 2), (4, 1), (2, 8), (1, 8), (152, 8), (153, 8))
RECORD = struct.Struct("!4s4sHHBQQQQ")
SYSCTLS = ("net/netfilter/nf_conntrack_acct", "net/netfilter/nf_conntrack_timestamp")
FLOW = re.compile(r"<flow\b.*?</flow>")


@dataclass(frozen=True)
class Flow:
    """One direction of a flow, as an IPFIX data record carries it."""

    source: str
    destination: str
    source_port: int
    destination_port: int
    protocol: int
    packets: int
    octets: int
    start_ms: int
    end_ms: int


def _text(element: ET.Element | None, path: str, default: str = "0") -> str:
    found = element.find(path) if element is not None else None
    return found.text if found is not None and found.text else default


def parse_flow(line: str, now_ms: int) -> list[Flow]:
    """The two directions of a conntrack DESTROY event (one ``<flow>`` of ``conntrack -E -o xml``); none for a line
    without one, or for a flow that is not IPv4. ``now_ms`` is when it ended; ``deltatime`` (seconds) its age."""
    match = FLOW.search(line)
    if not match:
        return []
    flow = ET.fromstring(match.group(0))
    metas = {meta.get("direction"): meta for meta in flow.findall("meta")}
    age_ms = int(_text(metas.get("independent"), "deltatime")) * 1000
    out = []
    for direction in ("original", "reply"):
        meta = metas.get(direction)
        layer3 = meta.find("layer3") if meta is not None else None
        if layer3 is None or layer3.get("protoname") != "ipv4":
            return []
        layer4 = meta.find("layer4")
        out.append(
            Flow(
                source=_text(layer3, "src"),
                destination=_text(layer3, "dst"),
                source_port=int(_text(layer4, "sport")),
                destination_port=int(_text(layer4, "dport")),
                protocol=int(layer4.get("protonum", "0")) if layer4 is not None else 0,
                packets=int(_text(meta, "counters/packets")),
                octets=int(_text(meta, "counters/bytes")),
                start_ms=now_ms - age_ms,
                end_ms=now_ms,
            )
        )
    # A direction that carried nothing (an unanswered flow's reply) is left out; without accounting, keep the original.
    return [item for item in out if item.packets] or out[:1]


def message(flows: list[Flow], sequence: int, domain: int, export_time: int) -> bytes:
    """An IPFIX message: the template set, then one data set with a record per flow. ``sequence`` counts the data
    records sent before this message (RFC 7011)."""
    fields = b"".join(struct.pack("!HH", element, length) for element, length in FIELDS)
    template = struct.pack("!HH", TEMPLATE_ID, len(FIELDS)) + fields
    template_set = struct.pack("!HH", TEMPLATE_SET, 4 + len(template)) + template
    records = b"".join(
        RECORD.pack(
            ipaddress.IPv4Address(flow.source).packed,
            ipaddress.IPv4Address(flow.destination).packed,
            flow.source_port,
            flow.destination_port,
            flow.protocol,
            flow.packets,
            flow.octets,
            flow.start_ms,
            flow.end_ms,
        )
        for flow in flows
    )
    data_set = struct.pack("!HH", TEMPLATE_ID, 4 + len(records)) + records
    body = template_set + data_set
    return struct.pack("!HHIII", IPFIX_VERSION, 16 + len(body), export_time, sequence, domain) + body


def observation_domain(loopback: str) -> int:
    """The IPFIX observation domain of a router: its loopback address as a number (unique in GovNet)."""
    return int(ipaddress.IPv4Interface(loopback).ip)


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Export the flows a lab router's connection tracking ends as IPFIX.")
    parser.add_argument("--collector", action="append", required=True, help="collector address (repeatable)")
    parser.add_argument("--port", type=int, required=True, help="collector UDP port (flow_export.port)")
    parser.add_argument("--domain", type=observation_domain, required=True, help="the router's loopback address")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Follow conntrack's DESTROY events until conntrack stops; send each flow to every collector."""
    args = _arguments(sys.argv[1:] if argv is None else argv)
    for name in SYSCTLS:  # per namespace: packet and byte counts, and each flow's start time
        Path("/proc/sys", name).write_text("1\n")
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    events = subprocess.Popen(["conntrack", "-E", "-e", "DESTROY", "-o", "xml"], stdout=subprocess.PIPE, text=True)
    if events.stdout is None:
        raise RuntimeError("conntrack's event stream could not be read")
    sequence = 0
    for line in events.stdout:
        flows = parse_flow(line, int(time.time() * 1000))
        if not flows:
            continue
        data = message(flows, sequence, args.domain, int(time.time()))
        for collector in args.collector:
            sender.sendto(data, (collector, args.port))
        sequence += len(flows)
    return events.wait()


if __name__ == "__main__":
    sys.exit(main())
