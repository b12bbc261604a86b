# Two commands for a fresh Debian machine (both idempotent):
#   make run    set everything up and open LMR Studio on the bundled sample
#   make test   set everything up and run the test suite (GUI tests under Xvfb)
VENV   ?= .venv
PYTHON ?= python3
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: setup system run test test-all bench clean

system:
	./scripts/install-system-deps.sh

$(STAMP): pyproject.toml
	$(MAKE) system
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/lmr-studio assets/sample/sample.mp4

test: setup
	$(BIN)/python -m pytest --xvfb-backend xvfb

test-all: setup
	$(BIN)/python -m pytest --xvfb-backend xvfb -m ''

bench: setup
	$(BIN)/lmr-studio bench --json

clean:
	rm -rf $(VENV) .pytest_cache
