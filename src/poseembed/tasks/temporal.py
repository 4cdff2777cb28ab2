"""Temporal-ordering pairs: two frames of one video, close (positive) or far (negative) in time.

Positive when 1 <= |dt| <= tau_pos, negative when tau_neg[0] <= |dt| <= tau_neg[1]; both frames
must be among the current stage's samples. Half of a batch is positive, half negative.

With mined repetitions (a group id per sample, -1 for none), a share of the positives are two
frames of one repetition group, however far apart, and a far pair inside one group is never
drawn as a negative: it shows the same pose, so "far" would be a wrong label. Beyond the paper,
a share of the positives can be given pairs of two videos (``cross``) that show the same pose.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class TemporalRanges:
    """The config's ``training.tau_pos`` and ``training.tau_neg``."""

    tau_pos: int
    tau_neg: tuple[int, int]

    def __post_init__(self) -> None:
        lo, hi = self.tau_neg
        if not 1 <= self.tau_pos < lo <= hi:
            raise ValueError(
                f"need 1 <= tau_pos < tau_neg[0] <= tau_neg[1]; got tau_pos="
                f"{self.tau_pos}, tau_neg={list(self.tau_neg)}"
            )


@dataclass
class TemporalPairs:
    """Row indices (into the samples given) of anchor and partner, and 1 = close, 0 = far."""

    anchor: np.ndarray
    other: np.ndarray
    label: np.ndarray


