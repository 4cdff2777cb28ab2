"""Rule embed_baseline: HOG or raw-pixel embeddings of every frame, as the network's."""

from pathlib import Path

from poseembed.baselines import baseline_features
from poseembed.embedding import embed_videos
from poseembed.evaluation.posture import label_flips
from poseembed.formats.embeddings import save_embeddings
from poseembed.logs import setup_job_logging

log = setup_job_logging(snakemake.log[0])
name = snakemake.wildcards.baseline
videos = {
    (Path(c).parent.name, Path(c).stem): (c, f)
    for c, f in zip(snakemake.input.crops, snakemake.input.frames, strict=True)
}
flipped = label_flips(
    snakemake.input.get("labels", []), snakemake.input.get("frame_lists", []), videos
)
features = baseline_features(name, snakemake.params.input_size, snakemake.params.pixel_side)
embeddings = embed_videos(features, videos, flipped)
save_embeddings(snakemake.output.embeddings, embeddings, {"baseline": name})
log.info("%s: %d videos, %d with mirrored frames", name, len(embeddings.videos), len(flipped))
