"""One entry point for every optical-flow backend, batched over frame pairs.

``torch_tvl1`` (ours, CUDA or CPU), OpenCV's ``dis_ultrafast``/``dis_fast``/``dis_medium``,
``farneback`` and ``opencv_tvl1`` (CPU), and torchvision's ``raft`` from a local weights file.
``auto`` is ``torch_tvl1`` where CUDA is present and ``dis_medium`` otherwise: on the CPU,
DIS-medium ranks frames by fg/bg ratio as well as TV-L1 at a fraction of the cost (bench/flow.py).
Flow follows OpenCV's convention: ``frame_a(x) ~ frame_b(x + flow(x))``, in pixels.
torch is imported only by the backends that use it, so OpenCV jobs start fast.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from poseembed.flow.tvl1_params import TVL1Params

BACKENDS = (
    "auto",
    "torch_tvl1",
    "dis_ultrafast",
    "dis_fast",
    "dis_medium",
    "farneback",
    "opencv_tvl1",
    "raft",
)
_DIS = {
    "dis_ultrafast": cv2.DISOPTICAL_FLOW_PRESET_ULTRAFAST,
    "dis_fast": cv2.DISOPTICAL_FLOW_PRESET_FAST,
    "dis_medium": cv2.DISOPTICAL_FLOW_PRESET_MEDIUM,
}


@dataclass(frozen=True)
class FlowSettings:
    """The config's ``flow`` keys of the backend (``tvl1`` nested) and the job's CPU threads
    (0 leaves torch's own count)."""

    backend: str
    device: str
    batch_size: int
    tvl1: TVL1Params
    raft_weights: str | None
    threads: int


def resolve_backend(settings: FlowSettings) -> str:
    """The backend that will run: ``auto`` decided by whether CUDA is there."""
    if settings.backend != "auto":
        return settings.backend
    from poseembed.device import resolve_device

    return "torch_tvl1" if resolve_device(settings.device).type == "cuda" else "dis_medium"


def _grey(frames: np.ndarray) -> np.ndarray:
    if frames.ndim == 4:
        return np.stack([cv2.cvtColor(f, cv2.COLOR_BGR2GRAY) for f in frames])
    return frames


def _check_pairs(a: np.ndarray, b: np.ndarray) -> None:
    if a.shape != b.shape:
        raise ValueError(
            f"optical flow needs frames of one size; got {a.shape[1:3]} and {b.shape[1:3]}"
        )


def _opencv(a: np.ndarray, b: np.ndarray, make: Callable[[], cv2.DenseOpticalFlow]) -> np.ndarray:
    algo = make()
    return np.stack([algo.calc(x, y, None) for x, y in zip(a, b, strict=True)])


def _farneback(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.stack(
        [
            cv2.calcOpticalFlowFarneback(x, y, None, 0.5, 4, 15, 3, 5, 1.2, 0)
            for x, y in zip(a, b, strict=True)
        ]
    )


def _torch_setup(s: FlowSettings):
    """torch, imported here only, and the device it runs on."""
    import torch

    from poseembed.device import resolve_device

    if s.threads > 0:
        torch.set_num_threads(s.threads)
    return torch, resolve_device(s.device)


def _torch_tvl1(a: np.ndarray, b: np.ndarray, s: FlowSettings) -> np.ndarray:
    from poseembed.flow.tvl1 import tvl1_flow

    torch, device = _torch_setup(s)
    out = []
    for start in range(0, len(a), s.batch_size):
        ta = torch.from_numpy(a[start : start + s.batch_size]).to(device, torch.float32)[:, None]
        tb = torch.from_numpy(b[start : start + s.batch_size]).to(device, torch.float32)[:, None]
        out.append(tvl1_flow(ta, tb, s.tvl1).permute(0, 2, 3, 1).cpu().numpy())
    return np.concatenate(out)


def _raft(a: np.ndarray, b: np.ndarray, s: FlowSettings) -> np.ndarray:
    from torchvision.models.optical_flow import raft_large

    if not s.raft_weights or not os.path.isfile(s.raft_weights):
        raise FileNotFoundError(
            f"flow.raft_weights: {s.raft_weights!r} is not a file; RAFT needs a local "
            "torchvision raft_large state dict (nothing is downloaded)"
        )
    torch, device = _torch_setup(s)
    model = raft_large(weights=None)
    model.load_state_dict(torch.load(s.raft_weights, map_location="cpu", weights_only=True))
    model = model.eval().to(device)
    out = []
    with torch.no_grad():
        for start in range(0, len(a), s.batch_size):
            xa, xb = (
                torch.from_numpy(x[start : start + s.batch_size]).permute(0, 3, 1, 2).to(device)
                for x in (a, b)
            )
            # RAFT takes RGB in [-1, 1] with sides divisible by 8.
            h, w = xa.shape[-2:]
            ph, pw = (-h) % 8, (-w) % 8
            prep = [
                torch.nn.functional.pad(
                    x.flip(1).float() / 127.5 - 1, (0, pw, 0, ph), mode="replicate"
                )
                for x in (xa, xb)
            ]
            flow = model(*prep)[-1][..., :h, :w]
            out.append(flow.permute(0, 2, 3, 1).cpu().numpy())
    return np.concatenate(out)


def compute_flow(frames_a: np.ndarray, frames_b: np.ndarray, settings: FlowSettings) -> np.ndarray:
    """Flow (N, H, W, 2) float32 from N frame pairs (N, H, W[, 3]) uint8 (BGR when in colour)."""
    _check_pairs(frames_a, frames_b)
    name = resolve_backend(settings)
    if name == "raft":
        if frames_a.ndim != 4:
            raise ValueError("RAFT needs colour frames (N, H, W, 3)")
        return _raft(frames_a, frames_b, settings)
    a, b = _grey(frames_a), _grey(frames_b)
    if name == "torch_tvl1":
        return _torch_tvl1(a, b, settings)
    if name in _DIS:
        return _opencv(a, b, lambda: cv2.DISOpticalFlow_create(_DIS[name]))
    if name == "farneback":
        return _farneback(a, b)
    if name == "opencv_tvl1":
        return _opencv(a, b, cv2.optflow.DualTVL1OpticalFlow_create)
    raise ValueError(f"flow.backend: unknown {name!r}; choose one of {', '.join(BACKENDS)}")
