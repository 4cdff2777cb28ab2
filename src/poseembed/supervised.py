"""The supervised upper bound: the same network trained on ground-truth pose similarity.

What the self-supervised tasks could reach at best with this network, data and input size: the
Siamese network's embedding trained with a supervised InfoNCE loss on the synthetic ground
truth. Each batch takes ``batch_size // videos_per_batch`` random frames of each of
``videos_per_batch`` videos (of one category when categories are given). Every frame is an
anchor; its positive is the frame of another video of the batch whose ground-truth pose is
nearest (flip-aware: the crop is mirrored when the mirrored pose is nearer), seen with its own
crop jitter. Its negatives are the batch's frames of other videos whose pose is farther than
the positive's; frames of the anchor's own video are left out, as their neighbours in time
have the same pose and no pose label can tell them apart.

Positives always come from another video, so the loss rewards what two people in two scenes
share, the pose, and never the actor, clothing or background. The weights are written as
``training.save_weights`` writes a stage's (``embedding.load_model`` reads them).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from poseembed.batches import CropStore, to_tensor
from poseembed.device import resolve_device
from poseembed.formats.embeddings import rows_of
from poseembed.logs import progress
from poseembed.models import SiameseNet
from poseembed.pose_distance import pose_distances
from poseembed.training import TrainSettings, save_weights

Poses = tuple[np.ndarray, np.ndarray, np.ndarray]
"""Frame numbers (N,), joints (N, 16, 2) and visibility (N, 16) of one video."""


@dataclass(frozen=True)
class SupervisedSettings:
    """Every knob of the supervised training; no defaults: the config schema holds them."""

    trunk: str
    embedding_dim: int
    input_size: int
    iterations: int
    batch_size: int
    lr: float
    weight_decay: float
    temperature: float
    videos_per_batch: int
    seed: int
    device: str
    amp: bool


@dataclass(frozen=True)
class _Video:
    rows: np.ndarray  # crop rows of the frames with ground truth
    joints: np.ndarray
    visible: np.ndarray


def _videos(
    crops: CropStore, poses: dict[str, Poses], crop_index: dict[str, np.ndarray] | None
) -> dict[str, _Video]:
    out = {}
    for video, (frames, joints, visible) in sorted(poses.items()):
        n = len(crops[video])
        frames = np.asarray(frames, np.int64)
        if crop_index is None:
            if frames.size and (frames.min() < 0 or frames.max() >= n):
                raise ValueError(
                    f"{video}: ground-truth frames reach {frames.max()} but there are {n} crops; "
                    "pass crop_index (the frames artifact's index) when frames were subsampled"
                )
            rows = frames
        else:
            # Ground truth of frames the frames artifact skipped (step > 1) has no crop.
            index = np.asarray(crop_index[video], np.int64)
            keep = np.isin(frames, index)
            frames, joints, visible = frames[keep], joints[keep], visible[keep]
            rows = rows_of(index, frames, video)
        if len(rows):
            out[video] = _Video(rows, np.asarray(joints, float), np.asarray(visible, bool))
    return out


def nearest_poses(
    joints: np.ndarray, visible: np.ndarray, video: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For each of N batch items: its positive (the item of another video whose pose is
    nearest, flip-aware), whether to mirror that positive, the positive's distance, and an
    (N, N) mask of its negatives (items of other videos whose pose is farther). An item without
    a comparable pose in another video has distance inf and no negatives."""
    direct, mirrored = pose_distances(joints, visible, joints, visible)
    d = np.minimum(direct, mirrored)
    d[video[:, None] == video[None, :]] = np.inf
    n = np.arange(len(d))
    positive = d.argmin(1)
    distance = d[n, positive]
    flip = mirrored[n, positive] < direct[n, positive]
    # Inf marks the own video's items (and poses without joints in common): never negatives.
    negatives = np.isfinite(d) & (d > distance[:, None])
    return positive, flip, distance, negatives


