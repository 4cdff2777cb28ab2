"""Frame artifacts: every frame of a video, resized, with its box, index and the frame rate.

One ``.npz`` per video (``frames`` (N, H, W, 3) uint8 BGR, ``boxes`` (N, 4) in the resized
frame's pixels or NaN where the source has none, ``index`` (N,) source frame numbers, ``fps``,
``source_size`` (width, height) and ``source``).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

import cv2
import numpy as np

from poseembed.atomic import atomic_path
from poseembed.formats.bbox import boxes_in_frame
from poseembed.formats.video import read_video

log = logging.getLogger(__name__)


@dataclass
class FrameSet:
    frames: np.ndarray
    boxes: np.ndarray
    index: np.ndarray
    fps: float
    source_size: tuple[int, int]
    source: str

    def __len__(self) -> int:
        return len(self.frames)


def extract_frames(
    video: str | os.PathLike,
    boxes_file: str | os.PathLike | None,
    height: int,
    step: int,
    folder_fps: float,
    max_bad_boxes: float,
) -> FrameSet:
    """Decode a video, keep every ``step``-th frame, resize to ``height`` (0 keeps the size);
    its boxes checked against the frame (see ``formats.bbox.boxes_in_frame``)."""
    frames, fps = read_video(video, folder_fps)
    if len(frames) < 2:
        raise ValueError(
            f"{video}: {len(frames)} frame(s); the optical flow and the tasks need two or more"
        )
    src_h, src_w = frames[0].shape[:2]
    index = np.arange(0, len(frames), step)
    kept = [frames[i] for i in index]
    factor = 1.0 if height in (0, src_h) else height / src_h
    if factor != 1.0:
        size = (round(src_w * factor), height)
        kept = [cv2.resize(f, size, interpolation=cv2.INTER_AREA) for f in kept]
    if boxes_file is not None:
        boxes, report = boxes_in_frame(boxes_file, index, (src_w, src_h), max_bad_boxes)
        if report.filled or report.outside or report.clipped:
            log.warning("%s: %s", boxes_file, report)
        boxes = boxes * factor
    else:
        boxes = np.full((len(index), 4), np.nan)
    return FrameSet(np.stack(kept), boxes, index, fps / step, (src_w, src_h), str(video))


def save_frames(path: str | os.PathLike, fs: FrameSet) -> None:
    with atomic_path(path, suffix=".npz") as tmp:
        np.savez(
            tmp,
            frames=fs.frames,
            boxes=fs.boxes,
            index=fs.index,
            fps=fs.fps,
            source_size=np.array(fs.source_size),
            source=fs.source,
        )


def load_frames(path: str | os.PathLike) -> FrameSet:
    with np.load(path) as d:
        return FrameSet(
            d["frames"],
            d["boxes"],
            d["index"],
            float(d["fps"]),
            tuple(int(v) for v in d["source_size"]),
            str(d["source"]),
        )
