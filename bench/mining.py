"""Repetition mining of one long video against a bare self-similarity product, in one run.

Mining (tiled self-similarity, the temporal mask, mutual peaks along rows and columns, the
threshold, the pairs) of an n-frame video against ``e @ e.T`` of the same size. Goal: ratio
(product time / mining time) >= 0.5. Memory: the miner holds one tile of rows at a time, so its
peak is bounded by the tile, not by n^2; the peak of each is measured on the device (CUDA) or as
the largest tensor set it keeps (CPU, computed from the shapes).

Run: ``.venv/bin/python bench/mining.py`` (``--device cuda`` on a GPU, ``--frames 20000``).
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import torch

from poseembed.config import schema_defaults
from poseembed.device import resolve_device
from poseembed.mining import MiningSettings, mine_pairs


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def _periodic(n: int, dim: int, period: float, seed: int = 0) -> np.ndarray:
    """Unit vectors going round a circle once per period, with noise in the other dimensions."""
    rng = np.random.default_rng(seed)
    phase = 2 * np.pi * np.arange(n) / period
    e = rng.normal(0, 0.01, (n, dim))
    e[:, 0] += np.cos(phase)
    e[:, 1] += np.sin(phase)
    return (e / np.linalg.norm(e, axis=1, keepdims=True)).astype(np.float32)


def _timed(fn, device: torch.device, repeats: int) -> tuple[float, int, object]:
    fn()
    _sync(device)
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    start = time.perf_counter()
    for _ in range(repeats):
        out = fn()
    _sync(device)
    peak = torch.cuda.max_memory_allocated(device) if device.type == "cuda" else 0
    return (time.perf_counter() - start) / repeats, peak, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=10_000)
    parser.add_argument("--dim", type=int, default=128)
    parser.add_argument("--tile", type=int, default=schema_defaults("mining")["tile"])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    e = _periodic(args.frames, args.dim, period=37.3)
    et = torch.from_numpy(e).to(device)
    mining = schema_defaults("mining")
    # min_gap, null in the config, is the configured tau_neg's maximum, as the workflow has it.
    settings = MiningSettings(
        min_gap=schema_defaults("training")["tau_neg"][1],
        threshold=mining["threshold"],
        centre=mining["centre"],
        # The peak search alone (mine_pairs); the counter's period test is per video beside it.
        period_tolerance=None,
        window=mining["window"],
        tile=args.tile,
    )
    product_s, product_peak, _ = _timed(lambda: et @ et.T, device, args.repeats)
    mining_s, mining_peak, pairs = _timed(
        lambda: mine_pairs(e, settings, device), device, args.repeats
    )
    n = args.frames
    if device.type != "cuda":
        product_peak = 4 * n * n
        # One tile of similarities and its row window maxima (float32), and their comparison.
        mining_peak = args.tile * n * (2 * 4 + 1)
    ratio = product_s / mining_s
    print(f"{'':28}{'seconds':>10}{'peak MiB':>12}")
    print(f"{'bare product e @ e.T':28}{product_s:10.3f}{product_peak / 2**20:12.0f}")
    print(f"{'mining (tile ' + str(args.tile) + ')':28}{mining_s:10.3f}{mining_peak / 2**20:12.0f}")
    print(f"ratio product/mining: {ratio:.3f} (goal >= 0.5); {len(pairs)} pairs mined")
    print(
        json.dumps(
            {
                "frames": n,
                "device": str(device),
                "product_s": product_s,
                "mining_s": mining_s,
                "ratio": ratio,
                "product_peak_bytes": product_peak,
                "mining_peak_bytes": mining_peak,
                "pairs": len(pairs),
            }
        )
    )


if __name__ == "__main__":
    main()
