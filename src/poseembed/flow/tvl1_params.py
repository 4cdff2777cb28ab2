"""Settings of our TV-L1 (kept apart from the solver so that reading them needs no torch)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TVL1Params:
    """``lam`` weighs the data term (images in [0, 255]); ``theta`` couples u and v; ``tau`` is
    the dual step; ``epsilon`` stops a warp's iterations early (0: never); ``texture_alpha`` > 0
    matches the texture parts of the images (Wedel et al.), robust to lighting changes."""

    lam: float = 0.15
    theta: float = 0.3
    tau: float = 0.25
    scale_factor: float = 0.7
    min_size: int = 16
    warps: int = 3
    iterations: int = 30
    epsilon: float = 0.01
    median: int = 5
    texture_alpha: float = 0.0
    texture_iterations: int = 30
