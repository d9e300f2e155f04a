# make help lists the targets. Everything runs inside .venv (Python 3.10).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
# `rasa`, with the named warning filters of bot/warning_filters.py
RASA := $(PY) -m bot.rasa_plugins.cli
INSTALLED := $(VENV)/.installed
MODEL_STAMP := models/.trained
# Test-only: axe-core for the widget's accessibility audit (tests/a11y/, never served by the product)
AXE := tests/a11y/node_modules/axe-core/axe.min.js
LANGID := ../shared/benchmarks/langid
TRAINING_INPUTS := config.yml domain.yml $(shell find data/nlu data/rules.yml bot/nlu -name '*.yml' -o -name '*.py' 2>/dev/null)
export PYTHONPATH := $(CURDIR)
export RASA_TELEMETRY_ENABLED := false

.PHONY: help install train run test test-fast eval bench bench-nlu bench-kb shell widget-size lint validate clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(INSTALLED): requirements.txt constraints.txt scripts/find-python.sh
	@python=$$(scripts/find-python.sh) || exit 1; \
	if [ ! -x $(PY) ]; then echo "Creating $(VENV) with $$python"; "$$python" -m venv $(VENV) || exit 1; fi
	@echo "Installing the pinned dependencies into $(VENV) (about 2 minutes the first time)..."
	@# -qq: errors only. At -q pip repeats a warning per package for every
	@# configured package index that is not there (some 250 lines on CI).
	$(PY) -m pip install -qq --upgrade "pip==24.0"
	$(PY) -m pip install -qq -r requirements.txt -c constraints.txt
	@touch $@

$(AXE): tests/a11y/package.json tests/a11y/package-lock.json
	@echo "Installing the pinned axe-core for the browser tests (npm ci in tests/a11y)..."
	npm ci --prefix tests/a11y --no-audit --no-fund --ignore-scripts --loglevel=error
	@touch $@

install: $(INSTALLED) $(AXE) ## Create .venv and install the pinned dependencies, Python's and the tests' axe-core (skipped when up to date)

$(MODEL_STAMP): $(INSTALLED) $(TRAINING_INPUTS)
	@mkdir -p models
	@echo "Training the model (data, domain, config or components changed)..."
	@# --force: Rasa's training cache keys on a component's class source only,
	@# not on the helpers it calls, so a stale cached step could be reused.
	@# The sentence encoder embeds the training examples on every core.
	@# --skip-validation: `make validate` and the test suite check the data
	@# (it would add 40 s to every training).
	OMP_NUM_THREADS=$$(nproc) $(RASA) train --force --skip-validation --config config.yml --domain domain.yml --data data/nlu data/rules.yml --out models --fixed-model-name helpdesk
	@touch $@

train: $(MODEL_STAMP) ## Train the model if it is missing or stale

run: $(MODEL_STAMP) ## Start Rasa, the action server and the web server on SQLite (Ctrl-C stops all)
	$(PY) -m bot.run

shell: $(MODEL_STAMP) ## Chat in the terminal (starts the action server too)
	$(PY) -m bot.run --shell

test: $(MODEL_STAMP) $(AXE) ## Run the whole test suite
	$(PY) -m pytest

test-fast: $(INSTALLED) ## The unit tests: no servers, trained model, browser, PostgreSQL or Redis (under 2 minutes)
	$(PY) -m pytest -q -m "not slow and not browser and not postgres and not redis"

eval: $(MODEL_STAMP) ## Quality figures on the dev and test sets and the benchmarks (writes reports/)
	$(PY) -m bot.evaluate tests/eval/dev.yml --json reports/dev.json
	$(PY) -m bot.evaluate tests/eval/test.yml --invariance --json reports/test.json
	$(PY) -m bot.evaluate tests/eval/kb_questions.yml --json reports/kb_questions.json
	@# A second business's help centre, imported as a customer would (tests/eval/sample_kb/).
	$(PY) -m bot.kb import zendesk tests/eval/sample_kb/zendesk-articles.json --into var/sample-kb
	$(PY) -m bot.evaluate tests/eval/sample_kb_questions.yml --kb var/sample-kb --json reports/sample_kb_questions.json
	@# The language-identification benchmark lives beside the project, not in it.
	@if [ -d $(LANGID) ]; then \
	  for set in single-words word-pairs sentences; do \
	    $(PY) -m bot.evaluate $(LANGID)/$$set.yml --json reports/langid-$$set.json || exit 1; \
	  done; \
	else echo "Skipping the language-identification benchmark: $(LANGID) is not here."; fi
	$(PY) -m bot.figures

bench: $(MODEL_STAMP) ## Load benchmark: this stack vs a stock Rasa assistant (a benchmark, not a test)
	@# Back to back (throughput, 1/10/50 conversations), then customers who pause ~3 s as people do (latency).
	$(PY) -m bot.benchmarks.load --json reports/bench.json
	$(PY) -m bot.benchmarks.load --concurrency 10 --think 3 --skip-startup --json reports/bench-think.json

bench-nlu: $(MODEL_STAMP) ## Time training from scratch and message parsing (a benchmark, not a test)
	$(PY) -m bot.benchmarks.nlu --json reports/bench-nlu.json

bench-kb: $(INSTALLED) ## Knowledge-base index build and query times for 100 to 10,000 articles
	$(PY) -m bot.benchmarks.kb_scale --json reports/bench-kb.json

widget-size: $(INSTALLED) ## Raw and gzipped bytes of what a host page loads first for the widget (fails over 30 KB gzipped)
	$(PY) -m bot.web.widget_size

lint: $(INSTALLED) ## ruff format --check, ruff's rules (ruff.toml) and mypy (mypy.ini); also .pre-commit-config.yaml
	$(VENV)/bin/ruff format --check bot actions tests
	$(VENV)/bin/ruff check bot actions tests
	$(VENV)/bin/mypy

validate: $(INSTALLED) ## rasa data validate
	$(RASA) data validate --domain domain.yml --data data/nlu data/rules.yml --config config.yml

clean: ## Remove trained models and local databases (keeps .venv)
	rm -rf models/*.tar.gz $(MODEL_STAMP) var/ reports/
