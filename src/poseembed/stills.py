"""The still-image set of the retrieval evaluation: which people, and their crops."""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np

from poseembed.crops import crop_side, still_crops
from poseembed.formats.mpii import PersonAnnotations
from poseembed.logs import progress

# A random stream of its own, apart from the generator's and the training's under one seed.
_CHOICE_STREAM = 17


def choose_people(ann: PersonAnnotations, limit: int | None, seed: int) -> PersonAnnotations:
    """At most ``limit`` people (a seeded choice, kept in their order); all when None."""
    if limit is None or limit >= len(ann):
        return ann
    rows = np.sort(
        np.random.default_rng([seed, _CHOICE_STREAM]).choice(len(ann), limit, replace=False)
    )
    return ann.subset(rows)


def people_crops(
    ann: PersonAnnotations,
    images: str | os.PathLike,
    size: int,
    margin: float,
    context: float,
) -> np.ndarray:
    """Crops of every person of ``ann`` from the images under ``images``: each image read
    once, its people cropped, and let go (a real set's images do not fit in memory at once)."""
    folder = Path(images)
    people: dict[str, list[int]] = {}
    for i, name in enumerate(ann.images):
        people.setdefault(name, []).append(i)
    out = np.empty((len(ann), crop_side(size, margin), crop_side(size, margin), 3), np.uint8)
    for name, rows in progress(people.items(), "still crops", total=len(people)):
        image = cv2.imread(str(folder / name), cv2.IMREAD_COLOR)
        if image is None:
            raise ValueError(
                f"{folder / name}: missing or not an image (named by the still annotations; "
                "check dataset.stills_images)"
            )
        out[rows] = still_crops(
            [image] * len(rows), ann.centers[rows], ann.scales[rows], size, margin, context
        )
    return out
