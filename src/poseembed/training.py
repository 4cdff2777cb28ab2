"""Training of one curriculum stage: both self-supervised tasks on the Siamese network.

Every batch is drawn from a generator seeded by (seed, stage, iteration), and a periodic state
file (model, optimiser, schedule, metrics) lives outside the declared outputs, so a stage killed
mid-way resumes from its last state and ends exactly where an uninterrupted run ends.

Across processes (``Parallel``), every rank draws the same global batch and trains on its part
under DistributedDataParallel, so one process and N processes see the same pairs; on CUDA the
batch norms are synchronised, so N GPUs compute what one would. Rank 0 writes every file.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from poseembed.atomic import atomic_path, save_torch
from poseembed.batches import (
    BatchRecipe,
    CropStore,
    SampleRows,
    TaskInputs,
    assemble,
    draw_plan,
    to_device,
)
from poseembed.config import ConfigError, schema_defaults, strict_settings
from poseembed.device import resolve_device
from poseembed.distributed import Rank, launch
from poseembed.experiments import SECTIONS, final_stage, stage_iterations, training_signature
from poseembed.loader import StageBatches, stage_loader
from poseembed.logs import progress
from poseembed.mining import artifact_rows, cross_video_rows, row_groups
from poseembed.models import SiameseNet
from poseembed.tasks.temporal import TemporalRanges, short_videos

_EVAL_STREAM = 10**9
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainSettings:
    """One stage's training; built by ``settings_of`` from an experiment's signature. The
    temporal task's keys are None when it is off."""

    trunk: str
    embedding_dim: int
    input_size: int
    iterations: int
    batch_size: int
    optimizer: str
    lr: float
    momentum: float
    weight_decay: float
    lr_schedule: str
    warmup: int
    schedule_offset: int
    schedule_length: int
    temporal_weight: float
    spatial_weight: float
    tau_pos: int | None
    tau_neg: tuple[int, int] | None
    checkpoint_every: int
    eval_every: int
    eval_pairs: int
    seed: int
    device: str
    amp: bool
    colour_jitter: float
    grey_prob: float
    background: str


@dataclass(frozen=True)
class Parallel:
    """How a stage runs, not what it learns (``experiments.PARALLEL_KEYS``): its processes
    under DistributedDataParallel (one per GPU on CUDA) and each one's DataLoader workers."""

    processes: int
    loader_workers: int


@dataclass(frozen=True)
class StagePaths:
    """A stage's files: the weights it starts from (none for the first), its periodic resume
    state (outside the declared outputs) and its outputs."""

    init: str | os.PathLike | None
    state: str | os.PathLike
    weights: str | os.PathLike
    metrics: str | os.PathLike


@dataclass(frozen=True)
class Refinement:
    """What turns a stage into the refinement: a mined repetition group per training row (-1
    for none), the share of temporal positives drawn from the groups, and pairs of training
    rows of two videos that show one pose with the share of positives they give."""

    group: np.ndarray
    mined_share: float
    cross: tuple[np.ndarray, np.ndarray]
    cross_share: float


def mined_refinement(
    train: pd.DataFrame,
    repetitions: pd.DataFrame,
    cross: pd.DataFrame,
    index: dict[str, np.ndarray],
    mining: dict,
) -> Refinement:
    """The refinement of ``train``'s rows from the mined tables (in source frame numbers,
    mapped to rows of the artifacts through each video's frame ``index``) and the ``mining``
    signature's shares."""
    repetitions = artifact_rows(repetitions, index, (("video", "query"), ("video", "frame")))
    cross = artifact_rows(cross, index, (("video", "frame"), ("other_video", "other_frame")))
    videos, frames = train["video"].to_numpy(), train["frame"].to_numpy()
    return Refinement(
        row_groups(videos, frames, repetitions),
        mining["positive_share"],
        cross_video_rows(videos, frames, cross),
        mining["cross_video_share"],
    )


# Training keys that choose a stage's rows (``curriculum.split_stage``), not how it trains.
_SPLIT_KEYS = ("curriculum", "heldout_fraction")


