"""Drawing ground-truth skeletons and boxes on frames."""

from __future__ import annotations

import cv2
import numpy as np

from poseembed.joints import LIMBS, MPII_JOINTS

_RIGHT = (60, 60, 255)
_LEFT = (255, 160, 40)
_CENTRE = (80, 255, 80)


def _colour(a: int, b: int) -> tuple[int, int, int]:
    names = MPII_JOINTS[a] + MPII_JOINTS[b]
    if "r_" in names and "l_" not in names:
        return _RIGHT
    if "l_" in names and "r_" not in names:
        return _LEFT
    return _CENTRE


def draw_skeleton(
    image: np.ndarray, joints: np.ndarray, visible: np.ndarray, box: np.ndarray | None, zoom: int
) -> np.ndarray:
    """An enlarged copy of a BGR image with limbs (right red, left blue) and the box (yellow)."""
    out = cv2.resize(image, None, fx=zoom, fy=zoom, interpolation=cv2.INTER_NEAREST)
    pts = np.round(joints * zoom).astype(int)
    for a, b in LIMBS:
        if visible[a] and visible[b]:
            cv2.line(out, tuple(pts[a]), tuple(pts[b]), _colour(a, b), 2, cv2.LINE_AA)
    for p, v in zip(pts, visible, strict=True):
        if v:
            cv2.circle(out, tuple(p), 2, (255, 255, 255), -1, cv2.LINE_AA)
    if box is not None and np.all(np.isfinite(box)):
        x0, y0, x1, y1 = np.round(np.asarray(box) * zoom).astype(int)
        cv2.rectangle(out, (x0, y0), (x1, y1), (0, 230, 255), 1)
    return out
