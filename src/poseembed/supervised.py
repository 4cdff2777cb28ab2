"""The supervised upper bound: the same network trained on the ground-truth poses.

What the self-supervised tasks could reach at best with this network, data and input size: the
Siamese network's trunk, its projection sized to the pose (``POSE_DIM``), trained to give each
frame's pose (its 16 joints centred and scale-normalised, as the probes' descriptor; a mean
squared error on the visible ones). Its L2-normalised output, the embedding, is then a pose
descriptor predicted from pixels, compared by cosine like every embedding; people of two videos
in one pose get one target, whatever they wear and wherever they are. Each batch takes
``batch_size // videos_per_batch`` random frames of each of ``videos_per_batch`` videos of one
category. Contrastive losses towards the nearest ground-truth pose of another video (hard or
soft) collapsed here: the embeddings became one vector and the loss stayed at chance.
The weights are written as ``training.save_weights`` writes a stage's (``embedding.load_model``
reads them).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from poseembed.batches import CropStore, to_tensor
from poseembed.device import resolve_device
from poseembed.evaluation.pose_correlation import Poses
from poseembed.evaluation.probes import pose_descriptor
from poseembed.formats.embeddings import rows_of
from poseembed.logs import progress
from poseembed.models import SiameseNet
from poseembed.training import save_weights

POSE_DIM = 32
"""The embedding's dimension: x and y of the 16 joints."""


@dataclass(frozen=True)
class SupervisedSettings:
    """Every knob of the supervised training; no defaults: the config schema holds them."""

    trunk: str
    input_size: int
    iterations: int
    batch_size: int
    lr: float
    weight_decay: float
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
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The batch's images, their pose descriptors (N, 32) and which coordinates are visible."""
    group = groups[rng.integers(len(groups))]
    chosen = rng.choice(len(group), min(s.videos_per_batch, len(group)), replace=False)
    per_video = max(s.batch_size // len(chosen), 1)
    names, rows, joints, visible = [], [], [], []
    for i in np.sort(chosen):
        v = videos[group[i]]
        pick = rng.integers(0, len(v.rows), per_video)
        names += [group[i]] * per_video
        rows.append(v.rows[pick])
        joints.append(v.joints[pick])
        visible.append(v.visible[pick])
    vis = np.concatenate(visible)
    target = pose_descriptor(np.concatenate(joints), vis)
    images = _crop(store.gather(np.array(names), np.concatenate(rows)), s.input_size, rng)
    seen = np.repeat(vis, 2, axis=1).astype(np.float32)
    return to_tensor(images), torch.from_numpy(target).float(), torch.from_numpy(seen)


def train_supervised(
    crop_paths: dict[str, str | os.PathLike],
    poses: dict[str, Poses],
    settings: SupervisedSettings,
    weights_path: str | os.PathLike,
    crop_index: dict[str, np.ndarray] | None = None,
    categories: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Train the network to predict each frame's ground-truth pose (``pose_descriptor``); write
    its weights, return one row of metrics per iteration (``loss``: the pose error, ``lr``).

    ``crop_paths`` and ``poses`` are keyed by video name; pose ``frames`` are source frame
    numbers, crop row k being source frame ``crop_index[video][k]`` (the frames artifact's
    ``index``; without it, frame k). ``categories`` (video -> category) draws each batch from
    ``videos_per_batch`` videos of one category.
    """
    s = settings
    if s.batch_size < 2 * s.videos_per_batch or s.videos_per_batch < 2:
        raise ValueError(
            "supervised: videos_per_batch must be at least 2 and batch_size at least twice it"
        )
    device = resolve_device(s.device)
    torch.manual_seed(s.seed)
    # The embedding is the predicted pose descriptor itself: its cosine compares poses.
    model = SiameseNet(s.trunk, POSE_DIM).to(device, memory_format=torch.channels_last)
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
        images, target, seen = _batch(videos, groups, store, s, rng)
        with torch.autocast(device.type, dtype=torch.float16, enabled=use_amp):
            pose = model.features(images.to(device, memory_format=fmt))
        seen = seen.to(device)
        loss = (((pose.float() - target.to(device)) ** 2) * seen).sum() / seen.sum().clamp(min=1)
        opt.zero_grad(set_to_none=True)
        scaler.scale(loss).backward()
        scaler.step(opt)
        scaler.update()
        rows.append(
            {
                "iteration": it + 1,
                "lr": sched.get_last_lr()[0],
                "loss": float(loss.detach()),
            }
        )
        sched.step()
    model.eval()
    save_weights(
        weights_path,
        model,
        {
            "trunk": s.trunk,
            "embedding_dim": POSE_DIM,
            "input_size": s.input_size,
            "background": "keep",
            "iterations": s.iterations,
            "batch_size": s.batch_size,
            "lr": s.lr,
            "weight_decay": s.weight_decay,
            "seed": s.seed,
        },
        stage=0,
    )
    return pd.DataFrame(rows)
