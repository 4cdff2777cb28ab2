"""The scene behind the person, and how far each pixel of a frame lies from it.

The flow's moving pixels make a blob about twice the person (flow is smooth across the
outline), so a crop greyed by them keeps the scene inside the person's box, and that scene
changes with time as the camera pans: a shortcut for the temporal task. The scene itself can be
seen, though, in the frames where the person stands elsewhere. Shifted by the camera's motion
(the flow's dominant translation, accumulated), the frames around frame t show the scene behind
the person wherever their padded person box did not cover it; the per-pixel median of those
views is the background of frame t. A gain per colour channel, fitted on the scene around the
box, follows changes of lighting, and the residual is measured in units of the frame's own
residual around the box, so that noise, blur and coding loss set the scale per frame.
``person_masks.scene_person_masks`` turns the residual into masks.
"""

from __future__ import annotations

import cv2
import numpy as np

from poseembed.flow.statistics import box_masks, padded_boxes

# Fewer pixels of scene around the box than this give no gain and no noise level.
_MIN_SCENE = 16


def camera_path(camera: np.ndarray) -> np.ndarray:
    """(N, 2) position of each frame's view on the scene, frame 0 at the origin, from the
    camera motion (N, 2) of each frame to the next (the last row repeats the one before)."""
    return np.vstack([np.zeros((1, 2)), np.cumsum(camera[:-1], axis=0)])


def _shifted(frame: np.ndarray, offset: np.ndarray) -> np.ndarray:
    """``frame`` (H, W, 3) as float32 sampled at x + ``offset``; NaN where that falls outside
    it (a NaN border would also blank the last row and column, which bilinear sampling
    weighs at 0)."""
    h, w = frame.shape[:2]
    m = np.float32([[1, 0, offset[0]], [0, 1, offset[1]]])
    out = cv2.warpAffine(
        frame.astype(np.float32),
        m,
        (w, h),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REPLICATE,
    )
    xs, ys = np.arange(w) + offset[0], np.arange(h) + offset[1]
    out[(ys < 0) | (ys > h - 1)] = np.nan
    out[:, (xs < 0) | (xs > w - 1)] = np.nan
    return out


def masked_median(stack: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Median over axis 0 of ``stack`` (K, ...) ignoring NaN, and how many values it was taken
    over; NaN where there is none. Of an even count it takes the lower middle value: a value
    one of the views showed, where the mean of two would blend two scenes at an edge."""
    count = (~np.isnan(stack)).sum(0)
    ordered = np.sort(np.where(np.isnan(stack), np.inf, stack), axis=0)
    middle = np.maximum(count - 1, 0) // 2
    med = np.take_along_axis(ordered, middle[None], axis=0)[0]
    return np.where(count > 0, med, np.nan), count


def scene_residual(
    frames: np.ndarray,
    camera: np.ndarray,
    boxes: np.ndarray,
    window: int,
    step: int,
    pad: float,
    min_views: int,
) -> np.ndarray:
    """(N, H, W) float32: how far each pixel of ``frames`` (N, H, W, 3) lies from the scene
    behind it, in units of the frame's median residual around its box padded by ``pad``; NaN
    where fewer than ``min_views`` of the frames within ``window`` on either side (every
    ``step``-th) show the scene there. Frames without a box (NaN) lend nothing: the person
    could be anywhere in them."""
    n, h, w = frames.shape[:3]
    path = camera_path(camera)
    padded = padded_boxes(boxes, pad)
    has_box = np.isfinite(boxes).all(1)
    around = ~box_masks(padded, h, w)
    out = np.full((n, h, w), np.nan, np.float32)
    for t in range(n):
        views = []
        for u in range(max(0, t - window), min(n, t + window + 1), step):
            if u == t or not has_box[u]:
                continue
            offset = path[u] - path[t]
            view = _shifted(frames[u], offset)
            view[box_masks(padded[u : u + 1] - np.tile(offset, 2), h, w)[0]] = np.nan
            views.append(view)
        if not views:
            continue
        background, count = masked_median(np.stack(views))
        known = count[..., 0] >= min_views
        scene = known & around[t]
        if scene.sum() < _MIN_SCENE:
            continue
        image = frames[t].astype(np.float32)
        x, y = background[scene], image[scene]
        background = background * ((x * y).sum(0) / np.maximum((x * x).sum(0), 1e-6))
        diff = np.abs(image - background).max(-1)
        noise = max(float(np.median(diff[scene])), 1.0)
        out[t] = np.where(known, diff / noise, np.nan)
    return out
