"""Motion for videos without box annotations: the moving pixels (flow that differs from the
dominant, camera, motion by more than a threshold), of which person masks are built, and the
finishing of person boxes (gaps filled, smoothed over time, padded). The motion boxes
themselves hold the change the camera's motion leaves (``change_energy``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import median_filter, uniform_filter1d


@dataclass(frozen=True)
class MotionBoxParams:
    """Thresholds in pixels of residual motion; ``border`` is a band (fraction of the frame)
    ignored because content revealed there by a pan has no true match; the grey-level change's
    noise level, window (seconds) and central ``mass``; the share of the frame that must change
    for a motion box. The config's ``flow.motion_boxes`` keys, every one given."""

    threshold_px: float
    relative: float
    border: float
    grey_threshold: float
    grey_relative: float
    window_s: float
    mass: float
    min_area: float
    smooth_frames: int
    pad: float


def foreground_masks(flow: np.ndarray, camera: np.ndarray, p: MotionBoxParams) -> np.ndarray:
    """(N, H, W) bool: residual motion above max(threshold, relative x its median)."""
    residual = np.linalg.norm(flow - camera[:, None, None, :], axis=-1)
    level = np.maximum(p.threshold_px, p.relative * np.median(residual, axis=(1, 2)))
    fg = residual > level[:, None, None]
    h, w = fg.shape[1:]
    by, bx = round(p.border * h), round(p.border * w)
    fg[:, :by] = fg[:, h - by :] = False
    fg[:, :, :bx] = fg[:, :, w - bx :] = False
    return fg


def fill_gaps(boxes: np.ndarray) -> np.ndarray:
    """Boxes (N, 4) with every row holding a NaN interpolated between the nearest complete rows
    (before the first and after the last, the nearest one's box); unchanged when no row is
    complete."""
    ok = np.isfinite(boxes).all(1)
    if not ok.any():
        return boxes
    t = np.arange(len(boxes))
    return np.stack([np.interp(t, t[ok], boxes[ok, k]) for k in range(4)], 1)


def _fill_and_smooth(boxes: np.ndarray, frames: int) -> np.ndarray:
    filled = fill_gaps(boxes)
    if frames > 1 and np.isfinite(filled).all():
        filled = median_filter(filled, size=(frames, 1), mode="nearest")
        filled = uniform_filter1d(filled, size=max(1, frames // 2), axis=0, mode="nearest")
    return filled


def finish_boxes(raw: np.ndarray, p: MotionBoxParams, height: int, width: int) -> np.ndarray:
    """Gaps filled, smoothed over time, padded and clipped to the frame."""
    boxes = _fill_and_smooth(raw, p.smooth_frames)
    pad_x = (boxes[:, 2] - boxes[:, 0]) * p.pad
    pad_y = (boxes[:, 3] - boxes[:, 1]) * p.pad
    padded = boxes + np.stack([-pad_x, -pad_y, pad_x, pad_y], 1)
    return np.clip(padded, 0, [width - 1, height - 1, width - 1, height - 1])


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of paired boxes (N, 4) in inclusive pixel coordinates."""
    x0 = np.maximum(a[:, 0], b[:, 0])
    y0 = np.maximum(a[:, 1], b[:, 1])
    x1 = np.minimum(a[:, 2], b[:, 2])
    y1 = np.minimum(a[:, 3], b[:, 3])
    inter = np.clip(x1 - x0 + 1, 0, None) * np.clip(y1 - y0 + 1, 0, None)
    area = lambda r: (r[:, 2] - r[:, 0] + 1) * (r[:, 3] - r[:, 1] + 1)  # noqa: E731
    return inter / (area(a) + area(b) - inter)
