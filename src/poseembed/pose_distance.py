"""Ground-truth pose distance: joints centred, scale-normalised, visible joints only, flip-aware."""

from __future__ import annotations

import numpy as np

from poseembed.joints import FLIP_PERM, J


def normalise_poses(joints: np.ndarray, visible: np.ndarray) -> np.ndarray:
    """Centre (N, 16, 2) poses on the hips' midpoint and divide by their RMS radius."""
    vis = visible.astype(bool)
    hips = joints[:, [J["r_hip"], J["l_hip"]]].mean(1)
    centred = joints - hips[:, None, :]
    sq = (centred**2).sum(-1)
    radius = np.sqrt((sq * vis).sum(1) / np.maximum(vis.sum(1), 1))
    return centred / np.maximum(radius, 1e-6)[:, None, None]


def mirror_normalised(poses: np.ndarray, visible: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The normalised poses of the horizontally mirrored images."""
    out = poses[:, FLIP_PERM].copy()
    out[..., 0] *= -1
    return out, visible[:, FLIP_PERM]


def normalised_distances(
    a: np.ndarray, av: np.ndarray, b: np.ndarray, bv: np.ndarray
) -> np.ndarray:
    """Distances (A, B) between already normalised poses: mean over joints visible in both."""
    both = av[:, None, :].astype(bool) & bv[None, :, :].astype(bool)
    d = np.linalg.norm(a[:, None] - b[None, :], axis=-1)
    n = both.sum(-1)
    return np.where(n > 0, (d * both).sum(-1) / np.maximum(n, 1), np.inf)


def pose_distances(
    a: np.ndarray, a_vis: np.ndarray, b: np.ndarray, b_vis: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Distances (A, B) between raw poses, and the same with every ``b`` pose mirrored.

    The mean Euclidean distance over joints visible in both, after normalisation.
    """
    na, nb = normalise_poses(a, a_vis), normalise_poses(b, b_vis)
    nbf, bvf = mirror_normalised(nb, b_vis)
    return normalised_distances(na, a_vis, nb, b_vis), normalised_distances(na, a_vis, nbf, bvf)
