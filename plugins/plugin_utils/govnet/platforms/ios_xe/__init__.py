"""Cisco IOS-XE: CE and hub routers, aggregation, access switches and CME call control."""
