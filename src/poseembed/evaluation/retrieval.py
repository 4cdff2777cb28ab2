"""Pose retrieval on still images (MPII): nearest neighbours by embedding, judged by the
ground-truth pose distance.

Every person is a query against all the others (leave-one-out). The ground-truth distance of a
pair is ``aligned_distances`` (the RMS joint distance once translation and scale are removed on
the joints visible in both);
pairs with too few such joints are left out of the query's database. With ``flip_invariant``, a
database person counts by the nearer of itself and its mirror image, for the ground truth and
for the embedding alike (the embedding of the mirrored crop).

Metrics, means over queries: the ground-truth distance of the top-k by embedding
(``pose_distance@k``, lower is better) and the share of the top-k among the ground-truth
top-K (``precision@k``). The same for a random ranking (expected values) and for the oracle
ranking by ground truth, so that a model's figure can be read between the two.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from poseembed.config import strict_settings
from poseembed.joints import mirror_joints
from poseembed.pose_distance import aligned_distances

RANKINGS = ("model", "random", "oracle")


@dataclass(frozen=True)
class RetrievalSettings:
    """The protocol's keys of the config's ``evaluation.retrieval`` (the choice of people,
    ``max_people``, is the crops' business)."""

    ks: tuple[int, ...]
    relevant: int
    flip_invariant: bool
    min_common_joints: int

    @classmethod
    def from_params(cls, params: dict) -> RetrievalSettings:
        """Strictly from the workflow's retrieval keys (the YAML list ``ks`` as a tuple)."""
        keys = {k: tuple(v) if k == "ks" else v for k, v in params.items()}
        return strict_settings(cls, keys, "config evaluation.retrieval")


def ground_truth_distances(
    joints: np.ndarray,
    visible: np.ndarray,
    queries: np.ndarray,
    flip_invariant: bool,
    min_common_joints: int,
) -> tuple[np.ndarray, np.ndarray]:
    """(Q, N) ground-truth distances of ``queries`` to everyone, inf for the query itself and
    for pairs with fewer than ``min_common_joints`` visible in both; and where the mirror image
    was the nearer (only with ``flip_invariant``)."""
    q_joints, q_visible = joints[queries], visible[queries]
    d = aligned_distances(q_joints, q_visible, joints, visible, min_common_joints)
    mirror = np.zeros(d.shape, bool)
    if flip_invariant:
        mj, mv = mirror_joints(joints, visible)
        dm = aligned_distances(q_joints, q_visible, mj, mv, min_common_joints)
        mirror = dm < d
        d = np.minimum(d, dm)
    d[np.arange(len(queries)), queries] = np.inf
    return d, mirror


def similarities(
    embeddings: np.ndarray, mirrored: np.ndarray, queries: np.ndarray, flip_invariant: bool
) -> tuple[np.ndarray, np.ndarray]:
    """(Q, N) cosine similarities of ``queries`` to everyone, -inf for the query itself; and
    where the mirrored crop's embedding was the nearer."""
    s = embeddings[queries] @ embeddings.T
    mirror = np.zeros(s.shape, bool)
    if flip_invariant:
        sm = embeddings[queries] @ mirrored.T
        mirror = sm > s
        s = np.maximum(s, sm)
    s[np.arange(len(queries)), queries] = -np.inf
    return s, mirror


def ranked(scores: np.ndarray, k: int) -> np.ndarray:
    """(Q, k) column indices of the ``k`` highest scores of each row, best first (ties in index
    order)."""
    k = min(k, scores.shape[1])
    top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    order = np.lexsort((top, -np.take_along_axis(scores, top, 1)), axis=1)
    return np.take_along_axis(top, order, 1)


def _blocks(n: int, per_block: int) -> Iterator[np.ndarray]:
    for start in range(0, n, per_block):
        yield np.arange(start, min(start + per_block, n))


def retrieval_metrics(
    embeddings: np.ndarray,
    mirrored: np.ndarray,
    joints: np.ndarray,
    visible: np.ndarray,
    s: RetrievalSettings,
) -> pd.DataFrame:
    """One row per ranking (``RANKINGS``): the number of queries, ``pose_distance@k`` and
    ``precision@k`` for every k. Queries with fewer than max(k, K) comparable people are
    left out."""
    n = len(joints)
    if len(embeddings) != n or len(mirrored) != n:
        raise ValueError(
            f"{len(embeddings)} embeddings and {len(mirrored)} mirrored for {n} people"
        )
    kmax = max(*s.ks, s.relevant)
    sums = {r: np.zeros(2 * len(s.ks)) for r in RANKINGS}
    used = 0
    # Blocks of queries keep each (Q, N) array within 32 MB.
    for q in _blocks(n, max(1, 2**22 // max(n, 1))):
        d, _ = ground_truth_distances(joints, visible, q, s.flip_invariant, s.min_common_joints)
        valid = np.isfinite(d)
        keep = valid.sum(1) >= kmax
        if not keep.any():
            continue
        q, d, valid = q[keep], d[keep], valid[keep]
        sim, _ = similarities(embeddings, mirrored, q, s.flip_invariant)
        sim = np.where(valid, sim, -np.inf)
        by_model = ranked(sim, kmax)
        by_truth = ranked(-d, kmax)
        relevant = np.zeros(d.shape, bool)
        np.put_along_axis(relevant, by_truth[:, : s.relevant], True, 1)
        count = valid.sum(1)
        mean_all = np.where(valid, d, 0).sum(1) / count
        for i, k in enumerate(s.ks):
            model_d = np.take_along_axis(d, by_model[:, :k], 1).mean(1)
            truth_d = np.take_along_axis(d, by_truth[:, :k], 1).mean(1)
            hits = np.take_along_axis(relevant, by_model[:, :k], 1).mean(1)
            sums["model"][[i, len(s.ks) + i]] += model_d.sum(), hits.sum()
            sums["random"][[i, len(s.ks) + i]] += mean_all.sum(), (s.relevant / count).sum()
            sums["oracle"][[i, len(s.ks) + i]] += truth_d.sum(), len(q) * min(k, s.relevant) / k
        used += len(q)
    if used == 0:
        raise ValueError(
            f"no query has {kmax} people with {s.min_common_joints} joints in common; "
            "lower evaluation.retrieval.relevant or the ks"
        )
    columns = [f"pose_distance@{k}" for k in s.ks] + [f"precision@{k}" for k in s.ks]
    rows = [
        {"ranking": r, "queries": used, **dict(zip(columns, sums[r] / used, strict=True))}
        for r in RANKINGS
    ]
    return pd.DataFrame(rows)
