"""Rule synthesize_category: render one category of the synthetic benchmark."""

from poseembed.data.synthetic import SyntheticSpec, write_category
from poseembed.logs import setup_job_logging

log = setup_job_logging(snakemake)
spec = SyntheticSpec.from_params(snakemake.params.spec)
category = snakemake.wildcards.category
out = snakemake.output
log.info("rendering %d videos of %s", len(out.videos), category)
write_category(
    category,
    snakemake.params.seed,
    spec,
    list(out.videos),
    list(out.boxes),
    list(out.groundtruth),
    list(out.masks),
    out.labels,
    out.frame_list,
)
