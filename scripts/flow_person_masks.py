"""Rule flow_person_masks: the flow's person masks of one video alone, aligned with its crops."""

from poseembed.config import strict_settings
from poseembed.flow.video import load_video_flow
from poseembed.logs import setup_job_logging
from poseembed.person_masks import FlowMaskSettings, mask_crops, motion_person_masks, save_masks

log = setup_job_logging(snakemake)
p = snakemake.params
settings = strict_settings(FlowMaskSettings, p.masks, "config masks")
flow = load_video_flow(snakemake.input.flow)
masks, from_box = motion_person_masks(flow.moving_pixels(), flow.boxes, settings)
masks = mask_crops(masks, flow.boxes, p.size, p.margin, p.context)
save_masks(snakemake.output.masks, masks)
log.info(
    "%s: the flow's masks cover %.2f of the crop on average; %d of %d frames moved too little "
    "and took their box",
    snakemake.input.flow,
    float((masks > 127).mean()),
    int(from_box.sum()),
    len(masks),
)
