"""Repetition counts against annotated cycles.

RepNet's measures: the count's absolute error relative to the true count (MAE over videos)
and off-by-one accuracy. Boundaries: an annotated cycle end is found when a detected cycle
ends within ``tolerance`` of that cycle's length of it (recall), and a detected end is right
when an annotated one lies that close (precision). Videos without annotated repetitions
count only towards the share of them given a count (false counts).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from poseembed.counting import self_similarity


def synthetic_cycle_ends(gt: pd.DataFrame) -> np.ndarray:
    """The generator's cycles as annotations: the last frame of each cycle at least half
    complete, in periodic segments that hold two or more of them."""
    periodic = gt[gt["cycle"] >= 0]
    ends = []
    for _, segment in periodic.groupby("segment"):
        cycles = segment.groupby("cycle")["frame"]
        whole = cycles.size() >= 0.5 * segment["period"].iloc[0]
        if whole.sum() >= 2:
            ends.append(cycles.max()[whole].to_numpy())
    return np.sort(np.concatenate(ends)) if ends else np.zeros(0, np.int64)


def _cycle_lengths(ends: np.ndarray) -> np.ndarray:
    """Each annotated cycle's length; the first (whose start is not annotated) takes the
    second's."""
    lengths = np.diff(ends).astype(np.float64)
    return np.r_[lengths[:1], lengths] if len(lengths) else np.full(len(ends), np.inf)


def count_measures(
    truth: np.ndarray, count: int, ends: np.ndarray, tolerance: float
) -> dict[str, float]:
    """One video's true_count, count, abs_error, boundary_recall and boundary_precision: its
    annotated cycle ends ``truth`` against the detected ``count`` and cycle ``ends`` (source
    frame numbers)."""
    truth, ends = np.asarray(truth, np.int64), np.asarray(ends, np.int64)
    out = {"true_count": len(truth), "count": int(count), "abs_error": abs(count - len(truth))}
    if len(truth) == 0 or len(ends) == 0:
        recall = 0.0 if len(truth) else np.nan
        return out | {"boundary_recall": recall, "boundary_precision": np.nan}
    reach = tolerance * _cycle_lengths(truth)
    gap = np.abs(truth[:, None] - ends[None])
    near = gap <= reach[:, None]
    return out | {
        "boundary_recall": float(near.any(1).mean()),
        "boundary_precision": float(near.any(0).mean()),
    }


def summarise_counts(measures: pd.DataFrame) -> dict[str, float]:
    """A model's measures over videos: count MAE, off-by-one accuracy and the share counted too
    high (an embedding that finds repetitions where there are none) over the videos with
    annotated repetitions, boundary recall and precision pooled over cycles, and the share of
    videos without repetitions that were given a count."""
    counted = measures[measures["true_count"] > 0]
    none = measures[measures["true_count"] == 0]
    truth = counted["true_count"]
    found = (counted["boundary_recall"] * truth).sum()
    # A video with no detected end has no precision and counts 0 ends.
    detected = counted["count"]
    right = (counted["boundary_precision"].fillna(0) * detected).sum()
    return {
        "videos": len(counted),
        "count_mae": float((counted["abs_error"] / truth).mean()) if len(counted) else np.nan,
        "count_obo": float((counted["abs_error"] <= 1).mean()) if len(counted) else np.nan,
        "over_counts": float((counted["count"] > truth).mean()) if len(counted) else np.nan,
        "boundary_recall": float(found / truth.sum()) if truth.sum() else np.nan,
        "boundary_precision": float(right / detected.sum()) if detected.sum() else np.nan,
        "videos_without": len(none),
        "false_counts": float((none["count"] > 0).mean()) if len(none) else np.nan,
    }


def lag_profile(
    videos: dict[str, tuple[np.ndarray, np.ndarray]], cyclic: dict[str, np.ndarray], lags: int
) -> np.ndarray:
    """(lags + 1,) the mean similarity (``counting.self_similarity``) of two frames k apart,
    over the pairs of frames that both lie outside every cycle: an embedding that knows
    poses falls with the lag there, one that has learnt a time scale comes back. ``videos``:
    per video its source frame numbers and embedding rows; ``cyclic``: per video the source
    frame numbers inside a cycle."""
    total, pairs = np.zeros(lags + 1), np.zeros(lags + 1)
    for video, (index, rows) in videos.items():
        order = np.argsort(index, kind="stable")
        frames = np.asarray(index)[order]
        s = self_similarity(rows[order])
        outside = ~np.isin(frames, cyclic[video])
        for k in range(min(lags, len(frames) - 1) + 1):
            both = outside[: len(frames) - k] & outside[k:]
            total[k] += np.diagonal(s, k)[both].sum()
            pairs[k] += both.sum()
    with np.errstate(invalid="ignore"):
        return total / pairs
