"""Mined repetitions against the generator's ground truth (each frame's cycle and phase).

A pair of frames is a true repetition when both lie in one periodic segment, in different
cycles, at the same phase within ``tolerance`` (a fraction of the period, circular). Recall
counts (query frame, other cycle) combinations: one is found when a correct mined pair joins the
query to a frame of that cycle; only combinations farther apart than the miner's ``min_gap``
can be found. Chance precision is that of a pair drawn at random among those farther apart
than ``min_gap``. A wrong pair is told by why it is wrong, the diagnosis of a miner or an
embedding: a frame outside every cycle (a pose held or met again outside the motion), frames of
two periodic segments, of one cycle, half a cycle apart (the mirror pose of a stride), or at
another phase. With ``frames.step`` > 1 only the embedded frames count
(``embedded_groundtruth``). Counting is judged in ``evaluation.counting``.

What a miner can find depends on the embedding first: ``cycle_neighbours`` asks, of every frame
and every other cycle of its segment, whether the frame of that cycle most like it (as the
miner compares them) is at its phase, or half a cycle off. Any miner that takes one frame per
cycle is bounded by the first; the second is the mirror pose a stride's embedding confuses.
``true_period_bound`` asks what the counter's periods cost the miner, ``untested_bound`` what its
similarity peaks allow without the period test.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from poseembed.counting import CountSettings, centred, frame_step
from poseembed.evaluation.counting import synthetic_periods
from poseembed.formats.embeddings import Embeddings, in_time_order
from poseembed.mining import MiningSettings, frame_groups, mine_embeddings
from poseembed.tasks.temporal import TemporalRanges, negative_pairs, removed_negatives


def _phase_gap(gt: pd.DataFrame, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The circular distance between the phases of rows ``a`` and ``b`` (0 to 0.5 of a cycle)."""
    phase = gt["phase"].to_numpy()
    d = np.abs(phase[a] - phase[b])
    return np.minimum(d, 1 - d)


def same_phase(gt: pd.DataFrame, a: np.ndarray, b: np.ndarray, tolerance: float) -> np.ndarray:
    """Whether rows ``a`` and ``b`` of one video's ground truth are a true repetition."""
    cycle, segment = gt["cycle"].to_numpy(), gt["segment"].to_numpy()
    d = _phase_gap(gt, a, b)
    return (
        (cycle[a] >= 0)
        & (cycle[b] >= 0)
        & (segment[a] == segment[b])
        & (cycle[a] != cycle[b])
        & (d <= tolerance)
    )


def _video_measures(
    gt: pd.DataFrame, mined: pd.DataFrame, tolerance: float, min_gap: int
) -> dict[str, int]:
    row = pd.Series(np.arange(len(gt)), index=gt["frame"].to_numpy())
    q = row.reindex(mined["query"].to_numpy()).to_numpy()
    f = row.reindex(mined["frame"].to_numpy()).to_numpy()
    correct = same_phase(gt, q, f, tolerance)
    cycle = gt["cycle"].to_numpy()
    wrong = _wrong_pairs(gt, q[~correct], f[~correct], tolerance)
    n = len(gt)
    a, b = np.triu_indices(n, 1)
    a, b = np.concatenate([a, b]), np.concatenate([b, a])
    frames = gt["frame"].to_numpy()
    far = np.abs(frames[a] - frames[b]) > min_gap
    reachable = same_phase(gt, a, b, tolerance) & far
    wanted = set(zip(a[reachable].tolist(), cycle[b[reachable]].tolist(), strict=True))
    found = set(zip(q[correct].tolist(), cycle[f[correct]].tolist(), strict=True))
    return {
        "pairs": len(mined),
        "correct_pairs": int(correct.sum()),
        "repetitions": len(wanted),
        "found": len(wanted & found),
        "far_pairs": int(far.sum()),
        "true_far_pairs": int(reachable.sum()),
        **wrong,
    }


WRONG = ("outside_cycles", "other_segment", "same_cycle", "half_cycle", "other_phase")


