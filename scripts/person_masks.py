"""Rule person_masks: label-free person masks of one video, aligned with its crops."""

from poseembed.config import strict_settings
from poseembed.flow.video import load_video_flow
from poseembed.frames import load_frames
from poseembed.logs import setup_job_logging
from poseembed.person_masks import (
    MaskSettings,
    colour_refined,
    mask_crops,
    motion_person_masks,
    save_masks,
)

log = setup_job_logging(snakemake)
p = snakemake.params
settings = strict_settings(MaskSettings, p.masks, "config masks")
flow = load_video_flow(snakemake.input.flow)
masks, from_box = motion_person_masks(flow.moving_pixels(), flow.boxes, settings)
cut = 0
# The frames are read only for the cut (off by default).
if settings.grabcut_iterations:
    frames = load_frames(snakemake.input.frames).frames
    if len(frames) != len(flow.boxes):
        raise ValueError(
            f"{snakemake.input.frames} has {len(frames)} frames but {snakemake.input.flow} "
            f"{len(flow.boxes)}; rerun the optical_flow rule"
        )
    masks, uncut = colour_refined(frames, masks, flow.boxes, settings)
    cut = int((~uncut).sum())
masks = mask_crops(masks, flow.boxes, p.size, p.margin, p.context)
save_masks(snakemake.output.masks, masks)
log.info(
    "%s: person masks cover %.2f of the crop on average; %d of %d frames moved too little and "
    "took their box; GrabCut cut %d frames to the person's colours",
    snakemake.input.flow,
    float((masks > 127).mean()),
    int(from_box.sum()),
    len(masks),
    cut,
)
