"""Rule repetition_figure: one video's queries and their mined repetitions."""

import numpy as np
import pandas as pd

from poseembed.crops import load_crops
from poseembed.logs import setup_job_logging
from poseembed.plots.repetitions import repetition_figure

log = setup_job_logging(snakemake)
video = snakemake.wildcards.video
repetitions = pd.read_parquet(snakemake.input.repetitions)
mine = repetitions[repetitions["video"] == video]
with np.load(snakemake.input.frames) as f:
    index = f["index"].astype(np.int64)
repetition_figure(
    mine,
    load_crops(snakemake.input.crops),
    index,
    f"{video} ({snakemake.wildcards.model})",
    snakemake.output.figure,
    snakemake.params.rows,
    snakemake.params.columns,
)
log.info("%d mined pairs in %s", len(mine), video)
