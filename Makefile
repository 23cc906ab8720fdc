# retail-sync: every command a developer or CI needs. `make demo` and `make test` work on a fresh clone.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
ENV ?= dev
CDK_CLI_VERSION := 2.1148.1
LOCK_FLAGS = --generate-hashes --no-header --annotation-style line --quiet $(UPGRADE)
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20

.PHONY: help install demo local test test-unit test-infra test-integration test-e2e test-slow fuzz chaos lint synth synth-fast bench deploy lock clean openapi

help:
	@echo "make demo | local | test | test-slow | fuzz | chaos | lint | synth | openapi | bench | deploy ENV=<name> | lock [UPGRADE=--upgrade] | clean"

# The versions come from requirements/dev.lock (pinned, with hashes), so every clone and CI install
# the same code; `make lock` regenerates the locks after a change to pyproject.toml.
$(STAMP): pyproject.toml requirements/dev.lock
	@echo "==> creating $(VENV) and installing dependencies (about a minute on a fresh clone)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	@$(BIN)/python -m pip install -q --disable-pip-version-check --require-hashes -r requirements/dev.lock
	@$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/python -m local.demo

local: install
	$(BIN)/python -m local

# Three workers on two cores: the integration tests spend most of their time waiting on their local
# stack (polling, queue waits), so a third worker fills the idle CPU (9m52s with 2, 7m32s with 3, 2026-12-04).
TEST_WORKERS ?= 3
test: install
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --durations=15 -m "not slow" tests

# The long scenarios make test leaves out (the whole demo as a test, a 9-order burst against a slow ERP,
# `make local` started empty): `make demo` runs the same scenario, the ERP-gateway test in make test
# samples the burst, and the seeded `make local` test samples the local stack's start.
test-slow: install
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --durations=15 -m slow tests

test-unit: install
	$(BIN)/python -m pytest -q tests/unit

test-infra: install
	$(BIN)/python -m pytest -q tests/infra

test-integration: install
	$(BIN)/python -m pytest -q tests/integration

test-e2e: install
	$(BIN)/python -m pytest -q tests/e2e

# Issue 10's outage: 200 orders spread over a real 10-minute ERP outage, then posted to the ERP once
# each, in the order accepted, by the ParkedOrdersReplay schedule (make test runs 6 orders, no wait).
CHAOS_ORDERS ?= 200
CHAOS_OUTAGE_SECONDS ?= 600
chaos: install
	CHAOS_ORDERS=$(CHAOS_ORDERS) CHAOS_OUTAGE_SECONDS=$(CHAOS_OUTAGE_SECONDS) \
		$(BIN)/python -m pytest -q -s -p no:randomly --timeout 3600 tests/integration/test_erp_outage_in_order.py

# 10,000 generated requests against a local stack of its own (tests/fuzz); FUZZ_SEED=<n> varies them.
FUZZ_REQUESTS ?= 10000
fuzz: install
	$(BIN)/python -m tests.fuzz --requests $(FUZZ_REQUESTS) $(if $(FUZZ_SEED),--seed $(FUZZ_SEED))

lint: install synth-fast
	$(BIN)/ruff check .
	$(BIN)/mypy functions shared infra local bench cli tests
	$(BIN)/cfn-lint cdk.out/RetailSync-lint.template.json --ignore-checks W3005 --non-zero-exit-code error

# Synthesizes with Lambda dependencies bundled for the python3.12 runtime (no Docker needed).
synth: install
	$(BIN)/python app.py -c environment=$(ENV)

# Template only (no dependency bundling): what lint and the local stack use.
synth-fast: install
	$(BIN)/python app.py -c environment=lint -c bundle=false

# The OpenAPI document of every route (infra/ops/openapi_document.py): the committed docs/openapi.json and
# the copy the ops function serves at GET /v1/openapi.json; tests/unit/ops/test_openapi.py fails when stale.
openapi: install
	$(BIN)/python -m infra.ops.openapi_document docs/openapi.json functions/ops/openapi.json

bench: install
	$(BIN)/python -m bench

# Deploys with the CDK CLI pinned to 2.1148.x (the npm `latest` 3.x refuses aws-cdk-lib 2 templates).
deploy: install
	@test -x .build/cdk/node_modules/.bin/cdk || npm install --silent --prefix .build/cdk aws-cdk@$(CDK_CLI_VERSION)
	PATH="$(CURDIR)/$(BIN):$$PATH" .build/cdk/node_modules/.bin/cdk deploy -c environment=$(ENV) --require-approval broadening

# Pins every dependency (with the hashes of all its files) for the dev environment and for the
# Lambda bundle (cp312 manylinux wheels, boto3 left to the runtime); existing pins are kept unless
# UPGRADE=--upgrade. infra/shared/bundling.py installs the bundle from the lock with --require-hashes.
lock: install
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 $(LOCK_FLAGS) -o requirements/dev.lock
	$(BIN)/uv pip compile pyproject.toml --python-version 3.12 --python-platform x86_64-manylinux2014 \
		--no-emit-package boto3 --no-emit-package s3transfer $(LOCK_FLAGS) -o requirements/lambda.lock

clean:
	rm -rf cdk.out .build .pytest_cache .mypy_cache .ruff_cache
