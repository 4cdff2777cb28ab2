"""Rule render_tables: the paper's Table 1 and the comparison of models and baselines."""

from pathlib import Path

import pandas as pd

from poseembed.logs import setup_job_logging
from poseembed.paper_tables import Row, comparison_table, readable, temporal_ranges_table
from poseembed.tables import write_table

log = setup_job_logging(snakemake)
rows = [
    Row(**{**r, "models": tuple(r["models"]), "aliases": tuple(r.get("aliases", ()))})
    for r in snakemake.params.rows
]


def by_model(paths: list[str]) -> dict[str, pd.DataFrame]:
    """Evaluation tables by model: results/eval/<model>/<file>.csv."""
    return {Path(p).parent.name: pd.read_csv(p) for p in paths}


posture = by_model(snakemake.input.posture)
retrieval = by_model(snakemake.input.retrieval)
seeds = "mean ± standard deviation over the seeds of each row (seeds column)"
ranges = temporal_ranges_table(rows, posture) if posture else pd.DataFrame()
write_table(
    ranges,
    snakemake.output.ranges,
    snakemake.output.ranges_md,
    "Temporal ordering alone: temporal ranges (the paper's supplementary Table 1)",
    markdown=readable(ranges),
    note=f"Avg. AUC of the posture protocol; {seeds}. The paper's column is Olympic Sports; ours "
    "is the configured dataset.",
)
comparison = comparison_table(rows, posture, retrieval)
write_table(
    comparison,
    snakemake.output.comparison,
    snakemake.output.comparison_md,
    "Models, ablations and baselines: posture Avg. AUC and pose retrieval",
    markdown=readable(comparison),
    note=f"{seeds}. Avg. AUC: higher is better (per category in the CSV). pose_distance@k: "
    "ground-truth pose distance of the k nearest by embedding, lower is better; precision@k: "
    "share of them among the ground-truth nearest; the random and oracle rankings bound both.",
)
log.info("\n%s\n\n%s", readable(ranges).to_string(), readable(comparison).to_string())
