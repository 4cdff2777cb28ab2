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


def aligned_distances(
    a: np.ndarray, av: np.ndarray, b: np.ndarray, bv: np.ndarray, min_common: int = 4
) -> np.ndarray:
    """Distances (A, B) between raw poses, each pair aligned on the joints visible in both:
    both centred on those joints' mean and divided by their RMS radius, then the mean
    Euclidean distance over them. Inf for pairs with fewer than ``min_common`` such joints.

    Aligning per pair keeps half-visible people (real images) comparable, where a fixed
    centre such as the hips is missing.
    """
    both = (av[:, None, :].astype(bool) & bv[None, :, :].astype(bool))[..., None]
    n = both.sum(2, keepdims=True)
    safe = np.maximum(n, 1)

    def unit(p: np.ndarray) -> np.ndarray:
        centred = p - (p * both).sum(2, keepdims=True) / safe
        radius = np.sqrt(((centred**2) * both).sum((2, 3), keepdims=True) / safe)
        return centred / np.maximum(radius, 1e-6)

    d = np.linalg.norm(unit(a[:, None]) - unit(b[None, :]), axis=-1)
    out = (d * both[..., 0]).sum(-1) / safe[..., 0, 0]
    return np.where(n[..., 0, 0] >= min_common, out, np.inf)
