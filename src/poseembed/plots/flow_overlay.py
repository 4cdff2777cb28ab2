"""A strip of frames with their person box and flow, with the fg/bg ratio over time."""

from __future__ import annotations

import os

import cv2
import matplotlib.pyplot as plt
import numpy as np

from poseembed.flow.video import VideoFlow
from poseembed.frames import FrameSet
from poseembed.plots import save_figure


def flow_to_colour(flow: np.ndarray, max_mag: float) -> np.ndarray:
    """Middlebury-style colour coding (hue = direction, saturation = magnitude), RGB uint8."""
    mag, ang = cv2.cartToPolar(flow[..., 0].astype(np.float32), flow[..., 1].astype(np.float32))
    hsv = np.zeros((*flow.shape[:2], 3), np.uint8)
    hsv[..., 0] = (ang * 90 / np.pi).astype(np.uint8)
    hsv[..., 1] = np.clip(mag / max(max_mag, 1e-6) * 255, 0, 255).astype(np.uint8)
    hsv[..., 2] = 255
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)


def flow_figure(
    fs: FrameSet, vf: VideoFlow, title: str, path: str | os.PathLike, n_frames: int = 6
) -> None:
    """Frames with the box used (yellow), the inspection flow below them, the ratio curve."""
    picks = np.linspace(0, len(fs) - 2, n_frames).round().astype(int)
    fig = plt.figure(figsize=(2.2 * n_frames, 5.6))
    grid = fig.add_gridspec(3, n_frames, height_ratios=[1, 1, 0.9])
    max_mag = float(np.percentile(np.linalg.norm(vf.flow_small.astype(np.float32), axis=-1), 99))
    for c, t in enumerate(picks):
        img = cv2.cvtColor(fs.frames[t], cv2.COLOR_BGR2RGB).copy()
        x0, y0, x1, y1 = np.round(vf.boxes[t]).astype(int)
        cv2.rectangle(img, (x0, y0), (x1, y1), (255, 230, 0), 1)
        ax = fig.add_subplot(grid[0, c])
        ax.imshow(img)
        ax.set_title(f"#{int(fs.index[t])}  ratio {vf.ratio[t]:.2f}", fontsize=7)
        ax.axis("off")
        ax = fig.add_subplot(grid[1, c])
        ax.imshow(flow_to_colour(vf.flow_small[t].astype(np.float32), max_mag))
        ax.axis("off")
    ax = fig.add_subplot(grid[2, :])
    ax.plot(fs.index, vf.ratio, lw=1, label="fg/bg ratio")
    ax.plot(fs.index, vf.fg, lw=0.8, label="fg magnitude (px)")
    ax.plot(fs.index, vf.bg, lw=0.8, label="bg magnitude (px)")
    ax.set_xlabel("frame")
    ax.legend(fontsize=7, ncol=3)
    fig.suptitle(f"{title}: flow by {vf.backend}, boxes from {vf.box_source}", fontsize=9)
    save_figure(fig, path, dpi=100)
