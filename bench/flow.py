"""Optical-flow backends: accuracy, speed and memory on real ground truth; fg/bg ratio quality.

Run: ``.venv/bin/python bench/flow.py`` (add ``--device cuda`` on a GPU machine).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import torch
from scipy.stats import spearmanr

from poseembed.config import schema_defaults
from poseembed.data.groundtruth_flow import groundtruth_flow
from poseembed.data.synthetic import SyntheticSpec, write_category
from poseembed.flow.backends import FlowSettings, compute_flow
from poseembed.flow.statistics import flow_statistics
from poseembed.flow.tvl1_params import TVL1Params
from poseembed.formats.flo import read_flo
from poseembed.formats.groundtruth import read_groundtruth, read_masks
from poseembed.frames import extract_frames

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "flow"
PAIRS = {
    "flyingchairs": (
        "flyingchairs/0000001-img0.ppm",
        "flyingchairs/0000001-img1.ppm",
        "flyingchairs/0000001-gt.flo",
    ),
    "format": ("format/00001_img1.ppm", "format/00001_img2.ppm", "format/00001_flow.flo"),
}
FLOW = schema_defaults("flow")
FRAMES = schema_defaults("frames")


def _settings(backend: str, **tvl1: float) -> FlowSettings:
    """The configured flow settings with another backend and ``tvl1`` keys changed."""
    return FlowSettings(
        backend=backend,
        device=FLOW["device"],
        batch_size=FLOW["batch_size"],
        tvl1=TVL1Params(**FLOW["tvl1"] | tvl1),
        raft_weights=FLOW["raft_weights"],
        threads=0,
    )


BACKENDS = {
    "torch_tvl1": _settings("torch_tvl1"),
    "torch_tvl1_light": _settings("torch_tvl1", warps=2, iterations=15),
    "dis_ultrafast": _settings("dis_ultrafast"),
    "dis_fast": _settings("dis_fast"),
    "dis_medium": _settings("dis_medium"),
    "farneback": _settings("farneback"),
}
# Dual TV-L1 lives in OpenCV's contrib modules, which some builds (a GPU image's) leave out.
if hasattr(cv2, "optflow"):
    BACKENDS["opencv_tvl1"] = _settings("opencv_tvl1")


def _load(name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    a, b, g = (REALDATA / p for p in PAIRS[name])
    return cv2.imread(str(a)), cv2.imread(str(b)), read_flo(g)


def _measure(backend: str, device: str, repeats: int, queue) -> None:
    """In a child process, so that its peak memory is its own."""
    torch.set_num_threads(2)
    settings = replace(BACKENDS[backend], device=device)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out = {}
    for name in PAIRS:
        a, b, gt = _load(name)
        compute_flow(a[None], b[None], settings)  # warm-up
        start = time.perf_counter()
        for _ in range(repeats):
            flow = compute_flow(a[None], b[None], settings)
        seconds = (time.perf_counter() - start) / repeats
        out[name] = {
            "epe": float(np.linalg.norm(flow - gt, axis=-1).mean()),
            "pairs_per_s": 1.0 / seconds,
        }
    out["peak_mb"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 1024
    queue.put(out)


def real_ground_truth(device: str, repeats: int) -> dict:
    ctx = mp.get_context("spawn")
    results = {}
    for backend in BACKENDS:
        queue = ctx.Queue()
        proc = ctx.Process(target=_measure, args=(backend, device, repeats, queue))
        proc.start()
        results[backend] = queue.get()
        proc.join()
    return results


def synthetic_ratio_quality(categories: list[str], videos: int) -> dict:
    """Spearman correlation, pooled over all frames, of each backend's fg/bg ratio with the ratio
    of the generator's ground-truth flow."""
    spec = SyntheticSpec.from_params(
        {k: v for k, v in schema_defaults("synthetic").items() if k not in ("stills", "still_size")}
        | {
            "videos_per_category": videos,
            "anchors_per_category": 2,
            "positives_per_anchor": 2,
            "negatives_per_anchor": 4,
        }
    )
    tmp = Path(tempfile.mkdtemp())
    clips = []
    for cat in categories:
        names = [f"{cat}_{i:03d}" for i in range(videos)]
        paths = {
            k: [str(tmp / k / f"{n}{ext}") for n in names]
            for k, ext in (("v", ".mp4"), ("b", ".bb"), ("g", ".csv"), ("m", "_masks.npz"))
        }
        write_category(
            cat,
            0,
            spec,
            paths["v"],
            paths["b"],
            paths["g"],
            paths["m"],
            str(tmp / f"l_{cat}.hdf5"),
            str(tmp / f"l_{cat}.txt"),
        )
        for v, bb, g, m in zip(paths["v"], paths["b"], paths["g"], paths["m"], strict=True):
            fs = extract_frames(v, bb, **FRAMES)
            table, joints, _ = read_groundtruth(g)
            gt = groundtruth_flow(joints, read_masks(m), table[["camera_x", "camera_y"]].to_numpy())
            clips.append((fs, flow_statistics(gt, fs.boxes[:-1], FLOW["eps"]).ratio))
    truth = np.concatenate([r for _, r in clips])
    out = {}
    for backend, settings in BACKENDS.items():
        ours = [
            flow_statistics(
                compute_flow(fs.frames[:-1], fs.frames[1:], settings), fs.boxes[:-1], FLOW["eps"]
            ).ratio
            for fs, _ in clips
        ]
        out[backend] = float(spearmanr(np.concatenate(ours), truth).statistic)
    return out


