"""The synthetic generator's per-video ground truth files.

``<video>.csv``: one row per frame (``frame``, repetition truth, camera shift, yaw), then for
every MPII joint ``k`` the columns ``j<k>_x``, ``j<k>_y`` (pixels, 0.01 px) and ``j<k>_vis``
(0/1). ``<video>_masks.npz``: the person masks (N, H, W) as ``packed`` (bits packed along
the rows) and ``shape``.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from poseembed.atomic import atomic_path
from poseembed.joints import N_JOINTS


def joint_columns(joints: np.ndarray, visible: np.ndarray) -> dict[str, np.ndarray]:
    """The joint columns of a table of joints (N, 16, 2) and visibility (N, 16)."""
    cols = {}
    for k in range(N_JOINTS):
        cols[f"j{k}_x"] = np.round(joints[:, k, 0], 2)
        cols[f"j{k}_y"] = np.round(joints[:, k, 1], 2)
        cols[f"j{k}_vis"] = visible[:, k]
    return cols


def write_groundtruth(path: str | os.PathLike, table: pd.DataFrame) -> None:
    with atomic_path(path) as tmp:
        table.to_csv(tmp, index=False)


def read_groundtruth(path: str | os.PathLike) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The table, joints (N, 16, 2) and visibility (N, 16) of a ground-truth CSV."""
    table = pd.read_csv(path)
    xs = table[[f"j{k}_x" for k in range(N_JOINTS)]].to_numpy()
    ys = table[[f"j{k}_y" for k in range(N_JOINTS)]].to_numpy()
    vis = table[[f"j{k}_vis" for k in range(N_JOINTS)]].to_numpy().astype(np.uint8)
    return table, np.stack([xs, ys], -1), vis


def write_masks(path: str | os.PathLike, masks: np.ndarray) -> None:
    """Boolean masks (N, H, W)."""
    with atomic_path(path, suffix=".npz") as tmp:
        np.savez_compressed(tmp, packed=np.packbits(masks, axis=-1), shape=np.array(masks.shape))


def read_masks(path: str | os.PathLike) -> np.ndarray:
    """Boolean masks (N, H, W) of a ``_masks.npz``."""
    with np.load(path) as data:
        shape = tuple(data["shape"])
        return np.unpackbits(data["packed"], axis=-1, count=shape[-1]).astype(bool)