def _one_group(group: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Whether rows ``a`` and ``b`` lie in one repetition group (-1 is none)."""
    return (group[a] >= 0) & (group[a] == group[b])


def _draw(
    keys: np.ndarray,
    video: np.ndarray,
    frame: np.ndarray,
    stride: int,
    n: int,
    lo: int,
    hi: int,
    rng: np.random.Generator,
    max_rounds: int,
    pool: np.ndarray,
    group: np.ndarray | None = None,
) -> tuple[np.ndarray, ...]:
    """``n`` pairs of rows ``lo`` to ``hi`` frames apart in one video, anchors from ``pool``."""
    anchors, partners = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
    found = 0
    for _ in range(max_rounds):
        if found >= n:
            break
        m = 2 * (n - found) + 16
        a = pool[rng.integers(0, len(pool), m)]
        dt = rng.integers(lo, hi + 1, m) * rng.choice([-1, 1], m)
        target = video[a] * stride + frame[a] + dt
        pos = np.clip(np.searchsorted(keys, target), 0, len(keys) - 1)
        ok = (keys[pos] == target) & (frame[a] + dt >= 0)
        if group is not None:
            ok &= ~_one_group(group, a, pos)
        anchors.append(a[ok])
        partners.append(pos[ok])
        found += int(ok.sum())
    if found < n:
        raise ValueError(
            f"the stage's samples hold too few frame pairs with {lo} <= |dt| <= {hi} "
            "(videos too short or stage too small for these ranges)"
        )
    return np.concatenate(anchors)[:n], np.concatenate(partners)[:n]


def _draw_repetitions(
    group: np.ndarray, n: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` pairs of distinct rows of one group (rows of groups with at least two members)."""
    order = np.argsort(group, kind="stable")
    ids, start, count = np.unique(group[order], return_index=True, return_counts=True)
    usable = (ids >= 0) & (count >= 2)
    members = np.flatnonzero(np.repeat(usable, count))
    if n == 0 or len(members) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    slot = rng.choice(members, n)
    g = np.searchsorted(start, slot, side="right") - 1
    rank = slot - start[g]
    k = rng.integers(0, count[g] - 1)
    k += k >= rank
    return order[slot], order[start[g] + k]


def sample_temporal_pairs(
    video: np.ndarray,
    frame: np.ndarray,
    n_pairs: int,
    ranges: TemporalRanges,
    rng: np.random.Generator,
    max_rounds: int = 50,
    group: np.ndarray | None = None,
    mined_share: float = 0.0,
    cross: tuple[np.ndarray, np.ndarray] | None = None,
    cross_share: float = 0.0,
    usable: np.ndarray | None = None,
) -> TemporalPairs:
    """``n_pairs`` pairs (half positive) from samples given as video ids and frame numbers.

    ``group``: a repetition group id per sample (-1: none); ``mined_share`` of the positives are
    then drawn inside groups (fewer when no group has two samples), and no negative lies inside
    one. ``cross``: positive pairs of rows of two videos, ``cross_share`` of the positives drawn
    from them. ``usable``: the rows that may anchor a pair (all by default; see
    ``short_videos``). Rows are sorted internally by (video, frame); returned indices refer to
    the input order.
    """
    video = np.asarray(video, np.int64)
    frame = np.asarray(frame, np.int64)
    stride = int(frame.max()) + ranges.tau_neg[1] + 2
    order = np.lexsort((frame, video))
    keys = video[order] * stride + frame[order]
    v, f = video[order], frame[order]
    g = None if group is None else np.asarray(group, np.int64)[order]
    pool = np.arange(len(order)) if usable is None else np.flatnonzero(np.asarray(usable)[order])
    n_pos = n_pairs // 2
    ma, mo = (
        _draw_repetitions(g, round(n_pos * mined_share), rng)
        if g is not None
        else (np.zeros(0, np.int64), np.zeros(0, np.int64))
    )
    n_cross = round(n_pos * cross_share) if cross is not None and len(cross[0]) else 0
    n_cross = min(n_cross, n_pos - len(ma))
    n_within = n_pos - len(ma) - n_cross
    pa, po = _draw(keys, v, f, stride, n_within, 1, ranges.tau_pos, rng, max_rounds, pool)
    pa, po = np.concatenate([ma, pa]), np.concatenate([mo, po])
    na, no = _draw(keys, v, f, stride, n_pairs - n_pos, *ranges.tau_neg, rng, max_rounds, pool, g)
    anchor, other = order[np.concatenate([pa, na])], order[np.concatenate([po, no])]
    if n_cross:
        pick = rng.integers(0, len(cross[0]), n_cross)
        anchor = np.concatenate([cross[0][pick], anchor])
        other = np.concatenate([cross[1][pick], other])
    label = np.concatenate([np.ones(n_pos, np.int64), np.zeros(n_pairs - n_pos, np.int64)])
    shuffle = rng.permutation(n_pairs)
    return TemporalPairs(anchor=anchor[shuffle], other=other[shuffle], label=label[shuffle])


def short_videos(video: np.ndarray, frame: np.ndarray, ranges: TemporalRanges) -> list:
    """The videos whose frames span fewer than ``tau_neg[0]`` frames: they cannot give a
    negative pair, so they are left out of the temporal task."""
    table = pd.DataFrame({"video": video, "frame": frame}).groupby("video")["frame"]
    span = table.max() - table.min()
    return sorted(span.index[span < ranges.tau_neg[0]].tolist())


def negative_pairs(
    video: np.ndarray, frame: np.ndarray, ranges: TemporalRanges
) -> tuple[np.ndarray, np.ndarray]:
    """Every negative pair (i < j by frame) among the samples, as row indices of the input."""
    video = np.asarray(video, np.int64)
    frame = np.asarray(frame, np.int64)
    order = np.lexsort((frame, video))
    v, f = video[order], frame[order]
    lo, hi = ranges.tau_neg
    # Frames of one video are sorted, so each row's partners lie within the next hi rows.
    a = np.repeat(np.arange(len(v)), hi)
    b = a + np.tile(np.arange(1, hi + 1), len(v))
    a, b = a[b < len(v)], b[b < len(v)]
    dt = f[b] - f[a]
    ok = (v[a] == v[b]) & (dt >= lo) & (dt <= hi)
    return order[a[ok]], order[b[ok]]


def removed_negatives(
    a: np.ndarray, b: np.ndarray, group: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Of the negative pairs (rows ``a``, ``b``; see ``negative_pairs``), those that mined
    repetitions take out: both frames in one group."""
    same = _one_group(np.asarray(group, np.int64), a, b)
    return a[same], b[same]
