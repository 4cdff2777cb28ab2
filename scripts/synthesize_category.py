"""Rule synthesize_category: render one category of the synthetic benchmark."""

from poseembed.data.synthetic import SyntheticSpec, write_category
from poseembed.logs import setup_job_logging

log = setup_job_logging(snakemake.log[0])
spec = SyntheticSpec(**{k: tuple(v) if isinstance(v, list) else v
                        for k, v in snakemake.params.spec.items()})
category = snakemake.wildcards.category
log.info("rendering %d videos of %s", spec.videos_per_category, category)
write_category(category, snakemake.params.root, snakemake.params.seed, spec)
