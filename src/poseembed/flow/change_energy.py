"""Where a video changes once the camera's motion is taken out, and the boxes that hold it.

Each frame is compared with the one before shifted by the camera's motion (the flow's dominant
translation): what differs in grey level is what moves unlike the camera. Unlike the flow's
residual, this stays quiet on texture-less walls and sky, whose flow under a pan is noise
(on the QUVA monkey-bars clip the flow's moving pixels cover much of the white wall). The
change, summed over a fraction of a second, lies on the person the video follows and on what
the person moves (a bar, dumbbells); the box holding its central mass is the motion box, and
the share of it that a detection holds tells the person from a detected window column or pole.
"""

from __future__ import annotations

import cv2
import numpy as np
from scipy.ndimage import uniform_filter1d

from poseembed.flow.motion_boxes import MotionBoxParams

# The change is kept on cells of SCALE x SCALE pixels: a box needs no finer grid, and a long
# video's change stays small.
SCALE = 4
# Radius of the blur that keeps single-pixel noise and half-pixel misalignment out of the change.
_BLUR = 2


def _grey(frame: np.ndarray) -> np.ndarray:
    size = (2 * _BLUR + 1, 2 * _BLUR + 1)
    return cv2.GaussianBlur(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY), size, 0).astype(np.float32)


def change_energy(
    frames: np.ndarray, camera: np.ndarray, threshold: float, relative: float
) -> np.ndarray:
    """(N - 1, H // SCALE, W // SCALE) float32: per pair of consecutive frames (N, H, W, 3) the
    grey-level change of the second from the first shifted by the camera's motion (N - 1, 2;
    pixels from first to second), less a noise level of max(``threshold``, ``relative`` x the
    pair's median change), summed per cell (the last H % SCALE rows and W % SCALE columns left
    out); 0 where the shift brings in content from outside the frame."""
    n, h, w = frames.shape[:3]
    rows, cols = h // SCALE, w // SCALE
    out = np.empty((n - 1, rows, cols), np.float32)
    # The blur reflects the image at its edges, where the two frames see different content.
    inside = np.zeros((h, w), np.float32)
    inside[_BLUR : h - _BLUR, _BLUR : w - _BLUR] = 1
    after = _grey(frames[0])
    for t in range(n - 1):
        before, after = after, _grey(frames[t + 1])
        shift = np.float32([[1, 0, camera[t, 0]], [0, 1, camera[t, 1]]])
        moved = cv2.warpAffine(before, shift, (w, h), borderMode=cv2.BORDER_REPLICATE)
        seen = cv2.warpAffine(inside, shift, (w, h)) > 0.999
        change = np.abs(after - moved) * (seen & (inside > 0))
        level = max(threshold, relative * float(np.median(change)))
        cells = np.maximum(change - level, 0)[: rows * SCALE, : cols * SCALE]
        out[t] = cells.reshape(rows, SCALE, cols, SCALE).mean((1, 3))
    return out


def accumulated_change(
    frames: np.ndarray, camera: np.ndarray, fps: float, p: MotionBoxParams
) -> np.ndarray:
    """The ``change_energy`` of a video's frames (N, H, W, 3) at ``fps``, ``accumulate``d over
    ``p.window_s`` seconds with ``p.border`` zeroed."""
    change = change_energy(frames, camera, p.grey_threshold, p.grey_relative)
    return accumulate(change, round(p.window_s * fps), p.border)


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
    accumulated change to its 1 - ``mass`` quantile along each axis; NaN where at most
    ``min_area`` of the frame or none of it changes."""

    def span(profile: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        c = np.cumsum(profile, 1)
        c = c / np.maximum(c[:, -1:], 1e-12)
        return np.argmax(c >= mass, 1), np.argmax(c >= 1 - mass, 1)

    x0, x1 = span(acc.sum(1))
    y0, y1 = span(acc.sum(2))
    boxes = SCALE * np.stack([x0, y0, x1 + 1, y1 + 1], 1).astype(np.float64)
    boxes[:, 2:] -= 1
    changing = (acc > 0).mean((1, 2))
    boxes[changing <= min_area] = np.nan
    return boxes


def held_share(acc: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """The share of one frame's accumulated change (H / SCALE, W / SCALE) inside each box (k,
    4; frame pixels); 0 where the frame does not change."""
    h, w = acc.shape
    integral = cv2.integral(acc.astype(np.float64))
    cells = np.asarray(boxes, np.float64)[:, :4] / SCALE
    x0 = np.clip(np.floor(cells[:, 0]), 0, w).astype(np.int64)
    y0 = np.clip(np.floor(cells[:, 1]), 0, h).astype(np.int64)
    # Inclusive pixels x1, y1 lie in cells floor(x1 / SCALE), floor(y1 / SCALE): one past them.
    x1 = np.clip(np.floor(cells[:, 2]) + 1, x0, w).astype(np.int64)
    y1 = np.clip(np.floor(cells[:, 3]) + 1, y0, h).astype(np.int64)
    inside = integral[y1, x1] - integral[y0, x1] - integral[y1, x0] + integral[y0, x0]
    total = integral[-1, -1]
    return inside / total if total > 0 else np.zeros(len(cells))
