"""Runs of consecutive True values in a boolean sequence (periodic frames, frames without a
box)."""

from __future__ import annotations

import numpy as np


def true_runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(first, last + 1) of each run of True in ``mask``."""
    edges = np.diff(np.r_[0, np.asarray(mask).astype(np.int8), 0])
    return list(
        zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist(), strict=True)
    )


def run_ids(mask: np.ndarray) -> np.ndarray:
    """Per element of ``mask`` the number of its run of True (0, 1, ...); -1 where False."""
    mask = np.asarray(mask, bool)
    first = mask & ~np.r_[False, mask[:-1]]
    return np.where(mask, np.cumsum(first) - 1, -1)
