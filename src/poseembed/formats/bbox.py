"""CliqueCNN's per-sequence box files: one line per frame, ``frame_index xmin ymin xmax ymax``."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from poseembed.atomic import write_text


class BoxFileError(ValueError):
    pass


def read_bb(path: str | os.PathLike) -> tuple[np.ndarray, np.ndarray]:
    """Frame indices (N,) and boxes (N, 4) as xmin, ymin, xmax, ymax."""
    path = Path(path)
    try:
        data = np.loadtxt(path, ndmin=2, dtype=np.float64)
    except ValueError as err:
        msg = f"{path}: not a box file of lines 'frame xmin ymin xmax ymax' ({err})"
        raise BoxFileError(msg) from err
    if data.size == 0:
        return np.zeros(0, np.int64), np.zeros((0, 4))
    if data.shape[1] != 5:
        raise BoxFileError(f"{path}: expected 5 columns per line, found {data.shape[1]}")
    boxes = data[:, 1:]
    bad = np.flatnonzero((boxes[:, 2] < boxes[:, 0]) | (boxes[:, 3] < boxes[:, 1]))
    if bad.size:
        raise BoxFileError(f"{path}: line {bad[0] + 1} has xmax < xmin or ymax < ymin")
    return data[:, 0].astype(np.int64), boxes


def write_bb(path: str | os.PathLike, frames: np.ndarray, boxes: np.ndarray) -> None:
    lines = [
        f"{int(f)} {b[0]:.1f} {b[1]:.1f} {b[2]:.1f} {b[3]:.1f}"
        for f, b in zip(frames, boxes, strict=True)
    ]
    write_text(path, "\n".join(lines) + "\n")


def boxes_for_frames(frames: np.ndarray, bb_frames: np.ndarray, bb: np.ndarray) -> np.ndarray:
    """Boxes aligned to ``frames``; frames missing from the file get the nearest annotated box."""
    if bb_frames.size == 0:
        return np.full((len(frames), 4), np.nan)
    order = np.argsort(bb_frames)
    bf, bb = bb_frames[order], bb[order]
    pos = np.clip(np.searchsorted(bf, frames), 0, len(bf) - 1)
    prev = np.clip(pos - 1, 0, len(bf) - 1)
    nearest = np.where(np.abs(bf[prev] - frames) < np.abs(bf[pos] - frames), prev, pos)
    return bb[nearest]
