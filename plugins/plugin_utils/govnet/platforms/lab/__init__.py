"""The lab platform: each device as a Linux network namespace (FRR, Open vSwitch, Kamailio, nftables)."""
