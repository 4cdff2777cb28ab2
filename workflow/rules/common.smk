"""Validation of the configuration, the list of videos, and helpers shared by the rules."""

import re
import shutil
from pathlib import Path

from snakemake.logging import logger
from snakemake.utils import validate

from poseembed.baselines import BASELINE_FEATURES, IMAGENET_ALEXNET
from poseembed.config import check_config, load_schema
from poseembed.datasets import OLYMPIC_SPORTS, synthetic_videos, video_sources
from poseembed.experiments import (
    canonical_experiments,
    experiment_rows,
    final_stage,
    groundtruth_experiments,
    model_signature,
    resolve_experiments,
    training_signature,
)

SCHEMA_PATH = Path(workflow.basedir) / "workflow/schemas/config.schema.yaml"
check_config(config, SCHEMA_PATH)
validate(config, "../schemas/config.schema.yaml", set_default=True)

SYNTHETIC = config["dataset"]["kind"] == "synthetic"
DATA_ROOT = Path("results/synthetic" if SYNTHETIC else config["dataset"]["root"])


def _video_table():
    ds = config["dataset"]
    if SYNTHETIC:
        cats = ds["categories"] or list(OLYMPIC_SPORTS)
        unknown = sorted(set(cats) - set(OLYMPIC_SPORTS))
        if unknown:
            raise ValueError(
                f"config dataset.categories: {unknown} have no synthetic motion program; "
                f"choose among {list(OLYMPIC_SPORTS)}"
            )
        pairs = synthetic_videos(cats, config["synthetic"]["videos_per_category"])
        return {
            (c, v): DATA_ROOT / ds["videos"] / c / f"{v}.mp4"
            for c, v in pairs
            if v not in ds["exclude"]
        }
    table = video_sources(DATA_ROOT / ds["videos"], ds["exclude"], ds["categories"])
    if not table:
        raise ValueError(
            f"config dataset.root/videos: no videos under {DATA_ROOT / ds['videos']}; "
            "expected <category>/<video>.<ext> or <category>/<video>/<frames>"
        )
    return table


VIDEOS = _video_table()
CATEGORIES = sorted({c for c, _ in VIDEOS})


if not SYNTHETIC:
    for name in groundtruth_experiments(config):
        logger.warning(
            f"experiments.{name} is left out: its training.background groundtruth needs "
            "the synthetic generator's masks"
        )
        del config["experiments"][name]
EXPERIMENTS = resolve_experiments(config, load_schema(SCHEMA_PATH))
SIGNATURES = {name: training_signature(e) for name, e in EXPERIMENTS.items()}
# Experiments that train alike share their curriculum stages, trained under the first name.
TRAINED_AS = canonical_experiments(SIGNATURES)
TRAINED = list(dict.fromkeys(TRAINED_AS.values()))
# Experiments whose stages and mining are alike are one model, embedded and evaluated once.
MODEL_SIGNATURES = {name: model_signature(e) for name, e in EXPERIMENTS.items()}
MODEL_AS = canonical_experiments(MODEL_SIGNATURES)
MODELS = list(dict.fromkeys(MODEL_AS.values()))
MINED = [m for m in MODELS if MODEL_SIGNATURES[m]["mining"] is not None]
STAGES = config["curriculum"]["stages"]
# Baselines: the untrained network, features that need no network, and an ImageNet AlexNet
# when its weights are given.
ALEXNET_WEIGHTS = config["baselines"]["imagenet_alexnet_weights"]
FEATURE_BASELINES = [
    *BASELINE_FEATURES,
    *([IMAGENET_ALEXNET] if ALEXNET_WEIGHTS else []),
]
# The supervised upper bound needs the generator's poses.
NETWORK_BASELINES = ["random", *(["supervised"] if SYNTHETIC else [])]
BASELINES = [*NETWORK_BASELINES, *FEATURE_BASELINES]


def _alternatives(names):
    """A wildcard constraint that matches exactly ``names`` (nothing when there are none)."""
    return "|".join(re.escape(n) for n in names) if names else "(?!)"


NETWORKS = _alternatives([*MODELS, *NETWORK_BASELINES])


wildcard_constraints:
    category="[A-Za-z0-9_\-]+",
    video="[^/]+",
    exp=_alternatives(TRAINED),
    model=_alternatives([*MODELS, *BASELINES]),
    baseline=_alternatives(FEATURE_BASELINES),
    mined=_alternatives(MINED),
    stage="[0-9]+",


