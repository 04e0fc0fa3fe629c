"""The lab runtime: bring the lab platform's devices up as namespaces, links and daemons on this machine, and down."""
