# tf1_ae: `make <section>` and `make test` set up .venv themselves the first time.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed
PY := $(VENV)/bin/python
RUN := $(PY) -m tf1_ae run
SECTION ?= stacked_all
ARGS ?=

SECTIONS := pca stacked_all stacked_tied layerwise_multigraph layerwise_singlegraph layerwise_stopgrad layerwise_cached features pretraining pretraining_sweep denoising_gaussian denoising_dropout kl_plot sparse contractive wta conv adversarial gsn vae_sigma vae_logvar vae_generate vae_encode_decode vae_interpolate vae_compare

.PHONY: help setup test all report bench list data $(SECTIONS) reconstructions tensorboard clean

help:
	@echo "make setup            create .venv and install tf1_ae with its test tools (automatic)"
	@echo "make test             run the test suite (about 1.5 minutes on 2 cores, after set-up)"
	@echo "make <section>        train / draw one section: $(SECTIONS) reconstructions"
	@echo "make reconstructions SECTION=stacked_tied   draw a trained section's reconstructions"
	@echo "make all              every section in dependency order, skipping finished ones"
	@echo "make report           report/index.html: every section's numbers and figures beside the book's"
	@echo "make bench            training throughput side by side: cached vs uncached phase 2, tied vs untied, loops vs the roofline"
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

# One target per section, named as in `python -m tf1_ae list`; ARGS passes options (see run --help).
pca: $(STAMP)
	$(RUN) $@ $(ARGS)

stacked_all: $(STAMP)
	$(RUN) $@ $(ARGS)

stacked_tied: $(STAMP)
	$(RUN) $@ $(ARGS)

layerwise_multigraph: $(STAMP)
	$(RUN) $@ $(ARGS)

layerwise_singlegraph: $(STAMP)
	$(RUN) $@ $(ARGS)

layerwise_stopgrad: $(STAMP)
	$(RUN) $@ $(ARGS)

layerwise_cached: $(STAMP)
	$(RUN) $@ $(ARGS)

features: $(STAMP)
	$(RUN) $@ $(ARGS)

pretraining: $(STAMP)
	$(RUN) $@ $(ARGS)

pretraining_sweep: $(STAMP)
	$(RUN) $@ $(ARGS)

denoising_gaussian: $(STAMP)
	$(RUN) $@ $(ARGS)

denoising_dropout: $(STAMP)
	$(RUN) $@ $(ARGS)

kl_plot: $(STAMP)
	$(RUN) $@ $(ARGS)

sparse: $(STAMP)
	$(RUN) $@ $(ARGS)

contractive: $(STAMP)
	$(RUN) $@ $(ARGS)

wta: $(STAMP)
	$(RUN) $@ $(ARGS)

conv: $(STAMP)
	$(RUN) $@ $(ARGS)

adversarial: $(STAMP)
	$(RUN) $@ $(ARGS)

gsn: $(STAMP)
	$(RUN) $@ $(ARGS)

vae_sigma: $(STAMP)
	$(RUN) $@ $(ARGS)

vae_logvar: $(STAMP)
	$(RUN) $@ $(ARGS)

vae_generate: $(STAMP)
	$(RUN) $@ $(ARGS)

vae_encode_decode: $(STAMP)
	$(RUN) $@ $(ARGS)

vae_interpolate: $(STAMP)
	$(RUN) $@ $(ARGS)

vae_compare: $(STAMP)
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
