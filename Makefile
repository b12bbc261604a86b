# Two commands for a fresh Debian machine (both idempotent):
#   make run    set everything up and open LMR Studio on the bundled sample
#   make test   set everything up, run the test suite (GUI tests under Xvfb), then install the
#               built wheel into a fresh venv and run it from outside the checkout
VENV   ?= .venv
PYTHON ?= python3
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: setup system run test test-all bench clean

system:
	./scripts/install-system-deps.sh

$(STAMP): pyproject.toml tools/gltf-validator/package-lock.json
	$(MAKE) system
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e '.[test]'
	npm ci --prefix tools/gltf-validator --no-audit --no-fund --loglevel=error
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/lmr-studio assets/sample/sample.mp4

test: setup
	$(BIN)/python -m pytest --xvfb-backend xvfb || { echo "pytest failed; the last test it started:" \
	    "$$(cat .pytest_cache/v/lmr_studio/last_started)"; exit 1; }
	./scripts/check-wheel.sh $(BIN)/python

test-all: setup
	$(BIN)/python -m pytest --xvfb-backend xvfb -m '' -o faulthandler_timeout=3700

bench: setup
	$(BIN)/lmr-studio bench --json

clean:
	rm -rf $(VENV) .pytest_cache
