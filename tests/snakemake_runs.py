"""Running Snakemake on the workflow in a test's folder, and the tiny configuration that
the end-to-end run trains."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import ROOT

SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))

TINY = {
    "dataset": {"categories": ["long_jump", "vault"]},
    "synthetic": {
        "videos_per_category": 3,
        "anchors_per_category": 3,
        "positives_per_anchor": 2,
        "negatives_per_anchor": 6,
        "stills": 8,
    },
    "evaluation": {"retrieval": {"ks": [1, 2], "relevant": 2}},
    "curriculum": {"stages": 2},
    "training": {"iterations": 3, "batch_size": 4, "eval_every": 2, "eval_pairs": 8},
    # Threshold 0: every mutual peak is a repetition, so that a few iterations find some.
    "mining": {"iterations": 3, "threshold": 0.0},
    "mask_predictor": {"iterations": 3, "batch_size": 4},
    "supervised": {"iterations": 3, "batch_size": 8, "videos_per_batch": 2},
    "figures": {"repetition_videos": ["vault/vault_000"]},
    "experiments": {
        "full": {"mining": {"enabled": True}},
        "same_as_full": {"training": {"threads": 2}},
        "tau3": {"training": {"spatial_weight": 0, "tau_pos": 3}},
        "spatial_only": {"training": {"temporal_weight": 0}, "replicates": 2},
        "no_curriculum": {"training": {"curriculum": False}},
        "keep_background": {"training": {"background": "keep"}},
        "flow_masks": {"training": {"background": "flow"}},
        "groundtruth_masks": {"training": {"background": "groundtruth"}},
        "cross_video": {
            "mining": {"enabled": True, "cross_video_share": 0.5, "cross_video_threshold": 0.0}
        },
        "hog_mined": {"mining": {"enabled": True, "embedding": "hog", "threshold": -1}},
    },
}
TRAINED = (
    "full", "tau3", "spatial_only", "spatial_only_r1", "no_curriculum",
    "keep_background", "flow_masks", "groundtruth_masks",
)  # fmt: skip
# same_as_full shares full's stages but does not mine, cross_video mines across videos too,
# hog_mined mines HOG's embeddings: models of their own.
MODELS = (*TRAINED, "same_as_full", "cross_video", "hog_mined")


def snakemake(workdir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [
            SNAKEMAKE,
            "-s",
            str(ROOT / "Snakefile"),
            "--directory",
            str(workdir),
            "--cores",
            "2",
            *args,
        ],
        capture_output=True,
        text=True,
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"snakemake {args} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        )
    return proc


def job_counts(out: str) -> dict[str, int]:
    """The jobs per rule of a dry run's first 'Job stats' table."""
    counts = {}
    lines = out.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("Job stats")), len(lines))
    for line in lines[start + 1 :]:
        parts = line.split()
        if parts[:1] == ["total"]:
            break
        if len(parts) == 2 and parts[1].isdigit() and parts[0] != "job":
            counts[parts[0]] = int(parts[1])
    return counts


def jobs_of_dry_run(workdir: Path, *args: str) -> dict[str, int]:
    return job_counts(snakemake(workdir, "-n", "--quiet", "rules", *args).stdout)


def retrained(workdir: Path, edit: str) -> tuple[set[str], dict[str, int]]:
    """The experiments whose stages a dry run with the ``edit`` config file would train, and
    its jobs per rule."""
    out = snakemake(workdir, "-n", "--configfile", edit).stdout
    exps = {
        line.split("exp=")[1].split(",")[0]
        for line in out.splitlines()
        if "wildcards: exp=" in line
    }
    return exps, job_counts(out)


def write_config(workdir: Path, config: dict) -> None:
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
