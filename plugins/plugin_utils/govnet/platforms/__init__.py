"""Platforms: each turns the intended state of its devices into configuration files (ios_xe, lab, sip_core)."""
