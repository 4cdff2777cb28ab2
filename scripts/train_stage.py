"""Rules train_stage and refine: one curriculum stage of an experiment, or the refinement that
goes on from its last stage on the labels the mined repetitions clean."""

from pathlib import Path

import pandas as pd
import torch

from poseembed.curriculum import load_samples, split_stage
from poseembed.formats.embeddings import load_frame_indices
from poseembed.logs import setup_job_logging
from poseembed.training import (
    Parallel,
    StagePaths,
    mined_refinement,
    refine_settings,
    settings_of,
    train_stage,
)

log = setup_job_logging(snakemake)
torch.set_num_threads(snakemake.threads)
p = snakemake.params
training = p.signature["training"]
refining = hasattr(snakemake.input, "repetitions")
if refining:
    settings, stage = refine_settings(p.signature, p.input_size, p.stages)
    rows_of_stage = stage - 1
else:
    stage = rows_of_stage = int(snakemake.wildcards.stage)
    settings = settings_of(p.signature, p.input_size, p.stages, stage)
train, heldout = split_stage(
    load_samples(snakemake.input.samples),
    rows_of_stage,
    training["curriculum"],
    training["heldout_fraction"],
)
log.info(
    "%s of %s: %d training frames of %d videos, %d held-out videos; %s",
    "refinement" if refining else f"stage {stage}",
    getattr(snakemake.wildcards, "exp", None) or snakemake.wildcards.model,
    len(train),
    train["video"].nunique(),
    heldout["video"].nunique(),
    settings,
)
refinement = None
if refining:
    refinement = mined_refinement(
        train,
        pd.read_parquet(snakemake.input.repetitions),
        pd.read_parquet(snakemake.input.cross_video),
        load_frame_indices(snakemake.input.embeddings),
        p.signature["mining"],
    )
    grouped = refinement.group[refinement.group >= 0]
    log.info(
        "%d training frames in %d repetition groups; %d cross-video pairs (share %s of the "
        "positives)",
        len(grouped),
        len(set(grouped.tolist())),
        len(refinement.cross[0]),
        refinement.cross_share,
    )
metrics = train_stage(
    train,
    heldout,
    {Path(c).stem: c for c in snakemake.input.crops},
    {Path(m).stem: m for m in snakemake.input.masks},
    settings,
    stage,
    StagePaths(
        snakemake.input.init or None,
        p.state,
        snakemake.output.weights,
        snakemake.output.metrics,
    ),
    refinement,
    parallel=Parallel(snakemake.resources.processes, snakemake.resources.loader_workers),
)
log.info("last row of the metrics: %s", metrics.iloc[-1].to_dict())
