"""Rule flow_figure: frames, boxes and flow of one video."""

from poseembed.flow.video import load_video_flow
from poseembed.frames import load_frames
from poseembed.logs import setup_job_logging
from poseembed.plots.flow_overlay import flow_figure

setup_job_logging(snakemake)
flow_figure(
    load_frames(snakemake.input.frames),
    load_video_flow(snakemake.input.flow),
    f"{snakemake.wildcards.category}/{snakemake.wildcards.video}",
    snakemake.output[0],
)
