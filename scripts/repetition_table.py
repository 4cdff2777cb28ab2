"""Rule repetition_table: mined repetitions of every mining model, and of the first one's miner
on every baseline's embeddings, against the ground truth."""

from functools import cache
from pathlib import Path

import pandas as pd

from poseembed.atomic import atomic_path
from poseembed.config import strict_settings
from poseembed.counting import CountSettings
from poseembed.evaluation.repetitions import (
    embedded_groundtruth,
    repetition_measures,
    summarise,
    true_period_bound,
    untested_bound,
)
from poseembed.formats.embeddings import load_embeddings
from poseembed.formats.groundtruth import read_groundtruth
from poseembed.logs import setup_job_logging
from poseembed.mining import MiningSettings, mine_embeddings
from poseembed.tables import write_table
from poseembed.tasks.temporal import TemporalRanges

BOUNDS = ("true_period_precision", "true_period_recall", "untested_precision", "untested_recall")
log = setup_job_logging(snakemake)
p = snakemake.params
groundtruth = {Path(g).stem: read_groundtruth(g)[0] for g in snakemake.input.groundtruth}
# (model, its mined pairs or None to mine them here, embeddings, signature, miner, counter)
jobs = list(
    zip(
        p.models,
        snakemake.input.repetitions,
        snakemake.input.embeddings,
        p.settings,
        p.mining,
        p.counting,
        strict=True,
    )
)
if p.reference_miner is not None:
    _, _, _, *miner = jobs[p.models.index(p.reference_miner)]
    jobs += [
        (b, None, e, *miner) for b, e in zip(p.references, snakemake.input.references, strict=True)
    ]
rows, per_video = [], []
# Models trained on one model's stages (cross_video on full's) share its embeddings and miner:
# their bound is mined once; each embeddings file is read once.
bounds = {}
embeddings_of = cache(load_embeddings)
for model, path, embeddings, signature, mining, counting in jobs:
    training = signature["training"]
    ranges = TemporalRanges(training["tau_pos"], tuple(training["tau_neg"]))
    miner = strict_settings(MiningSettings, mining, "config mining")
    counter = (
        None if counting is None else strict_settings(CountSettings, counting, "config counting")
    )
    if path is None:
        pairs = mine_embeddings(embeddings_of(embeddings), miner, counter)
    else:
        pairs = pd.read_parquet(path)
    # With frames.step > 1 only every step-th frame is embedded: the others cannot be found.
    gt = embedded_groundtruth(groundtruth, embeddings_of(embeddings))
    measures = repetition_measures(pairs, gt, p.tolerance, miner.min_gap, ranges)
    per_video.append(measures.assign(model=model))
    bound = dict.fromkeys(BOUNDS, float("nan"))
    if counter is not None:
        key = (embeddings, repr(mining), repr(counting), repr(ranges))
        if key not in bounds:
            emb = embeddings_of(embeddings)
            bounds[key] = {
                **true_period_bound(emb, groundtruth, miner, counter, p.tolerance, ranges),
                **untested_bound(emb, groundtruth, miner, p.tolerance, ranges),
            }
        bound = bounds[key]
    rows.append({"model": model, **summarise(measures), **bound})
    log.info("%s: %s", model, rows[-1])
write_table(
    pd.DataFrame(rows),
    snakemake.output.table,
    snakemake.output.markdown,
    "Mined repetitions against the synthetic ground truth",
    note=""
    if p.reference_miner is None
    else f"The baselines ({', '.join(p.references)}) are mined by {p.reference_miner}'s miner.",
)
with atomic_path(snakemake.output.videos, suffix=".csv") as tmp:
    pd.concat(per_video, ignore_index=True).to_csv(tmp, index=False)
