#!/usr/bin/env bash
# Lab scale experiment: bring up a lab of the regional tier of the given regions (regional secretariat and all
# councils, from the shipped registry) plus five central institutions, converge it with the real playbooks,
# count BGP sessions, namespaces, processes and memory, and take it down. Root only; one lab per machine.
#   hacking/lab_scale.sh dodoma arusha kilimanjaro
set -euo pipefail
cd "$(dirname "$0")/.."
registry=$(mktemp --suffix=.yml)
trap 'rm -f "$registry"' EXIT
.venv/bin/python - "$registry" "$@" <<'PY'
import sys, yaml
out, regions = sys.argv[1], sys.argv[2:]
shipped = yaml.safe_load(open("inventories/govnet/institutions.yml"))["institutions"]
items = [i for i in shipped if i["region"] in regions and i["category"] in ("regional_secretariat", "council")]
items += [i for i in shipped if i["slug"] in ("moa", "gpsa", "mof", "ega", "tba")]
policy = [str(__import__("pathlib").Path("inventories/lab/lab-policy.yml").resolve())]
yaml.safe_dump({"plugin": "ega.govnet.registry", "policy": policy, "institutions": items}, open(out, "w"), sort_keys=False)
print(f"{len(items)} institutions")
PY
hosts=molecule/default/inventory/hosts.yml
play() { .venv/bin/ansible-playbook -i "$hosts" -i "$registry" "molecule/default/$1.yml" > "/tmp/lab-scale-$1.log" 2>&1; }
used() { free -m | awk '/Mem/{print $3}'; }
before=$(used)
t0=$SECONDS; play create; t1=$SECONDS; play converge; t2=$SECONDS
routers=$(ip netns list | awk '{print $1}' | grep -E '^gn-(core-[a-z]+|agg-[a-z-]+|.*-ce[0-9])$' || true)
sessions=$(for r in $routers; do vtysh -N "$r" -c 'show bgp summary json' 2>/dev/null; done | grep -o '"state":"[A-Za-z]*"' | sort | uniq -c)
echo "namespaces $(ip netns list | wc -l), processes $(ps -e --no-headers | wc -l), memory +$(( $(used) - before )) MB, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "BGP peer states:"; echo "$sessions"
play destroy; t3=$SECONDS
echo "create $((t1 - t0)) s, converge $((t2 - t1)) s, destroy $((t3 - t2)) s"
