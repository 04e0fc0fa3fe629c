#!/bin/sh
# mof-sw2: access switch of Ministry of Finance (mof, code 408)
# Lab platform (Open vSwitch, userspace datapath), rendered by ega.govnet: do not edit, rebuild.
# Run inside the switch's network namespace, where this switch's ovsdb-server and ovs-vswitchd run, with
# OVS_DB naming their database socket (unix:PATH). Idempotent: running it again changes nothing.
#
# Ports (all access ports, one VLAN each):
#   up<vlan>   uplink to mof-ce2, whose LAN is one interface per VLAN (v<vlan>): no 802.1Q in this kernel
#   p1..p24    PCs, data VLAN 10
#   ph1..ph24  phones, voice VLAN 20
#   mgmt       OVS internal port, management VLAN 99, address 10.16.35.69/26
# Production port N carries the data VLAN untagged and the voice VLAN tagged for the phone. A lab host is a
# namespace behind a veth: it cannot untag a VLAN without 802.1Q in the kernel, and OVS's userspace datapath
# cannot give one veth an untagged and a tagged VLAN that a namespace could use; so port N is split into pN
# (the PC) and phN (the phone).
# Not in the lab: spanning tree (rapid-pvst) and DHCP snooping (on) in production; a lab switch
# has only edge ports, so no loop to break.
set -eu

# The management address and route below belong in the switch's namespace, never in the host's.
if [ -z "$(ip netns identify)" ]; then
	echo "ovs.sh: run me inside mof-sw2's network namespace (ip netns exec NS sh ovs.sh)" >&2
	exit 1
fi
: "${OVS_DB:?set OVS_DB to the ovsdb-server socket of this switch, e.g. unix:/run/govnet-lab/mof-sw2/db.sock}"

vsctl() {
	ovs-vsctl --db="$OVS_DB" "$@"
}

vsctl --may-exist add-br br0 -- set bridge br0 datapath_type=netdev

# Uplinks to mof-ce2
vsctl --may-exist add-port br0 up10 -- set port up10 tag=10
vsctl --may-exist add-port br0 up20 -- set port up20 tag=20
vsctl --may-exist add-port br0 up30 -- set port up30 tag=30
vsctl --may-exist add-port br0 up99 -- set port up99 tag=99

# User ports are provisioned whether or not the lab has plugged a host in yet: OVS opens a port's device when
# the lab creates it, so these do not wait for ovs-vswitchd (--no-wait), which would report each missing one.
# PCs (data VLAN 10)
vsctl --no-wait --may-exist add-port br0 p1 -- set port p1 tag=10
vsctl --no-wait --may-exist add-port br0 p2 -- set port p2 tag=10
vsctl --no-wait --may-exist add-port br0 p3 -- set port p3 tag=10
vsctl --no-wait --may-exist add-port br0 p4 -- set port p4 tag=10
vsctl --no-wait --may-exist add-port br0 p5 -- set port p5 tag=10
vsctl --no-wait --may-exist add-port br0 p6 -- set port p6 tag=10
vsctl --no-wait --may-exist add-port br0 p7 -- set port p7 tag=10
vsctl --no-wait --may-exist add-port br0 p8 -- set port p8 tag=10
vsctl --no-wait --may-exist add-port br0 p9 -- set port p9 tag=10
vsctl --no-wait --may-exist add-port br0 p10 -- set port p10 tag=10
vsctl --no-wait --may-exist add-port br0 p11 -- set port p11 tag=10
vsctl --no-wait --may-exist add-port br0 p12 -- set port p12 tag=10
vsctl --no-wait --may-exist add-port br0 p13 -- set port p13 tag=10
vsctl --no-wait --may-exist add-port br0 p14 -- set port p14 tag=10
vsctl --no-wait --may-exist add-port br0 p15 -- set port p15 tag=10
vsctl --no-wait --may-exist add-port br0 p16 -- set port p16 tag=10
vsctl --no-wait --may-exist add-port br0 p17 -- set port p17 tag=10
vsctl --no-wait --may-exist add-port br0 p18 -- set port p18 tag=10
vsctl --no-wait --may-exist add-port br0 p19 -- set port p19 tag=10
vsctl --no-wait --may-exist add-port br0 p20 -- set port p20 tag=10
vsctl --no-wait --may-exist add-port br0 p21 -- set port p21 tag=10
vsctl --no-wait --may-exist add-port br0 p22 -- set port p22 tag=10
vsctl --no-wait --may-exist add-port br0 p23 -- set port p23 tag=10
vsctl --no-wait --may-exist add-port br0 p24 -- set port p24 tag=10

# Phones (voice VLAN 20)
vsctl --no-wait --may-exist add-port br0 ph1 -- set port ph1 tag=20
vsctl --no-wait --may-exist add-port br0 ph2 -- set port ph2 tag=20
vsctl --no-wait --may-exist add-port br0 ph3 -- set port ph3 tag=20
vsctl --no-wait --may-exist add-port br0 ph4 -- set port ph4 tag=20
vsctl --no-wait --may-exist add-port br0 ph5 -- set port ph5 tag=20
vsctl --no-wait --may-exist add-port br0 ph6 -- set port ph6 tag=20
vsctl --no-wait --may-exist add-port br0 ph7 -- set port ph7 tag=20
vsctl --no-wait --may-exist add-port br0 ph8 -- set port ph8 tag=20
vsctl --no-wait --may-exist add-port br0 ph9 -- set port ph9 tag=20
vsctl --no-wait --may-exist add-port br0 ph10 -- set port ph10 tag=20
vsctl --no-wait --may-exist add-port br0 ph11 -- set port ph11 tag=20
vsctl --no-wait --may-exist add-port br0 ph12 -- set port ph12 tag=20
vsctl --no-wait --may-exist add-port br0 ph13 -- set port ph13 tag=20
vsctl --no-wait --may-exist add-port br0 ph14 -- set port ph14 tag=20
vsctl --no-wait --may-exist add-port br0 ph15 -- set port ph15 tag=20
vsctl --no-wait --may-exist add-port br0 ph16 -- set port ph16 tag=20
vsctl --no-wait --may-exist add-port br0 ph17 -- set port ph17 tag=20
vsctl --no-wait --may-exist add-port br0 ph18 -- set port ph18 tag=20
vsctl --no-wait --may-exist add-port br0 ph19 -- set port ph19 tag=20
vsctl --no-wait --may-exist add-port br0 ph20 -- set port ph20 tag=20
vsctl --no-wait --may-exist add-port br0 ph21 -- set port ph21 tag=20
vsctl --no-wait --may-exist add-port br0 ph22 -- set port ph22 tag=20
vsctl --no-wait --may-exist add-port br0 ph23 -- set port ph23 tag=20
vsctl --no-wait --may-exist add-port br0 ph24 -- set port ph24 tag=20

# Management (VLAN 99): an internal port in this namespace
vsctl --may-exist add-port br0 mgmt -- set port mgmt tag=99 -- set interface mgmt type=internal
ip link set mgmt up
ip address replace 10.16.35.69/26 dev mgmt
ip route replace default via 10.16.35.65 dev mgmt
