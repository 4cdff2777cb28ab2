"""Rule embed: frame embeddings of a trained (or untrained) network."""

from pathlib import Path

import torch

from poseembed.device import resolve_device
from poseembed.embedding import embed_videos, load_model
from poseembed.evaluation.posture import flipped_frames
from poseembed.formats.cliquecnn import read_frame_list, read_labels
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
category_of = {video: cat for cat, video in videos}
flipped = {}
for labels, frame_list in zip(
    snakemake.input.get("labels", []), snakemake.input.get("frame_lists", []), strict=True
):
    for video, frames in flipped_frames(read_labels(labels), read_frame_list(frame_list)).items():
        if video not in category_of:
            raise ValueError(f"{frame_list} names video {video!r}, which the dataset lacks")
        flipped[(category_of[video], video)] = frames
embeddings = embed_videos(
    model,
    settings["input_size"],
    videos,
    flipped,
    snakemake.params.batch_size,
    device,
    snakemake.params.amp,
)
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