def video_source(wildcards):
    return str(VIDEOS[(wildcards.category, wildcards.video)])


def boxes_source(wildcards):
    path = (
        DATA_ROOT
        / config["dataset"]["boxes"]
        / wildcards.category
        / f"{wildcards.video}.bb"
    )
    return str(path) if SYNTHETIC or path.exists() else []


def per_video(pattern):
    return [pattern.format(category=c, video=v) for c, v in sorted(VIDEOS)]


def all_targets():
    targets = per_video("results/crops/{category}/{video}.npy")
    targets += [f"results/figures/flow/{v}.png" for v in flow_figure_videos()]
    targets.append("results/curriculum/samples.parquet")
    targets.append("results/figures/curriculum_histogram.png")
    targets += [f"results/figures/training/{m}.png" for m in MODELS]
    targets += [f"results/embed/{m}/frames.h5" for m in [*MODELS, *BASELINES]]
    targets += evaluation_files("posture") + evaluation_files("retrieval")
    targets += [f"results/mining/{m}/repetitions.parquet" for m in MINED]
    targets += [
        f"results/figures/repetitions/{m}/{v}.png"
        for m in MINED
        if m in config["experiments"]
        for v in repetition_figure_videos()
    ]
    if SYNTHETIC and MINED:
        targets.append("results/tables/repetitions.csv")
    if has_posture_labels() or HAS_STILLS:
        targets.append("results/tables/retrieval.csv")
    if HAS_STILLS:
        targets.append("results/figures/mpii_retrievals.png")
    if SYNTHETIC:
        targets.append("results/figures/synthetic_samples.png")
        targets.append("results/tables/embedding_diagnostics.csv")
        targets.append("results/tables/person_masks.csv")
        targets.append("results/tables/task_shortcuts.csv")
    return targets


_STILL_KEYS = ("stills", "still_size", "noise_sigma")


def synthetic_params(videos):
    """The generator's keys that the videos (or the stills) depend on, and no others."""
    syn = config["synthetic"]
    return {k: v for k, v in syn.items() if (k not in _STILL_KEYS) == videos}


def synthetic_outputs(pattern):
    n = config["synthetic"]["videos_per_category"]
    return [pattern.format(i=i, cat="{category}") for i in range(n)]


def contact_sheet_videos():
    n = config["figures"]["contact_sheet_videos"]
    return [
        (c, v) for c in CATEGORIES for v in sorted(v for k, v in VIDEOS if k == c)[:n]
    ]


def flow_params():
    return config["flow"]


def on_gpu(device):
    """1 when torch work on ``device`` will run on CUDA. Decided without importing torch here:
    an NVIDIA driver on the machine that builds the DAG stands for CUDA being there."""
    return int(
        device.startswith("cuda")
        or (device == "auto" and shutil.which("nvidia-smi") is not None)
    )


def flow_gpu():
    flow = config["flow"]
    return (
        on_gpu(flow["device"])
        if flow["backend"] in ("auto", "torch_tvl1", "raft")
        else 0
    )


def training_gpu(wildcards):
    return on_gpu(EXPERIMENTS[wildcards.exp]["training"]["device"])


def flow_figure_videos():
    """The configured 'category/video' ids, or the first video of each category."""
    chosen = config["figures"]["flow_videos"]
    if chosen is None:
        return [f"{c}/{min(v for k, v in VIDEOS if k == c)}" for c in CATEGORIES]
    unknown = [v for v in chosen if tuple(v.split("/", 1)) not in VIDEOS]
    if unknown:
        raise ValueError(
            f"config figures.flow_videos: {unknown} are not videos of the dataset"
        )
    return chosen


def last_stage(exp):
    return final_stage(EXPERIMENTS[exp]["training"], STAGES)


def training_params(wildcards):
    return SIGNATURES[wildcards.exp]


def previous_stage(wildcards):
    k = int(wildcards.stage)
    if k > last_stage(wildcards.exp):
        raise ValueError(
            f"experiment {wildcards.exp} has {last_stage(wildcards.exp)} stage(s), not {k}"
        )
    return [] if k == 1 else f"results/train/{wildcards.exp}/stage{k - 1}.pt"


