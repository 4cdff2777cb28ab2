"""Rule crops: person crops of one video at network input size."""

import numpy as np

from poseembed.crops import person_crops, save_crops
from poseembed.frames import load_frames
from poseembed.logs import setup_job_logging

log = setup_job_logging(snakemake.log[0])
fs = load_frames(snakemake.input.frames)
missing = int((~np.isfinite(fs.boxes).all(1)).sum())
if missing:
    log.warning(
        "%s: %d of %d frames have no box; they are cropped whole", fs.source, missing, len(fs)
    )
crops = person_crops(
    fs.frames, fs.boxes, snakemake.params.size, snakemake.params.margin, snakemake.params.context
)
save_crops(snakemake.output.crops, crops)
log.info("%d crops of %dx%d", len(crops), crops.shape[1], crops.shape[2])
