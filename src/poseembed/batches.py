"""Training batches read from the memory-mapped crop artifacts, with augmentation.

Temporal pairs: one position jitter and one horizontal flip for both frames, colour jitter
for each. A pair's frames share the crop offset because an independent offset (up to the crop
margin, ~20 px) is larger than the motion between the frames and drowns the task's cue.
Spatial patches: jitter only, never a flip (it would swap left and right neighbours).
With person masks the store greys out every crop's background before anything else.
"""

from __future__ import annotations

import os

import numpy as np
import torch
import torch.nn.functional as F

from poseembed.crops import load_crops
from poseembed.person_masks import open_masks, suppress_background
from poseembed.tasks.spatial import SpatialPatches
from poseembed.tasks.temporal import TemporalPairs


class CropStore:
    """Crops of many videos, opened lazily as memory maps, and their person masks if given."""

    def __init__(
        self,
        paths: dict[str, str | os.PathLike],
        masks: dict[str, str | os.PathLike] | None = None,
        keep: str = "person",
    ) -> None:
        """``keep``: what the masks keep, the ``person`` (the background greyed) or, to test
        what a task reads from the scene alone, the ``background`` (the person greyed)."""
        if keep not in ("person", "background"):
            raise ValueError(f"keep: {keep!r} is neither 'person' nor 'background'")
        self.paths = dict(paths)
        self.mask_paths = dict(masks or {})
        self.keep = keep
        self._open: dict[str, np.ndarray] = {}
        self._masks: dict[str, np.ndarray] = {}

    def __getitem__(self, video: str) -> np.ndarray:
        if video not in self._open:
            self._open[video] = load_crops(self.paths[video])
        return self._open[video]

    def _mask(self, video: str) -> np.ndarray:
        if video not in self._masks:
            if video not in self.mask_paths:
                raise ValueError(f"{video}: no person masks given beside its crops")
            self._masks[video] = open_masks(self.mask_paths[video], self[video], self.paths[video])
        return self._masks[video]

    def gather(self, videos: np.ndarray, frames: np.ndarray) -> np.ndarray:
        """(N, S, S, 3) uint8 crops of the given (video, frame) rows."""
        first = self[videos[0]]
        out = np.empty((len(videos), *first.shape[1:]), np.uint8)
        for v in np.unique(videos):
            rows = np.flatnonzero(videos == v)
            out[rows] = self[v][frames[rows]]
            if self.mask_paths:
                m = self._mask(v)[frames[rows]]
                out[rows] = suppress_background(out[rows], m if self.keep == "person" else 255 - m)
        return out


def to_tensor(images: np.ndarray) -> torch.Tensor:
    """uint8 BGR (N, H, W, 3) to float RGB (N, 3, H, W) centred on 0."""
    return torch.from_numpy(images[..., ::-1].copy()).permute(0, 3, 1, 2).float() / 127.5 - 1


def _offsets(n: int, side: int, size: int, rng: np.random.Generator) -> np.ndarray:
    return rng.integers(0, side - size + 1, (n, 2))


def _jitter_crop(images: np.ndarray, size: int, off: np.ndarray) -> np.ndarray:
    return np.stack(
        [img[y : y + size, x : x + size] for img, (x, y) in zip(images, off, strict=True)]
    )


def _colour(
    x: torch.Tensor, rng: np.random.Generator, strength: float, grey_prob: float
) -> torch.Tensor:
    """Gain and colour shift drawn for each image; with ``grey_prob``, the image made grey
    (luma), so that colour cannot tell two videos apart."""
    n = x.shape[0]
    gain = torch.from_numpy(rng.uniform(1 - strength, 1 + strength, (n, 1, 1, 1))).float()
    shift = torch.from_numpy(rng.uniform(-strength, strength, (n, 3, 1, 1))).float() * 0.5
    x = x * gain + shift
    if grey_prob > 0:
        grey = torch.from_numpy(rng.random(n) < grey_prob)
        luma = (x * torch.tensor([0.299, 0.587, 0.114]).view(1, 3, 1, 1)).sum(1, keepdim=True)
        x = torch.where(grey.view(n, 1, 1, 1), luma.expand_as(x), x)
    return x.clamp(-1, 1)


def temporal_batch(
    store: CropStore,
    videos: np.ndarray,
    frames: np.ndarray,
    pairs: TemporalPairs,
    input_size: int,
    rng: np.random.Generator,
    colour: float,
    grey_prob: float,
) -> tuple[torch.Tensor, torch.Tensor]:
    a = store.gather(videos[pairs.anchor], frames[pairs.anchor])
    b = store.gather(videos[pairs.other], frames[pairs.other])
    off = _offsets(len(a), a.shape[1], input_size, rng)
    a, b = _jitter_crop(a, input_size, off), _jitter_crop(b, input_size, off)
    flip = rng.random(len(a)) < 0.5
    a[flip] = a[flip, :, ::-1]
    b[flip] = b[flip, :, ::-1]
    return _colour(to_tensor(a), rng, colour, grey_prob), _colour(
        to_tensor(b), rng, colour, grey_prob
    )


def spatial_batch(
    store: CropStore,
    videos: np.ndarray,
    frames: np.ndarray,
    rows: np.ndarray,
    patches: SpatialPatches,
    input_size: int,
) -> tuple[torch.Tensor, torch.Tensor]:
    crops = store.gather(videos[rows], frames[rows])
    s = patches.side

    def cut(xy: np.ndarray) -> torch.Tensor:
        p = np.stack([c[y : y + s, x : x + s] for c, (x, y) in zip(crops, xy, strict=True)])
        return F.interpolate(
            to_tensor(p), size=(input_size, input_size), mode="bilinear", align_corners=False
        )

    return cut(patches.centre), cut(patches.neighbour)
