# Mountain Atlas: the README's two commands are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8501

.PHONY: setup system-deps run test test-fast data bench load soak serve-replicas clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

setup: $(STAMP)

# Debian packages the tests and snapshots need (Chromium for browser tests, a CJK font).
system-deps:
	@bash scripts/system-deps.sh

run: setup
	$(BIN)/streamlit run serve.py --server.port $(PORT)

# two pytest-xdist workers, longest tests first (tests/conftest.py)
XDIST  := -n 2 --dist load --maxschedchunk 1

test: setup system-deps
	$(BIN)/python -m pytest $(XDIST)

test-fast: setup
	$(BIN)/python -m pytest $(XDIST) -m "not browser and not build"

data: setup
	$(BIN)/python -m geo.build

bench: setup system-deps
	$(BIN)/python -m bench.run

load: setup system-deps
	$(BIN)/python -m bench.load

# 30 minutes of 5 browser sessions cycling every page (bench/soak.py); not part of `make test`
soak: setup system-deps
	$(BIN)/python -m bench.soak

serve-replicas: setup
	bash deploy/serve-replicas.sh

clean:
	rm -rf $(VENV) .cache
