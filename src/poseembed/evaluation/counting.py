"""Repetition counts against annotated cycles.

RepNet's measures: the count's absolute error relative to the true count (MAE over videos)
and off-by-one accuracy. Boundaries: annotated and detected cycle ends are paired one to one,
an annotated end with a detected one within ``tolerance`` of that cycle's length of it (half
the frame step where that is more), as many pairs as can be made; the pairs' share of the
annotated ends is the recall, of the detected ends the precision (two detected ends near one
annotated end are one right, one wrong). Videos without annotated repetitions count only
towards the share of them given a count (false counts). Periods: every annotated
cycle frame's period found by the counter against the cycle's length, about half of it (the
counter takes two cycles for each one: over-counts), equal, or about double (under-counts).
What the embedding gives the counter: every annotated cycle frame's similarity to the frame at
its phase one cycle on and to the frame half a cycle on. An embedding that carries the cycle
finds the first high and the second low; one that sees the mirror half (the other leg forward)
alike finds both high, and the counter may take half the period; one that finds the first no
higher than the second does not carry the cycle over the video, and a counter has no
similarity to count it by.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching

from poseembed.counting import centred, self_similarity
from poseembed.formats.embeddings import in_time_order


def _annotated_cycles(gt: pd.DataFrame) -> pd.DataFrame:
    """The generator's rows in the cycles taken as annotations: each cycle at least half
    complete, in periodic segments that hold two or more of them."""
    periodic = gt[gt["cycle"] >= 0]
    kept = []
    for _, segment in periodic.groupby("segment"):
        size = segment.groupby("cycle")["frame"].transform("size")
        whole = segment[size >= 0.5 * segment["period"].iloc[0]]
        if whole["cycle"].nunique() >= 2:
            kept.append(whole)
    return pd.concat(kept) if kept else periodic.iloc[:0]


def synthetic_cycle_ends(gt: pd.DataFrame) -> np.ndarray:
    """The last frame of each of the generator's annotated cycles (``_annotated_cycles``)."""
    ends = _annotated_cycles(gt).groupby(["segment", "cycle"])["frame"].max()
    return np.sort(ends.to_numpy(np.int64))


def _cycle_lengths(ends: np.ndarray) -> np.ndarray:
    """Each annotated cycle's length; the first (whose start is not annotated) takes the
    second's, a lone cycle the frames from the video's first (frame 0) to its end."""
    lengths = np.diff(ends).astype(np.float64)
    return np.r_[lengths[:1], lengths] if len(lengths) else ends.astype(np.float64) + 1


# Half, equal or double: within this much of the octave, in log2 (a factor of 1.19).
OCTAVE_TOLERANCE = 0.25


def cycle_periods(truth: np.ndarray, frames: np.ndarray) -> np.ndarray:
    """Each frame's annotated cycle length, NaN outside every cycle: a cycle runs from the frame
    after the previous end to its own end; the first starts a cycle's length before its end."""
    truth, frames = np.asarray(truth, np.int64), np.asarray(frames, np.int64)
    if len(truth) == 0:
        return np.full(len(frames), np.nan)
    lengths = _cycle_lengths(truth)
    k = np.searchsorted(truth, frames)
    inside = k < len(truth)
    k = np.minimum(k, len(truth) - 1)
    inside &= frames > truth[k] - lengths[k]
    return np.where(inside, lengths[k], np.nan)


def synthetic_periods(gt: pd.DataFrame, frames: np.ndarray) -> np.ndarray:
    """The generator's period at each of ``frames``, NaN outside every cycle."""
    periods = gt["period"].where(gt["cycle"] >= 0).set_axis(gt["frame"].to_numpy())
    return periods.reindex(np.asarray(frames)).to_numpy(np.float64)


