"""Rules embed and embed_for_mining: embeddings of every frame of every video by one model."""

from pathlib import Path

import torch

from poseembed.baselines import sees_masks
from poseembed.config import strict_settings
from poseembed.device import resolve_device
from poseembed.embedding import embed_videos
from poseembed.features import FeatureSettings, model_features
from poseembed.formats.cliquecnn import label_flips
from poseembed.formats.embeddings import save_embeddings
from poseembed.logs import setup_job_logging

log = setup_job_logging(snakemake)
torch.set_num_threads(snakemake.threads)
model = snakemake.params.model
masks = {(Path(m).parent.name, Path(m).stem): m for m in snakemake.input.masks}
features = model_features(
    model,
    snakemake.input.get("weights"),
    strict_settings(FeatureSettings, snakemake.params.features, "embedding settings"),
    resolve_device(snakemake.params.device),
    masked=bool(masks),
)
videos = {
    (Path(c).parent.name, Path(c).stem): (c, f)
    for c, f in zip(snakemake.input.crops, snakemake.input.frames, strict=True)
}
flipped = label_flips(
    snakemake.input.get("labels", []), snakemake.input.get("frame_lists", []), videos
)
embeddings = embed_videos(features, videos, flipped, masks, sees_masks(model))
save_embeddings(
    snakemake.output.embeddings,
    embeddings,
    {"model": model, "weights": snakemake.input.get("weights", "")},
)
seen = "the person masks alone" if sees_masks(model) else "background greyed by the person masks"
log.info(
    "%s: %d videos, %d mirrored frames%s",
    model,
    len(embeddings.videos),
    sum(len(f) for f in flipped.values()),
    f", {seen}" if masks else "",
)
