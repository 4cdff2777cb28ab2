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

.PHONY: setup run test lint format realdata folder
comma := ,
setup: $(BIN)/snakemake

# CONFIGFILE=my.yaml merges a config file over config.yaml, its YAML checked first: Snakemake's
# own message for an error in a --configfile names neither the file nor the line.
CONFIGFILE ?=
run: setup
	$(if $(CONFIGFILE),$(BIN)/python -m poseembed.config $(CONFIGFILE))
	$(BIN)/snakemake --cores $(CORES) --profile workflow/profiles/default \
		$(if $(CONFIGFILE),--configfile $(CONFIGFILE))

# WEIGHTS=<file> adds a network another run trained as the baseline "saved" (WEIGHTS=default:
# the default run's full model); it is counted and judged beside the model trained here.
# CYCLES=<csv> (QUVA's form) judges the counts. Paths are quoted for YAML; make splits a path
# with spaces, which is refused.
# TRAIN=no trains nothing: the saved network is compared with the baselines (WEIGHTS needed).
WEIGHTS ?=
CYCLES ?=
TRAIN ?= yes
UNTRAINED = $(filter no,$(TRAIN))
WEIGHTS_FILE = $(abspath $(if $(filter default,$(WEIGHTS)),results/train/full/refined.pt,$(WEIGHTS)))
SAVED = $(if $(WEIGHTS),'baselines={saved_weights: "$(WEIGHTS_FILE)"}' \
	'figures={counting_models: [$(if $(UNTRAINED),,full$(comma) )saved$(comma) hog$(comma) pixels]}')
CYCLES_KEY = $(if $(CYCLES),$(comma) cycles: "$(abspath $(CYCLES))")
one_path = $(if $(word 2,$(1) $(2) $(3)),$(error paths with spaces are not supported: $(1) $(2) $(3)))
# $(call in_folder,<run dir>,<config file>,<dataset root>): the workflow on a folder dataset, in
# its own working directory.
define in_folder
	$(call one_path,$(3))$(call one_path,$(WEIGHTS))$(call one_path,$(CYCLES))
	$(if $(and $(UNTRAINED),$(if $(WEIGHTS),,x)),$(error TRAIN=no needs WEIGHTS=<file> or WEIGHTS=default))
	mkdir -p $(1)
	$(if $(UNTRAINED),$(BIN)/python -m poseembed.config --without-experiments $(2) $(1)/config.yaml,cp $(2) $(1)/config.yaml)
	$(BIN)/snakemake --cores $(CORES) --snakefile $(abspath Snakefile) --directory $(1) \
		--config 'dataset={root: "$(abspath $(3))"$(CYCLES_KEY)}' $(SAVED)
endef

# Training, repetition mining and counting on the real sample clips, in results/realdata/:
# the counts judged against the QUVA clips' annotated cycles (results/tables/counting.md).
REALDATA ?= ../shared/realdata
realdata: setup
	$(call in_folder,results/realdata,workflow/configs/realdata_videos.yaml,$(REALDATA))

# Any folder of videos or frame folders, with one level of category folders or none:
# make folder FOLDER=<path> [WEIGHTS=<file>|default [TRAIN=no]] [CYCLES=<cycles.csv>].
FOLDER ?=
folder: setup
	@test -n "$(FOLDER)" || { echo "make folder: give FOLDER=<a folder of videos>"; exit 2; }
	$(call in_folder,results/folder/$(notdir $(abspath $(FOLDER))),workflow/configs/folder.yaml,$(FOLDER))

# A one-node SLURM cluster on this machine (as root; installs slurm-wlm and munge when absent)
# runs a few chained rules through workflow/profiles/slurm, then locally, and compares them.
.PHONY: slurm-check
slurm-check: setup
	workflow/profiles/slurm/check.sh

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
