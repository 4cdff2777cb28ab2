"""The feature function of any model the evaluations compare: a trained or untrained network,
HOG, raw pixels or an ImageNet AlexNet."""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch

from poseembed.baselines import (
    BASELINE_FEATURES,
    IMAGENET_ALEXNET,
    baseline_features,
    imagenet_alexnet,
    network_baseline_features,
)
from poseembed.embedding import Features, load_model, network_features


@dataclass(frozen=True)
class FeatureSettings:
    input_size: int
    batch_size: int = 256
    amp: bool = True
    pixel_side: int = 16
    alexnet_layer: str = "pool5"


def model_features(
    model: str, weights: str | os.PathLike | None, s: FeatureSettings, device: torch.device
) -> Features:
    """Features of ``model``: a baseline by name, else the network saved in ``weights`` (which
    knows its own input size)."""
    if model in BASELINE_FEATURES:
        return baseline_features(model, s.input_size, s.pixel_side)
    if weights is None:
        raise ValueError(f"model {model!r} needs a weights file")
    if model == IMAGENET_ALEXNET:
        net = imagenet_alexnet(weights, s.alexnet_layer)
        return network_baseline_features(net, s.input_size, s.batch_size, device)
    net, settings = load_model(weights, device)
    return network_features(net, settings["input_size"], s.batch_size, device, s.amp)
