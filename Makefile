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
VENV_NEWEST := .venv-newest
VENV_BENCH := .venv-bench
PY := $(VENV)/bin/python
PY_NEWEST := $(VENV_NEWEST)/bin/python
PY_BENCH := $(VENV_BENCH)/bin/python
REQUIREMENTS := tests/requirements-dev.txt
REQUIREMENTS_NEWEST := tests/requirements-newest.txt
REQUIREMENTS_BENCH := tests/bench/requirements.txt
COLLECTIONS_DIR := build
COLLECTION := $(COLLECTIONS_DIR)/ansible_collections/cloudtemple/harbor
ANSIBLE_TEST := $(PY) tests/tools/run_ansible_test.py $(COLLECTION)
ANSIBLE_TEST_NEWEST := $(PY_NEWEST) tests/tools/run_ansible_test.py $(COLLECTION)
WITH_EMULATOR := $(PY) tests/tools/with_emulator.py
# the X.Y of a venv's interpreter, for ansible-test --python
python_version = $$($(1) -c 'import sys; print("%d.%d" % sys.version_info[:2])')

TEST_STAGES := sanity units newest integration acceptance-proxy molecule scenarios demo lint emulator-tests

.PHONY: registry help venv venv-newest venv-bench stage sanity units newest integration acceptance acceptance-proxy molecule scenarios lint emulator-tests test demo bench clean

help:
	@echo 'make test            everything CI runs: $(TEST_STAGES), one summary line per stage'
	@echo 'make demo            bootstrap the example setup twice (the second run must change nothing), rotate, report'
	@echo 'make bench           workload W1: the collection against uri + kubernetes.core (slow, not in make test)'
	@echo 'make venv            .venv from $(REQUIREMENTS) (reinstalled when that file changes)'
	@echo 'make sanity          ansible-test sanity, all tests, no ignore entries allowed'
	@echo 'make units           ansible-test units (tests/unit)'
	@echo 'make newest          sanity + units on the newest ansible-core, in $(VENV_NEWEST) (needs Python >= 3.12)'
	@echo 'make integration     ansible-test integration, all targets, against the Harbor emulator'
	@echo 'make acceptance      every integration target against the Harbor in HARBOR_URL/_USERNAME/_PASSWORD (see docs/acceptance.md)'
	@echo 'make acceptance-proxy  make acceptance against a fresh emulator behind a plain reverse proxy'
	@echo 'make molecule        molecule test for every role scenario, each against a fresh emulator'
	@echo 'make scenarios       the playbooks end to end: bootstrap, healing, rotation under load, teardown, ansible-runner'
	@echo 'make lint            ansible-lint (production profile), antsibull-docs and antsibull-changelog lint'
	@echo 'make emulator-tests  pytest tests/emulator/tests'
	@echo 'make registry        install Debian'"'"'s docker-registry (the registry behind the emulator'"'"'s /v2/) when missing'
	@echo 'make stage           copy the collection into $(COLLECTION)'
	@echo 'make clean           remove build/, test output and caches (keeps the venvs)'

# --- virtualenvs -------------------------------------------------------------------------------
# A stamp inside the venv records which pin file it was built from; editing the pins rebuilds it.

venv: $(VENV)/.requirements-stamp

$(VENV)/.requirements-stamp: $(REQUIREMENTS)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r $(REQUIREMENTS)
	@touch $@

venv-newest: $(VENV_NEWEST)/.requirements-stamp

$(VENV_NEWEST)/.requirements-stamp: $(REQUIREMENTS_NEWEST) | venv
	@test -x $(PY_NEWEST) || { \
	  newest=$$($(PY) tests/tools/find_python.py) || { echo 'no Python >= 3.12 on this machine'; exit 1; }; \
	  echo "creating $(VENV_NEWEST) with $$newest"; \
	  "$$newest" -m venv $(VENV_NEWEST); }
	$(PY_NEWEST) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY_NEWEST) -m pip install --quiet --disable-pip-version-check -r $(REQUIREMENTS_NEWEST)
	@touch $@

venv-bench: $(VENV_BENCH)/.requirements-stamp

$(VENV_BENCH)/.requirements-stamp: $(REQUIREMENTS_BENCH)
	@test -x $(PY_BENCH) || $(PYTHON) -m venv $(VENV_BENCH)
	$(PY_BENCH) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY_BENCH) -m pip install --quiet --disable-pip-version-check -r $(REQUIREMENTS_BENCH)
	@touch $@

# --- staging -------------------------------------------------------------------------------------

stage: venv
	@$(PY) tests/tools/stage.py $(COLLECTION)

# --- test stages ---------------------------------------------------------------------------------

sanity: stage
	$(ANSIBLE_TEST) sanity --local --python $(call python_version,$(PY)) --color no

units: stage
	$(ANSIBLE_TEST) units --local --python $(call python_version,$(PY)) --requirements --color no

newest: stage
	@if ! $(PY) tests/tools/find_python.py >/dev/null; then \
	  echo 'newest: SKIPPED, no Python >= 3.12 on this machine, so no run on the newest ansible-core'; \
	else \
	  $(MAKE) --no-print-directory venv-newest && \
	  $(ANSIBLE_TEST_NEWEST) sanity --local --python $(call python_version,$(PY_NEWEST)) --color no && \
	  $(ANSIBLE_TEST_NEWEST) units --local --python $(call python_version,$(PY_NEWEST)) --requirements --color no; \
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

molecule: stage
	$(PY) tests/tools/run_molecule.py $(COLLECTIONS_DIR)

# The playbooks and roles end to end, each test module against fresh emulators (see tests/scenarios/conftest.py).
scenarios: venv
	$(PY) -m pytest tests/scenarios -q -p no:cacheprovider

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

# --- demo ------------------------------------------------------------------------------------------

demo: stage
	@for playbook in playbooks/bootstrap.yml playbooks/rotate_robots.yml playbooks/report.yml; do \
	  if [ ! -f $$playbook ]; then echo "make demo: $$playbook does not exist yet (the playbook authors add it)"; exit 1; fi; \
	done
	$(WITH_EMULATOR) -- $(PY) tests/tools/run_demo.py $(COLLECTIONS_DIR)

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
