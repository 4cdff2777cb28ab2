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


def _crop(
    image: np.ndarray,
    square: np.ndarray,
    size: int,
    out_side: int,
    border: int = cv2.BORDER_REPLICATE,
) -> np.ndarray:
    """The square (cx, cy, side) of ``image`` scaled so that its side is ``size``, centred in
    an ``out_side`` crop; ``border`` fills where the square leaves the image (replicated for
    images, zero for masks)."""
    scale = size / square[2]
    if scale < 0.5:
        # A warp samples, it does not average: shrink by area first so fine texture of a large
        # image does not alias.
        image = cv2.resize(image, None, fx=2 * scale, fy=2 * scale, interpolation=cv2.INTER_AREA)
        square = square * 2 * scale
        scale = 0.5
    m = np.array(
        [
            [scale, 0, out_side / 2 - scale * square[0]],
            [0, scale, out_side / 2 - scale * square[1]],
        ]
    )
    return cv2.warpAffine(image, m, (out_side, out_side), flags=cv2.INTER_LINEAR, borderMode=border)


def person_crops(
    frames: np.ndarray,
    boxes: np.ndarray,
    size: int,
    margin: float,
    context: float,
    border: int = cv2.BORDER_REPLICATE,
) -> np.ndarray:
    """(N, S, S, 3) uint8 crops, S = ``crop_side(size, margin)``; the centre ``size`` square
    holds the box with ``context``. Frames without a box (NaN) are cropped whole. Masks
    (N, H, W) give (N, S, S) crops the same way."""
    n, h, w = frames.shape[:3]
    boxes = np.where(np.isfinite(boxes), boxes, np.array([0, 0, w - 1, h - 1], float))
    sq = square_boxes(boxes, context)
    out_side = crop_side(size, margin)
    out = np.empty((n, out_side, out_side, *frames.shape[3:]), np.uint8)
    for i in range(n):
        out[i] = _crop(frames[i], sq[i], size, out_side, border)
    return out


def still_crops(
    images: list[np.ndarray],
    centers: np.ndarray,
    scales: np.ndarray,
    size: int,
    margin: float,
    context: float,
) -> np.ndarray:
    """Crops of people in still images framed as ``person_crops`` frames a box: MPII's
    ``scale`` * 200 px (the person's height) with ``context``, around ``center``."""
    side = np.maximum(np.asarray(scales, float) * 200 * (1 + 2 * context), 4.0)
    squares = np.column_stack([np.asarray(centers, float), side])
    out_side = crop_side(size, margin)
    out = np.empty((len(images), out_side, out_side, 3), np.uint8)
    for i, image in enumerate(images):
        out[i] = _crop(image, squares[i], size, out_side)
    return out


def save_crops(path: str | os.PathLike, crops: np.ndarray) -> None:
    """A plain ``.npy`` so that training can memory-map it."""
    with atomic_path(path, suffix=".npy") as tmp:
        np.save(tmp, crops)


def load_crops(path: str | os.PathLike, mmap: bool = True) -> np.ndarray:
    return np.load(path, mmap_mode="r" if mmap else None)
