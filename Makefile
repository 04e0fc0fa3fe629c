# ega.govnet: one entry point to set up, build, validate, lint and test.
## make setup      .venv with the pinned requirements, plus the Debian packages the project needs
## make build      render GovNet from inventories/govnet into build/
## make validate   validate inventory + policy only
## make bench      benchmark: shipped GovNet and synthetic 1,000/5,000/20,000 devices vs plain Ansible and bare Jinja2 -> docs/performance.md (BENCH_SIZES='1000 5000')
## make guides-pdf the dialling guides of build/docs as one-page A4 PDFs in build/guides-pdf/ (GUIDES='mof tba' for a few)
## make lint       yamllint + ansible-lint (production profile)
## make secrets-check  fail on a secret in clear in the repository's files or a fresh build (docs/secrets.md)
## make pytest     the pytest suite under tests/  (PYTEST_ARGS='-m "not slow"' etc.)
## make sanity     ansible-test sanity on a clean copy of the collection in .tree/
## make golden     rewrite the golden files (error texts, configs) from the current code; review with git diff
## make test       setup, lint, secrets-check, pytest, both lab scenarios, sanity: every test (what CI runs: .ci/run)
## make clean      remove build/ and .tree/;  make distclean: also .venv/
## make lab        (root) bring up the Molecule training lab (molecule/default) and converge it; it stays up
## make lab-destroy  (root) take the lab down (default and region scenarios), leaving nothing behind
## make lab-test   (root) molecule test -s default: create, converge, idempotence, verify, destroy
## make lab-test-rollout  (root) molecule test -s rollout: the GitOps rollout proved in the lab (docs/rollout.md)
## make rollout-plan  the rollout plan of ENV (production|lab) from deployed/ENV.json to HEAD: build/rollout/ENV/plan.md
## make rollout    plan and roll out ENV in waves: back up, push, verify, restore on failure; report in build/rollout/ENV/
## make rollout-record  record every device of ENV as deployed at HEAD (after a full deploy, e.g. the first)
## make compliance  read every device of ENV (production|lab), compare with its build per feature: build/compliance/ENV/compliance.{md,html,json,xml}; fails on drift (docs/compliance.md)
## make report     the call report of the lab's call control into build/reports/ (REPORT_INVENTORY=..., REPORT_ARGS='-e govnet_report_start=T')

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-builtin-rules

PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.stamp
# A venv's bin dir first on PATH, so tools that call ansible-* / pytest by name get the pinned ones.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

# Debian packages the project needs (installed by `make setup` when root, only those missing):
#   graphviz: `dot` for the topology picture; shellcheck: ansible-test's shellcheck sanity test (*.sh);
#   the lab platform (tests/platforms/lab/test_render.py, -m lab): frr + frr-pythontools (routers, frr-reload.py),
#   openvswitch-switch (userspace switch), kamailio + sip-tester (call control, sipp), nftables, iproute2;
#   the Molecule lab (make lab, lab-test): ethtool (TX checksum offload off on veths into OVS), iputils-ping; tcpdump (the voice test reads the DSCP of SIP packets);
#   openssh-server: sshd in the lab's router namespaces (management only from the operations network, proven by SSH).
#   chromium + chromium-driver: tests/test_browser.py loads the published pages in headless chromium (Selenium with
#   Debian's chromedriver: no browser is ever downloaded); make guides-pdf prints the dialling guides with it.
#   The lab's security logs (test_security_logs.py): rsyslog (routers' syslog client, the collector's receiver),
#   ulogd2 (a CE's nftables deny log lines from NFLOG), snmpd + frr-snmp (SNMPv3 traps of bgpd over AgentX),
#   snmptrapd + snmp (the collector's trap receiver, snmptrap in the test), conntrack (the flows lab_flows.py
#   exports), nfdump (nfcapd, the collector's IPFIX receiver, and nfdump to read it).
DEB_PACKAGES := graphviz shellcheck frr frr-pythontools openvswitch-switch kamailio sip-tester nftables iproute2 ethtool iputils-ping tcpdump openssh-server chromium chromium-driver rsyslog ulogd2 snmpd frr-snmp snmptrapd snmp conntrack nfdump

