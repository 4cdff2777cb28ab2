"""Training batches read from the memory-mapped crop artifacts, with augmentation.

A batch is made in three steps. ``draw_plan`` draws everything random about it (rows, crop
offsets, flips, colour changes) from the iteration's generator, for the whole global batch, so
that any part of it (a DistributedDataParallel rank's) is the same whoever draws it.
``assemble`` cuts the plan's uint8 images from the crops (in DataLoader workers); ``to_device``
copies them to the training device and there turns them into the network's float input,
colour changes and patch resizing included, where a GPU does them faster than the workers.

Temporal pairs: one position jitter and one horizontal flip for both frames, colour jitter
for each. A pair's frames share the crop offset because an independent offset (up to the crop
margin, ~20 px) is larger than the motion between the frames and drowns the task's cue.
Spatial patches: jitter only, never a flip (it would swap left and right neighbours).
With person masks the store greys out every crop's background before anything else.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from numpy.lib.stride_tricks import sliding_window_view

from poseembed.crops import load_crops
from poseembed.person_masks import open_masks, suppress_background
from poseembed.tasks.spatial import sample_spatial_patches
from poseembed.tasks.temporal import TemporalRanges, sample_temporal_pairs

if TYPE_CHECKING:
    from poseembed.training import Refinement


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

    def __getstate__(self) -> dict:
        # A DataLoader worker started by spawn or forkserver opens its own memory maps rather
        # than receiving copies of the crops.
        return {**self.__dict__, "_open": {}, "_masks": {}}

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


def to_tensor(images: np.ndarray, device: torch.device | None = None) -> torch.Tensor:
    """uint8 BGR (N, H, W, 3) to float RGB (N, 3, H, W) centred on 0, converted on ``device``
    (the uint8 crosses, a quarter of float's bytes)."""
    return to_float(torch.from_numpy(np.ascontiguousarray(images)).to(device))


def to_float(images: torch.Tensor) -> torch.Tensor:
    """A uint8 BGR (N, H, W, 3) tensor, on any device, as float RGB (N, 3, H, W) centred on 0."""
    # A permuted NHWC tensor is NCHW in channels_last strides: no copy, on any device.
    return images.flip(-1).permute(0, 3, 1, 2).float() / 127.5 - 1


class SampleRows:
    """The rows of a sample table as arrays the samplers and the crop store understand, with
    the refinement's labels (``training.Refinement``) when there is one."""

    def __init__(self, table: pd.DataFrame, refinement: Refinement | None = None) -> None:
        self.videos = table["video"].to_numpy().astype(str)
        self.frames = table["frame"].to_numpy().astype(np.int64)
        _, self.codes = np.unique(self.videos, return_inverse=True)
        self.refinement = refinement
        # The rows that may anchor a temporal pair (see ``training``'s short-video rule).
        self.usable = np.ones(len(self.frames), bool)

    def __len__(self) -> int:
        return len(self.frames)


@dataclass(frozen=True)
class BatchRecipe:
    """What a batch is drawn from besides its generator: the tasks it feeds (a weight of 0
    leaves one out), their sizes and ranges, and the augmentation."""

    size: int
    input_size: int
    crop_side: int
    temporal: bool
    spatial: bool
    ranges: TemporalRanges | None
    colour_jitter: float
    grey_prob: float


@dataclass(frozen=True)
class TemporalPlan:
    """Rows of each pair and its label (1 close); the pair's crop offset (x, y) and flip; each
    image's gain, colour shift (N, 2, 3) and whether it turns grey, image a then b."""

    anchor: np.ndarray
    other: np.ndarray
    label: np.ndarray
    offset: np.ndarray
    flip: np.ndarray
    gain: np.ndarray
    shift: np.ndarray
    grey: np.ndarray


@dataclass(frozen=True)
class SpatialPlan:
    """The row of each crop, top-left (x, y) of its centre and neighbour patches, and the
    neighbour's label; ``side`` is the patches' side, one for the batch."""

    row: np.ndarray
    centre: np.ndarray
    neighbour: np.ndarray
    label: np.ndarray
    side: int


def _part(plan, rank: int, world: int):
    """Every ``world``-th pair from ``rank`` on: pairs are shuffled, so each part mixes labels."""
    arrays = {
        f.name: getattr(plan, f.name)[rank::world]
        for f in fields(plan)
        if isinstance(getattr(plan, f.name), np.ndarray)
    }
    return replace(plan, **arrays)


@dataclass(frozen=True)
class BatchPlan:
    """Everything random about one batch; a task it does not feed is None."""

    temporal: TemporalPlan | None
    spatial: SpatialPlan | None

    def part(self, rank: int, world: int) -> BatchPlan:
        """Rank ``rank``'s share of the batch among ``world`` processes."""
        if world == 1:
            return self
        return BatchPlan(*(p and _part(p, rank, world) for p in (self.temporal, self.spatial)))


def _colour_draws(
    n: int, rng: np.random.Generator, strength: float, grey_prob: float
) -> tuple[np.ndarray, ...]:
    gain = rng.uniform(1 - strength, 1 + strength, n)
    shift = rng.uniform(-strength, strength, (n, 3)) * 0.5
    grey = rng.random(n) < grey_prob if grey_prob > 0 else np.zeros(n, bool)
    return gain, shift, grey


def draw_plan(rows: SampleRows, r: BatchRecipe, rng: np.random.Generator) -> BatchPlan:
    """The plan of one batch of ``r.size`` pairs per task, drawn from ``rng``."""
    temporal = spatial = None
    if r.temporal:
        f = rows.refinement
        pairs = sample_temporal_pairs(
            rows.codes,
            rows.frames,
            r.size,
            r.ranges,
            rng,
            group=f.group if f else None,
            mined_share=f.mined_share if f else 0.0,
            cross=f.cross if f else None,
            cross_share=f.cross_share if f else 0.0,
            usable=rows.usable,
        )
        n = len(pairs.label)
        offset = rng.integers(0, r.crop_side - r.input_size + 1, (n, 2))
        flip = rng.random(n) < 0.5
        a = _colour_draws(n, rng, r.colour_jitter, r.grey_prob)
        b = _colour_draws(n, rng, r.colour_jitter, r.grey_prob)
        gain, shift, grey = (np.stack([x, y], axis=1) for x, y in zip(a, b, strict=True))
        temporal = TemporalPlan(
            pairs.anchor, pairs.other, pairs.label, offset, flip, gain, shift, grey
        )
    if r.spatial:
        row = rng.integers(0, len(rows), r.size)
        p = sample_spatial_patches(r.size, r.crop_side, r.input_size, rng)
        spatial = SpatialPlan(row, p.centre, p.neighbour, p.label, p.side)
    return BatchPlan(temporal, spatial)


def _cut(images: np.ndarray, xy: np.ndarray, side: int) -> np.ndarray:
    """(N, side, side, 3): each image's square at its top-left (x, y)."""
    # Indexing windows copies whole rows; indexing pixels was ~80x slower at 227 px.
    windows = sliding_window_view(images, (side, side), axis=(1, 2))
    picked = windows[np.arange(len(images)), xy[:, 1], xy[:, 0]]
    return np.ascontiguousarray(picked.transpose(0, 2, 3, 1))


@dataclass(frozen=True)
class TaskInputs:
    """One task's part of a batch: two images per pair, as uint8 BGR (N, H, W, 3) on the host
    or float network input on the device, the labels, and for the temporal task each image's
    colour change (gain (N, 2), shift (N, 2, 3), grey (N, 2)) still to be made."""

    first: torch.Tensor
    second: torch.Tensor
    label: torch.Tensor
    gain: torch.Tensor | None = None
    shift: torch.Tensor | None = None
    grey: torch.Tensor | None = None

    def _map(self, fn) -> TaskInputs:
        return TaskInputs(*(None if t is None else fn(t) for t in self._tensors()))

    def _tensors(self) -> tuple[torch.Tensor | None, ...]:
        return tuple(getattr(self, f.name) for f in fields(self))

    def pin_memory(self) -> TaskInputs:
        """Page-locked copies, so that the copy to a GPU runs beside the computation
        (DataLoader's ``pin_memory`` calls this)."""
        return self._map(torch.Tensor.pin_memory)


def assemble(
    plan: BatchPlan, rows: SampleRows, store: CropStore, input_size: int
) -> dict[str, TaskInputs]:
    """The uint8 images of a plan, cut from ``store``'s crops, by task."""
    out = {}
    t = plan.temporal
    if t is not None:
        pair = []
        for which in (t.anchor, t.other):
            images = _cut(
                store.gather(rows.videos[which], rows.frames[which]), t.offset, input_size
            )
            images[t.flip] = images[t.flip, :, ::-1]
            pair.append(torch.from_numpy(images))
        out["temporal"] = TaskInputs(
            *pair,
            torch.from_numpy(t.label),
            torch.from_numpy(t.gain).float(),
            torch.from_numpy(t.shift).float(),
            torch.from_numpy(t.grey),
        )
    s = plan.spatial
    if s is not None:
        crops = store.gather(rows.videos[s.row], rows.frames[s.row])
        centre, neighbour = (
            torch.from_numpy(_cut(crops, xy, s.side)) for xy in (s.centre, s.neighbour)
        )
        out["spatial"] = TaskInputs(centre, neighbour, torch.from_numpy(s.label))
    return out


_LUMA = (0.299, 0.587, 0.114)


def _colour(
    x: torch.Tensor, gain: torch.Tensor, shift: torch.Tensor, grey: torch.Tensor
) -> torch.Tensor:
    """Each image's gain and colour shift; the grey ones made grey (luma), so that colour
    cannot tell two videos apart."""
    n = x.shape[0]
    x = x * gain.view(n, 1, 1, 1) + shift.view(n, 3, 1, 1)
    luma = (x * torch.tensor(_LUMA, device=x.device).view(1, 3, 1, 1)).sum(1, keepdim=True)
    x = torch.where(grey.view(n, 1, 1, 1), luma.expand_as(x), x)
    return x.clamp(-1, 1)


def to_device(
    batch: dict[str, TaskInputs], device: torch.device, input_size: int
) -> dict[str, TaskInputs]:
    """The network's float input on ``device`` (channels_last), augmentation done there;
    inputs made already (by a worker, for the CPU) are only moved."""
    out = {}
    for task, inputs in batch.items():
        x = inputs._map(lambda t: t.to(device, non_blocking=True))
        if x.first.is_floating_point():
            out[task] = x
            continue
        first, second = to_float(x.first), to_float(x.second)
        if task == "temporal":
            first = _colour(first, x.gain[:, 0], x.shift[:, 0], x.grey[:, 0])
            second = _colour(second, x.gain[:, 1], x.shift[:, 1], x.grey[:, 1])
        elif first.shape[-1] != input_size:
            first, second = (
                F.interpolate(
                    p, size=(input_size, input_size), mode="bilinear", align_corners=False
                )
                for p in (first, second)
            )
        out[task] = TaskInputs(
            first.contiguous(memory_format=torch.channels_last),
            second.contiguous(memory_format=torch.channels_last),
            x.label,
        )
    return out
