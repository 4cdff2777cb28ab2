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
    fig, ax = plt.subplots(figsize=(9, 4.5))
    for k, (model, rows) in enumerate(curves.groupby("model", sort=False)):
        ax.plot(rows["iterations"], rows["avg_auc"], marker="o", ms=4, color=f"C{k}", label=model)
    # The baselines in greys, so that their colours never meet a model's.
    styles = (":", "--", "-.")
    for k, (name, auc) in enumerate(baselines.items()):
        grey = str(0.15 + 0.5 * k / max(len(baselines) - 1, 1))
        ax.axhline(auc, color=grey, ls=styles[k % 3], lw=1.2, label=f"{name} (baseline)")
    low = min([*curves["avg_auc"], *baselines.values(), 0.5])
    ax.set_ylim(max(0.0, low - 0.03), 1.0)
    ax.set_xlabel("training iterations (curriculum stages, then the refinement)")
    ax.set_ylabel("posture Avg. AUC")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.set_title("Does training go on lifting the pose?")
    save_figure(fig, path, dpi=110)
