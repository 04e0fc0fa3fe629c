"""GovNet as data: validation, deterministic allocation and the intended state of every device.

A plain Python package (no Ansible import) used by the collection's thin plugins. The flow is
``source`` (read YAML) -> ``validation`` (one schema, every problem at once) -> ``network``
(allocations and intended state in one pass) -> ``build`` (write the build directory atomically).
"""
