"""The repetitions of one video, as the paper's supplementary Figs. 2-4: each row a query frame
followed by the frames mined as its repetitions; queries and each row sorted by frame number,
the number in a yellow box on each thumbnail."""

from __future__ import annotations

import os

import cv2
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from poseembed.formats.embeddings import rows_of
from poseembed.plots import save_figure


def figure_rows(repetitions: pd.DataFrame, rows: int, columns: int) -> list[list[int]]:
    """Frame numbers per row: a query frame, then the frames mined as its repetitions (its
    pairs), at most ``columns`` frames a row. Queries with the most repetitions first, none
    within 2 frames of a frame already shown (so that rows show different poses); rows sorted
    by their query frame, repetitions by frame number."""
    partners = repetitions.groupby("query")["frame"].apply(lambda f: sorted(set(f)))
    order = partners.map(len).sort_values(ascending=False, kind="stable").index
    chosen: list[list[int]] = []
    shown = np.zeros(0, np.int64)
    for query in order:
        if len(chosen) == rows:
            break
        if len(shown) and np.abs(shown - query).min() <= 2:
            continue
        row = [int(query), *partners[query][: columns - 1]]
        chosen.append(row)
        shown = np.r_[shown, row]
    return sorted(chosen, key=lambda r: r[0])


def repetition_figure(
    repetitions: pd.DataFrame,
    crops: np.ndarray,
    index: np.ndarray,
    title: str,
    path: str | os.PathLike,
    rows: int,
    columns: int,
) -> None:
    """``crops``: the video's person crops (BGR), ``index`` their source frame numbers."""
    chosen = figure_rows(repetitions, rows, columns)
    n_rows, n_cols = max(len(chosen), 1), columns
    fig, axes = plt.subplots(
        n_rows, n_cols, figsize=(1.3 * n_cols, 1.4 * n_rows + 0.4), squeeze=False
    )
    for ax in axes.flat:
        ax.axis("off")
    for r, frames in enumerate(chosen):
        images = crops[rows_of(index, np.asarray(frames), title)]
        for c, (frame, image) in enumerate(zip(frames, images, strict=True)):
            ax = axes[r, c]
            ax.imshow(cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_BGR2RGB))
            ax.text(
                2,
                2,
                str(frame),
                fontsize=7,
                va="top",
                bbox={"facecolor": "yellow", "edgecolor": "none", "pad": 1.0},
            )
            if c == 0:
                ax.axis("on")
                ax.set_xticks([])
                ax.set_yticks([])
                for spine in ax.spines.values():
                    spine.set_edgecolor("red")
                    spine.set_linewidth(2)
    if not chosen:
        axes[0, 0].text(0, 0.5, "no repetitions mined", fontsize=9)
    fig.suptitle(
        f"{title}: query (red) and its mined repetitions; {len(repetitions)} mined pairs",
        fontsize=9,
    )
    save_figure(fig, path, dpi=110, top=0.97)