# Extra arguments for pytest, e.g. make pytest PYTEST_ARGS='-n auto -m "not slow"'
PYTEST_ARGS ?=

# The clean copy of the collection that ansible-test needs (it must sit in ansible_collections/NS/NAME).
TREE := $(CURDIR)/.tree/ansible_collections/ega/govnet
# Sanity tests skipped (--skip-test NAME), each with its reason. None so far: no sanity test needs
# docker here, and the ones that need packages install them from PyPI (see hacking/ansible_test_get_pip.py).
# pslint needs pwsh but has no targets (the collection has no PowerShell).
SANITY_SKIP :=

.PHONY: help setup deb-packages build validate lint pytest golden sanity test clean distclean
.PHONY: lab lab-destroy lab-test lab-test-rollout rollout rollout-plan rollout-record report

help:
	@sed -n 's/^## //p' $(firstword $(MAKEFILE_LIST))

# ---------------------------------------------------------------- setup
# `make test` runs setup once, then its steps with GOVNET_SETUP_DONE=1.
ifdef GOVNET_SETUP_DONE
setup: ;
else
setup: $(STAMP) deb-packages
endif

# Created when missing (also when it is a dangling link: the interpreter it linked to is gone).
$(VENV)/bin/python:
	@echo "==> setup: creating $(VENV) with $(PYTHON) ($$($(PYTHON) --version 2>&1))"
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' \
	  || echo "WARNING: requirements.txt is pinned for Python 3.11; try: make setup PYTHON=python3.11" >&2
	$(PYTHON) -m venv --clear $(VENV)

# Re-installed only when requirements.txt is newer than the stamp.
$(STAMP): requirements.txt | $(VENV)/bin/python
	@echo "==> setup: pip install -r requirements.txt into $(VENV)"
	$(VENV)/bin/python -m pip install --disable-pip-version-check -q -r requirements.txt 2>&1 \
	  | { grep -v "^WARNING: Location 'file:///opt/" || true; }
	$(VENV)/bin/python -m pip check
	@touch $@

deb-packages:
	@if ! command -v dpkg-query >/dev/null; then \
	  echo "==> setup: no dpkg here; make sure these are installed: $(DEB_PACKAGES)"; exit 0; fi; \
	missing=(); \
	for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}\n' "$$p" 2>/dev/null | grep -qx 'install ok installed' || missing+=("$$p"); \
	done; \
	if (( $${#missing[@]} == 0 )); then echo "==> setup: Debian packages present: $(DEB_PACKAGES)"; exit 0; fi; \
	if [[ $$(id -u) != 0 ]]; then \
	  echo "==> setup: not root, so not installing missing Debian packages: $${missing[*]}" \
	       "(run: sudo apt-get install --no-install-recommends $${missing[*]})"; exit 0; fi; \
	echo "==> setup: apt-get install $${missing[*]}"; \
	export DEBIAN_FRONTEND=noninteractive; \
	apt-get update -qq; \
	apt-get install -y -qq --no-install-recommends "$${missing[@]}"

# ---------------------------------------------------------------- build / validate
build: setup
	@echo "==> build: inventories/govnet -> $(CURDIR)/build"
	$(VENV)/bin/ansible-playbook -i inventories/govnet playbooks/build.yml -e govnet_build_dir=$(CURDIR)/build

validate: setup
	@echo "==> validate: inventories/govnet"
	$(VENV)/bin/ansible-playbook -i inventories/govnet playbooks/validate.yml

