"""Snakemake glue: the configuration checked, the run plan built from it (``poseembed.plan``,
where the videos, experiments, models, baselines and targets are decided), the wildcard
constraints, and the input and params functions the rules share."""

import re
from pathlib import Path

from snakemake.logging import logger
from snakemake.utils import validate

from poseembed.config import check_config, coerce_strings, load_schema
from poseembed.device import wants_gpu as gpu
from poseembed.experiments import parallel_keys
from poseembed.plan import build_plan

SCHEMA_PATH = Path(workflow.basedir) / "workflow/schemas/config.schema.yaml"
SCHEMA = load_schema(SCHEMA_PATH)
# Snakemake's --config hands nested values over as text: read them as the schema wants.
config.update(coerce_strings(config, SCHEMA))
check_config(config, SCHEMA_PATH)
validate(config, "../schemas/config.schema.yaml", set_default=True)
PLAN = build_plan(config, SCHEMA)
for warning in PLAN.warnings:
    logger.warning(warning)

STAGES = PLAN.stages
CROPS = PLAN.per_video("results/crops/{category}/{video}.npy")
FRAMES = PLAN.per_video("results/frames/{category}/{video}.npz")
FLOWS = PLAN.per_video("results/flow/{category}/{video}.npz")
LABEL_FREE_MASKS = PLAN.per_video("results/masks/label_free/{category}/{video}.npy")
SEEN_MASKS = PLAN.per_video("results/masks/seen/{category}/{video}.npy")
MOTION_MASKS = PLAN.per_video("results/masks/motion/{category}/{video}.npy")
FLOW_MASKS = PLAN.per_video("results/masks/flow/{category}/{video}.npy")
GROUNDTRUTH_MASKS = PLAN.per_video("results/masks/groundtruth/{category}/{video}.npy")
CROP_GEOMETRY = {k: config["crops"][k] for k in ("size", "margin", "context")}


def _alternatives(names):
    """A wildcard constraint that matches exactly ``names`` (nothing when there are none)."""
    return "|".join(re.escape(n) for n in names) if names else "(?!)"


# exp: an experiment whose curriculum stages are trained; model: anything embedded and
# evaluated (a model or a baseline); rules that take only some models narrow it.
wildcard_constraints:
    category="[^/]+",
    video="[^/]+",
    exp=_alternatives(PLAN.trained),
    model=_alternatives([*PLAN.models, *PLAN.baselines]),
    stage="[0-9]+",


MINED_MODELS = _alternatives(PLAN.mined)


def _experiment(wildcards):
    """The effective sections of the experiment (or model) of a job's wildcards."""
    return PLAN.experiments[getattr(wildcards, "exp", None) or wildcards.model]


def experiment_gpu(section):
    """``gpu`` on the device of the experiment (or model) of a job's wildcards."""
    return lambda w: gpu(_experiment(w)[section]["device"])


# How a training job runs (``experiments.PARALLEL_KEYS``) travels as resources, not params:
# a changed param would train the stage again, and these keys do not change what it learns.
def training_resources(key):
    return lambda w: parallel_keys(_experiment(w))[key]


def training_gpus(wildcards):
    """GPUs of a training job: one per process on CUDA."""
    training = _experiment(wildcards)["training"]
    return gpu(training["device"]) * training["processes"]


def training_threads(wildcards):
    """CPU threads of a training job: ``training.threads`` for each of its processes."""
    training = _experiment(wildcards)["training"]
    return training["threads"] * training["processes"]


def video_source(wildcards):
    return str(PLAN.videos[(wildcards.category, wildcards.video)])


def boxes_source(wildcards):
    return PLAN.boxes_file(wildcards.category, wildcards.video)


def synthetic_outputs(pattern):
    n = config["synthetic"]["videos_per_category"]
    return [pattern.format(i=i, cat="{category}") for i in range(n)]


def flow_device():
    """Where the flow runs: OpenCV's backends run on the CPU."""
    flow = config["flow"]
    torch_backend = flow["backend"] in ("auto", "torch_tvl1", "raft")
    return flow["device"] if torch_backend else "cpu"


def previous_stage(wildcards):
    return PLAN.previous_stage(wildcards.exp, int(wildcards.stage))


def supervised_params():
    t = config["training"]
    return {
        **config["supervised"],
        "trunk": config["model"]["trunk"],
        "input_size": config["crops"]["size"],
        **{k: t[k] for k in ("weight_decay", "seed", "device", "amp")},
    }


def random_network_params():
    """The base config's network, initialised with the base training seed."""
    return {**config["model"], "seed": config["training"]["seed"]}


def retrieval_params():
    """The retrieval protocol's settings (the choice of people is the crops' business)."""
    retrieval = config["evaluation"]["retrieval"]
    return {k: v for k, v in retrieval.items() if k != "max_people"}
