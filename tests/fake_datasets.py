"""Files in the real datasets' formats, written for tests: the MPII release ``.mat`` and a
tiny Olympic Sports tree with CliqueCNN's material."""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np
import scipy.io

from poseembed.formats.bbox import write_bb
from poseembed.formats.cliquecnn import PostureLabels, write_frame_list, write_labels
from poseembed.formats.mpii import PersonAnnotations
from poseembed.formats.seq import write_seq


def _struct_array(dtype: list[str], rows: list[tuple]) -> np.ndarray:
    out = np.zeros((1, len(rows)), dtype=[(name, "O") for name in dtype])
    for i, row in enumerate(rows):
        out[0, i] = row
    return out


def write_mpii_mat(path: str | os.PathLike, ann: PersonAnnotations, test_images: int = 1) -> None:
    """``ann`` as the MPII release lays it out: one-based pixels, one ``annolist`` entry per
    image, ``is_visible`` as the release mixes it (numbers, strings, empty), a person without
    joints in each image, and ``test_images`` extra images without joints (``img_train`` 0)."""
    by_image: dict[str, list[int]] = {}
    for i, name in enumerate(ann.images):
        by_image.setdefault(name, []).append(i)
    empty = np.zeros((0, 0))
    entries = []
    for name, people in by_image.items():
        rects = []
        for i in people:
            annotated = np.flatnonzero(ann.visible[i])
            points = _struct_array(
                ["x", "y", "id", "is_visible"],
                [
                    (ann.joints[i, j, 0] + 1, ann.joints[i, j, 1] + 1, j, [1, "1", empty][j % 3])
                    for j in annotated
                ],
            )
            objpos = {"x": ann.centers[i, 0] + 1, "y": ann.centers[i, 1] + 1}
            rects.append((ann.scales[i], objpos, {"point": points}))
        rects.append((empty, empty, empty))
        entries.append(({"name": name}, _struct_array(["scale", "objpos", "annopoints"], rects)))
    for k in range(test_images):
        rect = _struct_array(["scale", "objpos", "annopoints"], [(1.0, {"x": 5, "y": 5}, empty)])
        entries.append(({"name": f"test_{k}.jpg"}, rect))
    release = {
        "annolist": _struct_array(["image", "annorect"], entries),
        "img_train": np.array([[1] * len(by_image) + [0] * test_images]),
        "version": "fake",
    }
    scipy.io.savemat(path, {"RELEASE": release})


def write_olympic_tree(
    root: Path, categories: list[str], videos: int = 2, frames: int = 30
) -> None:
    """Olympic Sports ``.seq`` videos with CliqueCNN's ``.bb`` boxes, frame lists and labels
    under ``root``, and an MPII release ``.mat`` with its images under ``root/mpii``."""
    rng = np.random.default_rng(0)
    for category in categories:
        items = []
        for v in range(videos):
            name = f"{category[:3]}Yt{v}_00010_00040"
            clip = [rng.integers(0, 255, (48, 64, 3), np.uint8) for _ in range(frames)]
            write_seq(root / "videos" / category / f"{name}.seq", clip, fps=30.0)
            boxes = np.tile([20.0, 8.0, 44.0, 40.0], (frames, 1))
            write_bb(root / "bboxes" / category / f"{name}.bb", np.arange(frames), boxes)
            items += [(name, f) for f in range(0, frames, 3)]
        write_frame_list(root / "labels" / f"imagePaths_{category}.txt", items)
        n = len(items)
        write_labels(
            root / "labels" / f"labels_{category}.hdf5",
            PostureLabels(
                anchors=np.array([0, 1]),
                pos_ids=[np.array([n - 1, n - 2]), np.array([n - 3, n - 4])],
                neg_ids=[np.array([2, 3, 4]), np.array([5, 6, 7])],
                pos_flipvals=[np.array([0, 1]), np.array([1, 0])],
                neg_flipvals=[np.array([0, 0, 1]), np.array([0, 1, 0])],
            ),
        )
    people = 12
    images = [f"{i:09d}.jpg" for i in range(people)]
    (root / "mpii" / "images").mkdir(parents=True, exist_ok=True)
    for name in images:
        cv2.imwrite(
            str(root / "mpii" / "images" / name), rng.integers(0, 255, (90, 120, 3), np.uint8)
        )
    joints = rng.uniform(20, 70, (people, 16, 2))
    ann = PersonAnnotations(
        images,
        np.tile([60.0, 45.0], (people, 1)),
        np.full(people, 0.3),
        joints,
        np.ones((people, 16), np.uint8),
    )
    write_mpii_mat(root / "mpii" / "mpii_human_pose_v1_u12_1.mat", ann)
