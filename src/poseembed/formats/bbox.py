"""CliqueCNN's per-sequence box files: one line per frame, ``frame_index xmin ymin xmax ymax``."""

from __future__ import annotations

import os
from dataclasses import dataclass
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


@dataclass(frozen=True)
class BoxReport:
    """What a box file needed: frames without a line (given the nearest line's box), lines
    whose box lies wholly outside the frame or is not a number (1-based, as an editor shows
    them; those frames have no box, and the flow step interpolates one), and boxes partly
    outside (clipped to the frame)."""

    frames: int
    filled: int
    outside: list[int]
    clipped: int

    def __str__(self) -> str:
        lines = ", ".join(map(str, self.outside[:10])) + (" ..." if len(self.outside) > 10 else "")
        return (
            f"{self.filled} of {self.frames} frames without a line got the nearest box; "
            f"{len(self.outside)} lines outside the frame are missing boxes (lines {lines}); "
            f"{self.clipped} boxes clipped to the frame"
        )


def boxes_in_frame(
    path: str | os.PathLike,
    frames: np.ndarray,
    size: tuple[int, int],
    max_bad_share: float,
) -> tuple[np.ndarray, BoxReport]:
    """The boxes of box file ``path`` for source ``frames`` of a frame of ``size`` (w, h):
    NaN where a line's box misses the frame, clipped where it sticks out, the nearest line's box
    where a frame has none. More than ``max_bad_share`` of the frames without a line or with a
    box off the frame fails, naming the file and the lines."""
    bb_frames, bb = read_bb(path)
    w, h = size
    finite = np.isfinite(bb).all(axis=1)
    off = ~finite | (bb[:, 2] <= 0) | (bb[:, 3] <= 0) | (bb[:, 0] >= w) | (bb[:, 1] >= h)
    clipped = finite & ~off & ((bb[:, :2] < 0).any(axis=1) | (bb[:, 2] > w) | (bb[:, 3] > h))
    bb = np.where(off[:, None], np.nan, np.clip(bb, 0, [w, h, w, h]))
    report = BoxReport(
        frames=len(frames),
        filled=int((~np.isin(frames, bb_frames)).sum()),
        outside=(np.flatnonzero(off) + 1).tolist(),
        clipped=int(clipped.sum()),
    )
    bad = report.filled + int(np.isin(frames, bb_frames[off]).sum())
    if len(frames) and bad / len(frames) > max_bad_share:
        raise BoxFileError(
            f"{path}: {bad} of {len(frames)} frames have no line or a box off the frame, more "
            f"than frames.max_bad_boxes = {max_bad_share}: {report}; fix the file, or delete it "
            "to find the person without it (flow.person_boxes)"
        )
    return boxes_for_frames(frames, bb_frames, bb), report
