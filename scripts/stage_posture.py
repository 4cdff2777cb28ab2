"""Rule stage_posture: the posture protocol after every stage of one model's training."""

from pathlib import Path

import torch

from poseembed.atomic import atomic_path
from poseembed.config import strict_settings
from poseembed.device import resolve_device
from poseembed.embedding import embed_videos
from poseembed.evaluation.stage_posture import stage_posture
from poseembed.features import FeatureSettings, model_features
from poseembed.formats.cliquecnn import label_flips, read_frame_list, read_labels
from poseembed.logs import setup_job_logging

log = setup_job_logging(snakemake)
torch.set_num_threads(snakemake.threads)
p = snakemake.params
inputs = snakemake.input
categories = {
    Path(labels).stem.removeprefix("labels_"): (read_labels(labels), read_frame_list(frames))
    for labels, frames in zip(inputs.labels, inputs.frame_lists, strict=True)
}
videos = {
    (Path(c).parent.name, Path(c).stem): (c, f)
    for c, f in zip(inputs.crops, inputs.frames, strict=True)
}
masks = {(Path(m).parent.name, Path(m).stem): m for m in inputs.masks}
judged = label_flips(inputs.labels, inputs.frame_lists, videos, mirrored=False)
flipped = label_flips(inputs.labels, inputs.frame_lists, videos)
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
log.info("%s: %d judged frames per network\n%s", p.model, sum(map(len, judged.values())), table)
