"""MPII Human Pose annotations: the common JSON form and the release's ``.mat``.

JSON: a list with one entry per person, ``{"image", "center": [x, y], "scale": person height /
200 px, "joints": 16 x [x, y], "joints_vis": 16 x 0/1}``, joints in MPII order, zero-based
pixels; ``joints_vis`` marks the annotated joints.

``.mat`` (``mpii_human_pose_v1_u12_1.mat``): ``RELEASE.annolist(i).annorect(j)`` with ``scale``,
``objpos.x/y`` and ``annopoints.point(k)`` (``x``, ``y``, ``id``, ``is_visible``), MATLAB's
one-based pixels; ``RELEASE.img_train(i)`` is 1 for the training images, the only ones with
joints. The reader gives the people with joints in the JSON form's terms.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.io

from poseembed.atomic import write_text
from poseembed.joints import N_JOINTS


@dataclass
class PersonAnnotations:
    images: list[str]
    centers: np.ndarray
    scales: np.ndarray
    joints: np.ndarray
    visible: np.ndarray

    def __len__(self) -> int:
        return len(self.images)

    def subset(self, rows: np.ndarray) -> PersonAnnotations:
        return PersonAnnotations(
            [self.images[i] for i in rows],
            self.centers[rows],
            self.scales[rows],
            self.joints[rows],
            self.visible[rows],
        )


def read_mpii_json(path: str | os.PathLike) -> PersonAnnotations:
    path = Path(path)
    try:
        entries = json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise ValueError(f"{path}: not valid JSON ({err})") from err
    if not isinstance(entries, list):
        raise ValueError(f"{path}: expected a list of people, found {type(entries).__name__}")
    for i, e in enumerate(entries):
        missing = {"image", "center", "scale", "joints", "joints_vis"} - set(e)
        if missing:
            raise ValueError(f"{path}: person {i} lacks {sorted(missing)}")
        if len(e["joints"]) != N_JOINTS:
            raise ValueError(f"{path}: person {i} has {len(e['joints'])} joints, not {N_JOINTS}")
    return PersonAnnotations(
        images=[e["image"] for e in entries],
        centers=np.array([e["center"] for e in entries], np.float64).reshape(-1, 2),
        scales=np.array([e["scale"] for e in entries], np.float64),
        joints=np.array([e["joints"] for e in entries], np.float64).reshape(-1, N_JOINTS, 2),
        visible=np.array([e["joints_vis"] for e in entries], np.uint8).reshape(-1, N_JOINTS),
    )


def write_mpii_json(path: str | os.PathLike, ann: PersonAnnotations) -> None:
    entries = [
        {
            "image": ann.images[i],
            "center": [round(float(c), 2) for c in ann.centers[i]],
            "scale": round(float(ann.scales[i]), 4),
            "joints": [[round(float(x), 2), round(float(y), 2)] for x, y in ann.joints[i]],
            "joints_vis": [int(v) for v in ann.visible[i]],
        }
        for i in range(len(ann))
    ]
    write_text(path, json.dumps(entries, indent=1))


def _items(value: object) -> list:
    """A MATLAB struct array as a list (``squeeze_me`` makes one element a bare struct)."""
    if isinstance(value, np.ndarray):
        return list(value.ravel())
    return [value]


def _person(rect: object) -> tuple[np.ndarray, np.ndarray, np.ndarray, float] | None:
    """Joints, annotated flags, centre and scale of one ``annorect``; None without joints."""
    points = getattr(rect, "annopoints", None)
    scale = getattr(rect, "scale", None)
    objpos = getattr(rect, "objpos", None)
    if not hasattr(points, "point") or not hasattr(objpos, "x") or np.size(scale) != 1:
        return None
    joints = np.full((N_JOINTS, 2), -1.0)
    annotated = np.zeros(N_JOINTS, np.uint8)
    for p in _items(points.point):
        j = int(p.id)
        if 0 <= j < N_JOINTS:
            joints[j] = (float(p.x) - 1, float(p.y) - 1)
            annotated[j] = 1
    centre = np.array([float(objpos.x) - 1, float(objpos.y) - 1])
    return joints, annotated, centre, float(scale)


def read_mpii_mat(path: str | os.PathLike, train_only: bool = True) -> PersonAnnotations:
    """Every person with joints in the MPII release ``.mat`` (of the training images when
    ``train_only``), in the JSON form's terms: zero-based pixels, ``visible`` = annotated."""
    path = Path(path)
    try:
        release = scipy.io.loadmat(path, struct_as_record=False, squeeze_me=True)["RELEASE"]
    except (ValueError, OSError, KeyError, scipy.io.matlab.MatReadError) as err:
        raise ValueError(f"{path}: not an MPII release .mat with a RELEASE struct ({err})") from err
    annolist = _items(release.annolist)
    train = np.atleast_1d(release.img_train).astype(bool)
    if len(train) != len(annolist):
        raise ValueError(f"{path}: img_train has {len(train)} entries, annolist {len(annolist)}")
    images, centers, scales, joints, visible = [], [], [], [], []
    for entry, is_train in zip(annolist, train, strict=True):
        if train_only and not is_train:
            continue
        for rect in _items(entry.annorect):
            person = _person(rect)
            if person is None:
                continue
            images.append(str(entry.image.name))
            joints.append(person[0])
            visible.append(person[1])
            centers.append(person[2])
            scales.append(person[3])
    if not images:
        raise ValueError(f"{path}: no annotated person found")
    return PersonAnnotations(
        images, np.array(centers), np.array(scales), np.array(joints), np.array(visible)
    )


def read_people(path: str | os.PathLike) -> PersonAnnotations:
    """MPII people from the JSON form (``.json``) or the release ``.mat``."""
    suffix = Path(path).suffix.lower()
    if suffix == ".json":
        return read_mpii_json(path)
    if suffix == ".mat":
        return read_mpii_mat(path)
    raise ValueError(f"{path}: MPII annotations must be .json (common form) or .mat (release)")
