"""Probes of a frozen embedding: pose neighbours, linear pose read-out and video identity."""

from __future__ import annotations

import numpy as np
import pytest

from poseembed.evaluation.probes import embedding_probes, pose_descriptor
from poseembed.formats.embeddings import Embeddings

CATEGORIES, VIDEOS, FRAMES = ("a", "b"), 4, 60


def _unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def _videos(kind: str) -> tuple[Embeddings, dict]:
    """Two categories of 4 videos whose poses move on a 3-dimensional manifold of the
    category (so that other videos hold near poses). The embedding is the pose descriptor
    (``pose``) or a one-hot of the video plus noise (``identity``)."""
    rng = np.random.default_rng(0)
    emb, poses = Embeddings(), {}
    n_videos = len(CATEGORIES) * VIDEOS
    for c, category in enumerate(CATEGORIES):
        mean = rng.uniform(0, 100, (16, 2))
        basis = rng.normal(0, 15, (3, 32))
        for v in range(VIDEOS):
            frames = np.arange(FRAMES) * 3 + 5
            latent = rng.uniform(-1, 1, (FRAMES, 3))
            joints = mean + (latent @ basis).reshape(FRAMES, 16, 2)
            joints = joints * rng.uniform(0.5, 2) + rng.uniform(0, 300, 2)
            visible = (rng.random((FRAMES, 16)) > 0.02).astype(np.uint8)
            if kind == "pose":
                e = pose_descriptor(joints, np.ones_like(visible))
            else:
                e = np.zeros((FRAMES, n_videos))
                e[:, c * VIDEOS + v] = 1
                e += rng.normal(0, 0.05, e.shape)
            # Rows out of frame order, as an artifact may hold them.
            perm = rng.permutation(FRAMES)
            emb.videos[(category, f"{category}{v}")] = (frames[perm], _unit(e)[perm])
            poses[(category, f"{category}{v}")] = (frames, joints, visible)
    return emb, poses


def _share_of_range(r: dict) -> float:
    """Where the neighbours' pose distance lies: 0 at the oracle, 1 at chance."""
    return (r["pose_knn_distance"] - r["pose_knn_oracle"]) / (
        r["pose_knn_chance"] - r["pose_knn_oracle"]
    )


def test_a_pose_embedding_finds_near_poses_and_reads_out_linearly():
    emb, poses = _videos("pose")
    r = embedding_probes(emb, poses, per_video=30, seed=0)
    assert r["pose_knn_oracle"] < r["pose_knn_distance"] < r["pose_knn_chance"]
    # Measured: 0.004 of the range from the oracle to chance; R² 0.99999.
    assert _share_of_range(r) < 0.02
    assert r["pose_linear_r2"] > 0.99
    assert r["video_identity_chance"] == pytest.approx(1 / 8)


def test_a_video_identity_embedding_tells_videos_apart_and_knows_no_pose():
    emb, poses = _videos("identity")
    r = embedding_probes(emb, poses, per_video=30, seed=0)
    assert r["video_identity_accuracy"] > 0.95
    # Measured: 1.05 of the range (no nearer than chance); R² -0.07.
    assert _share_of_range(r) > 0.95
    assert r["pose_linear_r2"] < 0.0


def test_probes_are_seeded():
    pose, poses = _videos("pose")
    identity, _ = _videos("identity")
    first = embedding_probes(pose, poses, 20, seed=1)
    assert embedding_probes(pose, poses, 20, seed=1) == first
    assert embedding_probes(pose, poses, 20, seed=2) != first
    # The pose embedding also beats chance at telling videos apart (the scale and place of
    # each video's poses differ), but the identity embedding does it better.
    other = embedding_probes(identity, poses, 20, seed=1)
    assert other["video_identity_accuracy"] > first["video_identity_accuracy"]


def test_the_descriptor_forgets_place_and_scale():
    rng = np.random.default_rng(3)
    joints = rng.normal(size=(5, 16, 2))
    visible = np.ones((5, 16), np.uint8)
    a = pose_descriptor(joints, visible)
    b = pose_descriptor(joints * 3.5 + np.array([10.0, -4.0]), visible)
    np.testing.assert_allclose(a, b, atol=1e-9)
    np.testing.assert_allclose((a**2).sum(1) / 16, 1.0)
