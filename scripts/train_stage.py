"""Rule train_stage: one curriculum stage of an experiment."""

from pathlib import Path

import torch

from poseembed.curriculum import load_samples, split_stage
from poseembed.logs import setup_job_logging
from poseembed.training import StagePaths, settings_of, train_stage

log = setup_job_logging(snakemake.log[0])
torch.set_num_threads(snakemake.threads)
signature = snakemake.params.signature
training = signature["training"]
stage = int(snakemake.wildcards.stage)
settings = settings_of(signature, snakemake.params.input_size, snakemake.params.stages, stage)
train, heldout = split_stage(
    load_samples(snakemake.input.samples),
    stage,
    training["curriculum"],
    training["heldout_fraction"],
)
log.info(
    "stage %d of %s: %d training frames of %d videos, %d held-out videos; %s",
    stage,
    snakemake.wildcards.exp,
    len(train),
    train["video"].nunique(),
    heldout["video"].nunique(),
    settings,
)
metrics = train_stage(
    train,
    heldout,
    {Path(p).stem: p for p in snakemake.input.crops},
    {Path(m).stem: m for m in snakemake.input.masks},
    settings,
    stage,
    StagePaths(
        snakemake.input.init or None,
        snakemake.params.state,
        snakemake.output.weights,
        snakemake.output.metrics,
    ),
)
log.info("last row of the metrics: %s", metrics.iloc[-1].to_dict())