def model_metrics(wildcards):
    """Metrics of a model's curriculum stages, then of its refinement when it mines."""
    exp = TRAINED_AS[wildcards.model]
    stages = [
        f"results/train/{exp}/stage{k}_metrics.csv"
        for k in range(1, last_stage(exp) + 1)
    ]
    if wildcards.model in MINED:
        stages.append(f"results/train/{wildcards.model}/refined_metrics.csv")
    return stages


def last_stage_weights(model):
    """The last curriculum stage of a model (the start of mining and refinement)."""
    exp = TRAINED_AS[model]
    return f"results/train/{exp}/stage{last_stage(exp)}.pt"


def curriculum_weights(wildcards):
    return last_stage_weights(getattr(wildcards, "mined", None) or wildcards.model)


def mining_embeddings(wildcards):
    """The frame embeddings a mined model's stages give, shared by the models on them."""
    return f"results/mining/{TRAINED_AS[wildcards.mined]}/frames.h5"


def final_weights(model):
    """The final weights of a model: refined when it mines, else its last curriculum stage;
    or a network baseline's."""
    if model in NETWORK_BASELINES:
        return f"results/baselines/{model}/weights.pt"
    if model in MINED:
        return f"results/train/{model}/refined.pt"
    return last_stage_weights(model)


def model_weights(wildcards):
    return final_weights(wildcards.model)


def refine_params(wildcards):
    return MODEL_SIGNATURES[wildcards.mined]


def mining_params(wildcards):
    """The miner's settings (min_gap resolved) and where it runs."""
    return {
        **MODEL_SIGNATURES[wildcards.mined]["mining"],
        "tile": EXPERIMENTS[wildcards.mined]["mining"]["tile"],
        "device": EXPERIMENTS[wildcards.mined]["mining"]["device"],
    }


def mining_gpu(wildcards):
    return on_gpu(EXPERIMENTS[wildcards.mined]["mining"]["device"])


def repetition_figure_videos():
    chosen = config["figures"]["repetition_videos"]
    if chosen is None:
        return [f"{c}/{min(v for k, v in VIDEOS if k == c)}" for c in CATEGORIES]
    unknown = [v for v in chosen if tuple(v.split("/", 1)) not in VIDEOS]
    if unknown:
        raise ValueError(
            f"figures.repetition_videos: {unknown} are not videos of the dataset; "
            "write them as category/video"
        )
    return chosen


def background_masks(name):
    """The person masks that grey out a model's background: none when it keeps it (and for
    the untrained network)."""
    background = (
        EXPERIMENTS[name]["training"]["background"] if name in EXPERIMENTS else "keep"
    )
    if background == "keep":
        return []
    if background == "groundtruth" and not SYNTHETIC:
        raise ValueError(
            f"experiments.{name}: training.background groundtruth needs the synthetic "
            "dataset's masks; use motion"
        )
    return per_video(f"results/masks/{background}/{{category}}/{{video}}.npy")


def still_masks(name):
    """The predicted masks of the still crops, for models that grey out the background (the
    generator's masks exist for the videos only)."""
    return "results/stills/masks.npy" if background_masks(name) else []


def mask_predictor_params():
    return {
        **config["mask_predictor"],
        "seed": config["seed"],
        "device": config["training"]["device"],
    }


def groundtruth_files():
    return per_video(str(DATA_ROOT / "groundtruth/{category}/{video}.csv"))


def supervised_params():
    t = config["training"]
    return {
        **config["supervised"],
        "trunk": config["model"]["trunk"],
        "input_size": config["crops"]["size"],
        "weight_decay": t["weight_decay"],
        "seed": t["seed"],
        "device": t["device"],
        "amp": t["amp"],
    }


def random_model_params():
    """The base config's network, initialised with the base training seed."""
    return {"model": config["model"], "seed": config["training"]["seed"]}


def label_files(kind):
    """The posture label files (kind labels) or frame lists (kind frame_list) of the dataset."""
    name = "labels_{}.hdf5" if kind == "labels" else "imagePaths_{}.txt"
    return [
        str(DATA_ROOT / config["dataset"]["labels"] / name.format(c))
        for c in CATEGORIES
    ]


def has_posture_labels():
    return SYNTHETIC or all(Path(p).exists() for p in label_files("labels"))


def posture_inputs(wildcards):
    if not has_posture_labels():
        return {}
    return {"labels": label_files("labels"), "frame_lists": label_files("frame_list")}


