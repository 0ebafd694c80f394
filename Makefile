# Build and test the cloudtemple.harbor collection. `make help` lists the targets.
#
# ansible-test, ansible-doc and antsibull-docs only work inside a directory named
# ansible_collections/<namespace>/<name>, so most targets first stage the files git knows about into
# build/ansible_collections/cloudtemple/harbor and run there.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
# every target re-stages the same build/ tree, so targets must not run side by side
.NOTPARALLEL:

PYTHON ?= python3
VENV := .venv
# The main venv has ansible-core 2.19, the newest for Python 3.11 (tests/requirements-dev.txt); each other supported
# core gets a venv of its own for sanity and units: .venv-<X.Y> on $(PYTHON) for the older ones, and .venv-newest
# on the newest Python >= 3.12 for the newest. Pins: tests/requirements/ansible-core-<X.Y>.txt, one file each.
MAIN_CORE := 2.19
OLDER_CORES := 2.16 2.17 2.18
NEWEST_CORE := 2.21
# the cores `make demo-versions` bootstraps the example setup with (twice), besides the main venv's in `make demo`
DEMO_CORES := $(firstword $(OLDER_CORES)) newest
VENV_NEWEST := .venv-newest
VENV_BENCH := .venv-bench
VENV_EDA := .venv-eda
PY := $(VENV)/bin/python
PY_NEWEST := $(VENV_NEWEST)/bin/python
PY_BENCH := $(VENV_BENCH)/bin/python
PY_EDA := $(VENV_EDA)/bin/python
# a core's pin file and the one it includes, which the venv stamps watch
REQUIREMENTS_CORE = tests/requirements/ansible-core-$(1).txt tests/requirements/common.txt
REQUIREMENTS := tests/requirements-dev.txt
REQUIREMENTS_BENCH := tests/bench/requirements.txt
COLLECTIONS_DIR := build
COLLECTION := $(COLLECTIONS_DIR)/ansible_collections/cloudtemple/harbor
ANSIBLE_TEST := $(PY) tests/tools/run_ansible_test.py $(COLLECTION)
WITH_EMULATOR := $(PY) tests/tools/with_emulator.py
# the X.Y of a venv's interpreter, for ansible-test --python
python_version = $$($(1) -c 'import sys; print("%d.%d" % sys.version_info[:2])')
# ansible-test sanity and units in the staged collection, with the ansible-core of the venv whose interpreter is $(1)
ansible_test_sanity = $(1) tests/tools/run_ansible_test.py $(COLLECTION) sanity --local --python $(call python_version,$(1)) --color no
ansible_test_units = $(1) tests/tools/run_ansible_test.py $(COLLECTION) units --local --python $(call python_version,$(1)) --requirements --color no

CORE_STAGES := $(addprefix core-,$(OLDER_CORES))
TEST_STAGES := sanity units $(CORE_STAGES) newest integration-both molecule scenarios demo demo-versions lint \
  emulator-tests registry-tests eda-tests kube-tests

# The OCI clients' pins and their build into TOOLS_CACHE (outside git): crane, oras, helm, cosign.
include tests/registry/tools.mk

.PHONY: registry help venv venv-newest $(addprefix venv-,$(OLDER_CORES)) venv-bench venv-eda stage sanity units $(CORE_STAGES) newest \
  core-tests integration acceptance acceptance-proxy integration-both molecule scenarios lint emulator-tests registry-tests oci-clients \
  kube-tests kube-binaries test demo demo-versions bench clean

