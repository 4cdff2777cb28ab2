"""Optical flow of one video: per-frame fg/bg statistics, camera motion, person boxes (from the
people detector and motion, see ``person_boxes``) when the dataset has none, the moving pixels
(flow unlike the camera's) from which person masks are built, and a small flow field for
inspection. Flows are computed in batches and only their magnitudes and the bit-packed moving
pixels are kept, so long videos stay within memory."""

from __future__ import annotations

import os
from dataclasses import dataclass

import cv2
import numpy as np

from poseembed.atomic import atomic_path
from poseembed.flow.backends import FlowSettings, compute_flow, resolve_backend
from poseembed.flow.change_energy import accumulated_change, held_share, mass_boxes
from poseembed.flow.motion_boxes import (
    MotionBoxParams,
    fill_gaps,
    finish_boxes,
    foreground_masks,
)
from poseembed.flow.person_boxes import ORIGINS, PersonBoxParams, detect_people, track_person
from poseembed.flow.statistics import camera_motion, magnitude_statistics, per_frame
from poseembed.logs import progress


@dataclass
class VideoFlow:
    """Per frame t (flow from t to t+1; the last frame repeats the last pair)."""

    fg: np.ndarray
    bg: np.ndarray
    ratio: np.ndarray
    camera: np.ndarray
    boxes: np.ndarray
    box_source: str
    """Where the boxes came from: annotation, detector+motion, detector, motion or none (the
    whole frame)."""
    box_origin: np.ndarray
    """(N,) per frame the index in ``person_boxes.ORIGINS`` of its box's origin."""
    flow_small: np.ndarray
    backend: str
    moving: np.ndarray
    """(N, H, ceil(W / 8)) bit-packed pixels whose flow differs from the camera's."""
    size: np.ndarray
    """(height, width) of the frames."""

    def moving_pixels(self) -> np.ndarray:
        """(N, H, W) bool: the unpacked ``moving``."""
        return np.unpackbits(self.moving, axis=-1, count=int(self.size[1])).astype(bool)


def _small(flow: np.ndarray, side: int) -> np.ndarray:
    if side <= 0:
        return np.zeros((len(flow), 0, 0, 2), np.float16)
    h, w = flow.shape[1:3]
    f = side / max(h, w)
    size = (max(1, round(w * f)), max(1, round(h * f)))
    return np.stack([cv2.resize(x, size, interpolation=cv2.INTER_AREA) * f for x in flow]).astype(
        np.float16
    )