def settings_of(signature: dict, input_size: int, stages: int, stage: int = 1) -> TrainSettings:
    """The settings of one stage from an experiment's training signature: its iterations, and
    where they lie on the learning-rate schedule that spans the whole curriculum."""
    t = signature["training"]
    # The signature leaves out the keys an experiment does not use (see
    # ``experiments.training_signature``): they are given as unused here.
    unused: dict = {}
    if t["temporal_weight"] == 0:
        unused.update(tau_pos=None, tau_neg=None, grey_prob=0.0)
    if t["lr_schedule"] != "cosine":
        unused["warmup"] = 0
    n = stage_iterations(t, stages)
    values = {
        **{k: v for k, v in t.items() if k not in _SPLIT_KEYS},
        **unused,
        "iterations": n,
        "schedule_offset": (stage - 1) * n,
        "schedule_length": n * final_stage(t, stages),
        "trunk": signature["model"]["trunk"],
        "embedding_dim": signature["model"]["embedding_dim"],
        "input_size": input_size,
    }
    if values["tau_neg"] is not None:
        values["tau_neg"] = tuple(values["tau_neg"])
    return strict_settings(TrainSettings, values, "training")


def default_signature(**overrides) -> dict:
    """The training signature of the schema's defaults with ``overrides`` of ``model`` and
    ``training`` keys: for tests and benchmarks."""
    defaults = {section: schema_defaults(section) for section in SECTIONS}
    for key, value in overrides.items():
        section = "model" if key in defaults["model"] else "training"
        if key not in defaults[section]:
            raise ConfigError(f"{key}: neither a model nor a training key")
        defaults[section][key] = value
    return training_signature(defaults)


def default_settings(input_size: int, **overrides) -> TrainSettings:
    """A single stage of the schema's default training with ``overrides`` (see
    ``default_signature``)."""
    return settings_of(default_signature(**overrides), input_size, 1)


def refine_settings(signature: dict, input_size: int, stages: int) -> tuple[TrainSettings, int]:
    """The refinement's settings (the stages' with the mining's iterations) and its stage
    number, the one after the last curriculum stage, which seeds its batches apart."""
    s = settings_of(signature, input_size, stages)
    n = signature["mining"]["iterations"]
    return (
        replace(s, iterations=n, warmup=0, schedule_offset=0, schedule_length=n),
        final_stage(signature["training"], stages) + 1,
    )


def initial_model(trunk: str, embedding_dim: int, seed: int, stage: int = 1) -> SiameseNet:
    """The network as a stage initialises it (before any weights are loaded)."""
    torch.manual_seed(seed * 1000 + stage)
    return SiameseNet(trunk, embedding_dim)


def save_weights(path: str | os.PathLike, model: SiameseNet, settings: dict, stage: int) -> None:
    """A network and the settings it was made with (``embedding.load_model`` reads trunk,
    embedding_dim, input_size and background)."""
    save_torch({"model": model.state_dict(), "stage": stage, "settings": settings}, path)


def _optimiser(model: torch.nn.Module, s: TrainSettings) -> torch.optim.Optimizer:
    if s.optimizer == "sgd":
        return torch.optim.SGD(
            model.parameters(), lr=s.lr, momentum=s.momentum, weight_decay=s.weight_decay
        )
    if s.optimizer == "adam":
        return torch.optim.AdamW(model.parameters(), lr=s.lr, weight_decay=s.weight_decay)
    raise ValueError(f"training.optimizer: unknown {s.optimizer!r}; choose sgd or adam")


def lr_factor(s: TrainSettings, it: int) -> float:
    """The learning rate's factor at iteration ``it`` of a stage. ``cosine``: a linear warm-up
    over the first ``warmup`` iterations of the curriculum, then one cosine decay to its end;
    ``cosine_per_stage`` restarts the decay at every stage; ``constant``."""
    if s.lr_schedule == "constant":
        return 1.0
    if s.lr_schedule == "cosine_per_stage":
        return 0.5 * (1 + math.cos(math.pi * min(it, s.iterations) / s.iterations))
    if s.lr_schedule == "cosine":
        g = s.schedule_offset + it
        length = s.schedule_length or s.iterations
        if g < s.warmup:
            return (g + 1) / s.warmup
        done = (g - s.warmup) / max(1, length - s.warmup)
        return 0.5 * (1 + math.cos(math.pi * min(done, 1.0)))
    raise ValueError(
        f"training.lr_schedule: unknown {s.lr_schedule!r}; choose cosine, cosine_per_stage or "
        "constant"
    )


def _schedule(opt: torch.optim.Optimizer, s: TrainSettings) -> torch.optim.lr_scheduler.LambdaLR:
    return torch.optim.lr_scheduler.LambdaLR(opt, lambda it: lr_factor(s, it))


