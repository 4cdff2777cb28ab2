"""Posture Avg. AUC against training iterations, a line per model, the baselines beside."""

from __future__ import annotations

import os

import matplotlib.pyplot as plt
import pandas as pd

from poseembed.plots import save_figure


def posture_by_stage_figure(
    curves: pd.DataFrame, baselines: dict[str, float], path: str | os.PathLike
) -> None:
    """``curves``: rows of model, step, iterations, avg_auc; ``baselines``: name -> Avg. AUC."""
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    for k, (model, rows) in enumerate(curves.groupby("model", sort=False)):
        ax.plot(rows["iterations"], rows["avg_auc"], marker="o", ms=4, color=f"C{k}", label=model)
    for k, (name, auc) in enumerate(baselines.items()):
        ax.axhline(auc, color=f"C{k + 5}", ls=":", lw=1.2, label=f"{name} (baseline)")
    ax.set_xlabel("training iterations (curriculum stages, then the refinement)")
    ax.set_ylabel("posture Avg. AUC")
    ax.set_ylim(0.45, 1.0)
    ax.legend(fontsize=8, ncol=2)
    ax.set_title("Does training go on lifting the pose?")
    save_figure(fig, path, dpi=110)
