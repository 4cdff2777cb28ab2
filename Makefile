# Two entry points: `make run` (set up, then run the default pipeline) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CORES ?= 2

$(BIN)/snakemake: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

.PHONY: setup run test lint format realdata
setup: $(BIN)/snakemake

run: setup
	$(BIN)/snakemake --cores $(CORES) --profile workflow/profiles/default

# The chain up to repetition mining on the real sample clips, in results/realdata/.
REALDATA ?= ../shared/realdata
REALDATA_RUN := results/realdata
realdata: setup
	mkdir -p $(REALDATA_RUN)
	cp workflow/configs/realdata_videos.yaml $(REALDATA_RUN)/config.yaml
	$(BIN)/snakemake --cores $(CORES) --snakefile $(abspath Snakefile) \
		--directory $(REALDATA_RUN) --config 'dataset={root: $(abspath $(REALDATA))}' -- \
		results/figures/repetitions/full/videos/pool_cleaning.png \
		results/figures/repetitions/full/videos/eye_makeup.png

test: lint
	$(BIN)/pytest -q

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/snakefmt --check Snakefile workflow/rules
	$(BIN)/snakemake --lint

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/snakefmt Snakefile workflow/rules
