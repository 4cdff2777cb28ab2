"""Validation of the configuration, the list of videos, and helpers shared by the rules."""

import shutil
from pathlib import Path

from snakemake.utils import validate

from poseembed.config import check_config
from poseembed.datasets import OLYMPIC_SPORTS, synthetic_videos, video_sources

check_config(config, Path(workflow.basedir) / "workflow/schemas/config.schema.yaml")
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


wildcard_constraints:
    category="[A-Za-z0-9_\-]+",
    video="[^/]+",


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
    if SYNTHETIC:
        targets.append("results/figures/synthetic_samples.png")
        targets.append(str(DATA_ROOT / config["dataset"]["stills"]))
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


def flow_gpu():
    """1 when the flow backend will run on CUDA. Decided without importing torch here: an
    NVIDIA driver on the machine that builds the DAG stands for CUDA being there."""
    flow = config["flow"]
    on_torch = flow["backend"] in ("auto", "torch_tvl1", "raft")
    wants_gpu = flow["device"].startswith("cuda") or (
        flow["device"] == "auto" and shutil.which("nvidia-smi") is not None
    )
    return int(on_torch and wants_gpu)


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