def batch_recipe(s: TrainSettings, crop_side: int, size: int) -> BatchRecipe:
    """How the batches of ``size`` pairs per task of a stage with settings ``s`` are drawn."""
    temporal = s.temporal_weight > 0
    return BatchRecipe(
        size,
        s.input_size,
        crop_side,
        temporal,
        s.spatial_weight > 0,
        TemporalRanges(s.tau_pos, tuple(s.tau_neg)) if temporal else None,
        s.colour_jitter,
        s.grey_prob,
    )


def _task_losses(net: torch.nn.Module, inputs: dict[str, TaskInputs]) -> dict[str, torch.Tensor]:
    logits = net(**{task: (x.first, x.second) for task, x in inputs.items()})
    out: dict[str, torch.Tensor] = {}
    for task, z in logits.items():
        target = inputs[task].label
        out[f"{task}_loss"] = F.cross_entropy(z.float(), target)
        out[f"{task}_acc"] = (z.argmax(1) == target).float().mean()
    return out


def train_stage(
    train: pd.DataFrame,
    heldout: pd.DataFrame,
    crop_paths: dict[str, str],
    mask_paths: dict[str, str],
    settings: TrainSettings,
    stage: int,
    paths: StagePaths,
    refinement: Refinement | None = None,
    on_iteration: Callable[[int], None] | None = None,
    parallel: Parallel | None = None,
) -> pd.DataFrame:
    """Train one stage on ``train`` rows (video, frame); evaluate on ``heldout`` videos.

    ``mask_paths`` (video -> person masks aligned with its crops) grey out the crops'
    background, as ``settings.background`` other than ``keep`` asks. A ``refinement`` cleans
    the temporal labels with the mined repetitions (see ``sample_temporal_pairs``); held-out
    pairs stay plain. Without ``parallel``, one process makes its own batches.
    """
    s = settings
    if (s.background != "keep") != bool(mask_paths):
        raise ValueError(
            f"training.background {s.background!r} needs person masks exactly when it is not 'keep'"
        )
    parallel = parallel or Parallel(processes=1, loader_workers=0)
    args = (train, heldout, crop_paths, mask_paths, s, stage, paths, refinement)
    if parallel.processes == 1:
        return _train(*args, on_iteration, parallel.loader_workers, Rank())
    if s.batch_size % parallel.processes:
        raise ValueError(
            f"training.batch_size ({s.batch_size}) is not a multiple of training.processes "
            f"({parallel.processes}): every process trains on an equal part of the batch"
        )
    if on_iteration is not None:
        raise ValueError("on_iteration is called in one process only: use processes 1")
    device = resolve_device(s.device)
    if device.index is not None:
        raise ValueError(
            f"training.device {s.device!r} names one GPU, but training.processes "
            f"({parallel.processes}) takes one GPU each: use device cuda or auto"
        )
    backend = "nccl" if device.type == "cuda" else "gloo"
    launch(_train, (*args, None, parallel.loader_workers), parallel.processes, backend)
    return pd.read_csv(paths.metrics)


