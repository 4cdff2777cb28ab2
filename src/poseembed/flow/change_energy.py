"""Where a video changes once the camera's motion is taken out, and the boxes that hold it.

Each frame is compared with the one before shifted by the camera's motion (the flow's dominant
translation): what differs in grey level is what moves unlike the camera. Unlike the flow's
residual, this stays quiet on texture-less walls and sky, whose flow under a pan is noise
(on the QUVA monkey-bars clip the flow's moving pixels cover much of the white wall). The
change, summed over a window of about a second, lies on the person the video follows and on
what the person moves (a bar, dumbbells); the box holding its central mass is the motion box,
and the share of it that a detection holds tells the person from a detected window column or
pole.
"""

from __future__ import annotations

import cv2
import numpy as np
from scipy.ndimage import uniform_filter1d

# The change is kept at a quarter of the frame's resolution: a box needs no finer grid, and a
# long video's change stays small.
SCALE = 4


_BLUR = 2


def _grey(frames: np.ndarray) -> np.ndarray:
    size = (2 * _BLUR + 1, 2 * _BLUR + 1)
    return np.stack(
        [cv2.GaussianBlur(cv2.cvtColor(f, cv2.COLOR_BGR2GRAY), size, 0) for f in frames]
    ).astype(np.float32)


def change_energy(
    before: np.ndarray, after: np.ndarray, camera: np.ndarray, threshold: float, relative: float
) -> np.ndarray:
    """(N, H / SCALE, W / SCALE) float32: per pair of frames (N, H, W, 3) the grey-level change
    of ``after`` from ``before`` shifted by the camera's motion (N, 2; pixels from before to
    after), less a noise level of max(``threshold``, ``relative`` x the pair's median change);
    0 where the shift brings nothing in from outside the frame."""
    g0, g1 = _grey(before), _grey(after)
    n, h, w = g0.shape
    size = (max(1, w // SCALE), max(1, h // SCALE))
    out = np.empty((n, size[1], size[0]), np.float32)
    # The blur reflects the image at its edges, where the two frames see different content.
    inside = np.zeros((h, w), np.float32)
    inside[_BLUR : h - _BLUR, _BLUR : w - _BLUR] = 1
    for t in range(n):
        shift = np.float32([[1, 0, camera[t, 0]], [0, 1, camera[t, 1]]])
        moved = cv2.warpAffine(g0[t], shift, (w, h), borderMode=cv2.BORDER_REPLICATE)
        seen = cv2.warpAffine(inside, shift, (w, h))
        change = np.abs(g1[t] - moved) * (seen > 0.999) * inside
        level = max(threshold, relative * float(np.median(change)))
        out[t] = cv2.resize(np.maximum(change - level, 0), size, interpolation=cv2.INTER_AREA)
    return out


def accumulate(energy: np.ndarray, frames: int, border: float) -> np.ndarray:
    """``change_energy`` summed over a window of ``frames`` frames centred on each (a mean), with
    a band of ``border`` of the frame around its edge zeroed: a pan reveals content there that
    has no match."""
    acc = uniform_filter1d(energy, size=max(1, frames), axis=0, mode="nearest")
    h, w = acc.shape[1:]
    by, bx = round(border * h), round(border * w)
    acc[:, :by] = 0
    acc[:, h - by :] = 0
    acc[:, :, :bx] = 0
    acc[:, :, w - bx :] = 0
    return acc


def mass_boxes(acc: np.ndarray, mass: float, min_area: float) -> np.ndarray:
    """Per frame the box (x0, y0, x1, y1 in frame pixels) from the ``mass`` quantile of the
    accumulated change to its 1 - ``mass`` quantile along each axis; NaN where less than
    ``min_area`` of the frame changes."""

    def span(profile: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        c = np.cumsum(profile, 1)
        c = c / np.maximum(c[:, -1:], 1e-12)
        return np.argmax(c >= mass, 1), np.argmax(c >= 1 - mass, 1)

    x0, x1 = span(acc.sum(1))
    y0, y1 = span(acc.sum(2))
    boxes = SCALE * np.stack([x0, y0, x1 + 1, y1 + 1], 1).astype(np.float64)
    boxes[:, 2:] -= 1
    changing = (acc > 0).mean((1, 2))
    boxes[changing < min_area] = np.nan
    return boxes


def held_share(acc: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """The share of one frame's accumulated change (H / SCALE, W / SCALE) inside each box (k,
    4; frame pixels); 0 where the frame does not change."""
    h, w = acc.shape
    integral = cv2.integral(acc.astype(np.float64))
    cells = np.asarray(boxes, np.float64)[:, :4] / SCALE
    x0 = np.clip(np.floor(cells[:, 0]), 0, w).astype(np.int64)
    y0 = np.clip(np.floor(cells[:, 1]), 0, h).astype(np.int64)
    x1 = np.clip(np.ceil(cells[:, 2]), x0, w).astype(np.int64)
    y1 = np.clip(np.ceil(cells[:, 3]), y0, h).astype(np.int64)
    inside = integral[y1, x1] - integral[y0, x1] - integral[y1, x0] + integral[y0, x0]
    total = integral[-1, -1]
    return inside / total if total > 0 else np.zeros(len(cells))
