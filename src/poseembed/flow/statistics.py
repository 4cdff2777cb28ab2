"""Per-frame flow statistics: fg/bg ratio of flow magnitude and a robust camera motion."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class FlowStatistics:
    fg: np.ndarray
    bg: np.ndarray
    ratio: np.ndarray
    camera: np.ndarray


def padded_boxes(boxes: np.ndarray, pad: float) -> np.ndarray:
    """Boxes (N, 4) grown by ``pad`` of their width and height on every side."""
    px = (boxes[:, 2] - boxes[:, 0]) * pad
    py = (boxes[:, 3] - boxes[:, 1]) * pad
    return boxes + np.stack([-px, -py, px, py], 1)


def box_masks(boxes: np.ndarray, height: int, width: int) -> np.ndarray:
    """(N, H, W) masks of the boxes (inclusive pixel bounds); NaN boxes give empty masks."""
    ys = np.arange(height)[None, :, None]
    xs = np.arange(width)[None, None, :]
    b = np.nan_to_num(boxes, nan=-1.0)[:, :, None, None]
    return (xs >= b[:, 0]) & (xs <= b[:, 2]) & (ys >= b[:, 1]) & (ys <= b[:, 3])


def magnitude_statistics(
    magnitude: np.ndarray, boxes: np.ndarray, eps: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean flow magnitude (N, H, W) inside each box (fg) and outside it (bg), and
    fg / (bg + eps); NaN where a region is empty."""
    _, h, w = magnitude.shape
    inside = box_masks(boxes, h, w)
    mag = magnitude.astype(np.float32)
    n_in = inside.sum((1, 2))
    n_out = h * w - n_in
    fg = np.where(n_in > 0, (mag * inside).sum((1, 2)) / np.maximum(n_in, 1), np.nan)
    bg = np.where(n_out > 0, (mag * ~inside).sum((1, 2)) / np.maximum(n_out, 1), np.nan)
    return fg, bg, fg / (bg + eps)


def camera_motion(flow: np.ndarray, boxes: np.ndarray | None) -> np.ndarray:
    """Median flow (N, 2) outside the boxes, or over the whole frame without boxes."""
    n, h, w = flow.shape[:3]
    if boxes is None:
        return np.median(flow.reshape(n, -1, 2), axis=1)
    outside = ~box_masks(boxes, h, w)
    masked = np.where(outside[..., None], flow, np.nan).reshape(n, -1, 2)
    with np.errstate(all="ignore"):
        return np.nan_to_num(np.nanmedian(masked, axis=1))


def flow_statistics(flow: np.ndarray, boxes: np.ndarray, eps: float) -> FlowStatistics:
    """fg, bg, ratio and camera motion of flows (N, H, W, 2) with the boxes of their first
    frames."""
    fg, bg, ratio = magnitude_statistics(np.linalg.norm(flow, axis=-1), boxes, eps)
    return FlowStatistics(fg, bg, ratio, camera_motion(flow, boxes))


def per_frame(values: np.ndarray) -> np.ndarray:
    """Values of the N-1 pairs (t, t+1) over N frames: the last frame repeats the last pair."""
    if len(values) == 0:
        return values
    return np.concatenate([values, values[-1:]])
