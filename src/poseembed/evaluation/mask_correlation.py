"""How an embedding follows the label-free person mask instead of the pose.

The network sees its crops greyed outside the motion mask, so the mask's outline is part of
every input. Within a video the outline changes with how the person moves as much as with the
pose (a held pose shrinks the moving blob; a stride and its mirror have one outline), and the
mask alone follows the pose only loosely there. For the frames ``pose_correlation`` samples,
the Spearman correlation between the embeddings' cosine similarity and the overlap (IoU) of
the two frames' masks on the centre square the network sees, over the pairs of one video:
near 1 when the embedding copies the outline. Read it beside ``within_video_rho`` (the same
pairs against the pose).
"""

from __future__ import annotations

import os

import numpy as np
from scipy.stats import spearmanr

from poseembed.crops import load_crops
from poseembed.embedding import centre_crop
from poseembed.evaluation.pose_correlation import Poses, sampled_rows
from poseembed.formats.embeddings import Embeddings, rows_of


def mask_overlap(masks: np.ndarray) -> np.ndarray:
    """(n, n) intersection over union of (n, H, W) uint8 masks (person above half)."""
    m = (masks > 127).reshape(len(masks), -1).astype(np.float32)
    inter = m @ m.T
    area = m.sum(1)
    return inter / np.maximum(area[:, None] + area[None] - inter, 1.0)


MaskSample = tuple[np.ndarray, np.ndarray]
"""A video's sampled source frame numbers (n,) and the (n, n) overlap of their masks."""


def sampled_overlaps(
    emb: Embeddings,
    poses: dict[tuple[str, str], Poses],
    masks: dict[tuple[str, str], str | os.PathLike],
    per_video: int,
    seed: int,
    input_size: int,
) -> dict[tuple[str, str], MaskSample]:
    """The frames ``pose_correlation`` samples and the overlap of their masks' centre
    ``input_size`` squares (``masks``: each video's masks, aligned with ``emb``'s rows): read
    once for every model embedded from the same frames."""
    out = {}
    for key, (rows, _) in sampled_rows(emb, poses, per_video, np.random.default_rng(seed)).items():
        index = emb.videos[key][0]
        stored = load_crops(masks[key])
        if len(stored) != len(index):
            raise ValueError(
                f"{masks[key]}: {len(stored)} masks for {len(index)} embedded frames of "
                f"{'/'.join(key)}; rerun the person_masks rule"
            )
        out[key] = (index[rows], mask_overlap(centre_crop(np.asarray(stored[rows]), input_size)))
    return out


def mask_correlation(
    emb: Embeddings, overlaps: dict[tuple[str, str], MaskSample]
) -> dict[str, float]:
    """Mean over videos of the within-video Spearman correlation between embedding similarity
    and the ``sampled_overlaps`` of the same frames' masks."""
    rhos = []
    for key, (frames, overlap) in overlaps.items():
        index, rows = emb.videos[key]
        e = rows[rows_of(index, frames, "/".join(key))]
        off = ~np.eye(len(frames), dtype=bool)
        if len(frames) > 2 and np.ptp(overlap[off]) > 0:
            rhos.append(spearmanr((e @ e.T)[off], overlap[off]).statistic)
    return {"within_video_mask_rho": float(np.nanmean(rhos)) if rhos else float("nan")}
