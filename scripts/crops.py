"""Rule crops: person crops of one video at network input size."""

from poseembed.crops import person_crops, save_crops
from poseembed.flow.video import load_video_flow
from poseembed.frames import load_frames
from poseembed.logs import setup_job_logging

log = setup_job_logging(snakemake)
p = snakemake.params
fs = load_frames(snakemake.input.frames)
flow = load_video_flow(snakemake.input.flow)
if flow.box_source != "annotation":
    log.info("%s: boxes from %s", fs.source, flow.box_source)
crops = person_crops(fs.frames, flow.boxes, p.size, p.margin, p.context)
save_crops(snakemake.output.crops, crops)
log.info("%d crops of %dx%d", len(crops), crops.shape[1], crops.shape[2])
