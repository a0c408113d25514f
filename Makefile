# Trainbook's two entry points: `make up` runs the whole system, `make test` proves it.
# Both start from a bare machine: they create .venv, install what is missing, then run.

VENV := .venv
BIN := $(VENV)/bin
# aws-sam-cli pins its own boto3, translator and cfn-lint: it gets a venv of its own.
SAM := .venv-sam/bin/sam
SAM_VERSION := 1.170.0
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
# The web app is rebuilt only when one of its sources changed since the last build.
FRONTEND_SOURCES := $(shell find frontend/src -type f 2>/dev/null) $(wildcard frontend/*.json frontend/*.ts frontend/*.js frontend/index.html)
FRONTEND_BUILT := frontend/dist/.built

.PHONY: up test checks lint types imports cfn sam-build pytest bench install system-deps deploy localstack-deploy frontend-check

up: $(STAMP) $(FRONTEND_BUILT)
	$(BIN)/trainbook up $(ARGS)

# The installs and checks do not depend on one another: they run side by side (the installs wait on the
# network, the checks on the CPU), each one's output printed whole; the tests start once all of them passed.
test:
	$(MAKE) --no-print-directory --output-sync=target -j4 checks
	$(MAKE) --no-print-directory pytest

checks: $(STAMP) system-deps lint types imports cfn sam-build frontend-check

install: $(STAMP)

$(STAMP): pyproject.toml
	@command -v python3 >/dev/null || { echo "python3 (>= 3.11) is required"; exit 1; }
	test -x $(BIN)/python || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $@

system-deps:
	bash infra/scripts/install-system-deps.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: $(STAMP)
	$(BIN)/mypy

# Imports point inward: the contracts in pyproject.toml ([tool.importlinter]) fail on a cycle or an outward import.
imports: $(STAMP)
	$(BIN)/lint-imports

cfn: $(STAMP) $(SAM)
	$(BIN)/cfn-lint template.yaml
	SAM_CLI_TELEMETRY=0 AWS_DEFAULT_REGION=eu-central-1 $(SAM) validate --lint --template template.yaml

# Proves the template builds a deployable package: every function's code and its Linux wheels.
sam-build: $(SAM)
	SAM_CLI_TELEMETRY=0 AWS_DEFAULT_REGION=eu-central-1 $(SAM) build --build-dir .aws-sam/build

$(SAM):
	python3 -m venv .venv-sam
	.venv-sam/bin/python -m pip install --quiet aws-sam-cli==$(SAM_VERSION)

$(FRONTEND_BUILT): $(FRONTEND_SOURCES)
	@command -v npm >/dev/null || { echo "Node.js 20 (npm) is required to build the web app"; exit 1; }
	cd frontend && npm ci --no-audit --no-fund && npm run build
	touch $@

# The web app's checks; the generated API client must match the backend's OpenAPI document.
frontend-check: $(STAMP)
	cd frontend && npm ci --no-audit --no-fund
	cd frontend && npm run gen:api && git diff --exit-code -- src/api/schema.d.ts
	cd frontend && npm run lint && npm run typecheck && npm test && npm run build
	touch $(FRONTEND_BUILT)

# Two workers (pytest-xdist): most tests wait on a local cloud or a browser, so two of them overlap well.
pytest: $(STAMP)
	$(BIN)/pytest --numprocesses 2

bench: $(STAMP)
	$(BIN)/python -m bench.core_bench
	$(BIN)/python -m bench.localcloud_bench
	$(BIN)/python -m bench.booking_bench
	$(BIN)/python -m bench.cost
	$(BIN)/python -m bench.durability_bench
	$(BIN)/python -m bench.realtime_bench
	$(BIN)/python -m bench.locust_profile

# Deployments (see docs/operations.md): each ends with `trainbook smoke` against the stack's public URLs.
deploy: $(STAMP) $(SAM) $(FRONTEND_BUILT)
	bash infra/scripts/deploy.sh aws

localstack-deploy: $(STAMP) $(SAM) $(FRONTEND_BUILT)
	bash infra/scripts/deploy.sh localstack
