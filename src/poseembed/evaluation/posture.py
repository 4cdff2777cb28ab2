"""The Olympic Sports posture protocol of CliqueCNN (Bautista et al. 2016).

Per category, each anchor frame is compared (cosine similarity of embeddings) with its labelled
positive and negative frames; a labelled frame with flip value 1 is judged by its mirrored crop.
Each anchor's ROC curve is read on 101 evenly spaced false-positive rates (linear between the
curve's points; at a vertical step the upper point), the curves are averaged, and the
category's AUC is the area under the mean curve. Avg. AUC is the mean over categories.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import auc, roc_curve

from poseembed.formats.cliquecnn import PostureLabels
from poseembed.formats.embeddings import Embeddings

FPR_GRID = np.linspace(0.0, 1.0, 101)


def anchor_tpr(pos_scores: np.ndarray, neg_scores: np.ndarray) -> np.ndarray:
    """True-positive rates of one anchor's ROC curve at ``FPR_GRID``."""
    if len(pos_scores) == 0 or len(neg_scores) == 0:
        raise ValueError("an anchor needs at least one positive and one negative")
    y = np.r_[np.ones(len(pos_scores)), np.zeros(len(neg_scores))]
    fpr, tpr, _ = roc_curve(y, np.r_[pos_scores, neg_scores], drop_intermediate=False)
    return np.interp(FPR_GRID, fpr, tpr)


def mean_curve_auc(tprs: np.ndarray) -> float:
    """Area under the mean of per-anchor curves (rows of ``tprs``)."""
    return float(auc(FPR_GRID, np.asarray(tprs).mean(axis=0)))


def _rows(
    emb: Embeddings,
    category: str,
    frame_list: list[tuple[str, int]],
    ids: np.ndarray,
    flips: np.ndarray,
) -> np.ndarray:
    videos = np.array([frame_list[i][0] for i in ids])
    frames = np.array([frame_list[i][1] for i in ids], np.int64)
    flips = np.asarray(flips).astype(bool)
    out: np.ndarray | None = None
    for video in np.unique(videos):
        m = videos == video
        rows = emb.of(category, str(video), frames[m], flips[m])
        if out is None:
            out = np.empty((len(ids), rows.shape[1]), np.float32)
        out[m] = rows
    assert out is not None
    return out


def category_tprs(
    emb: Embeddings, category: str, labels: PostureLabels, frame_list: list[tuple[str, int]]
) -> np.ndarray:
    """(anchors, 101) true-positive rates of every anchor of a category."""
    n = len(frame_list)
    for name, rows in (("pos_ids", labels.pos_ids), ("neg_ids", labels.neg_ids)):
        bad = [int(i) for r in rows for i in r if not 0 <= i < n]
        if bad or not 0 <= labels.anchors.min() <= labels.anchors.max() < n:
            raise ValueError(
                f"{category}: {name} or anchors index outside the frame list ({n} lines): {bad[:5]}"
            )
    anchors = _rows(emb, category, frame_list, labels.anchors, np.zeros(len(labels.anchors)))
    tprs = []
    for a, pos, pflip, neg, nflip in zip(
        anchors,
        labels.pos_ids,
        labels.pos_flipvals,
        labels.neg_ids,
        labels.neg_flipvals,
        strict=True,
    ):
        p = _rows(emb, category, frame_list, pos, pflip) @ a
        q = _rows(emb, category, frame_list, neg, nflip) @ a
        tprs.append(anchor_tpr(p, q))
    return np.stack(tprs)


def posture_table(
    emb: Embeddings, categories: dict[str, tuple[PostureLabels, list[tuple[str, int]]]]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-category AUC (and anchors) and the mean ROC curves, one column per category."""
    rows, curves = [], {"fpr": FPR_GRID}
    for category, (labels, frame_list) in sorted(categories.items()):
        tprs = category_tprs(emb, category, labels, frame_list)
        curves[category] = tprs.mean(axis=0)
        rows.append({"category": category, "auc": mean_curve_auc(tprs), "anchors": len(tprs)})
    return pd.DataFrame(rows), pd.DataFrame(curves)