# Not part of test: minutes long, and its figures are measured, never asserted (hacking/bench.py says how).
BENCH_SIZES ?= 1000 5000 20000
.PHONY: bench
bench: setup
	@echo "==> bench: shipped GovNet and synthetic registries of $(BENCH_SIZES) devices -> docs/performance.md"
	$(VENV)/bin/python hacking/bench.py --sizes $(BENCH_SIZES) --out docs/performance.md

# Not part of build: chromium takes seconds to start and its PDFs carry the time they were printed, which
# would break the byte-for-byte build. A later build that changes anything replaces build/, PDFs included.
GUIDES ?=
.PHONY: guides-pdf
guides-pdf: build
	@echo "==> guides-pdf: build/docs/guides -> $(CURDIR)/build/guides-pdf"
	$(VENV)/bin/python hacking/headless_chromium.py build/docs build/guides-pdf $(GUIDES)

# ---------------------------------------------------------------- tests
# Names Ansible, Selenium or a Jinja2 template (open_calls: the call report) read, never our Python: vulture cannot see those uses.
VULTURE_PLUGIN_NAMES := open_calls,ActionModule,TRANSFERS_FILES,DOCUMENTATION,EXAMPLES,RETURN,Connection,transport,has_pipelining,default_user,FilterModule,InventoryModule,NAME,ignore_aliases,binary_location,page_height,page_width,margin_*,background
lint: setup
	@echo "==> lint: yamllint (.yamllint)"
	$(VENV)/bin/yamllint --strict .
	@echo "==> lint: ansible-lint --offline (production profile, .ansible-lint)"
	$(VENV)/bin/ansible-lint --offline
	@echo "==> lint: the library's import rule (lint-imports, .importlinter: docs/dev/architecture.md)"
	PYTHONPATH=collections $(VENV)/bin/lint-imports --no-cache
	@echo "==> lint: dead code (vulture: what plugins/ and hacking/ never use)"
	$(VENV)/bin/vulture plugins hacking --min-confidence 60 --ignore-names '$(VULTURE_PLUGIN_NAMES)'

# pytest exits 5 when it collected no tests: that is a failure here, not a pass.
pytest: setup
	@echo "==> pytest: tests/"
	@rc=0; $(VENV)/bin/pytest $(PYTEST_ARGS) || rc=$$?; \
	if (( rc == 5 )); then echo "ERROR: pytest ran no tests (exit 5: none collected, or all deselected); that counts as a failure" >&2; exit 1; fi; \
	exit $$rc

# Golden files hold exact expected output; after an intended change, rewrite them and review the diff.
# The tests that compare with one carry the `golden` marker (pytest.ini), so none is named here by hand.
golden: setup
	@echo "==> golden: rewriting tests/golden/ (review with: git diff tests/golden)"
	GOVNET_UPDATE_GOLDEN=1 $(VENV)/bin/pytest -q -m golden

