"""Training and embedding throughput against the bare model on random tensors, in one run.

Input pipeline: crops/s that the DataLoader (``--workers`` processes) delivers to the device
as network input, with no training step: what a GPU can be fed (goal on a GPU: >= 10,000).
Training: pairs/s of ``train_stage`` (sampling, memory-mapped crops, augmentation, both tasks,
the optimiser) against forward+backward+step of the same network on random tensors of the same
shapes; with the batches made in the training process (0 workers) and in ``--workers``.
Embedding: crops/s of ``embed_crops`` against a bare forward of random tensors.
Goals: training >= 0.9 of the bare step, embedding >= 0.9.

Run: ``.venv/bin/python bench/train.py`` (``--device cuda --trunk alexnet --size 227 --workers
8`` on a GPU).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from poseembed.batches import CropStore, SampleRows, to_device
from poseembed.crops import crop_side, save_crops
from poseembed.device import resolve_device
from poseembed.embedding import embed_crops
from poseembed.loader import StageBatches, stage_loader
from poseembed.training import (
    Parallel,
    StagePaths,
    TrainSettings,
    batch_recipe,
    default_settings,
    initial_model,
    train_stage,
)


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def _crops(root: Path, videos: int, frames: int, side: int) -> dict[str, str]:
    rng = np.random.default_rng(0)
    paths = {}
    for v in range(videos):
        paths[f"v{v}"] = str(root / f"v{v}.npy")
        save_crops(paths[f"v{v}"], rng.integers(0, 256, (frames, side, side, 3), np.uint8))
    return paths


def _table(paths: dict[str, str], frames: int) -> pd.DataFrame:
    return pd.DataFrame(
        {"video": np.repeat(list(paths), frames), "frame": np.tile(np.arange(frames), len(paths))}
    )


def input_crops_per_s(
    s: TrainSettings, paths: dict[str, str], frames: int, workers: int, device: torch.device
) -> float:
    """Crops/s of the input pipeline alone: batches of both tasks made by ``workers``, copied
    to ``device`` and augmented there, four images per pair."""
    store = CropStore(paths)
    rows = SampleRows(_table(paths, frames))
    side = store[rows.videos[0]].shape[1]
    recipe = batch_recipe(s, side, s.batch_size)
    # As training makes them: augmented in the workers for the CPU, on the GPU for a GPU.
    finish = device.type == "cpu" and workers > 0
    batches = StageBatches(rows, store, recipe, (s.seed, 1), finish=finish)
    warm = 2 * max(1, workers)
    loader = stage_loader(batches, range(warm + s.iterations), workers, device.type == "cuda")
    for i, batch in enumerate(loader):
        if i == warm:
            _sync(device)
            start = time.perf_counter()
        to_device(batch, device, s.input_size)
    _sync(device)
    return s.iterations * s.batch_size * 4 / (time.perf_counter() - start)


def pipeline_pairs_per_s(
    s: TrainSettings, paths: dict[str, str], frames: int, root: Path, workers: int
) -> float:
    table = _table(paths, frames)
    empty = table.iloc[:0]
    warm = replace(s, iterations=3)
    out = {
        x: StagePaths(None, root / f"{x}.ckpt", root / f"{x}.pt", root / f"{x}.csv") for x in "ws"
    }
    parallel = Parallel(processes=1, loader_workers=workers)
    train_stage(table, empty, paths, {}, warm, 1, out["w"], parallel=parallel)
    start = time.perf_counter()
    train_stage(table, empty, paths, {}, s, 1, out["s"], parallel=parallel)
    return s.iterations * s.batch_size * 2 / (time.perf_counter() - start)


def bare_pairs_per_s(s: TrainSettings, device: torch.device) -> float:
    """Both tasks' inputs have the network's input size (spatial patches are resized to it)."""
    model = initial_model(s.trunk, s.embedding_dim, s.seed).to(device)
    fmt = torch.channels_last
    model = model.to(memory_format=fmt)
    opt = torch.optim.AdamW(model.parameters(), lr=s.lr)
    use_amp = s.amp and device.type == "cuda"
    scaler = torch.amp.GradScaler("cuda", enabled=use_amp)
    n, size = s.batch_size, s.input_size
    shapes = [(n, 3, size, size)] * 2
    x = [torch.randn(sh, device=device).to(memory_format=fmt) for sh in shapes]
    target_t = torch.randint(0, 2, (n,), device=device)
    target_s = torch.randint(0, 8, (n,), device=device)

    def step() -> None:
        with torch.autocast(device.type, dtype=torch.float16, enabled=use_amp):
            lt = F.cross_entropy(model.temporal_logits(x[0], x[1]).float(), target_t)
            ls = F.cross_entropy(model.spatial_logits(x[0], x[1]).float(), target_s)
        opt.zero_grad(set_to_none=True)
        scaler.scale(lt + ls).backward()
        scaler.step(opt)
        scaler.update()

    for _ in range(3):
        step()
    _sync(device)
    start = time.perf_counter()
    for _ in range(s.iterations):
        step()
    _sync(device)
    return s.iterations * n * 2 / (time.perf_counter() - start)


def embed_rates(
    s: TrainSettings, crops: np.ndarray, batch: int, device: torch.device
) -> tuple[float, float]:
    model = (
        initial_model(s.trunk, s.embedding_dim, s.seed)
        .to(device, memory_format=torch.channels_last)
        .eval()
    )
    embed_crops(model, crops[:batch], s.input_size, batch, device, amp=s.amp)
    _sync(device)
    start = time.perf_counter()
    embed_crops(model, crops, s.input_size, batch, device, amp=s.amp)
    _sync(device)
    ours = len(crops) / (time.perf_counter() - start)
    x = torch.randn(batch, 3, s.input_size, s.input_size, device=device)
    fmt = torch.channels_last
    x = x.to(memory_format=fmt)
    use_amp = s.amp and device.type == "cuda"
    with torch.inference_mode(), torch.autocast(device.type, dtype=torch.float16, enabled=use_amp):
        model.embed(x)
        _sync(device)
        start = time.perf_counter()
        for _ in range(len(crops) // batch):
            model.embed(x).float().cpu()
        _sync(device)
    bare = (len(crops) // batch) * batch / (time.perf_counter() - start)
    return ours, bare


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--trunk", default="small")
    ap.add_argument("--size", type=int, default=64, help="network input side (crops.size)")
    ap.add_argument("--batch", type=int, default=32, help="pairs per task per iteration")
    ap.add_argument("--iterations", type=int, default=30)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--workers", type=int, default=1, help="DataLoader workers")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    side = crop_side(args.size, 0.15)
    s = default_settings(
        args.size,
        trunk=args.trunk,
        background="keep",
        batch_size=args.batch,
        iterations=args.iterations,
        device=str(device),
        eval_every=10**9,
        checkpoint_every=10**9,
    )
    frames = 200
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        paths = _crops(root, 8, frames, side)
        feed = input_crops_per_s(s, paths, frames, args.workers, device)
        bare = bare_pairs_per_s(s, device)
        inline = pipeline_pairs_per_s(s, paths, frames, root, 0)
        ours = pipeline_pairs_per_s(s, paths, frames, root, args.workers)
        crops = np.load(paths["v0"], mmap_mode="r")
        crops = np.concatenate([crops] * 4)
        emb_ours, emb_bare = embed_rates(s, crops, 256, device)
    result = {
        "device": str(device),
        "trunk": args.trunk,
        "input": args.size,
        "amp": s.amp and device.type == "cuda",
        "workers": args.workers,
        "input_crops_per_s": round(feed, 1),
        "bare_train_crops_per_s": round(bare * 2, 1),
        "input_ratio": round(feed / (bare * 2), 3),
        "train_pairs_per_s": round(ours, 1),
        "train_pairs_per_s_0_workers": round(inline, 1),
        "bare_train_pairs_per_s": round(bare, 1),
        "train_ratio": round(ours / bare, 3),
        "train_ratio_0_workers": round(inline / bare, 3),
        "embed_crops_per_s": round(emb_ours, 1),
        "bare_embed_crops_per_s": round(emb_bare, 1),
        "embed_ratio": round(emb_ours / emb_bare, 3),
    }
    print(
        f"input    : {feed:9.1f} crops/s ({args.workers} workers), bare step consumes "
        f"{bare * 2:9.1f}  ratio {feed / (bare * 2):.3f}"
    )
    print(f"training : {ours:9.1f} pairs/s, bare model {bare:9.1f}  ratio {ours / bare:.3f}")
    print(f"  0 workers {inline:9.1f} pairs/s  ratio {inline / bare:.3f}")
    print(
        f"embedding: {emb_ours:9.1f} crops/s, bare model {emb_bare:9.1f}  ratio "
        f"{emb_ours / emb_bare:.3f}"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
