"""Rule repetition_table: mined repetitions of every mining model against the ground truth."""

from pathlib import Path

import pandas as pd

from poseembed.atomic import atomic_path
from poseembed.config import strict_settings
from poseembed.counting import CountSettings
from poseembed.evaluation.repetitions import repetition_measures, summarise, true_period_bound
from poseembed.formats.embeddings import load_embeddings
from poseembed.formats.groundtruth import read_groundtruth
from poseembed.logs import setup_job_logging
from poseembed.mining import MiningSettings
from poseembed.tables import write_table
from poseembed.tasks.temporal import TemporalRanges

log = setup_job_logging(snakemake)
groundtruth = {Path(p).stem: read_groundtruth(p)[0] for p in snakemake.input.groundtruth}
tolerance = snakemake.params.tolerance
rows, per_video = [], []
# Models trained on one model's stages (cross_video on full's) share its embeddings and miner:
# their bound is mined once.
bounds = {}
for model, path, embeddings, signature, mining, counting in zip(
    snakemake.params.models,
    snakemake.input.repetitions,
    snakemake.input.embeddings,
    snakemake.params.settings,
    snakemake.params.mining,
    snakemake.params.counting,
    strict=True,
):
    training = signature["training"]
    ranges = TemporalRanges(training["tau_pos"], tuple(training["tau_neg"]))
    measures = repetition_measures(
        pd.read_parquet(path), groundtruth, tolerance, signature["mining"]["min_gap"], ranges
    )
    per_video.append(measures.assign(model=model))
    bound = {"true_period_precision": float("nan"), "true_period_recall": float("nan")}
    if counting is not None:
        key = (embeddings, repr(mining), repr(counting), repr(ranges))
        if key not in bounds:
            bounds[key] = true_period_bound(
                load_embeddings(embeddings),
                groundtruth,
                strict_settings(MiningSettings, mining, "config mining"),
                strict_settings(CountSettings, counting, "config counting"),
                tolerance,
                ranges,
            )
        bound = bounds[key]
    rows.append({"model": model, **summarise(measures), **bound})
    log.info("%s: %s", model, rows[-1])
write_table(
    pd.DataFrame(rows),
    snakemake.output.table,
    snakemake.output.markdown,
    "Mined repetitions against the synthetic ground truth",
)
with atomic_path(snakemake.output.videos, suffix=".csv") as tmp:
    pd.concat(per_video, ignore_index=True).to_csv(tmp, index=False)