def synthetic_cycle_periods(gt: pd.DataFrame, frames: np.ndarray) -> np.ndarray:
    """The generator's period at each of ``frames`` in an annotated cycle
    (``_annotated_cycles``), NaN elsewhere: the frames whose count is judged."""
    cycles = _annotated_cycles(gt)
    periods = cycles["period"].set_axis(cycles["frame"].to_numpy())
    return periods.reindex(np.asarray(frames)).to_numpy(np.float64)


def cycle_positions(ends: np.ndarray, frames: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each of ``frames``' place in the annotated cycles, its cycle's number plus its phase
    (NaN outside every cycle; cycles bounded as in ``cycle_periods``), and its run of
    cycles (all one run)."""
    ends = np.asarray(ends, np.int64)
    frames = np.asarray(frames, np.float64)
    run = np.zeros(len(frames), np.int64)
    if len(ends) == 0:
        return np.full(len(frames), np.nan), run
    starts = np.r_[ends[0] - _cycle_lengths(ends)[0] + 1, ends + 1]
    position = np.interp(frames, starts, np.arange(len(starts)), left=np.nan, right=np.nan)
    position[frames >= starts[-1]] = np.nan
    return position, run


def synthetic_cycle_positions(
    gt: pd.DataFrame, frames: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``cycle_positions`` from the generator's cycle and phase, in the annotated cycles
    (``_annotated_cycles``); each motion segment is a run."""
    cycles = _annotated_cycles(gt).set_index("frame").reindex(np.asarray(frames))
    position = (cycles["cycle"] + cycles["phase"]).to_numpy(np.float64)
    return position, cycles["segment"].fillna(-1).to_numpy(np.int64)


# How far (in cycles) a frame may lie from the phase it stands for: less than a quarter, half
# way between the two phases compared (one cycle and half a cycle on), so that no frame stands
# for both.
PHASE_REACH = 0.25


def _phase_partners(position: np.ndarray, run: np.ndarray, offset: float) -> np.ndarray:
    """Per frame the index of the frame of its run nearest its position plus ``offset``
    cycles; -1 where that lies past the run's last frame or none lies within less than
    ``PHASE_REACH``."""
    out = np.full(len(position), -1, np.int64)
    inside = np.isfinite(position)
    for r in np.unique(run[inside]):
        rows = np.flatnonzero(inside & (run == r))
        rows = rows[np.argsort(position[rows], kind="stable")]
        u = position[rows]
        target = u + offset
        after = np.minimum(np.searchsorted(u, target), len(u) - 1)
        before = np.maximum(after - 1, 0)
        nearest = np.where(target - u[before] < u[after] - target, before, after)
        near = (np.abs(u[nearest] - target) < PHASE_REACH) & (target <= u[-1])
        out[rows[near]] = rows[nearest[near]]
    return out


def cycle_similarity(
    embeddings: np.ndarray, position: np.ndarray, run: np.ndarray
) -> dict[str, float]:
    """One video's frames (``embeddings`` rows) with a frame at their phase one and half a
    cycle on (``cycle_pairs``; ``position`` and ``run`` from ``cycle_positions``), and their
    mean similarity (the counter's, ``counting.self_similarity``) to the first
    (``cycle_similarity``) and to the second (``half_cycle_similarity``)."""
    one = _phase_partners(position, run, 1.0)
    half = _phase_partners(position, run, 0.5)
    rows = np.flatnonzero((one >= 0) & (half >= 0))
    if not len(rows):
        return {"cycle_pairs": 0, "cycle_similarity": np.nan, "half_cycle_similarity": np.nan}
    e = centred(embeddings)
    return {
        "cycle_pairs": len(rows),
        "cycle_similarity": float(np.einsum("ij,ij->i", e[rows], e[one[rows]]).mean()),
        "half_cycle_similarity": float(np.einsum("ij,ij->i", e[rows], e[half[rows]]).mean()),
    }


def period_measures(length: np.ndarray, period: np.ndarray) -> dict[str, int]:
    """One video's cycle frames (``length``, their cycle's length, finite), those found
    periodic, and those whose found ``period`` (NaN where not periodic) is about half, equal
    to or about double their cycle's length (``period_half``, ``period_right``,
    ``period_double``)."""
    inside = np.isfinite(length)
    found = inside & np.isfinite(period)
    octave = np.log2(period[found] / length[found])
    near = {k: int((np.abs(octave - k) <= OCTAVE_TOLERANCE).sum()) for k in (-1, 0, 1)}
    return {
        "cycle_frames": int(inside.sum()),
        "periodic_frames": int(found.sum()),
        "period_half": near[-1],
        "period_right": near[0],
        "period_double": near[1],
    }


def count_measures(
    truth: np.ndarray, count: int, ends: np.ndarray, tolerance: float, step: float = 1.0
) -> dict[str, float]:
    """One video's true_count, count, abs_error, boundary_recall and boundary_precision: its
    annotated cycle ends ``truth`` against the detected ``count`` and cycle ``ends`` (source
    frame numbers). With one frame in ``step`` embedded, a detected end lies on one frame in
    ``step``: every annotated end lies within half a step of one, so the reach is no less."""
    truth, ends = np.asarray(truth, np.int64), np.asarray(ends, np.int64)
    out = {"true_count": len(truth), "count": int(count), "abs_error": abs(count - len(truth))}
    if len(truth) == 0 or len(ends) == 0:
        recall = 0.0 if len(truth) else np.nan
        return out | {"boundary_recall": recall, "boundary_precision": np.nan}
    reach = np.maximum(tolerance * _cycle_lengths(truth), step / 2)
    near = np.abs(truth[:, None] - ends[None]) <= reach[:, None]
    pairs = int((maximum_bipartite_matching(csr_matrix(near), perm_type="column") >= 0).sum())
    return out | {
        "boundary_recall": pairs / len(truth),
        "boundary_precision": pairs / len(ends),
    }


def summarise_counts(measures: pd.DataFrame) -> dict[str, float]:
    """A model's measures over videos (``count_measures`` and ``period_measures``): count MAE,
    off-by-one accuracy and the share counted too high (an embedding that finds repetitions
    where there are none) over the videos with annotated repetitions, boundary recall and
    precision pooled over cycles, the share of the cycle frames found periodic and of those the
    shares with half, the right and double the period, the similarities one and half a cycle
    on pooled over frames (``cycle_similarity``), and the share of videos without repetitions
    that were given a count."""
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
        **_period_shares(measures),
        **_cycle_similarities(measures),
        "videos_without": len(none),
        "false_counts": float((none["count"] > 0).mean()) if len(none) else np.nan,
    }


def _period_shares(measures: pd.DataFrame) -> dict[str, float]:
    cycle, periodic = measures["cycle_frames"].sum(), measures["periodic_frames"].sum()
    return {
        "periodic": float(periodic / cycle) if cycle else np.nan,
        **{
            k: float(measures[k].sum() / periodic) if periodic else np.nan
            for k in ("period_half", "period_right", "period_double")
        },
    }


def _cycle_similarities(measures: pd.DataFrame) -> dict[str, float]:
    out = {}
    for k in ("cycle_similarity", "half_cycle_similarity"):
        value = measures[k].to_numpy(np.float64)
        pairs = np.where(np.isfinite(value), measures["cycle_pairs"], 0)
        out[k] = (
            float((np.nan_to_num(value) * pairs).sum() / pairs.sum()) if pairs.sum() else np.nan
        )
    return out


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
        frames, ordered = in_time_order(index, rows)
        s = self_similarity(ordered)
        outside = ~np.isin(frames, cyclic[video])
        for k in range(min(lags, len(frames) - 1) + 1):
            both = outside[: len(frames) - k] & outside[k:]
            total[k] += np.diagonal(s, k)[both].sum()
            pairs[k] += both.sum()
    with np.errstate(invalid="ignore"):
        return total / pairs
