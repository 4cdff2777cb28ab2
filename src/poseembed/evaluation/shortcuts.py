"""Which part of the crop a trained network solves its tasks from: the person or the scene.

Each model's held-out task accuracies on the same pairs, three times: with the crops it was
trained on, with only the person (the background greyed by the generator's masks), and with
only the background (the person greyed). A task solved as well from the background alone as
from the crop has a shortcut there (the texture under a camera pan for temporal ordering, the
continuity of the scene across patch borders for spatial placement, as Doersch et al. found);
a task solved from the person only is learnt from the pose.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import torch

from poseembed.batches import CropStore
from poseembed.config import strict_settings
from poseembed.embedding import load_model
from poseembed.training import TrainSettings, heldout_accuracies

CONDITIONS = ("as trained", "person only", "background only")


def task_shortcuts(
    weights: str | os.PathLike,
    heldout: pd.DataFrame,
    crops: dict[str, str | os.PathLike],
    own_masks: dict[str, str | os.PathLike] | None,
    true_masks: dict[str, str | os.PathLike],
    device: torch.device,
) -> pd.DataFrame:
    """One row per condition: held-out temporal and spatial accuracy (NaN for a task the model
    was not trained on)."""
    model, saved = load_model(weights, device)
    s = strict_settings(TrainSettings, saved, str(weights))
    stores = {
        "as trained": CropStore(crops, own_masks),
        "person only": CropStore(crops, true_masks, keep="person"),
        "background only": CropStore(crops, true_masks, keep="background"),
    }
    rows = []
    for condition in CONDITIONS:
        acc = heldout_accuracies(model, heldout, stores[condition], s, stage=1)
        rows.append(
            {
                "condition": condition,
                "temporal_acc": acc.get("heldout_temporal_acc", np.nan),
                "spatial_acc": acc.get("heldout_spatial_acc", np.nan),
            }
        )
    return pd.DataFrame(rows)
