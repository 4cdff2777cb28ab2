"""Rule mask_quality_table: label-free person masks against the generator's (synthetic data)."""

from pathlib import Path

import pandas as pd

from poseembed.evaluation.masks import mask_quality_table
from poseembed.logs import setup_job_logging
from poseembed.tables import write_table

log = setup_job_logging(snakemake)
inputs = snakemake.input
p = snakemake.params
kinds = {
    f"motion ({p.method}, {p.unseen} where unseen)": inputs.motion,
    f"label_free ({p.method}, flow where unseen)": inputs.label_free,
    "flow": inputs.flow,
}
table = pd.concat(
    [
        mask_quality_table(
            {
                (Path(p).parent.name, Path(p).stem): (p, t)
                for p, t in zip(masks, inputs.groundtruth, strict=True)
            }
        ).assign(masks=kind)
        for kind, masks in kinds.items()
    ],
    ignore_index=True,
)
table = table[["masks", *table.columns[:-1]]]
write_table(
    table,
    snakemake.output.table,
    snakemake.output.markdown,
    "Label-free person masks against the generator's",
    note="Crops of every frame; IoU, precision and recall of the label-free masks against the "
    "ground-truth masks (results/masks/groundtruth), means over frames: motion, the masks the "
    "models with training.background motion see (results/masks/motion, made by masks.method; "
    "cut by GrabCut where masks.grabcut_iterations > 0; where no frame showed the scene, "
    "filled by masks.unseen); label_free, the same before the fill (results/masks/label_free, "
    "the flow's masks where the scene was not seen); and flow, the flow's moving pixels alone "
    "(results/masks/flow). mask_share and person_share: the crop's share covered by each.",
)
log.info("\n%s", table.to_string(index=False))
