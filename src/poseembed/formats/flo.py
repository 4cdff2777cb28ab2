"""Middlebury ``.flo`` optical flow: float32 magic 202021.25, int32 width, int32 height, then
H x W x 2 float32 (u, v), row-major."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from poseembed.atomic import atomic_path

MAGIC = np.float32(202021.25)


def read_flo(path: str | os.PathLike) -> np.ndarray:
    """Flow (H, W, 2) float32."""
    data = Path(path).read_bytes()
    if len(data) < 12 or np.frombuffer(data, np.float32, 1)[0] != MAGIC:
        raise ValueError(f"{path}: not a Middlebury .flo file (magic 202021.25 missing)")
    w, h = (int(v) for v in np.frombuffer(data, np.int32, 2, 4))
    if w <= 0 or h <= 0 or len(data) != 12 + 8 * w * h:
        raise ValueError(f"{path}: header says {w}x{h}, which does not match {len(data)} bytes")
    return np.frombuffer(data, np.float32, 2 * w * h, 12).reshape(h, w, 2).copy()


def write_flo(path: str | os.PathLike, flow: np.ndarray) -> None:
    flow = np.asarray(flow, np.float32)
    if flow.ndim != 3 or flow.shape[2] != 2:
        raise ValueError(f"write_flo: expected (H, W, 2) flow, got {flow.shape}")
    h, w = flow.shape[:2]
    with atomic_path(path, suffix=".flo") as tmp:
        tmp.write_bytes(MAGIC.tobytes() + np.array([w, h], np.int32).tobytes() + flow.tobytes())
