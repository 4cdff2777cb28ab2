"""Person boxes from motion, for videos without box annotations.

Foreground is flow that differs from the dominant (camera) motion by more than a threshold; the
largest connected component gives the box, and boxes are smoothed over time.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from scipy.ndimage import median_filter, uniform_filter1d


@dataclass(frozen=True)
class MotionBoxParams:
    """Thresholds in pixels of residual motion; ``border`` is a band (fraction of the frame)
    ignored because content revealed there by a pan has no true match. The config's
    ``flow.motion_boxes`` keys, every one given."""

    threshold_px: float
    relative: float
    border: float
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


def _largest_component_box(mask: np.ndarray, min_pixels: int) -> np.ndarray:
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))
    closed = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_CLOSE, kernel)
    opened = cv2.morphologyEx(closed, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(opened, connectivity=8)
    if n <= 1:
        return np.full(4, np.nan)
    best = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    x, y, w, h, area = stats[best]
    if area < min_pixels:
        return np.full(4, np.nan)
    return np.array([x, y, x + w - 1, y + h - 1], np.float64)


def _fill_and_smooth(boxes: np.ndarray, frames: int) -> np.ndarray:
    ok = np.isfinite(boxes).all(1)
    if not ok.any():
        return boxes
    t = np.arange(len(boxes))
    filled = np.stack([np.interp(t, t[ok], boxes[ok, k]) for k in range(4)], 1)
    if frames > 1:
        filled = median_filter(filled, size=(frames, 1), mode="nearest")
        filled = uniform_filter1d(filled, size=max(1, frames // 2), axis=0, mode="nearest")
    return filled


def raw_motion_boxes(masks: np.ndarray, p: MotionBoxParams) -> np.ndarray:
    """Per-flow box (N, 4) of the largest component of ``foreground_masks``; NaN where nothing
    moves."""
    h, w = masks.shape[1:3]
    return np.stack([_largest_component_box(m, int(p.min_area * h * w)) for m in masks])


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
