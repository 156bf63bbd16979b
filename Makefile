# cafcass_qa: `make run` to try it, `make test` to test it. Both set themselves up.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test lint format install assets services browser migrate demo bench loadtest clean worker

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	@# WeasyPrint (the board pack PDF) needs pango from Debian.
	@ldconfig -p | grep -q libpangoft2-1.0 || { echo "Installing pango for WeasyPrint"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 >/dev/null; }
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/vendor/.installed: node_modules/.installed scripts/vendor_assets.py
	$(PY) scripts/vendor_assets.py
	touch $@

install: $(VENV)/.installed
assets: $(VENV)/.installed static/vendor/.installed

# Local: SQLite file, tasks in-process, no services needed.
run: install assets
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo "Serving on http://127.0.0.1:8000/ (Ctrl-C to stop)"
	$(PY) manage.py runserver 127.0.0.1:8000

# Debian chromium for the browser tests: installed when missing (never a downloaded browser).
browser:
	@command -v chromium >/dev/null || { echo "Installing Debian chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@command -v chromium >/dev/null || { echo "chromium is still missing: browser tests cannot run"; exit 1; }

# Start PostgreSQL and Redis when they are not answering (the machines here run them locally).
services:
	@bash .ci/services

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	DJANGO_SETTINGS_MODULE=cafcass_qa.settings.test DATABASE_URL=sqlite://:memory: $(PY) manage.py makemigrations --check --dry-run
	$(PY) scripts/audit_dependencies.py   # pip-audit and npm audit --omit=dev: fails on a known vulnerability

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: install assets browser services lint
	$(VENV)/bin/pytest $(PYTEST_ARGS)

bench: install assets services
	DJANGO_SETTINGS_MODULE=cafcass_qa.settings.test $(PY) -m benchmarks $(BENCH_ARGS)

# Locust against gunicorn on a free loopback port, on the data `make bench` seeded (bounded: steps of users, seconds each).
loadtest: install services
	DJANGO_SETTINGS_MODULE=cafcass_qa.settings.test $(PY) -m benchmarks.loadtest $(LOADTEST_ARGS)

worker: install
	$(VENV)/bin/celery -A cafcass_qa worker --beat --loglevel=info

clean:
	rm -rf $(VENV) node_modules static/vendor staticfiles db.sqlite3 .pytest_cache .ruff_cache
