"""Rule embed_stills: embeddings of the still-image people and of their mirrored crops."""

import torch

from poseembed.baselines import sees_masks
from poseembed.config import strict_settings
from poseembed.crops import load_crops
from poseembed.device import resolve_device
from poseembed.features import FeatureSettings, model_features
from poseembed.formats.embeddings import save_still_embeddings
from poseembed.logs import setup_job_logging
from poseembed.person_masks import model_inputs

log = setup_job_logging(snakemake)
torch.set_num_threads(snakemake.threads)
model = snakemake.params.model
features = model_features(
    model,
    snakemake.input.get("weights"),
    strict_settings(FeatureSettings, snakemake.params.features, "embedding settings"),
    resolve_device(snakemake.params.device),
    masked=bool(snakemake.input.masks),
)
masks = snakemake.input.masks or None
crops = model_inputs(
    load_crops(snakemake.input.crops), masks, snakemake.input.crops, sees_masks(model)
)
if masks:
    log.info(
        "%s: %s the predicted person masks",
        model,
        "sees only" if sees_masks(model) else "background greyed by",
    )
embeddings, mirrored = features(crops, False), features(crops, True)
save_still_embeddings(snakemake.output.embeddings, embeddings, mirrored, {"model": model})
log.info("%s: %d people, dimension %d", model, *embeddings.shape)