def _wrong_pairs(gt: pd.DataFrame, a: np.ndarray, b: np.ndarray, tolerance: float) -> dict:
    """How many of the wrong pairs (rows ``a``, ``b``) fall in each of ``WRONG``."""
    cycle, segment = gt["cycle"].to_numpy(), gt["segment"].to_numpy()
    d = _phase_gap(gt, a, b)
    outside = (cycle[a] < 0) | (cycle[b] < 0)
    other_segment = ~outside & (segment[a] != segment[b])
    same_cycle = ~outside & ~other_segment & (cycle[a] == cycle[b])
    rest = ~(outside | other_segment | same_cycle)
    half = rest & (np.abs(d - 0.5) <= tolerance)
    kinds = (outside, other_segment, same_cycle, half, rest & ~half)
    return {name: int(kind.sum()) for name, kind in zip(WRONG, kinds, strict=True)}


def _negatives(
    gt: pd.DataFrame, mined: pd.DataFrame, tolerance: float, ranges: TemporalRanges
) -> dict[str, int]:
    frames = gt["frame"].to_numpy()
    video = np.zeros(len(gt), np.int64)
    a, b = negative_pairs(video, frames, ranges)
    groups = frame_groups(mined).set_index("frame")["group"]
    g = groups.reindex(frames).fillna(-1).to_numpy(np.int64)
    ra, rb = removed_negatives(a, b, g)
    return {
        "negatives": len(a),
        "false_negatives": int(same_phase(gt, a, b, tolerance).sum()),
        "removed": len(ra),
        "false_negatives_removed": int(same_phase(gt, ra, rb, tolerance).sum()),
    }


def repetition_measures(
    repetitions: pd.DataFrame,
    groundtruth: dict[str, pd.DataFrame],
    tolerance: float,
    min_gap: int,
    ranges: TemporalRanges,
) -> pd.DataFrame:
    """One row per video with ground truth: pair counts, recall counts and negatives."""
    rows = []
    for video, gt in sorted(groundtruth.items()):
        gt = gt.sort_values("frame").reset_index(drop=True)
        mined = repetitions[repetitions["video"] == video]
        rows.append(
            {
                "video": video,
                **_video_measures(gt, mined, tolerance, min_gap),
                **_negatives(gt, mined, tolerance, ranges),
            }
        )
    return pd.DataFrame(rows)


def embedded_groundtruth(
    groundtruth: dict[str, pd.DataFrame], emb: Embeddings
) -> dict[str, pd.DataFrame]:
    """Each video's ground truth on the frames ``emb`` holds (every ``frames.step``-th): the
    repetitions a miner of those embeddings can find. A video ``emb`` lacks keeps all its
    frames, none of them found."""
    frames = {video: index for (_, video), (index, _) in emb.videos.items()}
    return {
        video: gt[gt["frame"].isin(frames[video])] if video in frames else gt
        for video, gt in groundtruth.items()
    }


def summarise(measures: pd.DataFrame) -> dict[str, float]:
    """Precision, recall, the share of the mined pairs wrong in each way (``WRONG``) and the
    negatives cleaned, over all videos."""
    pairs = measures["pairs"].sum()
    return {
        "mined_pairs": int(pairs),
        "precision": float(measures["correct_pairs"].sum() / pairs) if pairs else float("nan"),
        "chance_precision": float(
            measures["true_far_pairs"].sum() / max(measures["far_pairs"].sum(), 1)
        ),
        "recall": float(measures["found"].sum() / max(measures["repetitions"].sum(), 1)),
        **{
            f"wrong_{name}": float(measures[name].sum() / pairs) if pairs else float("nan")
            for name in WRONG
        },
        "negatives": int(measures["negatives"].sum()),
        "false_negatives": int(measures["false_negatives"].sum()),
        "removed": int(measures["removed"].sum()),
        "false_negatives_removed": int(measures["false_negatives_removed"].sum()),
    }


