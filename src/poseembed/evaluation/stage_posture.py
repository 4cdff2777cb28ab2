"""Posture Avg. AUC after every curriculum stage (and the refinement) of a model: whether
training on the self-supervised tasks goes on lifting the pose in the embedding, or stops, or
turns it down as the tasks find a cue other than the pose.

Only the frames the posture labels judge are embedded, so a network costs seconds."""

from __future__ import annotations

import os
from collections.abc import Callable

import pandas as pd

from poseembed.embedding import Features, saved_settings
from poseembed.evaluation.posture import posture_table
from poseembed.formats.cliquecnn import PostureLabels
from poseembed.formats.embeddings import Embeddings


def stage_posture(
    steps: list[tuple[str, str | os.PathLike]],
    embed: Callable[[Features], Embeddings],
    features_of: Callable[[str | os.PathLike], Features],
    categories: dict[str, tuple[PostureLabels, list[tuple[str, int]]]],
) -> pd.DataFrame:
    """One row per ``steps`` entry (a name such as ``stage 3`` and the weights it saved):
    the iterations trained up to it, counted from the first stage, and the Avg. AUC of its
    embeddings (``embed`` of its ``features_of``) under the ``categories``' labels."""
    rows, done = [], 0
    for name, weights in steps:
        done += int(saved_settings(weights, name)["iterations"])
        table, _ = posture_table(embed(features_of(weights)), categories)
        rows.append({"step": name, "iterations": done, "avg_auc": float(table["auc"].mean())})
    return pd.DataFrame(rows)