def _data_path(key):
    """A dataset path of the config: relative to the dataset's root, or absolute."""
    return DATA_ROOT / config["dataset"][key]


STILLS = config["dataset"]["stills"]
HAS_STILLS = STILLS is not None and (SYNTHETIC or _data_path("stills").exists())
if STILLS is not None and not HAS_STILLS:
    logger.warning(
        f"dataset.stills: {_data_path('stills')} does not exist; the pose retrieval is "
        "left out (set dataset.stills to null to say so)"
    )
TRAINING_GPU = on_gpu(config["training"]["device"])


def stills_annotations():
    return str(_data_path("stills")) if HAS_STILLS else []


def stills_images():
    return str(_data_path("stills_images")) if HAS_STILLS else []


def _model_of(wildcards):
    return getattr(wildcards, "model", None) or wildcards.baseline


def weights_of(wildcards):
    """The weights a model's features need: a network's, the ImageNet AlexNet file, or none."""
    model = _model_of(wildcards)
    if model == IMAGENET_ALEXNET:
        return {"weights": ALEXNET_WEIGHTS}
    if model in FEATURE_BASELINES:
        return {}
    return {"weights": model_weights(wildcards)}


def feature_params(wildcards):
    """The settings a model's features depend on, and no others (so that an edit reruns only
    the embeddings it changes)."""
    model = _model_of(wildcards)
    size = {"input_size": config["crops"]["size"]}
    batch = {"batch_size": config["embed"]["batch_size"]}
    if model == "hog":
        return size
    if model == "pixels":
        return {**size, "pixel_side": config["baselines"]["pixel_side"]}
    if model == IMAGENET_ALEXNET:
        return {
            **size,
            **batch,
            "alexnet_layer": config["baselines"]["imagenet_alexnet_layer"],
        }
    return {**size, **batch, "amp": config["training"]["amp"]}


def retrieval_params():
    """The retrieval protocol's settings (the choice of people is the crops' business)."""
    return {
        k: v for k, v in config["evaluation"]["retrieval"].items() if k != "max_people"
    }


def evaluation_files(kind):
    """results/eval/<model>/<kind>.csv of every model, when the data has that evaluation."""
    available = has_posture_labels() if kind == "posture" else HAS_STILLS
    return [f"results/eval/{m}/{kind}.csv" for m in TABLE_MODELS] if available else []


_BASELINE_ROWS = {
    "random": "the network untrained (its initialisation)",
    "supervised": "the network trained on the generator's poses (the upper bound)",
    "hog": "HOG of the centre crop (64 px window, Dalal-Triggs blocks)",
    "pixels": "mean-free grey thumbnail of the centre crop",
    IMAGENET_ALEXNET: "AlexNet trained on ImageNet",
}


_NOT_RUN = {
    "supervised": "not run: needs ground-truth poses (synthetic data)",
    IMAGENET_ALEXNET: "not run: set baselines.imagenet_alexnet_weights to a local file",
}


def table_rows():
    """Rows of the comparison table: experiments, then baselines (one not run says why)."""
    rows = list(EXPERIMENT_ROWS)
    for name, what in _BASELINE_ROWS.items():
        ran = name in BASELINES
        rows.append(
            {
                "name": name,
                "kind": "baseline",
                "models": [name] if ran else [],
                "what": what,
                "note": "" if ran else _NOT_RUN[name],
            }
        )
    return rows


EXPERIMENT_ROWS = experiment_rows(config, EXPERIMENTS, MODEL_AS)
# Every model a table shows: each experiment's replicates, and the baselines.
TABLE_MODELS = list(
    dict.fromkeys([*(m for row in EXPERIMENT_ROWS for m in row["models"]), *BASELINES])
)


def _retrieval_model():
    name = config["figures"]["retrieval_model"]
    if name not in EXPERIMENTS:
        raise ValueError(
            f"figures.retrieval_model: {name!r} is not an experiment; "
            f"choose one of {list(EXPERIMENTS)}"
        )
    baseline = config["figures"]["retrieval_baseline"]
    if baseline not in BASELINES:
        raise ValueError(
            f"figures.retrieval_baseline: {baseline!r} is not a baseline that runs; "
            f"choose one of {BASELINES}"
        )
    return MODEL_AS[name]


RETRIEVAL_MODEL = _retrieval_model() if HAS_STILLS else None
