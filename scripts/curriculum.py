"""Rule curriculum: the table of training samples with their stages, and its histogram."""

from pathlib import Path

from poseembed.curriculum import build_samples, save_samples
from poseembed.flow.video import load_video_flow
from poseembed.logs import setup_job_logging
from poseembed.plots.curriculum_histogram import curriculum_histogram

log = setup_job_logging(snakemake)
videos = [
    (Path(p).parent.name, Path(p).stem, load_video_flow(p).ratio) for p in snakemake.input.flow
]
table = build_samples(videos, snakemake.params.stages)
save_samples(snakemake.output.samples, table)
curriculum_histogram(table, snakemake.output.histogram)
log.info(
    "%d samples from %d videos in %d stages", len(table), len(videos), table["stage"].nunique()
)
