# helpende-data — the two commands of the README are `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
RELEASES ?= releases

.PHONY: demo test lint install install-test browser spectral bench bench-registrations registraties clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	# ogctests pins old pyarrow/httpx/pytest; its real needs are already installed above
	$(BIN)/python -m pip install --quiet --no-deps "ogctests==0.1.15"

## Build the default release (IJsselland, bundled data) and serve API + maps on $(HOST):$(PORT).
## REGISTRATIES=1: build it from SYNTHETIC registrations (records) instead of the counts file.
demo: install
	if [ -n "$(REGISTRATIES)" ]; then \
	  $(BIN)/python -m insights.registrations --out build/registraties_synthetisch.parquet --region IJsselland && \
	  $(BIN)/helpende-data build --registraties build/registraties_synthetisch.parquet --releases $(RELEASES); \
	else $(BIN)/helpende-data build --releases $(RELEASES); fi
	$(BIN)/helpende-data serve --releases $(RELEASES) --host $(HOST) --port $(PORT) --demo-keys

## Debian's Chromium for the browser tests (Playwright never downloads a browser here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

## Spectral CLI (npm) for the NL GOV API Design Rules lint, installed into build/node.
spectral:
	@[ -x build/node/node_modules/.bin/spectral ] || \
	  npm install --silent --no-audit --no-fund --prefix build/node @stoplight/spectral-cli

## Lint, types and the layering contract (geo <- insights <- {api, dashboards} <- helpende_data).
lint: install-test
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

## Install everything the tests need, then lint and run the whole suite.
test: install-test browser spectral lint
	$(BIN)/python -m pytest

## Benchmarks (not run by CI): see bench/README.md.
bench: install-test
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	$(BIN)/python bench/bench_build.py

## SYNTHETIC registrations of IJsselland drawn from the bundled synthetic counts (insights/registrations/synthetic.py).
registraties: install
	$(BIN)/python -m insights.registrations --out build/registraties_synthetisch.parquet --region IJsselland

## Registrations benchmark: 10,000,000 records → wijk × year counts, ours vs geopandas, DuckDB spatial, SedonaDB.
bench-registrations: install-test
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	$(BIN)/python bench/bench_registrations.py

clean:
	rm -rf $(VENV) build $(RELEASES) .pytest_cache
