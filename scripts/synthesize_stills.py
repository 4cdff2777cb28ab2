"""Rule synthesize_stills: render the held-out still-image set."""

from poseembed.data.synthetic import StillSpec, write_stills
from poseembed.logs import setup_job_logging

log = setup_job_logging(snakemake)
spec = StillSpec.from_params(snakemake.params.spec)
log.info("rendering %d still images", spec.stills)
write_stills(snakemake.output.annotations, snakemake.output.images, snakemake.params.seed, spec)
