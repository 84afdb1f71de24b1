# Two commands matter: `make up` (the console on its embedded default) and `make test` (the full suite).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
FRONTEND := engage/frontend

.PHONY: up test lint services frontend clean

up: $(VENV)/.base-installed frontend
	env -u DATABASE_URL -u REDIS_URL $(PY) manage.py up

test: $(VENV)/.dev-installed frontend services
	bash .ci/test

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

services:
	bash .ci/services

frontend: $(FRONTEND)/node_modules/.installed

$(FRONTEND)/node_modules/.installed: $(FRONTEND)/package.json $(FRONTEND)/package-lock.json
	cd $(FRONTEND) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 11) else "Engage needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip wheel

$(VENV)/.base-installed: requirements/base.txt $(VENV)/bin/python
	$(PIP) install --quiet --disable-pip-version-check -r requirements/base.txt
	touch $@

$(VENV)/.dev-installed: requirements/base.txt requirements/dev.txt $(VENV)/bin/python
	$(PIP) install --quiet --disable-pip-version-check -r requirements/dev.txt
	touch $(VENV)/.base-installed $@

clean:
	rm -rf $(VENV) $(FRONTEND)/node_modules var
