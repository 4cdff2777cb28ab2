"""The embeddings files of an experiment or baseline (HDF5).

``frames.h5``: ``videos/<category>/<video>/index``, the source frame number of each row;
``.../embeddings``: (rows, D) float32, one row per frame of the video's artifacts.
``flipped/<category>/<video>`` holds the same two datasets for the mirrored crops of the frames
an evaluation judges mirrored.

``stills.h5``: ``embeddings`` and ``mirrored`` (people, D), the still-image set's people in the
order of its annotations, and of their mirrored crops.

Rows are L2-normalised.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field

import h5py
import numpy as np

from poseembed.atomic import atomic_path

Rows = tuple[np.ndarray, np.ndarray]


def in_time_order(index: np.ndarray, rows: np.ndarray) -> Rows:
    """A video's source frame numbers and embedding rows sorted by frame."""
    order = np.argsort(index, kind="stable")
    return np.asarray(index)[order], np.asarray(rows)[order]


def rows_of(index: np.ndarray, frames: np.ndarray, what: str) -> np.ndarray:
    """Positions in ``index`` of the source frame numbers ``frames``; a missing one is an error."""
    order = np.argsort(index, kind="stable")
    pos = np.minimum(np.searchsorted(index[order], frames), len(index) - 1)
    ok = index[order][pos] == frames
    if not ok.all():
        raise KeyError(f"{what}: frames {frames[~ok][:5].tolist()} have no embedding")
    return order[pos]


def _lookup(rows: Rows, frames: np.ndarray, what: str) -> np.ndarray:
    index, emb = rows
    return emb[rows_of(index, frames, what)]


@dataclass
class Embeddings:
    videos: dict[tuple[str, str], Rows] = field(default_factory=dict)
    flipped: dict[tuple[str, str], Rows] = field(default_factory=dict)

    def of(self, category: str, video: str, frames: np.ndarray, flip: np.ndarray) -> np.ndarray:
        """Rows for source frame numbers of one video, mirrored where ``flip`` is set."""
        key = (category, video)
        if key not in self.videos:
            raise KeyError(f"{category}/{video}: no embeddings for this video")
        frames = np.asarray(frames, np.int64)
        flip = np.asarray(flip, bool)
        out = _lookup(self.videos[key], frames, f"{category}/{video}").copy()
        if flip.any():
            if key not in self.flipped:
                raise KeyError(f"{category}/{video}: no mirrored embeddings for this video")
            out[flip] = _lookup(self.flipped[key], frames[flip], f"{category}/{video} mirrored")
        return out


def save_embeddings(path: str | os.PathLike, emb: Embeddings, attrs: dict | None = None) -> None:
    with atomic_path(path, suffix=".h5") as tmp, h5py.File(tmp, "w") as f:
        for group, table in (("videos", emb.videos), ("flipped", emb.flipped)):
            for (cat, video), (index, rows) in sorted(table.items()):
                f[f"{group}/{cat}/{video}/index"] = np.asarray(index, np.int64)
                f[f"{group}/{cat}/{video}/embeddings"] = np.asarray(rows, np.float32)
        for k, v in (attrs or {}).items():
            f.attrs[k] = v


def videos_by_category(keys: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """The sorted videos of each category, categories in sorted order."""
    out: dict[str, list[str]] = {}
    for category, video in sorted(keys):
        out.setdefault(category, []).append(video)
    return out


def load_embeddings(path: str | os.PathLike) -> Embeddings:
    emb = Embeddings()
    with h5py.File(path, "r") as f:
        for group, table in (("videos", emb.videos), ("flipped", emb.flipped)):
            for cat, videos in f.get(group, {}).items():
                for video, g in videos.items():
                    table[(cat, video)] = (g["index"][()], g["embeddings"][()])
    return emb


def load_video_embeddings(path: str | os.PathLike, category: str, video: str) -> Rows:
    """One video's source frame numbers and embedding rows, without reading the others."""
    with h5py.File(path, "r") as f:
        group = f.get(f"videos/{category}/{video}")
        if group is None:
            raise KeyError(f"{path}: no embeddings of {category}/{video}")
        return group["index"][()], group["embeddings"][()]


def load_frame_indices(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Each video's source frame numbers, without reading its embeddings."""
    with h5py.File(path, "r") as f:
        return {
            video: g["index"][()]
            for videos in f.get("videos", {}).values()
            for video, g in videos.items()
        }


def save_still_embeddings(
    path: str | os.PathLike, embeddings: np.ndarray, mirrored: np.ndarray, attrs: dict | None = None
) -> None:
    with atomic_path(path, suffix=".h5") as tmp, h5py.File(tmp, "w") as f:
        f["embeddings"] = np.asarray(embeddings, np.float32)
        f["mirrored"] = np.asarray(mirrored, np.float32)
        for k, v in (attrs or {}).items():
            f.attrs[k] = v


def load_still_embeddings(path: str | os.PathLike) -> tuple[np.ndarray, np.ndarray]:
    """(embeddings, mirrored) of a ``stills.h5``."""
    with h5py.File(path, "r") as f:
        return f["embeddings"][()], f["mirrored"][()]
