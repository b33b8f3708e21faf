# Zwei Befehle genügen auf einem frischen Rechner: `make reports` und `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CONFIG ?= config/oberhausen.toml

BERLIN ?= ../shared/real/berlin-mss-2021
BERLIN_CONFIG ?= examples/berlin-mss-2021/berlin.toml

.PHONY: venv system-packages lab lab-args test reports pdf validate lint format sample-data bench conformance clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	if git rev-parse --git-dir >/dev/null 2>&1; then $(BIN)/python -m sozialraum.nbclean --install .; fi
	touch $(STAMP)

# JupyterLab on the notebooks, on this machine only (127.0.0.1), with the project's kernel; it
# neither opens nor downloads a browser and asks no server for news, updates or extensions;
# notebooks git tracks are saved without outputs (see lib/sozialraum/nbclean.py).
LAB_PORT ?= 8888
LAB_ARGS := --ServerApp.ip=127.0.0.1 --no-browser --LabApp.news_url=None \
  --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate \
  --LabApp.extension_manager=readonly \
  --ContentsManager.pre_save_hook=sozialraum.nbclean.pre_save_hook \
  --LabApp.app_settings_dir=$(CURDIR)/config/jupyterlab $(if $(filter 0,$(shell id -u)),--allow-root)
lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks --ServerApp.port=$(LAB_PORT) $(LAB_ARGS)

# The arguments of `make lab`, for tests/test_lab.py
lab-args:
	@echo $(LAB_ARGS)

# Chromium, poppler-utils and fonts: what the tests need beside Python (Debian).
system-packages:
	bash scripts/systempakete.sh

test: $(STAMP) system-packages
	$(BIN)/ruff check lib tests scripts benches
	$(BIN)/ruff format --check lib tests scripts benches
	$(BIN)/python -m pytest

validate: $(STAMP)
	$(BIN)/sozialraum validate --config $(CONFIG)

reports: $(STAMP)
	$(BIN)/sozialraum render --config $(CONFIG)

# Every report also as PDF (A4), printed by Debian's Chromium.
pdf: $(STAMP)
	$(BIN)/sozialraum render --config $(CONFIG) --pdf

# Berlin's MSS 2021 from its untouched published files: the published classes must come back.
conformance: $(STAMP)
	cd $(BERLIN) && sha256sum --quiet -c SHA256SUMS
	$(BIN)/sozialraum validate --config $(BERLIN_CONFIG)
	$(BIN)/sozialraum abgleich --config $(BERLIN_CONFIG)
	cd $(BERLIN) && sha256sum --quiet -c SHA256SUMS

lint: $(STAMP)
	$(BIN)/ruff check lib tests scripts benches

format: $(STAMP)
	$(BIN)/ruff format lib tests scripts benches
	$(BIN)/ruff check --fix lib tests scripts benches

sample-data: $(STAMP)
	$(BIN)/python scripts/make_sample_data.py

bench: $(STAMP)
	$(BIN)/python benches/run.py

clean:
	rm -rf $(VENV) reports/*/ .pytest_cache .ruff_cache
