"""Rule train_supervised: the supervised upper bound, the network trained on the generator's
poses."""

from pathlib import Path

import numpy as np
import torch

from poseembed.atomic import atomic_path
from poseembed.config import strict_settings
from poseembed.formats.groundtruth import read_groundtruth
from poseembed.logs import setup_job_logging
from poseembed.supervised import SupervisedSettings, train_supervised

log = setup_job_logging(snakemake)
torch.set_num_threads(snakemake.threads)
settings = strict_settings(SupervisedSettings, snakemake.params.settings, "config supervised")
poses, index, categories = {}, {}, {}
for path, frames in zip(snakemake.input.groundtruth, snakemake.input.frames, strict=True):
    video = Path(path).stem
    table, joints, visible = read_groundtruth(path)
    poses[video] = (table["frame"].to_numpy(), joints, visible)
    with np.load(frames) as f:
        index[video] = f["index"].astype(np.int64)
    categories[video] = Path(path).parent.name
metrics = train_supervised(
    {Path(p).stem: p for p in snakemake.input.crops},
    poses,
    settings,
    snakemake.output.weights,
    crop_index=index,
    categories=categories,
)
with atomic_path(snakemake.output.metrics, suffix=".csv") as tmp:
    metrics.to_csv(tmp, index=False)
log.info("%s; last 50 iterations: %s", settings, metrics.tail(50).mean().to_dict())
