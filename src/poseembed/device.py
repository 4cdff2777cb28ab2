"""Device choice: the code picks CUDA when present; a config may force one."""

from __future__ import annotations

import shutil

import torch


def resolve_device(name: str = "auto") -> torch.device:
    """``auto`` is CUDA when available, else the CPU; ``cpu`` and ``cuda[:N]`` are taken as said."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(name)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise RuntimeError(f"device {name!r} was asked for, but PyTorch sees no CUDA device")
    return device


def wants_gpu(name: str) -> int:
    """1 when torch work on device ``name`` will run on CUDA: what a rule's ``gpu`` resource
    asks for. Decided without initialising CUDA: an NVIDIA driver on the machine that builds the
    DAG stands for CUDA being there."""
    return int(
        name.startswith("cuda") or (name == "auto" and shutil.which("nvidia-smi") is not None)
    )
