"""Rule train_mask_predictor: the network that predicts label-free masks from pixels."""

from pathlib import Path

import torch

from poseembed.atomic import atomic_path
from poseembed.config import strict_settings
from poseembed.logs import setup_job_logging
from poseembed.mask_predictor import PredictorSettings, save_predictor, train_mask_predictor

log = setup_job_logging(snakemake)
torch.set_num_threads(snakemake.threads)
settings = strict_settings(PredictorSettings, snakemake.params.settings, "config mask_predictor")
model, metrics = train_mask_predictor(
    {Path(p).stem: p for p in snakemake.input.crops},
    {Path(p).stem: p for p in snakemake.input.masks},
    {Path(p).stem: p for p in snakemake.input.seen},
    settings,
)
with atomic_path(snakemake.output.metrics, suffix=".csv") as tmp:
    metrics.to_csv(tmp, index=False)
save_predictor(snakemake.output.weights, model)
log.info("%s; last 20 iterations: %s", settings, metrics.tail(20).mean().to_dict())
