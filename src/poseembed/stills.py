"""The still-image set of the retrieval evaluation: which people, and their crops."""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np

from poseembed.crops import still_crops
from poseembed.formats.mpii import PersonAnnotations


def choose_people(ann: PersonAnnotations, limit: int | None, seed: int) -> PersonAnnotations:
    """At most ``limit`` people (a seeded choice, kept in their order); all when None."""
    if limit is None or limit >= len(ann):
        return ann
    rows = np.sort(np.random.default_rng([seed, 17]).choice(len(ann), limit, replace=False))
    return ann.subset(rows)


def people_crops(
    ann: PersonAnnotations,
    images: str | os.PathLike,
    size: int,
    margin: float,
    context: float,
) -> np.ndarray:
    """Crops of every person of ``ann`` from the images under ``images``, each image read once."""
    folder = Path(images)
    loaded: dict[str, np.ndarray] = {}
    for name in dict.fromkeys(ann.images):
        image = cv2.imread(str(folder / name), cv2.IMREAD_COLOR)
        if image is None:
            raise ValueError(
                f"{folder / name}: missing or not an image (named by the still annotations; "
                "check dataset.stills_images)"
            )
        loaded[name] = image
    return still_crops(
        [loaded[n] for n in ann.images], ann.centers, ann.scales, size, margin, context
    )