def _train(
    train: pd.DataFrame,
    heldout: pd.DataFrame,
    crop_paths: dict[str, str],
    mask_paths: dict[str, str],
    s: TrainSettings,
    stage: int,
    paths: StagePaths,
    refinement: Refinement | None,
    on_iteration: Callable[[int], None] | None,
    workers: int,
    rank: Rank,
) -> pd.DataFrame:
    device = rank.device(resolve_device(s.device))
    # channels_last on the CPU too: its convolutions run ~20% faster there (bench/train.py).
    model = initial_model(s.trunk, s.embedding_dim, s.seed, stage).to(
        device, memory_format=torch.channels_last
    )
    if paths.init:
        model.load_state_dict(
            torch.load(paths.init, map_location=device, weights_only=True)["model"]
        )
    if rank.world > 1 and device.type == "cuda":
        model = torch.nn.SyncBatchNorm.convert_sync_batchnorm(model)
    opt = _optimiser(model, s)
    sched = _schedule(opt, s)
    use_amp = s.amp and device.type == "cuda"
    scaler = torch.amp.GradScaler("cuda", enabled=use_amp)
    loop = _Loop(model, opt, sched, scaler)
    digest = stage_digest(s, stage, train, heldout, crop_paths, mask_paths, paths.init, refinement)
    # Rank 0 may discard a stale state: the others read what it left.
    if rank.writes:
        start, rows = load_state(paths.state, loop, device, digest)
    rank.barrier()
    if not rank.writes:
        start, rows = load_state(paths.state, loop, device, digest, discard=False)
    store = CropStore(crop_paths, mask_paths)
    data = SampleRows(train, refinement)
    held = SampleRows(heldout) if len(heldout) and rank.writes else None
    if s.temporal_weight > 0:
        ranges = TemporalRanges(s.tau_pos, tuple(s.tau_neg))
        if not _leave_out_short_videos(data, ranges, "training"):
            raise ValueError(
                f"no training video of stage {stage} spans tau_neg[0] = {s.tau_neg[0]} frames: "
                "none can give a temporal pair; lower training.tau_neg or use longer videos"
            )
        if held is not None and not _leave_out_short_videos(held, ranges, "held-out"):
            log.warning(
                "no held-out video can give temporal pairs: held-out accuracies not measured"
            )
            held = None
    crop_side = store[data.videos[0]].shape[1]
    net = model
    if rank.world > 1:
        both = s.temporal_weight > 0 and s.spatial_weight > 0
        net = torch.nn.parallel.DistributedDataParallel(
            model,
            device_ids=[device.index] if device.type == "cuda" else None,
            find_unused_parameters=not both,
        )
    batches = StageBatches(
        data,
        store,
        batch_recipe(s, crop_side, s.batch_size),
        (s.seed, stage),
        rank.index,
        rank.world,
        finish=device.type == "cpu" and workers > 0,
    )
    todo = range(start, s.iterations)
    loader = stage_loader(batches, todo, workers, pin=device.type == "cuda")
    shown = progress(todo, f"stage {stage}", total=len(todo)) if rank.writes else todo
    model.train()
    for it, batch in zip(shown, loader, strict=True):
        inputs = to_device(batch, device, s.input_size)
        with torch.autocast(device.type, dtype=torch.float16, enabled=use_amp):
            losses = _task_losses(net, inputs)
        loss = s.temporal_weight * losses.get("temporal_loss", 0) + s.spatial_weight * losses.get(
            "spatial_loss", 0
        )
        opt.zero_grad(set_to_none=True)
        scaler.scale(loss).backward()
        scaler.step(opt)
        scaler.update()
        row = {"iteration": it + 1, "lr": sched.get_last_lr()[0]}
        row.update(rank.mean({"loss": loss.detach(), **{k: v.detach() for k, v in losses.items()}}))
        sched.step()
        if held is not None and ((it + 1) % s.eval_every == 0 or it + 1 == s.iterations):
            row.update(_evaluate(model, held, store, crop_side, s, stage, device))
        rows.append(row)
        if rank.writes and (it + 1) % s.checkpoint_every == 0 and it + 1 < s.iterations:
            save_state(paths.state, loop, it + 1, rows, digest)
        if on_iteration is not None:
            on_iteration(it + 1)
    metrics = pd.DataFrame(rows)
    if rank.writes:
        with atomic_path(paths.metrics, suffix=".csv") as tmp:
            metrics.to_csv(tmp, index=False)
        save_weights(paths.weights, model, asdict(s), stage)
        Path(paths.state).unlink(missing_ok=True)
    return metrics


def _leave_out_short_videos(data: SampleRows, ranges: TemporalRanges, kind: str) -> bool:
    """Leave the videos too short for ``ranges`` out of the temporal task, saying which;
    whether any video is left."""
    short = short_videos(data.videos, data.frames, ranges)
    if short:
        log.warning(
            "%d %s video(s) span fewer than tau_neg[0] = %d frames and cannot give temporal "
            "pairs; left out of the temporal task: %s",
            len(short),
            kind,
            ranges.tau_neg[0],
            ", ".join(short),
        )
        data.usable = ~np.isin(data.videos, short)
    return bool(data.usable.any())


@dataclass(frozen=True)
class _Loop:
    """What a training loop's state holds besides the iteration and the metrics."""

    model: SiameseNet
    optimizer: torch.optim.Optimizer
    schedule: torch.optim.lr_scheduler.LRScheduler
    scaler: torch.amp.GradScaler