help:
	@echo 'make test            everything CI runs: $(TEST_STAGES), one summary line per stage'
	@echo 'make demo            bootstrap the example setup twice (the second run must change nothing), rotate, report'
	@echo 'make bench           workload W1: the collection against uri + kubernetes.core (slow, not in make test)'
	@echo 'make venv            .venv from $(REQUIREMENTS) (reinstalled when it or a file it includes changes)'
	@echo 'make demo-versions   the bootstrap-twice check of make demo on ansible-core $(DEMO_CORES)'
	@echo 'make sanity          ansible-test sanity, all tests, no ignore entries allowed (ansible-core of $(VENV))'
	@echo 'make units           ansible-test units (tests/unit)'
	@echo 'make core-X.Y        sanity + units on ansible-core X.Y, in $(VENV)-X.Y; X.Y is one of $(OLDER_CORES)'
	@echo 'make newest          sanity + units on ansible-core $(NEWEST_CORE), in $(VENV_NEWEST) (needs Python >= 3.12)'
	@echo 'make integration     ansible-test integration, all targets, against the Harbor emulator'
	@echo 'make acceptance      every integration target against the Harbor in HARBOR_URL/_USERNAME/_PASSWORD (see docs/acceptance.md)'
	@echo 'make acceptance-proxy  make acceptance against a fresh emulator behind a plain reverse proxy'
	@echo 'make integration-both  make integration and make acceptance-proxy side by side (what make test runs)'
	@echo 'make molecule        molecule test for every role scenario, each against a fresh emulator'
	@echo 'make scenarios       the playbooks end to end: bootstrap, healing, rotation under load, teardown, ansible-runner'
	@echo 'make lint            ansible-lint (production profile), antsibull-docs and antsibull-changelog lint'
	@echo 'make emulator-tests  pytest tests/emulator/tests'
	@echo 'make registry-tests  the seed guide flows on the emulator registry with real crane, oras, helm and cosign'
	@echo 'make eda-tests       the Event-Driven Ansible event source, and a rulebook run by ansible-rulebook against the emulator'
	@echo 'make oci-clients     build those four (pinned in tests/registry/tools.mk) with Go into $(TOOLS_BIN)'
	@echo 'make registry        install Debian'"'"'s docker-registry (the registry behind the emulator'"'"'s /v2/) when missing'
	@echo 'make kube-tests      the Kubernetes-facing tests against a real kube-apiserver + etcd on loopback (Harbor: the emulator),'
	@echo '                     and the differential test of the Kubernetes emulator against it'
	@echo 'make kube-binaries   build kube-apiserver and kube-controller-manager into $(KUBE_BIN) (cold: ~10 min)'
	@echo 'make stage           copy the collection into $(COLLECTION)'
	@echo 'make clean           remove build/, test output and caches (keeps the venvs)'

# --- virtualenvs -------------------------------------------------------------------------------
# A stamp inside the venv records which pin files it was built from; editing the pins rebuilds it.

venv: $(VENV)/.requirements-stamp

$(VENV)/.requirements-stamp: $(REQUIREMENTS) $(call REQUIREMENTS_CORE,$(MAIN_CORE))
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r $(REQUIREMENTS)
	@touch $@

venv-newest: $(VENV_NEWEST)/.requirements-stamp

$(VENV_NEWEST)/.requirements-stamp: $(call REQUIREMENTS_CORE,$(NEWEST_CORE)) | venv
	@test -x $(PY_NEWEST) || { \
	  newest=$$($(PY) tests/tools/find_python.py) || { echo 'no Python >= 3.12 on this machine'; exit 1; }; \
	  echo "creating $(VENV_NEWEST) with $$newest"; \
	  "$$newest" -m venv $(VENV_NEWEST); }
	$(PY_NEWEST) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY_NEWEST) -m pip install --quiet --disable-pip-version-check -r $<
	@touch $@

$(addprefix venv-,$(OLDER_CORES)): venv-%: $(VENV)-%/.requirements-stamp

$(addprefix $(VENV)-,$(addsuffix /.requirements-stamp,$(OLDER_CORES))): $(VENV)-%/.requirements-stamp: tests/requirements/ansible-core-%.txt tests/requirements/common.txt
	@test -x $(VENV)-$*/bin/python || $(PYTHON) -m venv $(VENV)-$*
	$(VENV)-$*/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(VENV)-$*/bin/python -m pip install --quiet --disable-pip-version-check -r $<
	@touch $@

venv-bench: $(VENV_BENCH)/.requirements-stamp

$(VENV_BENCH)/.requirements-stamp: $(REQUIREMENTS_BENCH) $(call REQUIREMENTS_CORE,$(MAIN_CORE))
	@test -x $(PY_BENCH) || $(PYTHON) -m venv $(VENV_BENCH)
	$(PY_BENCH) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY_BENCH) -m pip install --quiet --disable-pip-version-check -r $(REQUIREMENTS_BENCH)
	@touch $@

venv-eda: $(VENV_EDA)/.requirements-stamp

