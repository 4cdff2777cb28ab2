"""Approximate dense ground-truth flow of a synthetic video, from what the generator knows.

Background pixels move with the known camera shift; a person pixel moves with its nearest joint.
Used to judge how well each backend's fg/bg ratio ranks frames, not inside the pipeline.
"""

from __future__ import annotations

import cv2
import numpy as np


def groundtruth_flow(joints: np.ndarray, masks: np.ndarray, camera: np.ndarray) -> np.ndarray:
    """Flows (N-1, H, W, 2) between consecutive frames."""
    n, h, w = masks.shape
    flow = np.empty((n - 1, h, w, 2), np.float32)
    flow[:] = (camera[:-1] - camera[1:])[:, None, None, :]
    for t in range(n - 1):
        seeds = np.ones((h, w), np.uint8)
        pts = np.clip(np.round(joints[t]).astype(int), 0, [w - 1, h - 1])
        seeds[pts[:, 1], pts[:, 0]] = 0
        _, labels = cv2.distanceTransformWithLabels(
            seeds, cv2.DIST_L2, 5, labelType=cv2.DIST_LABEL_PIXEL
        )
        # Labels number the zero pixels in raster order; map them back to joints.
        zero_ids = labels[pts[:, 1], pts[:, 0]]
        joint_of_label = np.zeros(labels.max() + 1, int)
        joint_of_label[zero_ids] = np.arange(len(pts))
        nearest = joint_of_label[labels]
        motion = (joints[t + 1] - joints[t])[nearest]
        flow[t][masks[t]] = motion[masks[t]]
    return flow
