"""Batched coarse-to-fine TV-L1 optical flow in PyTorch, on CUDA or the CPU, with no weights.

The duality-based TV-L1 of Zach, Pock & Bischof (2007) with the refinements of Wedel et al.
(2009): a structure-texture decomposition of the input (ROF), median filtering of the flow after
every warp, and a coarse-to-fine pyramid with several warps per level. Every step is a tensor
operation over the whole batch of frame pairs.
"""

from __future__ import annotations

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from poseembed.flow.tvl1_params import TVL1Params

# Fixed parts of the method, not settings: the pyramid stops before its shorter side falls
# below _MIN_SIDE pixels; the ROF split of the texture input runs _TEXTURE_ITERATIONS steps.
_MIN_SIDE = 16
_TEXTURE_ITERATIONS = 30


def _grad_forward(u: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    gx = torch.zeros_like(u)
    gy = torch.zeros_like(u)
    torch.sub(u[..., :, 1:], u[..., :, :-1], out=gx[..., :, :-1])
    torch.sub(u[..., 1:, :], u[..., :-1, :], out=gy[..., :-1, :])
    return gx, gy


def _div_backward(px: torch.Tensor, py: torch.Tensor) -> torch.Tensor:
    """The negative adjoint of ``_grad_forward``."""
    d = torch.zeros_like(px)
    d[..., :, :-1] += px[..., :, :-1]
    d[..., :, 1:] -= px[..., :, :-1]
    d[..., :-1, :] += py[..., :-1, :]
    d[..., 1:, :] -= py[..., :-1, :]
    return d


def _grad_central(img: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    p = F.pad(img, (1, 1, 1, 1), mode="replicate")
    return (p[..., 1:-1, 2:] - p[..., 1:-1, :-2]) / 2, (p[..., 2:, 1:-1] - p[..., :-2, 1:-1]) / 2


def rof_denoise(img: torch.Tensor, weight: float, iterations: int) -> torch.Tensor:
    """ROF (TV-L2) denoising by Chambolle's projection; ``weight`` trades smoothness for fit."""
    px = torch.zeros_like(img)
    py = torch.zeros_like(img)
    step = 0.249
    for _ in range(iterations):
        gx, gy = _grad_forward(_div_backward(px, py) - img / weight)
        norm = 1 + step * torch.sqrt(gx**2 + gy**2)
        px = (px + step * gx) / norm
        py = (py + step * gy) / norm
    return img - weight * _div_backward(px, py)


def structure_texture(img: torch.Tensor, alpha: float, iterations: int) -> torch.Tensor:
    """Wedel et al.'s texture part: the image less ``alpha`` of its ROF structure, rescaled."""
    texture = img - alpha * rof_denoise(img, 0.125 * 255, iterations)
    lo = texture.amin(dim=(-2, -1), keepdim=True)
    hi = texture.amax(dim=(-2, -1), keepdim=True)
    return 255 * (texture - lo) / (hi - lo).clamp_min(1e-6)


def _warp(img: torch.Tensor, flow: torch.Tensor) -> torch.Tensor:
    _, _, h, w = img.shape
    ys, xs = torch.meshgrid(
        torch.arange(h, device=img.device, dtype=img.dtype),
        torch.arange(w, device=img.device, dtype=img.dtype),
        indexing="ij",
    )
    gx = (xs + flow[:, 0]) * (2 / max(w - 1, 1)) - 1
    gy = (ys + flow[:, 1]) * (2 / max(h - 1, 1)) - 1
    grid = torch.stack([gx, gy], dim=-1)
    return F.grid_sample(img, grid, mode="bicubic", padding_mode="border", align_corners=True)


def _median(flow: torch.Tensor, k: int) -> torch.Tensor:
    """k x k median of each flow channel: OpenCV's on the CPU, a batched sort on the GPU."""
    if k <= 1:
        return flow
    if flow.device.type == "cpu" and k in (3, 5):
        planes = flow.contiguous().numpy().reshape(-1, *flow.shape[-2:])
        out = np.stack([cv2.medianBlur(plane, k) for plane in planes])
        return torch.from_numpy(out).view_as(flow)
    b, c, h, w = flow.shape
    patches = F.unfold(F.pad(flow, (k // 2,) * 4, mode="replicate"), k)
    return patches.view(b, c, k * k, h * w).median(dim=2).values.view(b, c, h, w)


def _solve_level(
    i0: torch.Tensor, i1: torch.Tensor, flow: torch.Tensor, p: TVL1Params
) -> torch.Tensor:
    lt = p.lam * p.theta
    taut = p.tau / p.theta
    # OpenCV's stopping rule per pair: squared flow update below epsilon^2 per pixel, checked
    # every few steps; a converged pair is frozen, so results do not depend on batching.
    stop = p.epsilon**2 * flow[0, 0].numel()
    px = torch.zeros_like(flow)
    py = torch.zeros_like(flow)
    # Gradients are taken once on i1 and warped with it, as in OpenCV's implementation.
    i1_and_grad = torch.cat([i1, *_grad_central(i1)], dim=1)
    u = flow
    for _ in range(p.warps):
        i1w, g = _warp(i1_and_grad, u).split([1, 2], dim=1)
        inv_grad_sq = 1 / (g**2).sum(1, keepdim=True).clamp_min(1e-9)
        rho_c = i1w - (g * u).sum(1, keepdim=True) - i0
        active = torch.ones(u.shape[0], 1, 1, 1, dtype=torch.bool, device=u.device)
        for it in range(p.iterations):
            rho = rho_c + (g * u).sum(1, keepdim=True)
            # The thresholding of Zach et al. is exactly a clamp of the point-wise minimiser.
            step = (-rho * inv_grad_sq).clamp_(-lt, lt)
            u_new = torch.where(active, u + step * g + p.theta * _div_backward(px, py), u)
            u_old, u = u, u_new
            # Only here can a pair stop, so only here does the host wait for the GPU.
            if p.epsilon > 0 and it % 5 == 4:
                change = ((u - u_old) ** 2).sum(dim=(1, 2, 3))
                active = active & (change >= stop).view(-1, 1, 1, 1)
                if not bool(active.any()):
                    break
            gx, gy = _grad_forward(u)
            norm = 1 + taut * torch.sqrt(gx**2 + gy**2)
            px = torch.where(active, (px + taut * gx) / norm, px)
            py = torch.where(active, (py + taut * gy) / norm, py)
        u = _median(u, p.median)
    return u


def _pyramid(img: torch.Tensor, p: TVL1Params) -> list[torch.Tensor]:
    levels = [img]
    while min(levels[-1].shape[-2:]) * p.scale_factor >= _MIN_SIDE:
        h, w = levels[-1].shape[-2:]
        size = (max(1, round(h * p.scale_factor)), max(1, round(w * p.scale_factor)))
        levels.append(
            F.interpolate(
                levels[-1], size=size, mode="bilinear", antialias=True, align_corners=False
            )
        )
    return levels


@torch.no_grad()
def tvl1_flow(i0: torch.Tensor, i1: torch.Tensor, p: TVL1Params) -> torch.Tensor:
    """Flow (B, 2, H, W) from grey images (B, 1, H, W) in [0, 255]: ``i0(x) ~ i1(x + flow(x))``."""
    if i0.shape != i1.shape:
        raise ValueError(
            f"tvl1_flow: frames of different sizes {tuple(i0.shape)} and {tuple(i1.shape)}"
        )
    if p.texture_alpha > 0:
        both = structure_texture(torch.cat([i0, i1]), p.texture_alpha, _TEXTURE_ITERATIONS)
        i0, i1 = both[: len(i0)], both[len(i0) :]
    pyr0, pyr1 = _pyramid(i0, p), _pyramid(i1, p)
    flow = torch.zeros(i0.shape[0], 2, *pyr0[-1].shape[-2:], device=i0.device, dtype=i0.dtype)
    for level in range(len(pyr0) - 1, -1, -1):
        h, w = pyr0[level].shape[-2:]
        if flow.shape[-2:] != (h, w):
            sy, sx = h / flow.shape[-2], w / flow.shape[-1]
            flow = F.interpolate(flow, size=(h, w), mode="bilinear", align_corners=False)
            flow = flow * torch.tensor([sx, sy], device=flow.device, dtype=flow.dtype).view(
                1, 2, 1, 1
            )
        flow = _solve_level(pyr0[level], pyr1[level], flow, p)
    return flow
