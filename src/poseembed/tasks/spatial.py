"""Spatial-placement patches: the centre cell of a 3x3 grid over the person and one of its 8
neighbours, both jittered; the label says which neighbour (row-major, centre skipped)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# (row, col) of the 8 neighbours in label order.
NEIGHBOURS = np.array([(r, c) for r in range(3) for c in range(3) if (r, c) != (1, 1)])


@dataclass
class SpatialPatches:
    """Top-left (x, y) of the centre and neighbour patches in the stored crop, the patch side,
    and the neighbour's label 0..7."""

    centre: np.ndarray
    neighbour: np.ndarray
    side: int
    label: np.ndarray


def sample_spatial_patches(
    n: int,
    crop_side: int,
    input_size: int,
    rng: np.random.Generator,
    patch_fraction: float = 0.75,
    jitter_fraction: float = 0.15,
) -> SpatialPatches:
    """Patches on the grid over the crop's central ``input_size`` square (where the person box
    lies); ``patch_fraction`` of a cell wide, jittered by up to ``jitter_fraction`` of a cell."""
    cell = input_size / 3
    side = max(2, round(cell * patch_fraction))
    origin = (crop_side - input_size) / 2 + (cell - side) / 2
    jitter = cell * jitter_fraction
    label = rng.integers(0, 8, n)

    def place(rc: np.ndarray) -> np.ndarray:
        xy = origin + rc[:, ::-1] * cell + rng.uniform(-jitter, jitter, (len(rc), 2))
        return np.clip(np.round(xy), 0, crop_side - side).astype(np.int64)

    centre = place(np.ones((n, 2), np.int64))
    neighbour = place(NEIGHBOURS[label])
    return SpatialPatches(centre, neighbour, side, label)