def analyse_video(
    frames: np.ndarray,
    boxes: np.ndarray,
    fps: float,
    settings: FlowSettings,
    eps: float,
    box_params: MotionBoxParams,
    person_params: PersonBoxParams,
    inspect_side: int,
) -> VideoFlow:
    """Flow statistics of a video's frames (N, H, W, 3) at ``fps`` with its boxes (N, 4; NaN
    where a frame has none, ``motion_boxes.fill_gaps``; all NaN: person boxes are found)."""
    n, h, w = frames.shape[:3]
    if n < 2:
        raise ValueError(f"optical flow needs at least 2 frames, got {n}")
    settings = FlowSettings(**{**settings.__dict__, "backend": resolve_backend(settings)})
    given = np.isfinite(boxes).all(1)
    annotated = bool(given.any())
    if annotated:
        # A frame the box file leaves without a box (a line off the frame) takes one between
        # its annotated neighbours: the file still knows the person better than the detector.
        boxes = fill_gaps(boxes)
    magnitude = np.empty((n - 1, h, w), np.float16)
    camera = np.empty((n - 1, 2))
    moving = np.empty((n - 1, h, -(-w // 8)), np.uint8)
    small = []
    step = max(1, settings.batch_size)
    for start in progress(range(0, n - 1, step), "optical flow", total=-(-(n - 1) // step)):
        stop = min(start + step, n - 1)
        flow = compute_flow(frames[start:stop], frames[start + 1 : stop + 1], settings)
        magnitude[start:stop] = np.linalg.norm(flow, axis=-1)
        camera[start:stop] = camera_motion(flow, boxes[start:stop] if annotated else None)
        fg = foreground_masks(flow, camera[start:stop], box_params)
        moving[start:stop] = np.packbits(fg, axis=-1)
        small.append(_small(flow, inspect_side))
    if annotated:
        pair_boxes, source = boxes[:-1], "annotation"
        codes = np.array([ORIGINS.index("interpolated"), ORIGINS.index("annotation")], np.uint8)
        origin = codes[given.astype(np.int64)]
    else:
        change = accumulated_change(frames, camera, fps, box_params)
        pair_boxes, pair_origin, source = _person_boxes(
            frames[:-1], change, box_params, person_params
        )
        origin = per_frame(pair_origin)
    fg, bg, ratio = magnitude_statistics(magnitude, pair_boxes, eps)
    return VideoFlow(
        fg=per_frame(fg),
        bg=per_frame(bg),
        ratio=per_frame(ratio),
        camera=per_frame(camera),
        boxes=boxes if annotated else per_frame(pair_boxes),
        box_source=source,
        box_origin=origin,
        flow_small=np.concatenate(small),
        backend=settings.backend,
        moving=per_frame(moving),
        size=np.array([h, w]),
    )


def _person_boxes(
    frames: np.ndarray,
    change: np.ndarray,
    box_params: MotionBoxParams,
    person_params: PersonBoxParams,
) -> tuple[np.ndarray, np.ndarray, str]:
    """Boxes of the flow pairs of an unannotated video from their frames and accumulated change
    (``change_energy.accumulated_change``), their origins and a summary of them: the tracked
    person (``person_params.source``), gaps interpolated, smoothed and padded; the whole frame
    when nothing is found."""
    n, h, w = frames.shape[:3]
    if person_params.source == "motion":
        detections = [np.zeros((0, 5))] * n
    else:
        detections = detect_people(frames, person_params)
    held = [held_share(c, d) for c, d in zip(change, detections, strict=True)]
    motion = mass_boxes(change, box_params.mass, box_params.min_area)
    raw, origin = track_person(detections, held, motion, person_params)
    if not np.isfinite(raw).any():
        whole = np.tile([0.0, 0.0, w - 1.0, h - 1.0], (n, 1))
        return whole, np.full(n, ORIGINS.index("frame"), np.uint8), "none"
    found = {ORIGINS[k] for k in np.unique(origin)} - {"interpolated"}
    source = "+".join(o for o in ("detector", "motion") if o in found)
    return finish_boxes(raw, box_params, h, w), origin, source


def save_video_flow(path: str | os.PathLike, vf: VideoFlow) -> None:
    with atomic_path(path, suffix=".npz") as tmp:
        np.savez(tmp, **{k: np.asarray(v) for k, v in vf.__dict__.items()})


def load_video_flow(path: str | os.PathLike) -> VideoFlow:
    with np.load(path) as d:
        missing = set(VideoFlow.__dataclass_fields__) - set(d.files) - {"box_origin"}
        if missing:
            raise ValueError(
                f"{path}: flow artifact of an older version (no {sorted(missing)}); rerun it "
                "with --forcerun optical_flow"
            )
        # Each d[k] reads the array again: read every one once.
        arrays = {k: d[k] for k in VideoFlow.__dataclass_fields__ if k in d.files}
    if "box_origin" not in arrays:
        # Written before the detector: one origin for all frames, as box_source says.
        whole = {"annotation": "annotation", "motion": "motion", "none": "frame"}
        code = ORIGINS.index(whole[str(arrays["box_source"])])
        arrays["box_origin"] = np.full(len(arrays["fg"]), code, np.uint8)
    return VideoFlow(
        **{k: str(v) if v.ndim == 0 and v.dtype.kind == "U" else v for k, v in arrays.items()}
    )
