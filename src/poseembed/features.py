"""The feature function of any model the evaluations compare: a trained or untrained network,
HOG, raw pixels, the person mask alone or an ImageNet AlexNet."""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch

from poseembed.baselines import (
    BASELINES,
    baseline_features,
    imagenet_alexnet,
    network_baseline_features,
    sees_masks,
)
from poseembed.embedding import Features, load_model, network_features


@dataclass(frozen=True)
class FeatureSettings:
    """What a model's embedding depends on; None for a setting the model does not read (see
    ``baselines.Baseline.settings``)."""

    input_size: int
    batch_size: int | None
    amp: bool | None
    pixel_side: int | None
    alexnet_layer: str | None


def model_features(
    model: str,
    weights: str | os.PathLike | None,
    s: FeatureSettings,
    device: torch.device,
    masked: bool,
) -> Features:
    """Features of ``model``: a baseline by name, else the network saved in ``weights`` (which
    knows its own input size). ``masked``: whether the crops come with the background greyed,
    which must be how the network was trained, or the masks alone for a baseline of them."""
    kind = BASELINES[model].kind if model in BASELINES else "network"
    if kind not in ("network", "saved") and masked != sees_masks(model):
        raise ValueError(
            f"{model}: this baseline sees "
            + (
                "the person masks alone, but none were given"
                if sees_masks(model)
                else "the crops as they are, not masked"
            )
            + "; its inputs come from Plan.background_masks and Plan.still_masks"
        )
    if kind == "features":
        return baseline_features(model, s.input_size, s.pixel_side)
    if weights is None:
        raise ValueError(f"model {model!r} needs a weights file")
    if kind == "pretrained":
        net = imagenet_alexnet(weights, s.alexnet_layer)
        return network_baseline_features(net, s.input_size, s.batch_size, device)
    net, settings = load_model(weights, device)
    background = settings["background"]
    if (background != "keep") != masked:
        raise ValueError(
            f"{weights}: trained with background {background!r} but the crops are "
            f"{'masked' if masked else 'not masked'}; rerun the rule that made it"
        )
    return network_features(net, settings["input_size"], s.batch_size, device, s.amp)
