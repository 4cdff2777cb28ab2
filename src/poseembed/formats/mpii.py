"""MPII Human Pose annotations in the common JSON form (one entry per person).

Each entry: ``{"image", "center": [x, y], "scale": person height / 200 px,
"joints": 16 x [x, y], "joints_vis": 16 x 0/1}``, joints in MPII order.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

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
