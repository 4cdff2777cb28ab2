"""Rule lag_similarity: each model's mean similarity by lag outside the generator's cycles."""

from pathlib import Path

import pandas as pd

from poseembed.atomic import atomic_path
from poseembed.evaluation.counting import lag_profile
from poseembed.formats.embeddings import load_embeddings
from poseembed.formats.groundtruth import read_groundtruth
from poseembed.logs import setup_job_logging
from poseembed.plots.counting import lag_profile_figure

log = setup_job_logging(snakemake)
cyclic = {}
for path in snakemake.input.groundtruth:
    gt = read_groundtruth(path)[0]
    cyclic[Path(path).stem] = gt.loc[gt["cycle"] >= 0, "frame"].to_numpy()
lags = snakemake.params.lags
profiles = {}
for model, path in zip(snakemake.params.models, snakemake.input.embeddings, strict=True):
    videos = {video: rows for (_, video), rows in load_embeddings(path).videos.items()}
    profiles[model] = lag_profile(videos, cyclic, lags)
    log.info("%s: %s", model, " ".join(f"{v:.2f}" for v in profiles[model][::4]))
table = pd.DataFrame(profiles, index=pd.Index(range(lags + 1), name="lag")).T
with atomic_path(snakemake.output.table, suffix=".csv") as tmp:
    table.rename_axis("model").to_csv(tmp)
lag_profile_figure(
    {m: profiles[m] for m in snakemake.params.figure_models}, snakemake.output.figure
)
