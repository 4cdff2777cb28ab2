"""Pose retrieval on still images, as the paper's supplementary Fig. 5: for a few queries, the
nearest people by ground-truth pose, by a baseline and by our embedding."""

from __future__ import annotations

import os

import cv2
import matplotlib.pyplot as plt
import numpy as np

from poseembed.embedding import centre_crop
from poseembed.evaluation.retrieval import (
    ground_truth_distances,
    ranked,
    similarities,
)
from poseembed.plots import save_figure

Embedded = tuple[np.ndarray, np.ndarray]


def default_queries(n_people: int, count: int = 4) -> list[int]:
    """``count`` people evenly spread over the set."""
    return [int(i) for i in np.linspace(0, n_people - 1, count + 2)[1:-1].round()]


def retrieval_figure(
    crops: np.ndarray,
    input_size: int,
    joints: np.ndarray,
    visible: np.ndarray,
    rankers: dict[str, Embedded],
    queries: list[int],
    neighbours: int,
    flip_invariant: bool,
    min_common_joints: int,
    path: str | os.PathLike,
) -> None:
    """Per query, a row of its ``neighbours`` nearest by ground truth, then one row per entry
    of ``rankers`` (name -> embeddings, mirrored embeddings), each row led by the query (red);
    each neighbour labelled with its ground-truth pose distance, shown mirrored where its
    mirror image was the match."""
    bad = [q for q in queries if not 0 <= q < len(crops)]
    if bad:
        raise ValueError(
            f"figures.retrieval_queries: {bad} are not people of the set (0..{len(crops) - 1})"
        )
    q = np.asarray(queries, np.int64)
    images = centre_crop(np.asarray(crops), input_size)
    truth, truth_mirror = ground_truth_distances(
        joints, visible, q, flip_invariant, min_common_joints
    )
    rows: list[tuple[str, np.ndarray, np.ndarray]] = [("ground truth", truth, truth_mirror)]
    for name, (emb, mirrored) in rankers.items():
        sim, mirror = similarities(emb, mirrored, q, flip_invariant)
        rows.append((name, np.where(np.isfinite(truth), sim, -np.inf), mirror))
    n_rows, n_cols = len(queries) * len(rows), neighbours + 1
    fig, axes = plt.subplots(
        n_rows, n_cols, figsize=(1.25 * n_cols + 0.6, 1.3 * n_rows + 0.4), squeeze=False
    )
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
        ax.axis("off")
    for i, query in enumerate(queries):
        for j, (name, scores, mirror) in enumerate(rows):
            r = i * len(rows) + j
            order = ranked(-scores if name == "ground truth" else scores, neighbours)[i]
            axes[r, 0].axis("on")
            axes[r, 0].set_ylabel(name, fontsize=7)
            axes[r, 0].imshow(_rgb(images[query]))
            for spine in axes[r, 0].spines.values():
                spine.set_edgecolor("red")
                spine.set_linewidth(2)
            if j == 0:
                axes[r, 0].set_title(f"query {query}", fontsize=7)
            for c, k in enumerate(order, start=1):
                image = images[k][:, ::-1] if mirror[i, k] else images[k]
                axes[r, c].imshow(_rgb(image))
                label = f"{truth[i, k]:.2f}" + (" m" if mirror[i, k] else "")
                axes[r, c].set_title(label, fontsize=6, pad=2)
    fig.suptitle(
        "Nearest people: by ground-truth pose, then by each embedding; ground-truth pose "
        "distance above each (m: matched as its mirror image)",
        fontsize=8,
    )
    save_figure(fig, path, dpi=100, top=0.98)


def _rgb(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_BGR2RGB)
