"""The posture protocol on a labelled set whose AUC is known by hand."""

from __future__ import annotations

import numpy as np
import pytest

from poseembed.evaluation.posture import (
    anchor_tpr,
    category_tprs,
    mean_curve_auc,
    posture_table,
)
from poseembed.formats.cliquecnn import PostureLabels, flipped_frames
from poseembed.formats.embeddings import Embeddings


def unit(score: float) -> list[float]:
    """A 2-D unit vector whose cosine with [1, 0] is ``score``."""
    return [score, np.sqrt(1 - score**2)]


@pytest.fixture
def labelled():
    """Two anchors (frames 0 and 1 of v0, both [1, 0]) in a category of videos v0 and v1.

    Anchor 0: positives 0.9 and (mirrored) 0.8, negatives 0.7 and 0.95: its curve on the grid
    is 0 below FPR 0.5 and 1 from there, area 0.505 (0.5 plus the grid's step at 0.49-0.5).
    Anchor 1: positives 0.99, 0.98 above negatives 0.3, 0.2: area 1. Mean curve: 0.7525.
    """
    v0 = np.array([[1, 0], [1, 0], unit(0.3), unit(0.2), [0, 1], [0, 1]], np.float32)
    v1 = np.array([unit(0.9), unit(0.1), unit(0.7), unit(0.95), unit(0.99), unit(0.98)], np.float32)
    emb = Embeddings(
        videos={("cat", "v0"): (np.arange(6), v0), ("cat", "v1"): (np.arange(6), v1)},
        flipped={("cat", "v1"): (np.array([1]), np.array([unit(0.8)], np.float32))},
    )
    frame_list = [("v0", f) for f in range(6)] + [("v1", f) for f in range(6)]
    labels = PostureLabels(
        anchors=np.array([0, 1]),
        pos_ids=[np.array([6, 7]), np.array([10, 11])],
        neg_ids=[np.array([8, 9]), np.array([2, 3])],
        pos_flipvals=[np.array([0, 1]), np.array([0, 0])],
        neg_flipvals=[np.array([0, 0]), np.array([0, 0])],
    )
    return emb, labels, frame_list


def test_auc_of_a_set_known_by_hand(labelled):
    emb, labels, frame_list = labelled
    tprs = category_tprs(emb, "cat", labels, frame_list)
    assert mean_curve_auc(tprs[:1]) == pytest.approx(0.505)
    assert mean_curve_auc(tprs[1:]) == pytest.approx(1.0)
    table, curves = posture_table(emb, {"cat": (labels, frame_list)})
    assert table.loc[0, "auc"] == pytest.approx(0.7525) and table.loc[0, "anchors"] == 2
    assert len(curves) == 101 and curves["cat"].iloc[-1] == pytest.approx(1.0)


def test_the_mirrored_frame_is_judged_where_the_label_says(labelled):
    emb, labels, frame_list = labelled
    flipped = flipped_frames(labels, frame_list)
    assert list(flipped) == ["v1"] and flipped["v1"].tolist() == [1]
    labels.pos_flipvals[0] = np.array([0, 0])
    # Unmirrored, the second positive scores 0.1, below both negatives: area 0.25 + grid step.
    assert mean_curve_auc(category_tprs(emb, "cat", labels, frame_list)[:1]) < 0.3


def test_a_frame_never_embedded_mirrored_is_an_error(labelled):
    emb, labels, frame_list = labelled
    labels.neg_flipvals[1] = np.array([1, 0])
    with pytest.raises(KeyError, match="no mirrored embeddings"):
        category_tprs(emb, "cat", labels, frame_list)


def test_chance_and_perfect_curves():
    rng = np.random.default_rng(0)
    perfect = anchor_tpr(np.array([0.9, 0.8]), np.array([0.1, 0.2, 0.3]))
    assert mean_curve_auc(perfect[None]) == pytest.approx(1.0)
    chance = np.stack([anchor_tpr(rng.random(50), rng.random(100)) for _ in range(200)])
    assert mean_curve_auc(chance) == pytest.approx(0.5, abs=0.02)


def test_the_posture_after_every_stage_counts_the_iterations_trained_so_far(labelled, tmp_path):
    emb, labels, frame_list = labelled
    from poseembed.evaluation.stage_posture import stage_posture
    from poseembed.training import initial_model, save_weights

    steps = []
    for name, iterations in (("stage 1", 5), ("refined", 3)):
        path = tmp_path / f"{iterations}.pt"
        save_weights(path, initial_model("small", 2, seed=0), {"iterations": iterations}, 1)
        steps.append((name, path))
    # The first network's embeddings are the hand-made ones; the refined one's all alike.
    alike = Embeddings(
        videos={k: (i, np.tile([1.0, 0.0], (len(i), 1))) for k, (i, _) in emb.videos.items()},
        flipped={k: (i, np.tile([1.0, 0.0], (len(i), 1))) for k, (i, _) in emb.flipped.items()},
    )
    table = stage_posture(
        steps,
        lambda features: features,
        lambda weights: emb if str(weights).endswith("5.pt") else alike,
        {"cat": (labels, frame_list)},
    )
    assert table["step"].tolist() == ["stage 1", "refined"]
    assert table["iterations"].tolist() == [5, 8]
    assert table["avg_auc"].tolist() == pytest.approx([0.7525, 0.5], abs=0.01)
