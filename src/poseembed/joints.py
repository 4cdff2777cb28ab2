"""The 16 MPII joints: names, limbs, and their order and coordinates in a mirrored image."""

from __future__ import annotations

import numpy as np

MPII_JOINTS: tuple[str, ...] = (
    "r_ankle",
    "r_knee",
    "r_hip",
    "l_hip",
    "l_knee",
    "l_ankle",
    "pelvis",
    "thorax",
    "upper_neck",
    "head_top",
    "r_wrist",
    "r_elbow",
    "r_shoulder",
    "l_shoulder",
    "l_elbow",
    "l_wrist",
)
N_JOINTS = len(MPII_JOINTS)
J = {name: i for i, name in enumerate(MPII_JOINTS)}

LIMBS: tuple[tuple[int, int], ...] = (
    (J["r_ankle"], J["r_knee"]),
    (J["r_knee"], J["r_hip"]),
    (J["l_hip"], J["l_knee"]),
    (J["l_knee"], J["l_ankle"]),
    (J["r_hip"], J["l_hip"]),
    (J["pelvis"], J["thorax"]),
    (J["thorax"], J["upper_neck"]),
    (J["upper_neck"], J["head_top"]),
    (J["r_wrist"], J["r_elbow"]),
    (J["r_elbow"], J["r_shoulder"]),
    (J["r_shoulder"], J["l_shoulder"]),
    (J["l_shoulder"], J["l_elbow"]),
    (J["l_elbow"], J["l_wrist"]),
)

# Index i of a mirrored image holds joint FLIP_PERM[i] of the original (left <-> right).
FLIP_PERM: np.ndarray = np.array([5, 4, 3, 2, 1, 0, 6, 7, 8, 9, 15, 14, 13, 12, 11, 10])


def mirror_joints(joints: np.ndarray, visible: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Joints (N, 16, 2) and visibility (N, 16) of the horizontally mirrored images, up to a
    translation: x is negated, not reflected about the image's centre, so centred poses stay
    centred and distances that remove translation ignore it."""
    out = joints[:, FLIP_PERM].copy()
    out[..., 0] *= -1
    return out, visible[:, FLIP_PERM]
