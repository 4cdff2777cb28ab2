"""How an embedding follows the ground-truth pose, within a video and across videos.

For a sample of frames of every video of a category, the Spearman correlation between the
embeddings' cosine similarity and the negated ground-truth pose distance (flip-aware, joints
centred and scale-normalised), over the pairs of one video (its own frames, self-pairs left out)
and over the pairs of two videos. An embedding that follows the pose but also who moves in front
of what scores high within videos and low across them; the posture protocol and the retrieval
compare people of different videos only.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import spearmanr

from poseembed.formats.embeddings import Embeddings, rows_of, videos_by_category
from poseembed.pose_distance import pose_distances

Poses = tuple[np.ndarray, np.ndarray, np.ndarray]
"""Frame numbers (N,), joints (N, 16, 2) and visibility (N, 16) of one video."""

Sample = tuple[np.ndarray, np.ndarray, np.ndarray]
"""Embeddings (n, D), joints (n, 16, 2) and visibility (n, 16) of a video's sampled frames."""


def sampled_rows(
    emb: Embeddings, poses: dict[tuple[str, str], Poses], per_video: int, rng: np.random.Generator
) -> dict[tuple[str, str], tuple[np.ndarray, np.ndarray]]:
    """``per_video`` frames of each video (all of a shorter one), a seeded choice in time
    order, as rows of its embeddings and of its poses; the videos are drawn in sorted order."""
    out = {}
    for key in sorted(poses):
        frames = poses[key][0]
        pick = np.sort(rng.choice(len(frames), min(per_video, len(frames)), replace=False))
        out[key] = (rows_of(emb.videos[key][0], frames[pick], "/".join(key)), pick)
    return out


def sample_frames(
    emb: Embeddings, poses: dict[tuple[str, str], Poses], per_video: int, rng: np.random.Generator
) -> dict[tuple[str, str], Sample]:
    """The embeddings, joints and visibility of ``sampled_rows``."""
    return {
        key: (emb.videos[key][1][rows], poses[key][1][pick], poses[key][2][pick])
        for key, (rows, pick) in sampled_rows(emb, poses, per_video, rng).items()
    }


def _rho(similarity: np.ndarray, distance: np.ndarray) -> float:
    ok = np.isfinite(distance)
    if ok.sum() < 3:
        return float("nan")
    return float(spearmanr(similarity[ok], -distance[ok]).statistic)


def pose_correlation(
    emb: Embeddings, poses: dict[tuple[str, str], Poses], per_video: int, seed: int
) -> dict[str, float]:
    """Mean Spearman correlation within videos and across videos of one category, over all
    categories; ``per_video`` frames of each video, a seeded choice."""
    samples = sample_frames(emb, poses, per_video, np.random.default_rng(seed))
    within, across = [], []
    for category, videos in videos_by_category(poses).items():
        chosen = [samples[(category, video)] for video in videos]
        for a, (ea, ja, va) in enumerate(chosen):
            for b, (eb, jb, vb) in enumerate(chosen[a:], start=a):
                direct, mirrored = pose_distances(ja, va, jb, vb)
                d, s = np.minimum(direct, mirrored), ea @ eb.T
                if a == b:
                    off = ~np.eye(len(d), dtype=bool)
                    within.append(_rho(s[off], d[off]))
                else:
                    across.append(_rho(s.ravel(), d.ravel()))
    return {
        "within_video_rho": float(np.nanmean(within)),
        "across_video_rho": float(np.nanmean(across)),
    }
