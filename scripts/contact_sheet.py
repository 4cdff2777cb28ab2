"""Rule contact_sheet: frames of every synthetic category with ground truth drawn."""

from poseembed.logs import setup_job_logging
from poseembed.plots.contact_sheet import sheet_from_artifacts

setup_job_logging(snakemake)
sheet_from_artifacts(
    list(snakemake.input.frames),
    list(snakemake.input.groundtruth),
    snakemake.params.frames_per_video,
    snakemake.output[0],
)
