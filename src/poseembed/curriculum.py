"""The curriculum: training samples ordered by fg/bg flow ratio, most reliable first, cut into
stages of equal size (quantiles of the ratio over all videos). Stage k trains on stages 1..k."""

from __future__ import annotations

import os
import zlib

import numpy as np
import pandas as pd

from poseembed.atomic import atomic_path

COLUMNS = ("category", "video", "frame", "ratio", "stage")


def assign_stages(ratio: np.ndarray, n_stages: int) -> np.ndarray:
    """Stage 1..n of each sample: equal-size groups by descending ratio (ties broken stably)."""
    if n_stages < 1:
        raise ValueError(f"curriculum.stages must be at least 1, got {n_stages}")
    order = np.argsort(-np.asarray(ratio, float), kind="stable")
    rank = np.empty(len(order), np.int64)
    rank[order] = np.arange(len(order))
    return 1 + (rank * n_stages) // max(len(order), 1)


def build_samples(videos: list[tuple[str, str, np.ndarray]], n_stages: int) -> pd.DataFrame:
    """One row per frame: ``videos`` is [(category, video, per-frame ratio), ...]; ``frame``
    indexes the video's frame and crop artifacts."""
    if not videos:
        raise ValueError("the curriculum needs at least one video")
    table = pd.DataFrame(
        {
            "category": np.concatenate([[c] * len(r) for c, _, r in videos]),
            "video": np.concatenate([[v] * len(r) for _, v, r in videos]),
            "frame": np.concatenate([np.arange(len(r)) for *_, r in videos]),
            "ratio": np.concatenate([np.nan_to_num(np.asarray(r, float)) for *_, r in videos]),
        }
    )
    table["stage"] = assign_stages(table["ratio"].to_numpy(), n_stages)
    return table


def samples_of_stage(table: pd.DataFrame, stage: int) -> pd.DataFrame:
    """The cumulative training set of a stage."""
    return table[table["stage"] <= stage]


def heldout_videos(table: pd.DataFrame, fraction: float) -> list[str]:
    """Per category, ``fraction`` of its videos (rounded, at least one where the category has two
    or more and the fraction is positive), chosen by a stable hash of their names."""
    out: list[str] = []
    if fraction <= 0:
        return out
    for _, names in table.groupby("category")["video"]:
        videos = sorted(set(names), key=lambda v: (zlib.crc32(v.encode()), v))
        if len(videos) < 2:
            continue
        n = min(max(1, round(fraction * len(videos))), len(videos) - 1)
        out += videos[:n]
    return sorted(out)


def split_stage(
    table: pd.DataFrame, stage: int, curriculum: bool, heldout_fraction: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Training rows of a stage (cumulative, or every sample without a curriculum) and every
    row of the held-out videos."""
    held = table["video"].isin(heldout_videos(table, heldout_fraction))
    rows = table[~held]
    if curriculum:
        rows = samples_of_stage(rows, stage)
    return rows.reset_index(drop=True), table[held].reset_index(drop=True)


def save_samples(path: str | os.PathLike, table: pd.DataFrame) -> None:
    with atomic_path(path, suffix=".parquet") as tmp:
        table.to_parquet(tmp, index=False)


def load_samples(path: str | os.PathLike) -> pd.DataFrame:
    table = pd.read_parquet(path)
    missing = set(COLUMNS) - set(table.columns)
    if missing:
        raise ValueError(f"{path}: not a curriculum table, columns {sorted(missing)} missing")
    return table
