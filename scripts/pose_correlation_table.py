"""Rule pose_correlation_table: how every model's embedding follows the ground-truth pose,
within and across videos (synthetic data)."""

from pathlib import Path

from poseembed.data.synthetic import read_groundtruth
from poseembed.evaluation.pose_correlation import pose_correlation_table
from poseembed.formats.embeddings import load_embeddings
from poseembed.logs import setup_job_logging
from poseembed.tables import write_table

log = setup_job_logging(snakemake.log[0])
poses = {}
for path in snakemake.input.groundtruth:
    table, joints, visible = read_groundtruth(path)
    poses[(Path(path).parent.name, Path(path).stem)] = (table["frame"].to_numpy(), joints, visible)
embeddings = {
    model: load_embeddings(path)
    for model, path in zip(snakemake.params.models, snakemake.input.embeddings, strict=True)
}
table = pose_correlation_table(embeddings, poses, snakemake.params.frames, snakemake.params.seed)
write_table(
    table,
    snakemake.output.table,
    snakemake.output.markdown,
    "Embedding similarity against ground-truth pose distance, within and across videos",
    note=f"Spearman rho, mean over the pairs of one video and of two videos of a category; "
    f"{snakemake.params.frames} frames per video.",
)
log.info("\n%s", table.to_string(index=False))
