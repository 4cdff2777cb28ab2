"""Rule refine: training continued on the temporal labels the mined repetitions clean."""

from pathlib import Path

import pandas as pd
import torch

from poseembed.curriculum import load_samples, split_stage
from poseembed.formats.embeddings import load_embeddings
from poseembed.logs import setup_job_logging
from poseembed.mining import artifact_rows, cross_video_rows, row_groups
from poseembed.training import Refinement, StagePaths, refine_settings, train_stage

log = setup_job_logging(snakemake.log[0])
torch.set_num_threads(snakemake.threads)
signature = snakemake.params.signature
training, mining = signature["training"], signature["mining"]
stages = snakemake.params.stages
settings, stage = refine_settings(signature, snakemake.params.input_size, stages)
train, heldout = split_stage(
    load_samples(snakemake.input.samples),
    stage - 1,
    training["curriculum"],
    training["heldout_fraction"],
)
# The mined tables speak in source frame numbers, the samples in rows of the artifacts.
emb = load_embeddings(snakemake.input.embeddings)
repetitions = artifact_rows(
    pd.read_parquet(snakemake.input.repetitions), emb, (("video", "query"), ("video", "frame"))
)
cross = artifact_rows(
    pd.read_parquet(snakemake.input.cross_video),
    emb,
    (("video", "frame"), ("other_video", "other_frame")),
)
videos, frames = train["video"].to_numpy(), train["frame"].to_numpy()
group = row_groups(videos, frames, repetitions)
cross = cross_video_rows(videos, frames, cross)
log.info(
    "refining %s: %d training frames, %d of them in %d repetition groups; %d cross-video "
    "pairs (share %s of the positives); %s",
    snakemake.wildcards.model,
    len(train),
    int((group >= 0).sum()),
    len(set(group[group >= 0].tolist())),
    len(cross[0]),
    mining["cross_video_share"],
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
        snakemake.input.init,
        snakemake.params.state,
        snakemake.output.weights,
        snakemake.output.metrics,
    ),
    Refinement(group, mining["positive_share"], cross, mining["cross_video_share"]),
)
log.info("last row of the metrics: %s", metrics.iloc[-1].to_dict())
