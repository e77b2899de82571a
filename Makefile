# Alliance Builder: `make run` to try it, `make test` to prove it. Both set everything up from a fresh clone.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
# Where links in emails point: the served address, for the worker (which sends them) as for the server.
SITE_URL_ENV := SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)}

# The test suite's own databases: PostgreSQL, and Redis database numbers no development worker uses.
TEST_ENV := DATABASE_URL=$${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/alliance_builder} \
	CELERY_BROKER_URL=$${TEST_CELERY_BROKER_URL:-redis://127.0.0.1:6379/14} \
	REDIS_CACHE_URL=$${TEST_REDIS_CACHE_URL:-redis://127.0.0.1:6379/13} \
	DJANGO_ALLOW_ASYNC_UNSAFE=true

.PHONY: run test setup install services-check browser-check bench-tools axe worker beat lint bench messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml requirements/build-constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=25.3"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
		--build-constraint requirements/build-constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

setup: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo

run: setup
	@echo ""
	@echo "  Alliance Builder is starting on http://$(HOST):$(PORT)/"
	@echo "  Demo sign-in:  $${DEMO_USER_EMAIL:-demo@alliance-builder.test}  /  $${DEMO_USER_PASSWORD:-erasmus-demo-2026}"
	@echo "  (the same account opens the admin at http://$(HOST):$(PORT)/admin/)"
	@echo ""
	$(SITE_URL_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

worker: install
	$(SITE_URL_ENV) $(BIN)/celery -A config worker --loglevel=INFO --concurrency=2

beat: install
	$(BIN)/celery -A config beat --loglevel=INFO

services-check: install
	$(TEST_ENV) $(BIN)/python scripts/check_services.py

# Programs from Debian packages: Chromium for the browser tests, wrk for the page benchmark.
browser-check:
	@bash scripts/ensure_debian_package.sh $${CHROMIUM_PATH:-/usr/bin/chromium} chromium "make test"

bench-tools:
	@bash scripts/ensure_debian_package.sh wrk wrk "make bench"

# axe-core, for the accessibility checks of the browser tests (test-only; the app serves no npm code).
node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

axe: node_modules/axe-core/axe.min.js

test: install services-check browser-check axe
	$(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(TEST_ENV) $(BIN)/pytest

# Every benchmark in bench/ (on throw-away databases of the test PostgreSQL): one table of figures, budgets and
# verdicts; the full JSON in bench/results/latest.json. BENCH_LOAD_SECONDS shortens the mixed-load run.
bench: install services-check bench-tools
	$(TEST_ENV) $(BIN)/python bench/run_all.py

# Translations: every marked string of Python and templates into locale/ (English is the source language).
messages: install
	$(BIN)/python manage.py makemessages -l en --ignore=.venv --ignore=node_modules --ignore=staticfiles \
		--ignore=test-artifacts --ignore=bench
	$(BIN)/python manage.py compilemessages --ignore=.venv

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/djlint templates --lint

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .hypothesis test-artifacts
