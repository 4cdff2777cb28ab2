"""Posture-benchmark labels from ground-truth poses, as CliqueCNN's Olympic Sports labels are made:
per anchor, positives are frames of other videos in the closest pose, negatives frames in a
clearly different pose; a flip value marks that the mirrored frame is the one that matches.
"""

from __future__ import annotations

import numpy as np

from poseembed.formats.cliquecnn import PostureLabels
from poseembed.joints import mirror_joints
from poseembed.pose_distance import normalise_poses, normalised_distances

MIN_VISIBLE = 12


def make_posture_labels(
    joints: np.ndarray,
    visible: np.ndarray,
    video_of: np.ndarray,
    rng: np.random.Generator,
    n_anchors: int,
    n_pos: int,
    n_neg: int,
    neg_quantile: float = 0.5,
) -> PostureLabels:
    """Labels over the frames of one category (indices into its frame list)."""
    poses = normalise_poses(joints, visible)
    mirrored_poses, mirrored_vis = mirror_joints(poses, visible)
    well_seen = np.flatnonzero(visible.sum(1) >= MIN_VISIBLE)
    candidates = rng.permutation(well_seen)
    anchors, pos, neg, pos_flip, neg_flip = [], [], [], [], []
    for a in candidates:
        if len(anchors) == n_anchors:
            break
        one, one_vis = poses[a : a + 1], visible[a : a + 1]
        direct = normalised_distances(one, one_vis, poses, visible)
        mirrored = normalised_distances(one, one_vis, mirrored_poses, mirrored_vis)
        d = np.minimum(direct[0], mirrored[0])
        flip = mirrored[0] < direct[0]
        other = (video_of != video_of[a]) & (visible.sum(1) >= MIN_VISIBLE)
        d_other = np.where(other, d, np.inf)
        order = np.argsort(d_other, kind="stable")
        if not np.isfinite(d_other[order[n_pos - 1]]):
            continue
        far = np.flatnonzero(other & (d >= np.quantile(d[other], neg_quantile)))
        if far.size < n_neg:
            continue
        p = order[:n_pos]
        q = rng.choice(far, n_neg, replace=False)
        anchors.append(a)
        pos.append(p)
        neg.append(q)
        pos_flip.append(flip[p].astype(np.int64))
        neg_flip.append(flip[q].astype(np.int64))
    if len(anchors) < n_anchors:
        raise ValueError(
            f"only {len(anchors)} of {n_anchors} anchors have {n_pos} positives and "
            f"{n_neg} negatives in other videos; render more videos per category"
        )
    return PostureLabels(np.array(anchors), pos, neg, pos_flip, neg_flip)
