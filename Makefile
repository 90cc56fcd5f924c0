# tgmon's two everyday commands: `make run` and `make test`. Both set up .venv first:
# `make run` with the runtime dependencies only (requirements.lock), `make test` adds the
# test tools (requirements-dev.lock).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install --quiet --disable-pip-version-check
RUNTIME := $(VENV)/.tgmon-runtime
STAMP := $(VENV)/.tgmon-installed

.PHONY: setup run demo test lint bench

$(RUNTIME): pyproject.toml requirements.lock
	$(PYTHON) -c 'import sys; sys.exit("tgmon needs Python >= 3.11") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(PIP) -r requirements.lock
	$(PIP) --no-deps -e .
	touch $(RUNTIME)

$(STAMP): $(RUNTIME) requirements-dev.lock
	$(PIP) -r requirements-dev.lock
	touch $(STAMP)

setup: $(STAMP)

config/tgmon.toml:
	cp config/tgmon.example.toml config/tgmon.toml
	@echo "created config/tgmon.toml from the example: edit its channels and keywords"

run: $(RUNTIME) config/tgmon.toml
	$(VENV)/bin/tgmon run

demo: $(RUNTIME)
	$(VENV)/bin/tgmon demo

test: setup
	$(PY) -m pytest

lint: setup
	$(VENV)/bin/ruff check bot tests bench
	$(VENV)/bin/mypy

bench: setup
	$(PY) bench/ingest.py
