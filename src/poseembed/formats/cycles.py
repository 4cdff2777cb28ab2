"""Repetition annotations as the QUVA Repetition dataset gives them, one CSV per dataset.

``cycles.csv``: one row per video with at least the columns ``video`` (its file name, with or
without extension) and ``cycle_end_frames`` (the 0-based source frame number of the last frame
of each annotated cycle, space-separated); the count is their number. A ``count`` column, if
present, must agree with it.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd


def read_cycles(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Each video's cycle end frames (sorted), keyed by the file name without extension."""
    table = pd.read_csv(path, dtype={"video": str, "cycle_end_frames": str})
    missing = {"video", "cycle_end_frames"} - set(table.columns)
    if missing:
        raise ValueError(f"{path}: no column {sorted(missing)}; see formats/cycles.py")
    out = {}
    for line, row in enumerate(table.itertuples(index=False), start=2):
        try:
            ends = np.array(str(row.cycle_end_frames).split(), np.int64)
        except ValueError:
            raise ValueError(
                f"{path}:{line}: cycle_end_frames {row.cycle_end_frames!r} are not frame numbers"
            ) from None
        if np.any(np.diff(ends) <= 0) or np.any(ends < 0):
            raise ValueError(f"{path}:{line}: cycle_end_frames must increase from 0 or more")
        if "count" in table.columns and int(row.count) != len(ends):
            raise ValueError(f"{path}:{line}: count {row.count} but {len(ends)} cycle_end_frames")
        stem = Path(row.video).stem
        if stem in out:
            raise ValueError(f"{path}:{line}: video {stem} annotated twice")
        out[stem] = ends
    return out
