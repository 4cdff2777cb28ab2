"""Rule embed_baseline: HOG, raw-pixel or ImageNet AlexNet embeddings of every frame."""

from pathlib import Path

import torch

from poseembed.device import resolve_device
from poseembed.embedding import embed_videos
from poseembed.evaluation.posture import label_flips
from poseembed.features import FeatureSettings, model_features
from poseembed.formats.embeddings import save_embeddings
from poseembed.logs import setup_job_logging

log = setup_job_logging(snakemake.log[0])
torch.set_num_threads(snakemake.threads)
name = snakemake.wildcards.baseline
videos = {
    (Path(c).parent.name, Path(c).stem): (c, f)
    for c, f in zip(snakemake.input.crops, snakemake.input.frames, strict=True)
}
flipped = label_flips(
    snakemake.input.get("labels", []), snakemake.input.get("frame_lists", []), videos
)
features = model_features(
    name,
    snakemake.input.get("weights"),
    FeatureSettings(**snakemake.params.features),
    resolve_device(snakemake.params.device),
)
embeddings = embed_videos(features, videos, flipped)
save_embeddings(snakemake.output.embeddings, embeddings, {"baseline": name})
log.info("%s: %d videos, %d with mirrored frames", name, len(embeddings.videos), len(flipped))
