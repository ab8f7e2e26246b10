# One entry point for people and CI. `make demo` and `make test` are the README's two commands.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: setup test demo gold lint clean

setup: $(STAMP)

# torch is installed first and pinned: installing the package alone could resolve a CUDA build.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

test: setup
	$(PY) -m pytest -q

# Until the model exists the demo assembles claims from the seed article's gold annotations.
demo: setup
	$(VENV)/bin/ie-model assemble ../shared/examples/seed_article.jsonl --table

# Rebuild data/gold/{train,dev,test}.jsonl from the hand-written markup in data/gold/src/.
gold: setup
	$(VENV)/bin/ie-model data build-gold data/gold/src -o data/gold

lint: setup
	$(VENV)/bin/ruff check ie_model training tests

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
