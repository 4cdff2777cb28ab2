"""Rule groundtruth_masks: the synthetic generator's person masks of one category's videos,
aligned with their crops."""

import numpy as np

from poseembed.flow.video import load_video_flow
from poseembed.formats.groundtruth import read_masks
from poseembed.logs import setup_job_logging
from poseembed.person_masks import groundtruth_person_masks, mask_crops, save_masks

log = setup_job_logging(snakemake)
p = snakemake.params
for masks_path, frames_path, flow_path, out in zip(
    snakemake.input.masks,
    snakemake.input.frames,
    snakemake.input.flow,
    snakemake.output.masks,
    strict=True,
):
    flow = load_video_flow(flow_path)
    with np.load(frames_path) as f:
        index = f["index"].astype(np.int64)
    masks = groundtruth_person_masks(read_masks(masks_path), index, tuple(flow.size), masks_path)
    save_masks(out, mask_crops(masks, flow.boxes, p.size, p.margin, p.context))
    log.info("%s: %d masks", masks_path, len(masks))
