"""A video's repetition count: its self-similarity matrix with the detected cycles marked,
beside one strip of frames per cycle, taken at equal phases so that the strips line up when
the cycles are right."""

from __future__ import annotations

import os

import cv2
import matplotlib.pyplot as plt
import numpy as np

from poseembed.counting import self_similarity
from poseembed.formats.embeddings import in_time_order, rows_of
from poseembed.plots import save_figure


def cycle_strips(starts: np.ndarray, ends: np.ndarray, columns: int) -> np.ndarray:
    """(cycles, columns) source frame numbers at equal phases of each cycle, from its first
    frame to its last."""
    phase = np.linspace(0, 1, columns)
    return np.round(starts[:, None] + phase[None] * (ends - starts)[:, None]).astype(np.int64)


def _nearest(index: np.ndarray, frames: np.ndarray) -> np.ndarray:
    """The source frames of ``index`` nearest to ``frames`` (a step between frames skips some)."""
    order = np.sort(index)
    pos = np.clip(np.searchsorted(order, frames), 1, len(order) - 1)
    left, right = order[pos - 1], order[pos]
    return np.where(frames - left <= right - frames, left, right)


def counting_figure(
    embeddings: np.ndarray,
    index: np.ndarray,
    crops: np.ndarray,
    crop_index: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    title: str,
    path: str | os.PathLike,
    rows: int,
    columns: int,
) -> None:
    """``embeddings`` rows and ``crops`` (BGR) with their source frame numbers; ``starts``
    and ``ends`` of the detected cycles (source frame numbers); at most ``rows`` strips."""
    frames, ordered = in_time_order(index, embeddings)
    s = self_similarity(ordered)
    shown = min(len(starts), rows)
    fig = plt.figure(figsize=(4.2 + 1.0 * columns, max(4.0, 1.05 * shown + 0.8)))
    grid = fig.add_gridspec(max(shown, 1), 2, width_ratios=[4.0, 1.0 * columns])
    ax = fig.add_subplot(grid[:, 0])
    extent = (frames[0] - 0.5, frames[-1] + 0.5, frames[-1] + 0.5, frames[0] - 0.5)
    ax.imshow(s, cmap="viridis", vmin=-1, vmax=1, extent=extent, interpolation="nearest")
    for start in starts:
        ax.axvline(start, color="red", linewidth=0.8)
        ax.axhline(start, color="red", linewidth=0.8)
    ax.set_xlabel("frame")
    ax.set_ylabel("frame")
    ax.set_title(f"self-similarity; {len(starts)} cycles (red: starts)", fontsize=8)
    strips = cycle_strips(np.asarray(starts)[:shown], np.asarray(ends)[:shown], columns)
    for r, strip in enumerate(strips):
        sub = grid[r, 1].subgridspec(1, columns, wspace=0.05)
        wanted = _nearest(crop_index, strip)
        images = crops[rows_of(crop_index, wanted, title)]
        for c, (frame, image) in enumerate(zip(wanted, images, strict=True)):
            cell = fig.add_subplot(sub[0, c])
            cell.imshow(cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_BGR2RGB))
            cell.set_axis_off()
            cell.set_title(str(frame), fontsize=6, pad=1)
    if not shown:
        empty = fig.add_subplot(grid[0, 1])
        empty.set_axis_off()
        empty.text(0, 0.5, "no repetitions counted", fontsize=9)
    fig.suptitle(title, fontsize=9)
    save_figure(fig, path, dpi=100, top=0.95)


def lag_profile_figure(profiles: dict[str, np.ndarray], path: str | os.PathLike) -> None:
    """Each model's mean similarity by lag outside the cycles (``lag_profile``)."""
    fig, ax = plt.subplots(figsize=(6.0, 3.6))
    for model, profile in profiles.items():
        ax.plot(np.arange(len(profile)), profile, label=model, linewidth=1.2)
    ax.axhline(0, color="grey", linewidth=0.6)
    ax.set_xlabel("lag (frames)")
    ax.set_ylabel("mean similarity (mean-free cosine)")
    ax.set_title("frames outside every cycle: similarity should fall with the lag", fontsize=9)
    ax.legend(fontsize=7, ncol=2)
    save_figure(fig, path)