def gpu_throughput(device: str, sizes: list[str], batch: int) -> dict:
    out = {}
    for size in sizes:
        w, h = (int(v) for v in (size.split("x") if "x" in size else (size, size)))
        rng = np.random.default_rng(0)
        base = cv2.GaussianBlur(rng.random((h + 8, w + 8)).astype(np.float32), (0, 0), 2)
        base = cv2.normalize(base, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
        a = np.stack([base[:h, :w]] * batch)
        b = np.stack([base[2 : h + 2, 1 : w + 1]] * batch)
        ours = replace(_settings("torch_tvl1"), device=device, batch_size=batch)
        compute_flow(a, b, ours)
        torch.cuda.synchronize()
        start = time.perf_counter()
        compute_flow(a, b, ours)
        torch.cuda.synchronize()
        gpu = batch / (time.perf_counter() - start)
        start = time.perf_counter()
        compute_flow(a[:8], b[:8], _settings("dis_medium"))
        dis = 8 / (time.perf_counter() - start)
        out[size] = {
            "torch_tvl1_gpu_pairs_per_s": gpu,
            "dis_medium_cpu_pairs_per_s": dis,
            "ratio": gpu / dis,
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sizes", nargs="*", default=["256", "640x480"])
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument(
        "--categories", nargs="*", default=["long_jump", "hammer_throw", "tennis_serve", "vault"]
    )
    parser.add_argument("--videos", type=int, default=2)
    args = parser.parse_args()
    if not REALDATA.is_dir():
        sys.exit(f"{REALDATA} is absent: the real ground truth is needed")
    if "opencv_tvl1" not in BACKENDS:
        print(f"OpenCV {cv2.__version__} has no contrib modules: Dual TV-L1 is left out")

    real = real_ground_truth(args.device, args.repeats)
    print(f"{'backend':18s} {'EPE chairs':>10s} {'EPE 50x50':>10s} {'pairs/s':>9s} {'peak MB':>8s}")
    for name, r in real.items():
        print(
            f"{name:18s} {r['flyingchairs']['epe']:10.3f} {r['format']['epe']:10.3f} "
            f"{r['flyingchairs']['pairs_per_s']:9.2f} {r['peak_mb']:8.0f}"
        )
    ours = real["torch_tvl1"]["flyingchairs"]
    ratios = {
        ref: {
            "epe": ours["epe"] / real[ref]["flyingchairs"]["epe"],
            "speed": ours["pairs_per_s"] / real[ref]["flyingchairs"]["pairs_per_s"],
        }
        for ref in ("dis_medium", "opencv_tvl1")
        if ref in real
    }
    for ref, r in ratios.items():
        print(f"torch_tvl1 / {ref}: EPE x{r['epe']:.3f}, speed x{r['speed']:.2f}")
    quality = synthetic_ratio_quality(args.categories, args.videos)
    print("fg/bg ratio vs ground truth, Spearman (pooled frames):")
    for name, rho in quality.items():
        print(f"  {name:18s} {rho:.3f}")
    summary = {"device": args.device, "real": real, "ratios": ratios, "ratio_spearman": quality}
    if args.device.startswith("cuda"):
        summary["gpu"] = gpu_throughput(args.device, args.sizes, args.batch)
        for size, g in summary["gpu"].items():
            print(
                f"GPU {size}: {g['torch_tvl1_gpu_pairs_per_s']:.1f} pairs/s = "
                f"x{g['ratio']:.1f} DIS-medium on the CPU"
            )
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
