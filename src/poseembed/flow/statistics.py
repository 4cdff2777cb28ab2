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


def box_masks(boxes: np.ndarray, height: int, width: int) -> np.ndarray:
    """(N, H, W) masks of the boxes (inclusive pixel bounds); NaN boxes give empty masks."""
    ys = np.arange(height)[None, :, None]
    xs = np.arange(width)[None, None, :]
    b = np.nan_to_num(boxes, nan=-1.0)[:, :, None, None]
    return (xs >= b[:, 0]) & (xs <= b[:, 2]) & (ys >= b[:, 1]) & (ys <= b[:, 3])


def flow_statistics(flow: np.ndarray, boxes: np.ndarray, eps: float = 0.05) -> FlowStatistics:
    """For flows (N, H, W, 2) and the boxes of their first frames: mean magnitude inside the box
    (fg) and outside it (bg), ratio fg / (bg + eps), and the median flow outside the box."""
    n, h, w = flow.shape[:3]
    inside = box_masks(boxes, h, w)
    mag = np.linalg.norm(flow, axis=-1)
    n_in = inside.sum((1, 2))
    n_out = h * w - n_in
    fg = np.where(n_in > 0, (mag * inside).sum((1, 2)) / np.maximum(n_in, 1), np.nan)
    bg = np.where(n_out > 0, (mag * ~inside).sum((1, 2)) / np.maximum(n_out, 1), np.nan)
    outside = np.where(~inside[..., None], flow, np.nan).reshape(n, -1, 2)
    with np.errstate(all="ignore"):
        camera = np.nanmedian(outside, axis=1) if n_out.min() > 0 else np.zeros((n, 2))
    return FlowStatistics(fg, bg, fg / (bg + eps), np.nan_to_num(camera))


def per_frame(values: np.ndarray) -> np.ndarray:
    """Values of the N-1 pairs (t, t+1) over N frames: the last frame repeats the last pair."""
    if len(values) == 0:
        return values
    return np.concatenate([values, values[-1:]])
