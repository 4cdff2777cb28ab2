"""Probes of a frozen embedding: what it encodes of the pose, and how much of the video.

On the synthetic set, where every frame's pose is known, a seeded sample of ``per_video``
frames of every video answers three questions:

- **Pose neighbours** (``pose_knn_*``). The videos of each category are split at random into
  query and gallery halves; every query frame's nearest gallery frame by cosine similarity is
  judged by the ground-truth pose distance (flip-aware, as in ``pose_correlation``). The
  figure is read between ``pose_knn_chance`` (the mean distance to all gallery frames: an
  embedding that knows nothing of the pose) and ``pose_knn_oracle`` (the gallery frame of
  least distance: the best any embedding can do). Lower is better. Query and gallery never
  share a video, so an embedding that finds the pose only through the actor, the clothing or
  the background gains nothing here.
- **Linear pose read-out** (``pose_linear_r2``). A ridge regression from the embedding to the
  pose descriptor (``pose_descriptor``), fitted per category on the gallery videos and scored
  (R², the share of the descriptor's variance explained) on the query videos, a mean over
  categories: whether the pose can be read off the embedding by a linear map that generalises
  to other people and scenes. Frames with an occluded joint are left out (a zero filled in
  for a hidden joint would be a target only visibility explains); the descriptor ignores the
  mirror ambiguity, so an embedding that maps a pose and its mirror image alike loses some R²
  here but not in the neighbour probe.
- **Video identity** (``video_identity_*``). A logistic regression predicts which video a frame
  comes from, trained on the first half (in time) of each video's sampled frames and tested on
  the second half. High accuracy against ``video_identity_chance`` (1 / videos) means the
  embedding separates videos: actor, clothing and background, the shortcut a self-supervised
  task of frames of one video invites. A pose embedding also scores above chance (categories
  move differently), so read it beside the pose probes.
"""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.metrics import r2_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from poseembed.evaluation.pose_correlation import Poses, Sample, sample_frames
from poseembed.formats.embeddings import Embeddings, videos_by_category
from poseembed.pose_distance import pose_distances

RIDGE_ALPHAS = np.logspace(-3, 3, 13)
"""Ridge penalties tried (leave-one-out on the gallery frames picks one)."""


def pose_descriptor(joints: np.ndarray, visible: np.ndarray) -> np.ndarray:
    """(N, 32) poses centred on the mean of their visible joints and divided by their RMS
    spread; hidden joints are 0 (callers keep fully visible poses only)."""
    vis = visible.astype(bool)[..., None]
    n = np.maximum(vis.sum(1), 1)
    centred = np.where(vis, joints - (joints * vis).sum(1, keepdims=True) / n[:, None], 0.0)
    spread = np.sqrt((centred**2).sum((1, 2)) / n[:, 0])
    return (centred / np.maximum(spread, 1e-6)[:, None, None]).reshape(len(joints), -1)


def _pose_knn(
    query: list[Sample], gallery: list[Sample]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per query frame: the pose distance of its nearest gallery frame, the mean over the
    gallery and the least one; NaN where it has no comparable gallery frame."""
    eq, jq, vq = (np.concatenate(x) for x in zip(*query, strict=True))
    eg, jg, vg = (np.concatenate(x) for x in zip(*gallery, strict=True))
    direct, mirrored = pose_distances(jq, vq, jg, vg)
    d = np.minimum(direct, mirrored)
    ok = np.isfinite(d)
    # Gallery frames without a comparable ground truth cannot be judged: they take no part,
    # neither as a neighbour nor in the bounds.
    sim = np.where(ok, eq @ eg.T, -np.inf)
    has = ok.any(1)
    nearest = d[np.arange(len(d)), sim.argmax(1)]
    chance = np.where(ok, d, 0).sum(1) / np.maximum(ok.sum(1), 1)
    oracle = np.where(ok, d, np.inf).min(1)
    nan = np.full(len(d), np.nan)
    return (np.where(has, nearest, nan), np.where(has, chance, nan), np.where(has, oracle, nan))


def _linear_r2(query: list[Sample], gallery: list[Sample]) -> float:
    """R² on the query videos of a ridge map fitted on the gallery videos; fully visible
    poses only. NaN when either side has fewer than 2 such frames."""

    def fully_visible(part):
        e, j, v = (np.concatenate(x) for x in zip(*part, strict=True))
        keep = v.astype(bool).all(1)
        return e[keep], pose_descriptor(j[keep], v[keep])

    (xg, yg), (xq, yq) = fully_visible(gallery), fully_visible(query)
    if len(xg) < 2 or len(xq) < 2:
        return float("nan")
    ridge = RidgeCV(alphas=RIDGE_ALPHAS).fit(xg, yg)
    # Variance-weighted: the share of the whole descriptor's variance explained, so that nearly
    # constant coordinates (a joint that hardly moves in a sport) do not dominate the mean.
    return float(r2_score(yq, ridge.predict(xq), multioutput="variance_weighted"))


def _video_identity(samples: list[np.ndarray]) -> float:
    """Accuracy of a logistic regression that tells the videos apart, fitted on the first half
    in time of each video's frames and tested on the second half."""
    train_x, train_y, test_x, test_y = [], [], [], []
    for label, e in enumerate(samples):
        half = len(e) // 2
        train_x.append(e[:half])
        train_y.append(np.full(half, label))
        test_x.append(e[half:])
        test_y.append(np.full(len(e) - half, label))
    x, y = np.concatenate(train_x), np.concatenate(train_y)
    if len(np.unique(y)) < 2:
        return float("nan")
    # Unit rows have tiny coordinates (~1/sqrt(D)); standardising makes the default
    # regularisation mean the same for every embedding width.
    clf = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)).fit(x, y)
    return float((clf.predict(np.concatenate(test_x)) == np.concatenate(test_y)).mean())


def embedding_probes(
    emb: Embeddings, poses: dict[tuple[str, str], Poses], per_video: int, seed: int
) -> dict[str, float]:
    """Pose neighbours (with chance and oracle), linear pose R² and video identity accuracy
    (with chance) of one embedding; ``per_video`` frames of each video, a seeded choice, and a
    seeded query/gallery split of each category's videos (the same for every model)."""
    rng = np.random.default_rng(seed)
    samples = {
        key: (np.asarray(e, np.float64), j, v)
        for key, (e, j, v) in sample_frames(emb, poses, per_video, rng).items()
    }
    knn, chance, oracle, r2 = [], [], [], []
    for category, videos in videos_by_category(poses).items():
        if len(videos) < 2:
            continue
        order = rng.permutation(len(videos))
        half = len(videos) // 2
        query = [samples[(category, videos[i])] for i in order[:half]]
        gallery = [samples[(category, videos[i])] for i in order[half:]]
        n, c, o = _pose_knn(query, gallery)
        knn.append(n)
        chance.append(c)
        oracle.append(o)
        r2.append(_linear_r2(query, gallery))

    def mean(parts: list[np.ndarray]) -> float:
        # Pooled over the query frames of all categories; NaN (nothing to judge) left out.
        values = np.concatenate(parts) if parts else np.zeros(0)
        return float(np.nanmean(values)) if np.isfinite(values).any() else float("nan")

    r2 = np.asarray(r2, float)
    return {
        "pose_knn_distance": mean(knn),
        "pose_knn_chance": mean(chance),
        "pose_knn_oracle": mean(oracle),
        "pose_linear_r2": float(np.nanmean(r2)) if np.isfinite(r2).any() else float("nan"),
        "video_identity_accuracy": _video_identity([samples[k][0] for k in sorted(samples)]),
        "video_identity_chance": 1.0 / len(samples),
    }