def stage_digest(
    s: TrainSettings,
    stage: int,
    train: pd.DataFrame,
    heldout: pd.DataFrame,
    crop_paths: dict[str, str],
    mask_paths: dict[str, str],
    init: str | os.PathLike | None,
    refinement: Refinement | None,
) -> str:
    """A hash of everything a stage's result depends on: its settings, the rows it trains and
    evaluates on, the bytes of the weights it starts from, the refinement's labels, and the
    crops and masks it reads, by path, size and modification time (rebuilding them changes
    those; hashing their bytes would read every crop once more)."""
    h = hashlib.sha256(json.dumps([asdict(s), stage], default=str).encode())
    for table in (train, heldout):
        rows = pd.util.hash_pandas_object(table[["video", "frame"]], index=False)
        h.update(rows.to_numpy().tobytes())
    if init:
        with open(init, "rb") as f:
            h.update(hashlib.file_digest(f, "sha256").digest())
    if refinement is not None:
        for array in (refinement.group, *refinement.cross):
            h.update(np.ascontiguousarray(array).tobytes())
        h.update(f"{refinement.mined_share} {refinement.cross_share}".encode())
    for path in [*sorted(crop_paths.values()), *sorted(mask_paths.values())]:
        st = os.stat(path)
        h.update(f"{path} {st.st_size} {st.st_mtime_ns}".encode())
    return h.hexdigest()


def save_state(
    path: str | os.PathLike, loop: _Loop, iteration: int, rows: list[dict], digest: str
) -> None:
    """The periodic state a killed stage resumes from, with the digest of what it was
    trained on (``stage_digest``)."""
    save_torch(
        {
            "model": loop.model.state_dict(),
            "optimizer": loop.optimizer.state_dict(),
            "schedule": loop.schedule.state_dict(),
            "scaler": loop.scaler.state_dict(),
            "iteration": iteration,
            "metrics": rows,
            "digest": digest,
        },
        path,
    )


def load_state(
    path: str | os.PathLike, loop: _Loop, device: torch.device, digest: str, discard: bool = True
) -> tuple[int, list]:
    """Restore ``loop`` from the state at ``path``: the iteration to go on from and the metrics
    so far. (0, []) when there is none, or when it was saved under another ``digest`` (other
    settings or inputs): then it is deleted (when ``discard``), saying so."""
    if not Path(path).exists():
        return 0, []
    state = torch.load(path, map_location=device, weights_only=True)
    if state.get("digest") != digest:
        log.warning(
            "%s: discarded, saved for other settings or inputs (training keys, the stage "
            "before, the curriculum or the crops changed since); the stage starts over",
            path,
        )
        if discard:
            Path(path).unlink()
        return 0, []
    loop.model.load_state_dict(state["model"])
    loop.optimizer.load_state_dict(state["optimizer"])
    loop.schedule.load_state_dict(state["schedule"])
    loop.scaler.load_state_dict(state["scaler"])
    log.info("%s: resumed at iteration %d", path, state["iteration"])
    return state["iteration"], state["metrics"]


@torch.no_grad()
def _evaluate(
    model: SiameseNet,
    held: SampleRows,
    store: CropStore,
    crop_side: int,
    s: TrainSettings,
    stage: int,
    device: torch.device,
) -> dict[str, float]:
    """Task accuracies on pairs of the held-out videos, the same pairs at every evaluation."""
    model.eval()
    rng = np.random.default_rng([s.seed, stage, _EVAL_STREAM])
    # Measured on the crops as they are: no colour jitter, no random grey.
    plain = batch_recipe(replace(s, colour_jitter=0.0, grey_prob=0.0), crop_side, s.eval_pairs)
    batch = assemble(draw_plan(held, plain, rng), held, store, s.input_size)
    losses = _task_losses(model, to_device(batch, device, s.input_size))
    model.train()
    return {f"heldout_{k}": float(v) for k, v in losses.items() if k.endswith("acc")}


def heldout_accuracies(
    model: SiameseNet, heldout: pd.DataFrame, store: CropStore, s: TrainSettings, stage: int
) -> dict[str, float]:
    """The accuracies of the tasks ``s`` trains on pairs of the ``heldout`` rows, with the
    crops of ``store``: the pairs that stage ``stage`` measures, whatever the store shows."""
    data = SampleRows(heldout)
    side = store[data.videos[0]].shape[1]
    device = next(model.parameters()).device
    return _evaluate(model, data, store, side, s, stage, device)