$(VENV_EDA)/.requirements-stamp: tests/requirements/eda.txt $(call REQUIREMENTS_CORE,$(MAIN_CORE))
	@test -x $(PY_EDA) || $(PYTHON) -m venv $(VENV_EDA)
	$(PY_EDA) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY_EDA) -m pip install --quiet --disable-pip-version-check -r tests/requirements/eda.txt
	@touch $@

# --- staging -------------------------------------------------------------------------------------

stage: venv
	@$(PY) tests/tools/stage.py $(COLLECTION)

# --- test stages ---------------------------------------------------------------------------------

sanity: stage
	$(call ansible_test_sanity,$(PY))

units: stage
	$(call ansible_test_units,$(PY))

# Sanity and units with the ansible-core of the venv whose interpreter is CORE_PY (the stages below set it).
# Each core's sanity venvs land in ansible-test's cache (~/.ansible/test/venv), shared by every checkout.
CORE_PY ?= $(PY)

core-tests:
	$(call ansible_test_sanity,$(CORE_PY))
	$(call ansible_test_units,$(CORE_PY))

$(CORE_STAGES): core-%: stage venv-%
	@$(MAKE) --no-print-directory core-tests CORE_PY=$(VENV)-$*/bin/python

newest: stage
	@if ! $(PY) tests/tools/find_python.py >/dev/null; then \
	  echo 'newest: SKIPPED, no Python >= 3.12 on this machine, so no run on the newest ansible-core'; \
	else \
	  $(MAKE) --no-print-directory venv-newest && \
	  $(MAKE) --no-print-directory core-tests CORE_PY=$(PY_NEWEST); \
	fi

integration: stage
	$(WITH_EMULATOR) --integration-config $(COLLECTION)/tests/integration/integration_config.yml -- \
	  $(ANSIBLE_TEST) integration --local --python $(call python_version,$(PY)) --color no

# Against whatever Harbor HARBOR_URL, HARBOR_USERNAME and HARBOR_PASSWORD name (a system administrator), and
# the cluster of K8S_AUTH_KUBECONFIG if set: no emulator control endpoint is used (docs/acceptance.md).
ACCEPTANCE = $(PY) tests/tools/acceptance_config.py $(COLLECTION)/tests/integration/integration_config.yml && \
  $(ANSIBLE_TEST) integration --local --python $(shell $(PY) -c 'import sys; print("%d.%d" % sys.version_info[:2])') \
  --color no

acceptance: stage
	$(ACCEPTANCE)

# The same run, against a fresh emulator that it sees only through tests/tools/reverse_proxy.py.
acceptance-proxy: stage
	$(WITH_EMULATOR) --behind-proxy -- bash -c "$(ACCEPTANCE)"

