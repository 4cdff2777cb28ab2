"""Rule evaluate_posture: the Olympic Sports posture protocol on one model's embeddings."""

from pathlib import Path

from poseembed.atomic import atomic_path
from poseembed.evaluation.posture import posture_table
from poseembed.formats.cliquecnn import read_frame_list, read_labels
from poseembed.formats.embeddings import load_embeddings
from poseembed.logs import setup_job_logging

log = setup_job_logging(snakemake)
categories = {
    Path(labels).stem.removeprefix("labels_"): (read_labels(labels), read_frame_list(frames))
    for labels, frames in zip(snakemake.input.labels, snakemake.input.frame_lists, strict=True)
}
table, curves = posture_table(load_embeddings(snakemake.input.embeddings), categories)
with atomic_path(snakemake.output.table, suffix=".csv") as tmp:
    table.to_csv(tmp, index=False)
with atomic_path(snakemake.output.curves, suffix=".csv") as tmp:
    curves.to_csv(tmp, index=False)
log.info("Avg. AUC %.4f over %d categories", table["auc"].mean(), len(table))
