# The two commands: `make demo` and `make test`. Both install what they need into .venv first.
SHELL := /bin/bash
VENV := .venv
PYTHON ?= python3
STAMP := $(VENV)/.installed-stamp
# The dashboard (dashboard/): node_modules from package-lock.json, then the esbuild bundle in dashboard/dist.
NPM ?= npm
NODE_STAMP := dashboard/node_modules/.installed-stamp
DASHBOARD_SOURCES := $(wildcard dashboard/src/*) dashboard/build.mjs
DASHBOARD_DIST := dashboard/dist/index.html
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: install dashboard demo test lint unit clean conformance collection-prepare sanity

# Re-installs only when the dependency files change, so re-runs are quick.
$(STAMP): requirements.txt pyproject.toml
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

# `npm ci` again only when the lock file changes (it deletes node_modules, stamp included, first).
$(NODE_STAMP): dashboard/package-lock.json dashboard/package.json
	$(NPM) --prefix dashboard ci --no-audit --no-fund
	@touch $(NODE_STAMP)

$(DASHBOARD_DIST): $(NODE_STAMP) $(DASHBOARD_SOURCES)
	$(NPM) --prefix dashboard run build

dashboard: $(DASHBOARD_DIST)

install: $(STAMP) dashboard

demo: install
	$(VENV)/bin/simulate demo

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ansible-lint

unit: install
	$(NPM) --prefix dashboard test
	$(VENV)/bin/pytest

test: lint sanity unit

# The wildrydes.lab collection as Galaxy checks it: `ansible-test sanity` in its own virtual environments (their
# pinned test tools come from PyPI), offline otherwise (collections/tools/prepare_ansible_test.py says how).
# Its unit tests and integration target run in `make unit` (tests/provisioning/test_collection_*.py).
COLLECTION := collections/ansible_collections/wildrydes/lab

collection-prepare: $(STAMP)
	$(VENV)/bin/python collections/tools/prepare_ansible_test.py

sanity: collection-prepare
	cd $(COLLECTION) && $(CURDIR)/$(VENV)/bin/ansible-test sanity --venv --color no \
		--python $$($(CURDIR)/$(VENV)/bin/python -c 'import sys; print("%d.%d" % sys.version_info[:2])')

clean:
	rm -rf $(VENV) build .pytest_cache .ruff_cache dashboard/node_modules dashboard/dist

# kinesalite's Kinesis suite against a fresh local endpoint: strict and relaxed counts, the unsafe 1e11-shard request;
# FULL=1 adds the 5-minute iterator-expiry test. The kit: ../shared/conformance (or CONFORMANCE_KIT=...).
conformance: install
	$(VENV)/bin/python -m tests.localaws.conformance $(if $(FULL),--full)
