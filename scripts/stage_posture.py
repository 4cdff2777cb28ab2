"""Rule stage_posture: the posture protocol after every stage of one model's training."""

from pathlib import Path

import torch

from poseembed.atomic import atomic_path
from poseembed.config import strict_settings
from poseembed.device import resolve_device
from poseembed.embedding import embed_videos
from poseembed.evaluation.stage_posture import stage_posture
from poseembed.features import FeatureSettings, model_features
from poseembed.formats.cliquecnn import (
    flipped_frames,
    judged_frames,
    read_posture_sets,
    video_frames,
)
from poseembed.logs import setup_job_logging

log = setup_job_logging(snakemake)
torch.set_num_threads(snakemake.threads)
p = snakemake.params
inputs = snakemake.input
categories = read_posture_sets(inputs.labels, inputs.frame_lists)
videos = {
    (Path(c).parent.name, Path(c).stem): (c, f)
    for c, f in zip(inputs.crops, inputs.frames, strict=True)
}
masks = {(Path(m).parent.name, Path(m).stem): m for m in inputs.masks}
judged = video_frames(categories, videos, judged_frames)
flipped = video_frames(categories, videos, flipped_frames)
settings = strict_settings(FeatureSettings, p.features, "embedding settings")
device = resolve_device(p.device)
table = stage_posture(
    list(zip(p.steps, inputs.weights, strict=True)),
    lambda features: embed_videos(features, videos, flipped, masks, only=judged),
    lambda weights: model_features(p.model, weights, settings, device, masked=bool(masks)),
    categories,
)
table.insert(0, "model", p.model)
with atomic_path(snakemake.output.table, suffix=".csv") as tmp:
    table.to_csv(tmp, index=False)
log.info(
    "%s: %d frames judged, %d of them also mirrored, per network\n%s",
    p.model,
    sum(map(len, judged.values())),
    sum(map(len, flipped.values())),
    table,
)