def true_period_bound(
    emb: Embeddings,
    groundtruth: dict[str, pd.DataFrame],
    settings: MiningSettings,
    counting: CountSettings,
    tolerance: float,
    ranges: TemporalRanges,
) -> dict[str, float]:
    """The miner's precision and recall on ``emb`` (its last-stage embeddings) when the cycle
    frames the counter finds periodic take the generator's period, and its other periodic
    frames keep theirs: how much of what the miner misses the values of the counter's periods
    (their octave first) cost, where the counter finds periodicity left as it is."""

    def truth(key: tuple[str, str], frames: np.ndarray, period: np.ndarray) -> np.ndarray:
        if key[1] not in groundtruth:
            return period
        # The generator's periods are in source frames, the counter's (and the miner's gaps)
        # in rows.
        true = synthetic_periods(groundtruth[key[1]], frames) / frame_step(frames)
        return np.where(np.isfinite(period) & np.isfinite(true), true, period)

    mined = mine_embeddings(emb, settings, counting, periods=truth)
    gt = embedded_groundtruth(groundtruth, emb)
    found = summarise(repetition_measures(mined, gt, tolerance, settings.min_gap, ranges))
    return {"true_period_precision": found["precision"], "true_period_recall": found["recall"]}


def untested_bound(
    emb: Embeddings,
    groundtruth: dict[str, pd.DataFrame],
    settings: MiningSettings,
    tolerance: float,
    ranges: TemporalRanges,
) -> dict[str, float]:
    """The miner's precision and recall on ``emb`` without its period test: the recall its
    similarity peaks allow, of which the period test keeps what the counter's periods let
    through."""
    mined = mine_embeddings(emb, replace(settings, period_tolerance=None))
    gt = embedded_groundtruth(groundtruth, emb)
    found = summarise(repetition_measures(mined, gt, tolerance, settings.min_gap, ranges))
    return {"untested_precision": found["precision"], "untested_recall": found["recall"]}


def cycle_neighbours(
    emb: Embeddings,
    groundtruth: dict[tuple[str, str], pd.DataFrame],
    tolerance: float,
    min_gap: int,
) -> dict[str, float]:
    """Over (frame, other cycle of its periodic segment) with a frame of that cycle at its phase
    (within ``tolerance``) more than ``min_gap`` frames away: the share whose most similar frame
    of that cycle (centred cosine, frames within ``min_gap`` left out) is at its phase
    (``cycle_match``), and half a cycle off (``cycle_mirror``)."""
    total = match = mirror = 0
    for key, gt in sorted(groundtruth.items()):
        if key not in emb.videos:
            continue
        index, embeddings = emb.videos[key]
        frames, ordered = in_time_order(index, embeddings)
        gt = gt.set_index("frame").reindex(frames).reset_index()
        e = centred(ordered)
        similarity = e @ e.T
        near = np.abs(frames[:, None] - frames[None]) <= min_gap
        similarity[near] = -np.inf
        cycle, segment = gt["cycle"].to_numpy(), gt["segment"].to_numpy()
        rows = np.arange(len(gt))
        phase = _phase_gap(gt, rows[:, None], rows[None])
        for c in np.unique(cycle[cycle >= 0]):
            cols = np.flatnonzero(cycle == c)
            query = np.flatnonzero((cycle >= 0) & (cycle != c) & (segment == segment[cols[0]]))
            reach = ((phase[np.ix_(query, cols)] <= tolerance) & ~near[np.ix_(query, cols)]).any(1)
            query = query[reach]
            best = cols[np.argmax(similarity[np.ix_(query, cols)], 1)]
            gap = phase[query, best]
            total += len(query)
            match += int((gap <= tolerance).sum())
            mirror += int((np.abs(gap - 0.5) <= tolerance).sum())
    if total == 0:
        return {"cycle_match": float("nan"), "cycle_mirror": float("nan")}
    return {"cycle_match": match / total, "cycle_mirror": mirror / total}
