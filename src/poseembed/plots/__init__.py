"""Figures, drawn with the non-interactive Agg backend (importing the package selects it)."""

from __future__ import annotations

import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from poseembed.atomic import atomic_path


def save_figure(fig: Figure, path: str | os.PathLike, dpi: int = 110, top: float = 1.0) -> None:
    """Lay out (below ``top``, where a suptitle sits), write atomically as PNG, close."""
    fig.tight_layout(rect=(0, 0, 1, top))
    with atomic_path(path, suffix=".png") as tmp:
        fig.savefig(tmp, dpi=dpi)
    plt.close(fig)
