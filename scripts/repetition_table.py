"""Rule repetition_table: mined repetitions of every mining model against the ground truth."""

from pathlib import Path

import pandas as pd

from poseembed.atomic import atomic_path
from poseembed.evaluation.repetitions import repetition_measures, summarise
from poseembed.formats.groundtruth import read_groundtruth
from poseembed.logs import setup_job_logging
from poseembed.tables import write_table
from poseembed.tasks.temporal import TemporalRanges

log = setup_job_logging(snakemake)
groundtruth = {Path(p).stem: read_groundtruth(p)[0] for p in snakemake.input.groundtruth}
rows, per_video = [], []
for model, path, signature in zip(
    snakemake.params.models, snakemake.input.repetitions, snakemake.params.settings, strict=True
):
    training, mining = signature["training"], signature["mining"]
    measures = repetition_measures(
        pd.read_parquet(path),
        groundtruth,
        snakemake.params.tolerance,
        mining["min_gap"],
        TemporalRanges(training["tau_pos"], tuple(training["tau_neg"])),
    )
    per_video.append(measures.assign(model=model))
    rows.append({"model": model, **summarise(measures)})
    log.info("%s: %s", model, rows[-1])
write_table(
    pd.DataFrame(rows),
    snakemake.output.table,
    snakemake.output.markdown,
    "Mined repetitions against the synthetic ground truth",
)
with atomic_path(snakemake.output.videos, suffix=".csv") as tmp:
    pd.concat(per_video, ignore_index=True).to_csv(tmp, index=False)
