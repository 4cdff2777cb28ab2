"""Settings of our TV-L1 (kept apart from the solver so that reading them needs no torch)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TVL1Params:
    """``lam`` weighs the data term (images in [0, 255]); ``theta`` couples u and v; ``tau`` is
    the dual step; ``epsilon`` stops a warp's iterations early (0: never); ``texture_alpha`` > 0
    matches the texture parts of the images (Wedel et al.), robust to lighting changes. The
    config's ``flow.tvl1`` keys, every one given."""

    lam: float
    theta: float
    tau: float
    scale_factor: float
    warps: int
    iterations: int
    epsilon: float
    median: int
    texture_alpha: float
