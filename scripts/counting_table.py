"""Rule counting_table: every model's counts against the annotated cycles."""

from functools import partial
from pathlib import Path

import pandas as pd

from poseembed.atomic import atomic_path
from poseembed.counting import frame_step, parse_frame_list
from poseembed.evaluation.counting import (
    count_measures,
    cycle_periods,
    cycle_positions,
    cycle_similarity,
    period_measures,
    summarise_counts,
    synthetic_cycle_ends,
    synthetic_cycle_periods,
    synthetic_cycle_positions,
)
from poseembed.formats.cycles import read_cycles
from poseembed.formats.embeddings import in_time_order, load_embeddings
from poseembed.formats.groundtruth import read_groundtruth
from poseembed.logs import setup_job_logging
from poseembed.tables import write_table

log = setup_job_logging(snakemake)
# Each annotated video's cycle ends, and its cycle lengths and places in them at given frames.
if snakemake.input.cycles:
    truth = read_cycles(snakemake.input.cycles)
    lengths = {v: partial(cycle_periods, ends) for v, ends in truth.items()}
    positions = {v: partial(cycle_positions, ends) for v, ends in truth.items()}
    source = f"the cycles annotated in {snakemake.input.cycles}"
else:
    generator = {Path(p).stem: read_groundtruth(p)[0] for p in snakemake.input.groundtruth}
    truth = {v: synthetic_cycle_ends(gt) for v, gt in generator.items()}
    lengths = {v: partial(synthetic_cycle_periods, gt) for v, gt in generator.items()}
    positions = {v: partial(synthetic_cycle_positions, gt) for v, gt in generator.items()}
    source = "the synthetic generator's cycles"
tolerance = snakemake.params.tolerance
rows, per_video = [], []
for model, path, periods_path, embeddings_path in zip(
    snakemake.params.models,
    snakemake.input.counts,
    snakemake.input.periods,
    snakemake.input.embeddings,
    strict=True,
):
    counts = pd.read_csv(path, dtype={"video": str, "starts": str, "ends": str})
    annotated = counts[counts["video"].isin(truth)]
    periods = {
        v: (p["frame"].to_numpy(), p["period"].to_numpy())
        for v, p in pd.read_parquet(periods_path).groupby("video")
    }
    embedded = {
        video: in_time_order(*found)
        for (_, video), found in load_embeddings(embeddings_path).videos.items()
        if video in truth
    }
    measured = []
    for r in annotated.itertuples(index=False):
        frames, rows_in_time = embedded[r.video]
        ends = parse_frame_list(r.ends)
        measured.append(
            {
                "category": r.category,
                "video": r.video,
                **count_measures(truth[r.video], r.count, ends, tolerance, frame_step(frames)),
                **period_measures(lengths[r.video](periods[r.video][0]), periods[r.video][1]),
                **cycle_similarity(rows_in_time, *positions[r.video](frames)),
            }
        )
    measures = pd.DataFrame(measured)
    if measures.empty:
        raise ValueError(f"{path}: no video of {source}; check the video names")
    per_video.append(measures.assign(model=model))
    rows.append({"model": model, **summarise_counts(measures)})
    log.info("%s: %s", model, rows[-1])
write_table(
    pd.DataFrame(rows),
    snakemake.output.table,
    snakemake.output.markdown,
    "Repetition counting",
    note=(
        f"Counts from each model's self-similarity against {source}. count_mae: |count - true| "
        "/ true, mean over videos; count_obo: share within one; over_counts: share counted too "
        "high; boundary recall (precision): share of annotated (detected) cycle ends paired one "
        f"to one with a detected (annotated) one within {tolerance} of a cycle's length (half "
        "the frame step where more); "
        "periodic: share of the annotated cycles' frames found periodic; period_half, _right, "
        "_double: share of those whose period is about half, equal to or about double their "
        "cycle's length (half: two counted for one); cycle_similarity, half_cycle_similarity: "
        "mean similarity of an annotated cycle's frame to the frame at its phase one cycle on "
        "and half a cycle on (the first no higher than the second: the embedding does not "
        "carry the cycle; both high: it sees the mirror half alike); "
        "false_counts: share of videos without repetitions given a count."
    ),
)
with atomic_path(snakemake.output.videos, suffix=".csv") as tmp:
    pd.concat(per_video, ignore_index=True).to_csv(tmp, index=False)