def _crop(images: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    """A random ``size`` square of each image, within the stored crop's jitter margin."""
    off = rng.integers(0, images.shape[1] - size + 1, (len(images), 2))
    return np.stack(
        [img[y : y + size, x : x + size] for img, (x, y) in zip(images, off, strict=True)]
    )


def _batch(
    videos: dict[str, _Video],
    groups: list[list[str]],
    store: CropStore,
    s: SupervisedSettings,
    rng: np.random.Generator,
) -> tuple[torch.Tensor, torch.Tensor, np.ndarray, np.ndarray, np.ndarray]:
    """Anchor and positive images, the negatives mask, the positives' pose distances and
    which anchors take part (those with a comparable pose in another video)."""
    group = groups[rng.integers(len(groups))]
    chosen = rng.choice(len(group), min(s.videos_per_batch, len(group)), replace=False)
    per_video = max(s.batch_size // len(chosen), 1)
    names, rows, joints, visible, codes = [], [], [], [], []
    for code, i in enumerate(np.sort(chosen)):
        v = videos[group[i]]
        pick = rng.integers(0, len(v.rows), per_video)
        names += [group[i]] * per_video
        rows.append(v.rows[pick])
        joints.append(v.joints[pick])
        visible.append(v.visible[pick])
        codes.append(np.full(per_video, code))
    names_a, rows_a = np.array(names), np.concatenate(rows)
    positive, flip, distance, negatives = nearest_poses(
        np.concatenate(joints), np.concatenate(visible), np.concatenate(codes)
    )
    crops = store.gather(names_a, rows_a)
    anchors = _crop(crops, s.input_size, rng)
    # The positive is another crop of the same stored frame, with its own jitter.
    positives = _crop(crops[positive], s.input_size, rng)
    positives[flip] = positives[flip, :, ::-1]
    return (
        to_tensor(anchors),
        to_tensor(positives),
        negatives,
        distance,
        np.isfinite(distance),
    )


def _info_nce(
    a: torch.Tensor, p: torch.Tensor, negatives: torch.Tensor, temperature: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """Loss and accuracy (positive ranked first) over anchors; logits of unit embeddings."""
    if len(a) == 0:
        zero = (a * p).sum()  # 0 with a graph, so that the step runs as any other
        return zero, zero.detach()
    pos = (a * p).sum(1, keepdim=True)
    neg = (a @ a.T).masked_fill(~negatives, float("-inf"))
    logits = torch.cat([pos, neg], 1) / temperature
    target = torch.zeros(len(a), dtype=torch.long, device=a.device)
    return F.cross_entropy(logits, target), (logits.argmax(1) == 0).float().mean()


def train_supervised(
    crop_paths: dict[str, str | os.PathLike],
    poses: dict[str, Poses],
    settings: SupervisedSettings,
    weights_path: str | os.PathLike,
    crop_index: dict[str, np.ndarray] | None = None,
    categories: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Train the network on ground-truth pose similarity; write its weights, return one row of
    metrics per iteration (``loss``, ``accuracy``: positive ranked above every negative,
    ``positive_distance``: mean pose distance of the positives, ``lr``).

    ``crop_paths`` and ``poses`` are keyed by video name; pose ``frames`` are source frame
    numbers, crop row k being source frame ``crop_index[video][k]`` (the frames artifact's
    ``index``; without it, frame k). ``categories`` (video -> category) keeps each batch within
    one category, whose other videos hold the nearest poses and the hardest negatives.
    """
    s = settings
    if s.batch_size < 2 * s.videos_per_batch or s.videos_per_batch < 2:
        raise ValueError(
            "supervised: videos_per_batch must be at least 2 and batch_size at least twice it"
        )
    device = resolve_device(s.device)
    torch.manual_seed(s.seed)
    model = SiameseNet(s.trunk, s.embedding_dim).to(device, memory_format=torch.channels_last)
    store = CropStore(crop_paths)
    videos = _videos(store, poses, crop_index)
    by_group: dict[str, list[str]] = {}
    for video in videos:
        by_group.setdefault(categories[video] if categories else "", []).append(video)
    groups = [g for _, g in sorted(by_group.items()) if len(g) >= 2]
    if not groups:
        raise ValueError("supervised: no category has two videos with ground truth and crops")
    opt = torch.optim.AdamW(model.parameters(), lr=s.lr, weight_decay=s.weight_decay)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda it: 0.5 * (1 + math.cos(math.pi * min(it, s.iterations) / s.iterations))
    )
    use_amp = s.amp and device.type == "cuda"
    scaler = torch.amp.GradScaler("cuda", enabled=use_amp)
    fmt = torch.channels_last
    rows: list[dict] = []
    model.train()
    for it in progress(range(s.iterations), "supervised", total=s.iterations):
        rng = np.random.default_rng([s.seed, it])
        a, p, negatives, distance, used = _batch(videos, groups, store, s, rng)
        keep = torch.from_numpy(used).to(device)
        with torch.autocast(device.type, dtype=torch.float16, enabled=use_amp):
            z = model.embed(torch.cat([a, p]).to(device, memory_format=fmt))
        za, zp = z.float().chunk(2)
        # Anchors without a comparable pose elsewhere neither pull nor serve as negatives.
        mask = torch.from_numpy(negatives).to(device) & keep[None, :]
        loss, acc = _info_nce(za[keep], zp[keep], mask[keep][:, keep], s.temperature)
        opt.zero_grad(set_to_none=True)
        scaler.scale(loss).backward()
        scaler.step(opt)
        scaler.update()
        rows.append(
            {
                "iteration": it + 1,
                "lr": sched.get_last_lr()[0],
                "loss": float(loss.detach()),
                "accuracy": float(acc),
                "positive_distance": float(distance[used].mean()) if used.any() else np.nan,
            }
        )
        sched.step()
    model.eval()
    save_weights(
        weights_path,
        model,
        TrainSettings(
            trunk=s.trunk,
            embedding_dim=s.embedding_dim,
            input_size=s.input_size,
            iterations=s.iterations,
            batch_size=s.batch_size,
            lr=s.lr,
            weight_decay=s.weight_decay,
            seed=s.seed,
            device=s.device,
            amp=s.amp,
        ),
        stage=0,
    )
    return pd.DataFrame(rows)
