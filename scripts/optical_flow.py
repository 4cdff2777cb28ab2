"""Rule optical_flow: flow statistics of one video."""

import numpy as np

from poseembed.flow.backends import FlowSettings
from poseembed.flow.motion_boxes import MotionBoxParams
from poseembed.flow.tvl1_params import TVL1Params
from poseembed.flow.video import analyse_video, save_video_flow
from poseembed.frames import load_frames
from poseembed.logs import setup_job_logging

log = setup_job_logging(snakemake.log[0])
p = snakemake.params.flow
settings = FlowSettings(
    backend=p["backend"],
    device=p["device"],
    batch_size=p["batch_size"],
    tvl1=TVL1Params(**p["tvl1"]),
    raft_weights=p["raft_weights"],
    threads=snakemake.threads,
)
fs = load_frames(snakemake.input.frames)
result = analyse_video(
    fs.frames, fs.boxes, settings, p["eps"], MotionBoxParams(**p["motion_boxes"]), p["inspect_side"]
)
log.info(
    "%s: %d frames, backend %s, boxes from %s, median fg/bg ratio %.2f",
    fs.source,
    len(fs),
    result.backend,
    result.box_source,
    float(np.median(result.ratio)),
)
save_video_flow(snakemake.output.flow, result)
