"""Rule person_masks: label-free person masks of one video, aligned with its crops."""

from poseembed.config import strict_settings
from poseembed.flow.video import load_video_flow
from poseembed.frames import load_frames
from poseembed.logs import setup_job_logging
from poseembed.person_masks import (
    MaskSettings,
    colour_refined,
    label_free_masks,
    mask_crops,
    save_masks,
)

log = setup_job_logging(snakemake)
p = snakemake.params
settings = strict_settings(MaskSettings, p.masks, "config masks")
flow = load_video_flow(snakemake.input.flow)
# The frames are read for the scene's model and for the cut.
frames = None
if settings.method == "scene" or settings.grabcut_iterations:
    frames = load_frames(snakemake.input.frames).frames
    if len(frames) != len(flow.boxes):
        raise ValueError(
            f"{snakemake.input.frames} has {len(frames)} frames but {snakemake.input.flow} "
            f"{len(flow.boxes)}; rerun the optical_flow rule"
        )
found = label_free_masks(flow.moving_pixels(), flow.boxes, flow.camera, frames, settings)
masks, cut = found.masks, 0
if settings.grabcut_iterations:
    masks, uncut = colour_refined(frames, masks, flow.boxes, settings)
    cut = int((~uncut).sum())
masks = mask_crops(masks, flow.boxes, p.size, p.margin, p.context)
seen = mask_crops(found.seen, flow.boxes, p.size, p.margin, p.context)
save_masks(snakemake.output.masks, masks)
save_masks(snakemake.output.seen, seen)
log.info(
    "%s: %s masks cover %.2f of the crop on average; %d of %d frames took their %s whole; no "
    "frame showed the scene behind %.2f of the flow's masks (%.2f of the crop not seen); "
    "GrabCut cut %d frames",
    snakemake.input.flow,
    settings.method,
    float((masks > 127).mean()),
    int(found.whole.sum()),
    len(masks),
    "flow mask" if settings.method == "scene" else "box",
    found.unseen,
    float((seen <= 127).mean()),
    cut,
)
