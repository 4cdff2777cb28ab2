"""The curriculum as a histogram (the paper's supplementary Fig. 1): samples per stage, stacked
by sport category, with the ratio range of each stage."""

from __future__ import annotations

import os

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from poseembed.plots import save_figure


def curriculum_histogram(table: pd.DataFrame, path: str | os.PathLike) -> None:
    counts = table.pivot_table(
        index="stage", columns="category", values="frame", aggfunc="count", fill_value=0
    ).sort_index()
    ranges = table.groupby("stage")["ratio"].agg(["min", "max"]).loc[counts.index]
    fig, ax = plt.subplots(figsize=(10, 5))
    colours = plt.get_cmap("tab20")(np.linspace(0, 1, 20))[: counts.shape[1]]
    bottom = np.zeros(len(counts))
    for colour, category in zip(colours, counts.columns, strict=True):
        ax.bar(
            counts.index,
            counts[category],
            bottom=bottom,
            color=colour,
            label=category.replace("_", " "),
            edgecolor="white",
            linewidth=0.3,
        )
        bottom += counts[category].to_numpy()
    labels = [
        f"{k}\n{lo:.2f}-{hi:.2f}"
        for k, (lo, hi) in zip(counts.index, ranges.to_numpy(), strict=True)
    ]
    ax.set_xticks(counts.index, labels, fontsize=8)
    ax.set_xlabel("curriculum stage (easy to hard) and its fg/bg flow ratio range")
    ax.set_ylabel("training samples (frames)")
    ax.set_title("Curriculum: samples per stage, by sport category")
    ax.legend(fontsize=7, ncol=1, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    save_figure(fig, path, dpi=120)
