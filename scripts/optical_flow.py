"""Rule optical_flow: flow statistics of one video."""

import numpy as np

from poseembed.config import strict_settings
from poseembed.flow.backends import FlowSettings
from poseembed.flow.motion_boxes import MotionBoxParams
from poseembed.flow.person_boxes import ORIGINS, PersonBoxParams
from poseembed.flow.tvl1_params import TVL1Params
from poseembed.flow.video import analyse_video, save_video_flow
from poseembed.frames import load_frames
from poseembed.logs import setup_job_logging

log = setup_job_logging(snakemake)
# Every key of the flow section is taken by name; what remains must be exactly the backend's.
flow = dict(snakemake.params.flow)
eps, inspect_side = flow.pop("eps"), flow.pop("inspect_side")
box_params = strict_settings(MotionBoxParams, flow.pop("motion_boxes"), "config flow.motion_boxes")
person_params = strict_settings(
    PersonBoxParams, flow.pop("person_boxes"), "config flow.person_boxes"
)
tvl1 = strict_settings(TVL1Params, flow.pop("tvl1"), "config flow.tvl1")
settings = strict_settings(
    FlowSettings, {**flow, "tvl1": tvl1, "threads": snakemake.threads}, "config flow"
)
fs = load_frames(snakemake.input.frames)
result = analyse_video(
    fs.frames, fs.boxes, fs.fps, settings, eps, box_params, person_params, inspect_side
)
origins = np.bincount(result.box_origin, minlength=len(ORIGINS))
log.info(
    "%s: %d frames, backend %s, boxes from %s (%s), median fg/bg ratio %.2f",
    fs.source,
    len(fs),
    result.backend,
    result.box_source,
    ", ".join(f"{o} {k}" for o, k in zip(ORIGINS, origins, strict=True) if k),
    float(np.median(result.ratio)),
)
save_video_flow(snakemake.output.flow, result)
