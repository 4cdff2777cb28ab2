"""Rule counting_figure: one video's self-similarity with its counted cycles, and their frames."""

import numpy as np
import pandas as pd

from poseembed.counting import parse_frame_list
from poseembed.crops import load_crops
from poseembed.formats.embeddings import load_video_embeddings
from poseembed.logs import setup_job_logging
from poseembed.plots.counting import counting_figure

log = setup_job_logging(snakemake)
w = snakemake.wildcards
counts = pd.read_csv(snakemake.input.counts, dtype={"video": str, "starts": str, "ends": str})
row = counts[(counts["category"] == w.category) & (counts["video"] == w.video)]
if len(row) != 1:
    raise ValueError(f"{snakemake.input.counts}: no count of {w.category}/{w.video}")
row = row.iloc[0]
index, embeddings = load_video_embeddings(snakemake.input.embeddings, w.category, w.video)
with np.load(snakemake.input.frames) as f:
    crop_index = f["index"].astype(np.int64)
counting_figure(
    embeddings,
    index,
    load_crops(snakemake.input.crops),
    crop_index,
    parse_frame_list(row["starts"]),
    parse_frame_list(row["ends"]),
    f"{w.category}/{w.video} ({w.model}): {row['count']} repetitions",
    snakemake.output.figure,
    snakemake.params.rows,
    snakemake.params.columns,
)
log.info("%s/%s: %d repetitions", w.category, w.video, row["count"])
