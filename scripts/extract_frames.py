"""Rule extract_frames: decode one video into its frame artifact."""

from poseembed.frames import extract_frames, save_frames
from poseembed.logs import setup_job_logging

log = setup_job_logging(snakemake)
boxes = snakemake.input.boxes or None
fs = extract_frames(
    snakemake.input.video,
    boxes,
    snakemake.params.height,
    snakemake.params.step,
    snakemake.params.folder_fps,
    snakemake.params.max_bad_boxes,
)
log.info(
    "%s: %d frames of %dx%d at %.2f fps, boxes %s",
    snakemake.input.video,
    len(fs),
    fs.frames.shape[2],
    fs.frames.shape[1],
    fs.fps,
    "from " + boxes if boxes else "absent",
)
save_frames(snakemake.output.frames, fs)
