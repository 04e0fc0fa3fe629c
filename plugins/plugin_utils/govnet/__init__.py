"""GovNet as data: a plain Python package (no Ansible import) used by the collection's thin plugins.

Stages, each a subpackage, in the order the data flows; a stage imports only the stages before it
(the rule is checked by ``make lint``, see docs/dev/architecture.md)::

    core -> design -> platforms -> publish -> build -> lab -> ops

``design`` reads the source (inventory + policy), validates it and allocates the intended state of every
device; ``platforms`` render each platform's files from it; ``publish`` writes the documents; ``build`` puts
them in a build directory atomically; ``lab`` brings the lab up; ``ops`` rolls out, checks compliance and
reports on calls.
"""