# ansible-test needs the collection at .../ansible_collections/NS/NAME and would loop through the
# collections/ symlink, so it runs on a copy: the files git knows (tracked, or untracked and not
# ignored) that ship in the collection, i.e. less galaxy.yml's build_ignore (hacking/collection_files.py).
sanity: setup
	@echo "==> sanity: copying the collection to $(TREE)"
	rm -rf .tree
	mkdir -p $(TREE)
	$(VENV)/bin/python hacking/collection_files.py \
	  | tar --null --no-recursion -T - -cf - \
	  | tar -xf - -C $(TREE)
	@# ansible-test lists content with git when it finds a .git above it: give the copy its own, or it
	@# would use the checkout's git, whose .gitignore ignores .tree/, and find nothing to test.
	git -C $(TREE) init -q
	@# ansible-test bootstraps pip into its sanity virtualenvs with a get-pip.py it downloads from a host
	@# we cannot reach; hacking/ansible_test_get_pip.py does that job from ensurepip + PyPI instead.
	@pip_version=$$(sed -n "s/^ *pip='\([0-9.]*\)',$$/\1/p" \
	  $(VENV)/lib/python3.11/site-packages/ansible_test/_internal/python_requirements.py); \
	[[ -n $$pip_version ]] || { echo "ERROR: cannot tell which pip ansible-test bootstraps" >&2; exit 1; }; \
	echo "install -D hacking/ansible_test_get_pip.py ~/.ansible/test/cache/get_pip_$${pip_version//./_}.py"; \
	install -D -m 0644 hacking/ansible_test_get_pip.py ~/.ansible/test/cache/get_pip_$${pip_version//./_}.py
	@echo "==> sanity: ansible-test sanity --python 3.11 $(SANITY_SKIP)"
	cd $(TREE) && $(CURDIR)/$(VENV)/bin/ansible-test sanity --python 3.11 $(SANITY_SKIP)

# The steps run one after another (also under make -j), each once, after one setup.
test: setup
	@$(MAKE) --no-print-directory lint GOVNET_SETUP_DONE=1
	@$(MAKE) --no-print-directory secrets-check GOVNET_SETUP_DONE=1
	@$(MAKE) --no-print-directory pytest GOVNET_SETUP_DONE=1
	@$(MAKE) --no-print-directory lab-test GOVNET_SETUP_DONE=1
	@$(MAKE) --no-print-directory lab-test-rollout GOVNET_SETUP_DONE=1
	@$(MAKE) --no-print-directory sanity GOVNET_SETUP_DONE=1
	@echo "==> test: lint, secrets-check, pytest, lab-test, lab-test-rollout and sanity passed"

# Secrets live only in ansible-vault: no secret in clear in any file git knows, nor in a build made now
# (in memory, shipped GovNet and lab), nor any value of the lab's vault when a lab is up.
.PHONY: secrets-check
secrets-check: setup
	@echo "==> secrets-check: the repository, a fresh build (and the lab vault's values when a lab is up)"
	$(VENV)/bin/python hacking/secrets_check.py

# ---------------------------------------------------------------- the Molecule training lab
# Scenarios live in molecule/<name>/ (Ansible-native Molecule 26: molecule.yml passes the lab registry
# inventories/lab/<name>.yml). MOLECULE_GLOB names them, so Molecule does not look in extensions/molecule.
# The lab is network namespaces, Open vSwitch, FRR and Kamailio on this machine: root only. lab-test is what
# `make test` runs; as another user it says so and passes, like pytest's lab tests skip.
MOLECULE := MOLECULE_GLOB='molecule/*/molecule.yml' $(VENV)/bin/molecule

lab: setup
	@if [[ $$(id -u) != 0 ]]; then echo "ERROR: the lab needs root (network namespaces)" >&2; exit 1; fi
	@echo "==> lab: molecule create + converge (molecule/default); take it down with make lab-destroy"
	$(MOLECULE) create -s default
	$(MOLECULE) converge -s default
	@echo "==> lab: up. Try: ip netns list; vtysh -N gn-core-dodoma -c 'show bgp summary'; ip netns exec gn-moa-pc1 ping 10.0.18.53"

lab-destroy: setup
	@if [[ $$(id -u) != 0 ]]; then echo "ERROR: the lab needs root (network namespaces)" >&2; exit 1; fi
	@echo "==> lab-destroy: molecule destroy (default, region)"
	$(MOLECULE) destroy -s default
	$(MOLECULE) destroy -s region

lab-test: setup
	@if [[ $$(id -u) != 0 ]]; then echo "==> lab-test: skipped, the lab needs root (network namespaces)"; exit 0; fi
	@echo "==> lab-test: molecule test -s default"
	$(MOLECULE) test -s default

lab-test-rollout: setup
	@if [[ $$(id -u) != 0 ]]; then echo "==> lab-test-rollout: skipped, the lab needs root (network namespaces)"; exit 0; fi
	@echo "==> lab-test-rollout: molecule test -s rollout"
	$(MOLECULE) test -s rollout

# ---------------------------------------------------------------- GitOps rollout (playbooks/rollout.yml, docs/rollout.md)
# ENV names the environment: its inventory below and its state file deployed/ENV.json. The lab's is the default
# Molecule lab (bring it up with make lab first).
ENV ?= production
ROLLOUT_INVENTORY_production := -i inventories/govnet
# The lab's devices get the lab's own vault (made by molecule/default at create), as production's get its vault.
LAB_VAULT := /run/govnet-lab/vault
ROLLOUT_INVENTORY_lab := -i molecule/default/inventory/hosts.yml -i inventories/lab/default.yml \
  $(if $(wildcard $(LAB_VAULT)/vault.yml),-e @$(LAB_VAULT)/vault.yml --vault-password-file $(LAB_VAULT)/password)
ROLLOUT_ARGS ?=
ROLLOUT = $(VENV)/bin/ansible-playbook $(or $(ROLLOUT_INVENTORY_$(ENV)),$(error ENV=$(ENV): use production or lab)) playbooks/rollout.yml \
  -e govnet_rollout_environment=$(ENV) $(ROLLOUT_ARGS)

rollout-plan: setup
	@echo "==> rollout-plan: $(ENV), deployed/$(ENV).json -> HEAD (dry run)"
	$(ROLLOUT) -e govnet_rollout_mode=plan

rollout: setup
	@echo "==> rollout: $(ENV), deployed/$(ENV).json -> HEAD"
	$(ROLLOUT) -e govnet_rollout_mode=run

rollout-record: setup
	@echo "==> rollout-record: every device of $(ENV) as deployed at HEAD"
	$(ROLLOUT) -e govnet_rollout_mode=record

# ---------------------------------------------------------------- compliance (playbooks/compliance.yml, docs/compliance.md)
# Production is held to a fresh build of HEAD (build/); the lab to the build its converge deployed (/run/govnet-lab/build).
# COMPLIANCE_ARGS passes more, e.g. '-e govnet_compliance_running_dir=DIR' (saved running configurations) or '--limit ...'.
COMPLIANCE_ARGS ?=
COMPLIANCE_BUILD_production := -e govnet_build_dir=$(CURDIR)/build
.PHONY: compliance
compliance: setup
	@echo "==> compliance: $(ENV) against its build -> $(CURDIR)/build/compliance/$(ENV)"
	@if [[ $(ENV) == production ]]; then $(MAKE) --no-print-directory build GOVNET_SETUP_DONE=1; fi
	$(VENV)/bin/ansible-playbook $(or $(ROLLOUT_INVENTORY_$(ENV)),$(error ENV=$(ENV): use production or lab)) playbooks/compliance.yml \
	  $(COMPLIANCE_BUILD_$(ENV)) -e govnet_compliance_dir=$(CURDIR)/build/compliance/$(ENV) $(COMPLIANCE_ARGS)

# ---------------------------------------------------------------- call report
# Calls, minutes and the saving against the PSTN tariff, from the records of call control (playbooks/report.yml).
# By default the lab's: bring it up with make lab and place calls first. Production passes its own inventory and
# the fetched IOS-XE records (-e govnet_report_records=...).
REPORT_INVENTORY ?= inventories/lab/default.yml
REPORT_ARGS ?=

report: setup
	@echo "==> report: calls of $(REPORT_INVENTORY) -> $(CURDIR)/build/reports"
	$(VENV)/bin/ansible-playbook -i $(REPORT_INVENTORY) playbooks/report.yml -e govnet_build_dir=$(CURDIR)/build $(REPORT_ARGS)

# ---------------------------------------------------------------- cleaning
clean:
	@echo "==> clean: build/ .tree/"
	rm -rf build .tree

distclean: clean
	@echo "==> distclean: $(VENV)/"
	rm -rf $(VENV)
