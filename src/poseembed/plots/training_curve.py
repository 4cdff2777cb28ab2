"""An experiment's training curves: losses and held-out task accuracies across its stages."""

from __future__ import annotations

import os

import matplotlib.pyplot as plt
import pandas as pd

from poseembed.plots import save_figure

_TASKS = (("temporal", "C0", 0.5), ("spatial", "C1", 1 / 8))


def join_stages(stages: list[pd.DataFrame]) -> pd.DataFrame:
    """One table over all stages: ``step`` counts iterations from the first stage's start."""
    out, offset = [], 0
    for k, m in enumerate(stages, start=1):
        m = m.assign(stage=k, step=m["iteration"] + offset)
        offset += int(m["iteration"].max()) if len(m) else 0
        out.append(m)
    return pd.concat(out, ignore_index=True)


def training_curve(stages: list[pd.DataFrame], title: str, path: str | os.PathLike) -> None:
    m = join_stages(stages)
    window = max(1, len(m) // 50)
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(12, 4.2))
    for task, colour, chance in _TASKS:
        if f"{task}_loss" not in m:
            continue
        ax_loss.plot(
            m["step"], m[f"{task}_loss"].rolling(window, min_periods=1).mean(), colour, label=task
        )
        if f"heldout_{task}_acc" in m:
            held = m.dropna(subset=[f"heldout_{task}_acc"])
            ax_acc.plot(
                held["step"],
                held[f"heldout_{task}_acc"],
                colour,
                marker="o",
                ms=3,
                label=f"{task} (held-out videos)",
            )
        ax_acc.axhline(chance, color=colour, ls=":", lw=1, label=f"{task} chance")
    for ax in (ax_loss, ax_acc):
        for step in m.groupby("stage")["step"].min().iloc[1:] - 0.5:
            ax.axvline(step, color="0.8", lw=0.8, zorder=0)
        ax.set_xlabel("iteration (grey lines: curriculum stages)")
        ax.legend(fontsize=8)
    ax_loss.set_ylabel(f"training loss (running mean of {window})")
    ax_acc.set_ylabel("accuracy")
    ax_acc.set_ylim(0, 1)
    fig.suptitle(title)
    save_figure(fig, path, dpi=110)
