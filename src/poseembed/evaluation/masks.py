"""Label-free person masks against the synthetic generator's: how much of the crop the
background suppression keeps of the person, and how much background it lets through."""

from __future__ import annotations

import numpy as np
import pandas as pd

from poseembed.crops import load_crops


def mask_agreement(predicted: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    """Mean per-frame IoU, precision (share of the predicted mask that is person) and recall
    (share of the person inside the predicted mask) of (N, S, S) uint8 masks, thresholded at
    half; frames without a true person are left out."""
    p, t = predicted > 127, truth > 127
    inter = (p & t).sum((1, 2)).astype(float)
    tp, pp = t.sum((1, 2)), p.sum((1, 2))
    ok = tp > 0
    return {
        "iou": float(np.mean(inter[ok] / (p | t).sum((1, 2))[ok])),
        "precision": float(np.mean(inter[ok] / np.maximum(pp[ok], 1))),
        "recall": float(np.mean(inter[ok] / tp[ok])),
        "mask_share": float(p[ok].mean()),
        "person_share": float(t[ok].mean()),
    }


def mask_quality_table(pairs: dict[tuple[str, str], tuple[str, str]]) -> pd.DataFrame:
    """One row per category and one for all: agreement of the masks of ``pairs``
    ((category, video) -> (predicted masks file, true masks file)), frames pooled."""
    rows = []
    by_category: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
    for (category, _), (predicted, truth) in sorted(pairs.items()):
        p, t = load_crops(predicted, mmap=False), load_crops(truth, mmap=False)
        if p.shape != t.shape:
            raise ValueError(f"{predicted} {p.shape} and {truth} {t.shape} differ; rerun both")
        by_category.setdefault(category, []).append((p, t))
    for category, masks in by_category.items():
        p, t = (np.concatenate(m) for m in zip(*masks, strict=True))
        rows.append({"category": category, "frames": len(p), **mask_agreement(p, t)})
    table = pd.DataFrame(rows)
    weights = table["frames"] / table["frames"].sum()
    overall = {"category": "all", "frames": int(table["frames"].sum())}
    overall.update({k: float((table[k] * weights).sum()) for k in table.columns[2:]})
    return pd.concat([table, pd.DataFrame([overall])], ignore_index=True)
