"""CliqueCNN's Olympic Sports posture labels and frame lists.

``imagePaths_<cat>.txt`` lists a category's frames as ``./<video>/I%05d.png`` (zero-based);
``labels_<cat>.hdf5`` holds ``anchors`` (A,), ``pos_ids``/``neg_ids`` and their ``*_flipvals``
(per anchor; ids index the frame list; a flip value of 1 means the mirrored frame is judged).
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import h5py
import numpy as np

from poseembed.atomic import atomic_path, write_text

_LINE = re.compile(r"^\./(?P<video>[^/]+)/I(?P<frame>\d+)\.\w+$")


@dataclass
class PostureLabels:
    anchors: np.ndarray
    pos_ids: list[np.ndarray]
    neg_ids: list[np.ndarray]
    pos_flipvals: list[np.ndarray]
    neg_flipvals: list[np.ndarray]


def frame_list_line(video: str, frame: int) -> str:
    return f"./{video}/I{frame:05d}.png"


def read_frame_list(path: str | os.PathLike) -> list[tuple[str, int]]:
    """(video, zero-based frame) for every line of an ``imagePaths_<cat>.txt``."""
    out = []
    for i, line in enumerate(Path(path).read_text().splitlines(), start=1):
        if not line.strip():
            continue
        m = _LINE.match(line.strip())
        if not m:
            raise ValueError(f"{path}:{i}: expected './<video>/I<frame>.png', got {line!r}")
        out.append((m["video"], int(m["frame"])))
    return out


def write_frame_list(path: str | os.PathLike, items: list[tuple[str, int]]) -> None:
    write_text(path, "".join(frame_list_line(v, f) + "\n" for v, f in items))


def _rows(ds: h5py.Dataset) -> list[np.ndarray]:
    data = ds[()]
    return [np.asarray(row).astype(np.int64).ravel() for row in data]


def read_labels(path: str | os.PathLike) -> PostureLabels:
    keys = ("anchors", "pos_ids", "neg_ids", "pos_flipvals", "neg_flipvals")
    with h5py.File(path, "r") as f:
        missing = [k for k in keys if k not in f]
        if missing:
            raise KeyError(f"{path}: missing datasets {missing}; a CliqueCNN label file has {keys}")
        labels = PostureLabels(
            anchors=np.asarray(f["anchors"][()]).astype(np.int64).ravel(),
            pos_ids=_rows(f["pos_ids"]),
            neg_ids=_rows(f["neg_ids"]),
            pos_flipvals=_rows(f["pos_flipvals"]),
            neg_flipvals=_rows(f["neg_flipvals"]),
        )
    n = len(labels.anchors)
    for k in keys[1:]:
        if len(getattr(labels, k)) != n:
            raise ValueError(f"{path}: {k} has {len(getattr(labels, k))} rows for {n} anchors")
    return labels


def write_labels(path: str | os.PathLike, labels: PostureLabels) -> None:
    """Write with fixed-width rows per anchor, as the released files are."""
    with atomic_path(path) as tmp, h5py.File(tmp, "w") as f:
        f["anchors"] = labels.anchors.astype(np.int32)
        for key in ("pos_ids", "neg_ids", "pos_flipvals", "neg_flipvals"):
            f[key] = np.stack(getattr(labels, key)).astype(np.int32)


def flipped_frames(labels: PostureLabels, frame_list: list[tuple[str, int]]) -> dict:
    """Per video, the sorted frame numbers that the labels judge mirrored."""
    return _judged(labels, frame_list, mirrored=True)


def judged_frames(labels: PostureLabels, frame_list: list[tuple[str, int]]) -> dict:
    """Per video, the sorted frame numbers of every frame the labels judge, anchors included,
    mirrored or not: the rows an evaluation looks up before it swaps in the mirrored ones."""
    return _judged(labels, frame_list, mirrored=False)


def _judged(labels: PostureLabels, frame_list: list[tuple[str, int]], mirrored: bool) -> dict:
    """The frames judged mirrored, or (``mirrored`` False) every frame judged."""
    out: dict[str, set[int]] = defaultdict(set)
    for ids, flips in (
        (labels.pos_ids, labels.pos_flipvals),
        (labels.neg_ids, labels.neg_flipvals),
    ):
        for row, flip in zip(ids, flips, strict=True):
            for i in row[flip.astype(bool) | (not mirrored)]:
                video, frame = frame_list[i]
                out[video].add(frame)
    if not mirrored:
        for i in labels.anchors:
            video, frame = frame_list[i]
            out[video].add(frame)
    return {v: np.array(sorted(f), np.int64) for v, f in out.items()}


PostureSets = dict[str, tuple[PostureLabels, list[tuple[str, int]]]]
"""Each category's posture labels and frame list, by category name."""


def read_posture_sets(label_files: list[str], frame_lists: list[str]) -> PostureSets:
    """The label files (``labels_<category>.hdf5``) and frame lists beside them, by category."""
    return {
        Path(labels).stem.removeprefix("labels_"): (read_labels(labels), read_frame_list(frames))
        for labels, frames in zip(label_files, frame_lists, strict=True)
    }


def label_flips(
    label_files: list[str], frame_lists: list[str], videos: dict[tuple[str, str], object]
) -> dict[tuple[str, str], np.ndarray]:
    """(category, video) -> the frames the label files judge mirrored, for ``videos``."""
    return video_frames(read_posture_sets(label_files, frame_lists), videos, flipped_frames)


def video_frames(
    sets: PostureSets,
    videos: dict[tuple[str, str], object],
    which: Callable[[PostureLabels, list[tuple[str, int]]], dict],
) -> dict[tuple[str, str], np.ndarray]:
    """(category, video) -> the frames of ``videos`` that ``which`` (``flipped_frames`` or
    ``judged_frames``) picks from each category's labels."""
    category_of = {video: cat for cat, video in videos}
    out = {}
    for category, (labels, frame_list) in sets.items():
        for video, frames in which(labels, frame_list).items():
            if video not in category_of:
                raise ValueError(
                    f"imagePaths_{category}.txt names video {video!r}, which the dataset lacks"
                )
            out[(category_of[video], video)] = frames
    return out
