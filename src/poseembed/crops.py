"""Person crops at network input size, with a margin so that training can jitter them."""

from __future__ import annotations

import os

import cv2
import numpy as np

from poseembed.atomic import atomic_path


def crop_side(size: int, margin: float) -> int:
    """Side of the stored crop: the network input plus ``margin`` of it on every side."""
    return round(size * (1 + 2 * margin))


def square_boxes(boxes: np.ndarray, context: float) -> np.ndarray:
    """Squares (cx, cy, side) around boxes, ``context`` of the longer side added around it."""
    cx = (boxes[:, 0] + boxes[:, 2]) / 2
    cy = (boxes[:, 1] + boxes[:, 3]) / 2
    side = np.maximum(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]) * (1 + 2 * context)
    return np.stack([cx, cy, np.maximum(side, 4.0)], 1)


def person_crops(
    frames: np.ndarray, boxes: np.ndarray, size: int, margin: float, context: float = 0.1
) -> np.ndarray:
    """(N, S, S, 3) uint8 crops, S = ``crop_side(size, margin)``; the centre ``size`` square
    holds the box with ``context``. Frames without a box (NaN) are cropped whole."""
    n, h, w = frames.shape[:3]
    boxes = np.where(np.isfinite(boxes), boxes, np.array([0, 0, w - 1, h - 1], float))
    sq = square_boxes(boxes, context)
    out_side = crop_side(size, margin)
    scale = size / sq[:, 2]
    out = np.empty((n, out_side, out_side, 3), np.uint8)
    for i in range(n):
        # Affine map that sends the square's centre to the crop's centre.
        m = np.array(
            [
                [scale[i], 0, out_side / 2 - scale[i] * sq[i, 0]],
                [0, scale[i], out_side / 2 - scale[i] * sq[i, 1]],
            ]
        )
        out[i] = cv2.warpAffine(
            frames[i],
            m,
            (out_side, out_side),
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_REPLICATE,
        )
    return out


def save_crops(path: str | os.PathLike, crops: np.ndarray) -> None:
    """A plain ``.npy`` so that training can memory-map it."""
    with atomic_path(path, suffix=".npy") as tmp:
        np.save(tmp, crops)


def load_crops(path: str | os.PathLike, mmap: bool = True) -> np.ndarray:
    return np.load(path, mmap_mode="r" if mmap else None)
