# One entry point for people and CI. `make demo` and `make test` are the README's two commands.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

MODEL  := ie_model/default_model

.PHONY: setup test demo model gold lint clean

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

# The demo runs the default model on the seed article. Until a model exists it assembles the
# seed's claims from its gold annotations instead, and says so.
demo: setup
	@if [ -f $(MODEL)/config.json ]; then \
		$(VENV)/bin/ie-model demo --model $(MODEL); \
	else \
		echo "No model in $(MODEL) yet (make model trains it): claims assembled from the seed's gold annotations."; \
		$(VENV)/bin/ie-model assemble data/examples/seed_article.jsonl; \
	fi

# Retrain the shipped default model (ie_model/default_model) from configs/default.yaml.
model: setup gold
	$(VENV)/bin/ie-model train --config configs/default.yaml

# Rebuild data/gold/{train,dev,dev_writers,test}.jsonl from the hand-written markup in data/gold/src/, and
# data/gold/round13/{train,dev}.jsonl from the round kept out of the default recipe (README, Data).
gold: setup
	$(VENV)/bin/ie-model data build-gold data/gold/src -o data/gold
	$(VENV)/bin/ie-model data build-gold data/gold/src/round13 -o data/gold/round13
	find data/gold/round13 -name '*.jsonl' -empty -delete

lint: setup
	$(VENV)/bin/ruff check ie_model training tests

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
