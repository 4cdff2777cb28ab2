"""Rule mask_quality_table: label-free person masks against the generator's (synthetic data)."""

from pathlib import Path

from poseembed.evaluation.masks import mask_quality_table
from poseembed.logs import setup_job_logging
from poseembed.tables import write_table

log = setup_job_logging(snakemake)
pairs = {
    (Path(p).parent.name, Path(p).stem): (p, t)
    for p, t in zip(snakemake.input.motion, snakemake.input.groundtruth, strict=True)
}
table = mask_quality_table(pairs)
write_table(
    table,
    snakemake.output.table,
    snakemake.output.markdown,
    "Label-free person masks against the generator's",
    note="Crops of every frame; IoU, precision and recall of the motion masks (results/masks/"
    "motion; cut by GrabCut where masks.grabcut_iterations > 0) against the ground-truth "
    "masks (results/masks/groundtruth), means over frames; "
    "mask_share and person_share: the crop's share covered by each.",
)
log.info("\n%s", table.to_string(index=False))