# make test's form of the two: integration and acceptance-proxy side by side, each with its own emulator and its own
# staged copy (ansible-test writes its configuration and output into the collection), then both logs in turn. Every
# target waits on its emulator and ansible-playbook's start-up as much as it computes, so on 2 cores the pair takes
# about 8 minutes instead of 12 one after the other.
integration-both: stage
	@logs=$$(mktemp -d); \
	$(MAKE) --no-print-directory integration >$$logs/integration.log 2>&1 & integration=$$!; \
	$(MAKE) --no-print-directory acceptance-proxy COLLECTIONS_DIR=$(COLLECTIONS_DIR)/proxy >$$logs/proxy.log 2>&1 & proxy=$$!; \
	failed=0; \
	for run in integration:$$integration proxy:$$proxy; do \
	  if wait $${run#*:}; then result=passed; else result=FAILED; failed=1; fi; \
	  name=$${run%%:*}; [ $$name = proxy ] && name=acceptance-proxy; \
	  echo "--- make $$name"; cat $$logs/$${run%%:*}.log; echo "--- make $$name: $$result"; \
	done; \
	rm -rf $$logs; exit $$failed

molecule: stage
	$(PY) tests/tools/run_molecule.py $(COLLECTIONS_DIR)

# The playbooks and roles end to end, each test module against fresh emulators (see tests/scenarios/conftest.py).
# Each scenario file starts its own emulators and stages its own collection copy, so the files run two at a time
# (pytest-xdist, one file per worker): 8 minutes instead of 13 on 2 cores.
scenarios: venv
	$(PY) -m pytest tests/scenarios -q -p no:cacheprovider -n 2 --dist loadfile

# The staged tree is on the collections path, so FQCNs in playbooks and roles resolve to it.
# All three linters run even when one fails, so one pass shows every problem.
LINTERS := \
  'ansible-lint' \
  'antsibull-docs lint-collection-docs --plugin-docs .' \
  'antsibull-changelog lint'

lint: stage
	@cd $(COLLECTION); failed=0; \
	for linter in $(LINTERS); do \
	  echo "--- $$linter"; \
	  PATH=$(abspath $(VENV))/bin:$$PATH ANSIBLE_COLLECTIONS_PATH=$(abspath $(COLLECTIONS_DIR)) $$linter || { echo "--- $$linter: FAILED"; failed=1; }; \
	done; \
	exit $$failed

# pytest exits 5 when it collects no test: fine while the emulator has none yet.
# The Harbor emulator proxies /v2/ to Debian's docker-registry. Installed with apt when missing (root or
# password-less sudo); otherwise the registry tests are skipped, with the reason, and /v2/ answers 503.
registry:
	@if command -v docker-registry >/dev/null; then exit 0; fi; \
	runner=(); if [ "$$(id -u)" -ne 0 ]; then runner=(sudo -n); fi; \
	if command -v apt-get >/dev/null && "$${runner[@]}" true 2>/dev/null; then \
	  "$${runner[@]}" apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive "$${runner[@]}" apt-get install -y -qq docker-registry >/dev/null || \
	  echo 'registry: apt-get install docker-registry failed: the emulator'"'"'s /v2/ tests will be skipped'; \
	else echo 'registry: docker-registry is missing and cannot be installed here (apt-get install docker-registry)'; fi

emulator-tests: venv registry
	@if [ ! -d tests/emulator/tests ]; then echo 'emulator-tests: SKIPPED, tests/emulator/tests does not exist'; exit 0; fi; \
	status=0; $(PY) -m pytest tests/emulator/tests -q -p no:cacheprovider || status=$$?; \
	if [ $$status -eq 5 ]; then echo 'emulator-tests: no tests collected yet'; status=0; fi; \
	exit $$status

# Pushes and pulls with the real clients against the emulator's registry (tests/registry). With CI=true a missing
# client or registry fails the stage; otherwise those tests are skipped, and pytest -rs says why.
registry-tests: venv registry
	@if ! $(MAKE) --no-print-directory oci-clients; then \
	  if [ "$${CI:-}" = true ]; then echo 'registry-tests: the OCI clients could not be built (see above)'; exit 1; fi; \
	  echo 'registry-tests: SKIPPED, the OCI clients could not be built (see above; CI=true makes this a failure)'; \
	  exit 0; \
	fi
	@log=$$(mktemp); status=0; \
	OCI_CLIENTS_BIN=$(TOOLS_BIN) $(PY) -m pytest tests/registry -q -rs -p no:cacheprovider | tee "$$log" || status=$$?; \
	if [ $$status -eq 0 ] && tail -n 1 "$$log" | grep -Eq '^[0-9]+ skipped in'; then \
	  echo 'registry-tests: SKIPPED, every test was skipped (reasons above)'; fi; \
	rm -f "$$log"; exit $$status

# The Kubernetes-facing tests with a real control plane (tests/kube/control_plane.py) in the Kubernetes emulator's
# place, Harbor still the emulator: the pull secret integration targets, the cluster_access molecule scenario, the
# bootstrap twice (the second run changes nothing and writes nothing, per the apiserver's audit log), then the
# differential test that holds the emulator to the real apiserver's answers. Every part runs even after a failure.
KUBE_TARGETS := harbor_pull_secret harbor_pull_secret_info harbor_pull_secret_no_log
KUBE_ENV = TEST_KUBE=real KUBE_BIN_DIR=$(KUBE_BIN)

# The event source on its own, then a rulebook run by ansible-rulebook against the emulator (tests/eda).
eda-tests: stage venv-eda registry
	@command -v java >/dev/null || { echo 'eda-tests: ansible-rulebook needs a JDK 17 (apt-get install openjdk-17-jre-headless)'; exit 1; }
	PATH=$(CURDIR)/$(VENV_EDA)/bin:$$PATH $(PY_EDA) -m pytest tests/eda -q -p no:cacheprovider

kube-tests: stage kube-binaries
	@command -v etcd >/dev/null || { echo 'kube-tests: etcd is not installed (apt-get install etcd-server)'; exit 1; }
	@failed=0; \
	echo '--- integration targets: $(KUBE_TARGETS)'; \
	$(KUBE_ENV) $(WITH_EMULATOR) --integration-config $(COLLECTION)/tests/integration/integration_config.yml -- \
	  $(ANSIBLE_TEST) integration --local --python $(call python_version,$(PY)) --color no $(KUBE_TARGETS) || failed=1; \
	echo '--- molecule: cluster_access'; \
	$(KUBE_ENV) $(PY) tests/tools/run_molecule.py $(COLLECTIONS_DIR) cluster_access || failed=1; \
	echo '--- bootstrap twice'; \
	$(KUBE_ENV) $(PY) -m pytest tests/scenarios/test_bootstrap.py -q -p no:cacheprovider \
	  -k 'test_bootstrap_builds_the_example_setup or test_rerun_changes_nothing_and_only_reads' || failed=1; \
	echo '--- differential test: the Kubernetes emulator against kube-apiserver'; \
	$(KUBE_ENV) $(PY) -m pytest tests/kube -q -p no:cacheprovider || failed=1; \
	exit $$failed

# Runs every stage even after a failure, prints one line per stage, fails if any stage failed.
test: venv
	@summary=(); failed=0; passed=0; skipped=0; started=$$SECONDS; \
	for stage in $(TEST_STAGES); do \
	  echo; echo "==== make $$stage ===="; \
	  stage_start=$$SECONDS; \
	  log=$$(mktemp); \
	  if $(MAKE) --no-print-directory $$stage 2>&1 | tee "$$log"; then \
	    if grep -q "^$$stage: SKIPPED" "$$log"; then result=SKIPPED; skipped=$$((skipped + 1)); \
	    else result=PASSED; passed=$$((passed + 1)); fi; \
	  else result=FAILED; failed=$$((failed + 1)); fi; \
	  rm -f "$$log"; \
	  summary+=("$$(printf '%-15s %-8s %4ds' "$$stage" "$$result" $$((SECONDS - stage_start)))"); \
	done; \
	echo; echo '==== make test summary ===='; printf '%s\n' "$${summary[@]}"; \
	echo "==== $$passed passed, $$failed failed, $$skipped skipped in $$((SECONDS - started))s ===="; \
	[ $$failed -eq 0 ]

# --- a real Kubernetes control plane for make kube-tests ---------------------------------------------
# kube-apiserver and kube-controller-manager are built from the wrapper module tests/kube/apiserver (pinned
# version, go.sum committed) into a cache outside git, shared by worktrees and reused when present: a cold build
# takes about 10 minutes on 2 cores, a warm one seconds. The stamp records the go.sum it was built from, so moving
# the pin rebuilds. TOOLS_CACHE is tests/registry/tools.mk's (default ~/.cache/cloudtemple-harbor). etcd comes from
# Debian's etcd-server (bindep.txt, .ci/run).
KUBE_VERSION := v1.35.4
KUBE_MODULE := tests/kube/apiserver
KUBE_BIN := $(TOOLS_CACHE)/kube/$(KUBE_VERSION)/bin
KUBE_BINARIES := $(KUBE_BIN)/kube-apiserver $(KUBE_BIN)/kube-controller-manager
# what `kubectl version` and the /version endpoint report; unset, the binaries say v0.0.0-master
KUBE_LDFLAGS := -s -w -X k8s.io/component-base/version.gitVersion=$(KUBE_VERSION) \
  -X k8s.io/component-base/version.gitMajor=$(word 1,$(subst ., ,$(KUBE_VERSION:v%=%))) \
  -X k8s.io/component-base/version.gitMinor=$(word 2,$(subst ., ,$(KUBE_VERSION:v%=%))) \
  -X k8s.io/component-base/version.gitTreeState=clean

kube-binaries: $(KUBE_BIN)/.stamp

# flock: .ci/run starts this build in the background while the earlier stages run, and kube-tests asks for it again;
# the second caller waits for the first and then finds the stamp current instead of building twice.
$(KUBE_BIN)/.stamp: $(KUBE_MODULE)/go.mod $(KUBE_MODULE)/go.sum
	@command -v go >/dev/null || { echo 'kube-binaries: no Go toolchain (https://go.dev/dl/); it builds kube-apiserver'; exit 1; }
	@mkdir -p $(KUBE_BIN)
	@flock $(KUBE_BIN)/.lock bash -eu -o pipefail -c ' \
	  if cmp -s $(KUBE_MODULE)/go.sum $@ && [ -x $(KUBE_BIN)/kube-apiserver ] && [ -x $(KUBE_BIN)/kube-controller-manager ]; then \
	    echo "kube-binaries: built meanwhile by another make"; exit 0; fi; \
	  echo "building kube-apiserver and kube-controller-manager $(KUBE_VERSION) into $(KUBE_BIN) (cold: about 10 minutes)"; \
	  started=$$SECONDS; \
	  for cmd in kube-apiserver kube-controller-manager; do \
	    (cd $(KUBE_MODULE) && GOFLAGS=-mod=readonly CGO_ENABLED=0 go build -trimpath -ldflags "$(KUBE_LDFLAGS)" \
	      -o $(KUBE_BIN)/$$cmd.tmp k8s.io/kubernetes/cmd/$$cmd); \
	    mv $(KUBE_BIN)/$$cmd.tmp $(KUBE_BIN)/$$cmd; \
	  done; \
	  cp $(KUBE_MODULE)/go.sum $@; \
	  echo "kube-binaries: built in $$((SECONDS - started))s"'


# --- demo ------------------------------------------------------------------------------------------

# The demo stays on the fast Kubernetes emulator whatever TEST_KUBE says (its report reads the emulator's log).
demo: stage
	@for playbook in playbooks/bootstrap.yml playbooks/rotate_robots.yml playbooks/report.yml; do \
	  if [ ! -f $$playbook ]; then echo "make demo: $$playbook does not exist yet (the playbook authors add it)"; exit 1; fi; \
	done
	$(WITH_EMULATOR) --kube emulator -- $(PY) tests/tools/run_demo.py $(COLLECTIONS_DIR)

# make demo's first two steps (bootstrap, then a re-run that must change and write nothing) with the ansible-playbook
# of other cores' venvs, each against fresh emulators. The newest is left out, with a note, on a machine without
# Python >= 3.12.
demo-versions: stage
	@for core in $(DEMO_CORES); do \
	  if [ $$core = newest ]; then \
	    if ! $(PY) tests/tools/find_python.py >/dev/null; then \
	      echo 'demo-versions: newest left out, no Python >= 3.12 on this machine'; continue; fi; \
	    $(MAKE) --no-print-directory venv-newest; core_py=$(PY_NEWEST); \
	  else \
	    $(MAKE) --no-print-directory venv-$$core; core_py=$(VENV)-$$core/bin/python; \
	  fi; \
	  echo "==== demo-versions: $$core"; \
	  $(WITH_EMULATOR) --kube emulator -- $$core_py tests/tools/run_demo.py --bootstrap-only $(COLLECTIONS_DIR) || exit 1; \
	done

# --- benchmark ---------------------------------------------------------------------------------------
# W1 for the collection (10, 50, 200 projects), the uri + kubernetes.core anchor (10, 50) and bootstrap.yml (50),
# each on fresh emulators; about 20 minutes on 2 cores. Writes docs/performance.md (between its markers) and
# tests/bench/results.json; playbook logs go to $(COLLECTIONS_DIR)/bench-logs. BENCH_ARGS adds driver options,
# e.g. BENCH_ARGS='--anchor-sizes 10,50,200'. kubernetes.core comes from the venv's ansible package (not Galaxy).
BENCH_ARGS ?=

bench: venv-bench
	@$(PY_BENCH) tests/tools/stage.py $(COLLECTION)
	$(PY_BENCH) tests/bench/bench.py --collections-dir $(COLLECTIONS_DIR) \
	  --extra-collections "$$($(PY_BENCH) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')" \
	  --work-dir $(COLLECTIONS_DIR)/bench-logs --json tests/bench/results.json --markdown docs/performance.md \
	  $(BENCH_ARGS)

clean:
	rm -rf build tests/output .pytest_cache .ansible
	find . \( -path ./.git -o -path ./.venv -o -path './.venv-*' \) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
