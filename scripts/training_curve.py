"""Rule training_curve: the figure of an experiment's stages."""

import pandas as pd

from poseembed.logs import setup_job_logging
from poseembed.plots.training_curve import training_curve

log = setup_job_logging(snakemake)
stages = [pd.read_csv(p) for p in snakemake.input.metrics]
training_curve(stages, f"training of {snakemake.wildcards.model}", snakemake.output.figure)
log.info("%d stages", len(stages))
