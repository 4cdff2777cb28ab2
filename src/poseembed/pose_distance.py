"""Ground-truth pose distance: joints centred, scale-normalised, visible joints only, flip-aware."""

from __future__ import annotations

import numpy as np

from poseembed.joints import J, mirror_joints


def normalise_poses(joints: np.ndarray, visible: np.ndarray) -> np.ndarray:
    """Centre (N, 16, 2) poses on the hips' midpoint and divide by their RMS radius."""
    vis = visible.astype(bool)
    hips = joints[:, [J["r_hip"], J["l_hip"]]].mean(1)
    centred = joints - hips[:, None, :]
    sq = (centred**2).sum(-1)
    radius = np.sqrt((sq * vis).sum(1) / np.maximum(vis.sum(1), 1))
    return centred / np.maximum(radius, 1e-6)[:, None, None]


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
    nbf, bvf = mirror_joints(nb, b_vis)
    return normalised_distances(na, a_vis, nb, b_vis), normalised_distances(na, a_vis, nbf, bvf)


def aligned_distances(
    a: np.ndarray, av: np.ndarray, b: np.ndarray, bv: np.ndarray, min_common: int
) -> np.ndarray:
    """Distances (A, B) between raw poses, each pair aligned on the joints visible in both:
    both centred on those joints' mean and divided by their RMS radius, then the root mean
    square joint distance over them (0 for the same pose, at most 2). Inf for pairs with fewer
    than ``min_common`` such joints.

    Aligning per pair keeps half-visible people (real images) comparable, where a fixed
    centre such as the hips is missing. With m the joints visible in both, the squared
    distance is 2 - 2 C / sqrt(A B), C the sum over m of the centred coordinates' products and
    A, B their sums of squares; every sum over m is a product of (pose, joint) matrices, so
    all pairs cost a few matrix products.
    """
    ma, mb = av.astype(float), bv.astype(float)
    n = ma @ mb.T

    def sums(pa: np.ndarray, pb: np.ndarray) -> np.ndarray:
        """Sum over the common joints of pa[i, k] * pb[j, k], for all pairs (i, j)."""
        return (ma * pa) @ (mb * pb).T

    ones_a, ones_b = np.ones(a.shape[:2]), np.ones(b.shape[:2])
    safe = np.maximum(n, 1)
    cross, sq_a, sq_b = np.zeros_like(n), np.zeros_like(n), np.zeros_like(n)
    for c in range(2):
        xa, xb = a[..., c], b[..., c]
        sa, sb = sums(xa, ones_b), sums(ones_a, xb)
        cross += sums(xa, xb) - sa * sb / safe
        sq_a += sums(xa**2, ones_b) - sa**2 / safe
        sq_b += sums(ones_a, xb**2) - sb**2 / safe
    scale = np.sqrt(np.maximum(sq_a, 0) * np.maximum(sq_b, 0))
    corr = np.where(scale > 1e-12, cross / np.maximum(scale, 1e-12), 0.0)
    out = np.sqrt(np.maximum(2 - 2 * corr, 0))
    return np.where(n >= min_common, out, np.inf)
