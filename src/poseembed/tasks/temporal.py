"""Temporal-ordering pairs: two frames of one video, close (positive) or far (negative) in time.

Positive when 1 <= |dt| <= tau_pos, negative when tau_neg[0] <= |dt| <= tau_neg[1]; both frames
must be among the current stage's samples. Half of a batch is positive, half negative.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class TemporalRanges:
    tau_pos: int = 4
    tau_neg: tuple[int, int] = (8, 16)

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
) -> tuple[np.ndarray, ...]:
    anchors, partners = [], []
    found = 0
    for _ in range(max_rounds):
        if found >= n:
            break
        m = 2 * (n - found) + 16
        a = rng.integers(0, len(keys), m)
        dt = rng.integers(lo, hi + 1, m) * rng.choice([-1, 1], m)
        target = video[a] * stride + frame[a] + dt
        pos = np.clip(np.searchsorted(keys, target), 0, len(keys) - 1)
        ok = (keys[pos] == target) & (frame[a] + dt >= 0)
        anchors.append(a[ok])
        partners.append(pos[ok])
        found += int(ok.sum())
    if found < n:
        raise ValueError(
            f"the stage's samples hold too few frame pairs with {lo} <= |dt| <= {hi} "
            "(videos too short or stage too small for these ranges)"
        )
    return np.concatenate(anchors)[:n], np.concatenate(partners)[:n]


def sample_temporal_pairs(
    video: np.ndarray,
    frame: np.ndarray,
    n_pairs: int,
    ranges: TemporalRanges,
    rng: np.random.Generator,
    max_rounds: int = 50,
) -> TemporalPairs:
    """``n_pairs`` pairs (half positive) from samples given as video ids and frame numbers.

    Rows are sorted internally by (video, frame); returned indices refer to the input order.
    """
    video = np.asarray(video, np.int64)
    frame = np.asarray(frame, np.int64)
    stride = int(frame.max()) + ranges.tau_neg[1] + 2
    order = np.lexsort((frame, video))
    keys = video[order] * stride + frame[order]
    v, f = video[order], frame[order]
    n_pos = n_pairs // 2
    pa, po = _draw(keys, v, f, stride, n_pos, 1, ranges.tau_pos, rng, max_rounds)
    na, no = _draw(keys, v, f, stride, n_pairs - n_pos, *ranges.tau_neg, rng, max_rounds)
    label = np.concatenate([np.ones(n_pos, np.int64), np.zeros(n_pairs - n_pos, np.int64)])
    shuffle = rng.permutation(n_pairs)
    return TemporalPairs(
        anchor=order[np.concatenate([pa, na])][shuffle],
        other=order[np.concatenate([po, no])][shuffle],
        label=label[shuffle],
    )
