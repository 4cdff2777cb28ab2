"""A contact sheet of the synthetic set: frames of every category with skeleton and box."""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import matplotlib.pyplot as plt
import numpy as np

from poseembed.formats.groundtruth import read_groundtruth
from poseembed.frames import load_frames
from poseembed.plots import save_figure
from poseembed.plots.skeleton_overlay import draw_skeleton


def contact_sheet(
    rows: list[tuple[str, list[tuple[str, int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]]]],
    path: str | os.PathLike,
    zoom: int = 2,
) -> None:
    """``rows``: (category, [(video, frame index, image BGR, joints, visible, box), ...])."""
    n_cols = max(len(items) for _, items in rows)
    fig, axes = plt.subplots(
        len(rows), n_cols, figsize=(2.0 * n_cols, 1.6 * len(rows)), squeeze=False
    )
    for r, (category, items) in enumerate(rows):
        for c in range(n_cols):
            ax = axes[r, c]
            ax.set_xticks([])
            ax.set_yticks([])
            if c >= len(items):
                ax.axis("off")
                continue
            video, frame, image, joints, visible, box = items[c]
            drawn = draw_skeleton(image, joints, visible, box, zoom)
            ax.imshow(cv2.cvtColor(drawn, cv2.COLOR_BGR2RGB))
            ax.set_title(f"{video} #{frame}", fontsize=6)
            if c == 0:
                ax.set_ylabel(category, fontsize=7, rotation=0, ha="right", va="center")
    fig.suptitle(
        "Synthetic sports: ground-truth skeleton (right red, left blue) and box (yellow)",
        fontsize=9,
    )
    save_figure(fig, path, dpi=110, top=0.985)


def sheet_from_artifacts(
    frame_files: list[str],
    groundtruth_files: list[str],
    frames_per_video: int,
    path: str | os.PathLike,
) -> None:
    """Contact sheet from frame artifacts and ground-truth tables, one row per category."""
    rows: dict[str, list] = {}
    for frame_file, gt_file in zip(frame_files, groundtruth_files, strict=True):
        fs = load_frames(frame_file)
        _, joints, visible = read_groundtruth(gt_file)
        factor = fs.frames.shape[1] / fs.source_size[1]
        picks = np.linspace(0, len(fs) - 1, frames_per_video + 2)[1:-1].round().astype(int)
        category, video = Path(frame_file).parent.name, Path(frame_file).stem
        rows.setdefault(category, []).extend(
            (
                video,
                int(fs.index[t]),
                fs.frames[t],
                joints[fs.index[t]] * factor,
                visible[fs.index[t]],
                fs.boxes[t],
            )
            for t in picks
        )
    contact_sheet(sorted(rows.items()), path)
