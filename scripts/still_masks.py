"""Rule still_masks: person masks of the still crops by the mask predictor."""

import torch

from poseembed.crops import load_crops
from poseembed.device import resolve_device
from poseembed.logs import setup_job_logging
from poseembed.mask_predictor import load_predictor, predict_masks
from poseembed.person_masks import save_masks

log = setup_job_logging(snakemake)
torch.set_num_threads(snakemake.threads)
device = resolve_device(snakemake.params.device)
model = load_predictor(snakemake.input.weights, device)
masks = predict_masks(model, load_crops(snakemake.input.crops), snakemake.params.batch_size, device)
save_masks(snakemake.output.masks, masks)
log.info("%d still masks, %.2f of the crop on average", len(masks), float((masks > 127).mean()))
