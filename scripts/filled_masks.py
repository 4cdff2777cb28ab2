"""Rule filled_masks: the label-free masks of every video, the pixels where no frame showed the
scene filled in by masks.unseen."""

import numpy as np
import torch

from poseembed.crops import load_crops
from poseembed.device import resolve_device
from poseembed.logs import setup_job_logging
from poseembed.mask_predictor import load_predictor, predict_masks
from poseembed.person_masks import filled_masks, open_masks, save_masks

log = setup_job_logging(snakemake)
torch.set_num_threads(snakemake.threads)
p = snakemake.params
device = resolve_device(p.device)
model = load_predictor(snakemake.input.weights, device) if p.unseen == "predictor" else None
inputs = snakemake.input
for crops_path, masks_path, seen_path, out in zip(
    inputs.crops, inputs.masks, inputs.seen, snakemake.output.masks, strict=True
):
    crops = load_crops(crops_path)
    masks = np.asarray(open_masks(masks_path, crops, crops_path))
    seen = np.asarray(open_masks(seen_path, crops, crops_path))
    predicted = None if model is None else predict_masks(model, crops, p.batch_size, device)
    filled = filled_masks(masks, seen, predicted, p.unseen)
    save_masks(out, filled)
    log.info(
        "%s: %.2f of the crop not seen; the masks cover %.2f of it, %.2f before the fill",
        out,
        float((seen <= 127).mean()),
        float((filled > 127).mean()),
        float((masks > 127).mean()),
    )
