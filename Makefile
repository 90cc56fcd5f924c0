# tgmon's two everyday commands: `make run` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.tgmon-installed

.PHONY: setup run demo test lint bench

$(STAMP): pyproject.toml requirements.lock requirements-dev.lock
	$(PYTHON) -c 'import sys; sys.exit("tgmon needs Python >= 3.11") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)

config/tgmon.toml:
	cp config/tgmon.example.toml config/tgmon.toml
	@echo "created config/tgmon.toml from the example: edit its channels and keywords"

run: setup config/tgmon.toml
	$(VENV)/bin/tgmon run

demo: setup
	$(VENV)/bin/tgmon demo

test: setup
	$(PY) -m pytest

lint: setup
	$(VENV)/bin/ruff check bot tests bench
	$(VENV)/bin/mypy

bench: setup
	$(PY) bench/ingest.py
