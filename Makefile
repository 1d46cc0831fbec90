# tf1_ae: `make <section>` and `make test` set up .venv themselves the first time.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed
PY := $(VENV)/bin/python
RUN := $(PY) -m tf1_ae run
SECTION ?= layerwise_singlegraph
ARGS ?=

# The section names, read from the table of sections (standard library only: no .venv needed yet).
SECTIONS := $(filter-out reconstructions,$(shell $(PYTHON) -m app.sections))

.PHONY: help setup test all report bench list data $(SECTIONS) reconstructions tensorboard clean

help:
	@echo "make setup            create .venv and install tf1_ae with its test tools (automatic)"
	@echo "make test             run the test suite (a few minutes on 2 cores, after set-up)"
	@echo "make <section>        train / draw one section: $(SECTIONS) reconstructions"
	@echo "make reconstructions SECTION=stacked_tied   draw a trained section's reconstructions"
	@echo "make all              every section in dependency order, skipping finished ones"
	@echo "make report           report/index.html: every section's numbers and figures beside the book's"
	@echo "make bench            training throughput side by side: bare steps and the sections' loops, against the GEMM peak"
	@echo "make list             sections with their book sections"
	@echo "make data             download full MNIST into the Keras cache (needs a network)"
	@echo "make tensorboard      serve checkpoints/ on http://localhost:6006"
	@echo "ARGS='--data mnist5k --epochs 2' passes options to a section (see: $(PY) -m tf1_ae run --help)"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --upgrade pip
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

# Every section is a target of its own (`make stacked_tied`), from the table in app/sections.py; ARGS passes
# options (see run --help).
$(SECTIONS): %: $(STAMP)
	$(RUN) $@ $(ARGS)

reconstructions: $(STAMP)
	$(RUN) reconstructions --source $(SECTION) $(ARGS)

all: $(STAMP)
	$(PY) -m tf1_ae all $(ARGS)

report: $(STAMP)
	$(PY) -m tf1_ae report $(ARGS)

bench: $(STAMP)
	$(PY) -m tf1_ae bench $(ARGS)

list: $(STAMP)
	$(PY) -m tf1_ae list

data: $(STAMP)
	$(PY) -m tf1_ae data download

# The report's browser test needs Debian's Chromium and its driver; installed here, never by hand.
BROWSER := /usr/bin/chromium /usr/bin/chromedriver
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
$(BROWSER):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium chromium-driver >/dev/null

test: $(STAMP) $(BROWSER)
	$(PY) -m pytest -q


tensorboard: $(STAMP)
	$(VENV)/bin/tensorboard --logdir checkpoints

clean:
	rm -rf checkpoints/* figures/* .pytest_cache
	touch checkpoints/.gitkeep figures/.gitkeep
