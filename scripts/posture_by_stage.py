"""Rule posture_by_stage: the stage curves of several models, as a table and a figure."""

import pandas as pd

from poseembed.logs import setup_job_logging
from poseembed.plots.posture_by_stage import posture_by_stage_figure
from poseembed.tables import write_table

log = setup_job_logging(snakemake)
curves = pd.concat([pd.read_csv(p) for p in snakemake.input.stages], ignore_index=True)
baselines = {
    name: float(pd.read_csv(path)["auc"].mean())
    for name, path in zip(snakemake.params.baselines, snakemake.input.baselines, strict=True)
}
write_table(
    curves,
    snakemake.output.table,
    snakemake.output.markdown,
    "Posture Avg. AUC after every training stage",
    note="Each model's network after every curriculum stage (iterations counted from the first "
    "stage) and after its refinement, judged by the posture protocol. Baselines: "
    + ", ".join(f"{b} {auc:.3f}" for b, auc in baselines.items())
    + ".",
)
posture_by_stage_figure(curves, baselines, snakemake.output.figure)
log.info("\n%s", curves.to_string(index=False))
