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
PY := $(VENV)/bin/python
PY_NEWEST := $(VENV_NEWEST)/bin/python
PY_BENCH := $(VENV_BENCH)/bin/python
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
TEST_STAGES := sanity units $(CORE_STAGES) newest integration molecule scenarios demo demo-versions lint emulator-tests

.PHONY: help venv venv-newest $(addprefix venv-,$(OLDER_CORES)) venv-bench stage sanity units $(CORE_STAGES) newest core-tests integration molecule \
  scenarios lint emulator-tests test demo demo-versions bench clean

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
	@echo 'make molecule        molecule test for every role scenario, each against a fresh emulator'
	@echo 'make scenarios       the playbooks end to end: bootstrap, healing, rotation under load, teardown, ansible-runner'
	@echo 'make lint            ansible-lint (production profile), antsibull-docs and antsibull-changelog lint'
	@echo 'make emulator-tests  pytest tests/emulator/tests'
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
emulator-tests: venv
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
	  $(WITH_EMULATOR) -- $$core_py tests/tools/run_demo.py --bootstrap-only $(COLLECTIONS_DIR) || exit 1; \
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
