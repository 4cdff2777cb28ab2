"""Rule evaluate_posture: the Olympic Sports posture protocol on one model's embeddings."""

from poseembed.atomic import atomic_path
from poseembed.evaluation.posture import posture_table
from poseembed.formats.cliquecnn import read_posture_sets
from poseembed.formats.embeddings import load_embeddings
from poseembed.logs import setup_job_logging

log = setup_job_logging(snakemake)
categories = read_posture_sets(snakemake.input.labels, snakemake.input.frame_lists)
table, curves = posture_table(load_embeddings(snakemake.input.embeddings), categories)
with atomic_path(snakemake.output.table, suffix=".csv") as tmp:
    table.to_csv(tmp, index=False)
with atomic_path(snakemake.output.curves, suffix=".csv") as tmp:
    curves.to_csv(tmp, index=False)
log.info("Avg. AUC %.4f over %d categories", table["auc"].mean(), len(table))
