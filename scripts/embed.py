"""Rule embed: frame embeddings of a trained (or untrained) network."""

from pathlib import Path

import torch

from poseembed.device import resolve_device
from poseembed.embedding import embed_videos, load_model, network_features
from poseembed.evaluation.posture import label_flips
from poseembed.formats.embeddings import save_embeddings
from poseembed.logs import setup_job_logging

log = setup_job_logging(snakemake.log[0])
torch.set_num_threads(snakemake.threads)
device = resolve_device(snakemake.params.device)
model, settings = load_model(snakemake.input.weights, device)
videos = {
    (Path(c).parent.name, Path(c).stem): (c, f)
    for c, f in zip(snakemake.input.crops, snakemake.input.frames, strict=True)
}
flipped = label_flips(
    snakemake.input.get("labels", []), snakemake.input.get("frame_lists", []), videos
)
features = network_features(
    model, settings["input_size"], snakemake.params.batch_size, device, snakemake.params.amp
)
masks = {(Path(m).parent.name, Path(m).stem): m for m in snakemake.input.masks}
if (settings.get("background", "keep") != "keep") != bool(masks):
    raise ValueError(
        f"{snakemake.input.weights}: trained with background {settings.get('background')!r} "
        f"but {len(masks)} mask files were given"
    )
embeddings = embed_videos(features, videos, flipped, masks)
save_embeddings(
    snakemake.output.embeddings,
    embeddings,
    {"weights": snakemake.input.weights, "trunk": settings["trunk"]},
)
log.info(
    "%d videos, %d mirrored frames, dimension %d",
    len(embeddings.videos),
    sum(len(f) for f in flipped.values()),
    settings["embedding_dim"],
)
