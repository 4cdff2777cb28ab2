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

# CONFIGFILE=my.yaml merges a config file over config.yaml, its YAML checked first: Snakemake's
# own message for an error in a --configfile names neither the file nor the line.
CONFIGFILE ?=
run: setup
	$(if $(CONFIGFILE),$(BIN)/python -m poseembed.config $(CONFIGFILE))
	$(BIN)/snakemake --cores $(CORES) --profile workflow/profiles/default \
		$(if $(CONFIGFILE),--configfile $(CONFIGFILE))

# Training, repetition mining and counting on the real sample clips, in results/realdata/:
# the counts judged against the QUVA clips' annotated cycles (results/tables/counting.md).
REALDATA ?= ../shared/realdata
REALDATA_RUN := results/realdata
realdata: setup
	mkdir -p $(REALDATA_RUN)
	cp workflow/configs/realdata_videos.yaml $(REALDATA_RUN)/config.yaml
	$(BIN)/snakemake --cores $(CORES) --snakefile $(abspath Snakefile) \
		--directory $(REALDATA_RUN) --config 'dataset={root: $(abspath $(REALDATA))}'

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
