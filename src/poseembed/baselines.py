"""The baselines the models are compared with: one registry (what each is, what it needs,
which feature settings it reads), and their features of the same centre crops the network
sees: HOG and raw pixels, which need no download, and an ImageNet AlexNet from a local weights
file. ``silhouette`` sees no pixel of the person: the thumbnail of the label-free person mask
that greys the network's crops, alone, measures what the mask's outline tells of the pose. The
untrained network and the supervised bound are networks the workflow makes; a network trained
by another run (the default run's full model, say) comes from its weights file."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from poseembed.batches import to_tensor
from poseembed.embedding import Features, centre_crop


@dataclass(frozen=True)
class Baseline:
    """``kind``: ``network`` (a network whose weights a rule makes), ``saved`` (our network from
    a weights file a training wrote), ``pretrained`` (a network from a user's weights file) or
    ``features`` (a function of the crops, no network). ``needs``: ``synthetic`` (the
    generator's ground truth) or the config key of the user's file (under ``baselines``), and
    ``not_run`` says what to do when it is missing. ``settings``: the feature settings
    (fields of ``features.FeatureSettings``) its embedding depends on. ``sees``: ``crops``
    (as they are) or ``masks`` (the label-free person masks alone, as images)."""

    name: str
    kind: str
    what: str
    settings: tuple[str, ...]
    needs: str | None = None
    not_run: str = ""
    sees: Literal["crops", "masks"] = "crops"


BASELINES = {
    b.name: b
    for b in (
        Baseline(
            "random",
            "network",
            "the network untrained (its initialisation)",
            ("input_size", "batch_size", "amp"),
        ),
        Baseline(
            "supervised",
            "network",
            "the network trained on the generator's poses (the upper bound)",
            ("input_size", "batch_size", "amp"),
            needs="synthetic",
            not_run="not run: needs ground-truth poses (synthetic data)",
        ),
        Baseline(
            "hog",
            "features",
            "HOG of the centre crop (64 px window, Dalal-Triggs blocks)",
            ("input_size",),
        ),
        Baseline(
            "pixels",
            "features",
            "mean-free grey thumbnail of the centre crop",
            ("input_size", "pixel_side"),
        ),
        Baseline(
            "silhouette",
            "features",
            "mean-free thumbnail of the label-free person mask alone (no pixel of the person)",
            ("input_size", "pixel_side"),
            sees="masks",
        ),
        Baseline(
            "imagenet_alexnet",
            "pretrained",
            "AlexNet trained on ImageNet",
            ("input_size", "batch_size", "alexnet_layer"),
            needs="imagenet_alexnet_weights",
            not_run="not run: set baselines.imagenet_alexnet_weights to a local file",
        ),
        Baseline(
            "saved",
            "saved",
            "our network as another run trained it (baselines.saved_weights)",
            ("input_size", "batch_size", "amp"),
            needs="saved_weights",
            not_run="not run: set baselines.saved_weights to a training's weights file",
        ),
    )
}
# What a trained model's embedding depends on: a network like the network baselines.
NETWORK_SETTINGS = BASELINES["random"].settings


def sees_masks(model: str) -> bool:
    """Whether ``model`` is a baseline of the person masks alone."""
    return model in BASELINES and BASELINES[model].sees == "masks"


def runs(baseline: Baseline, synthetic: bool, files: dict) -> bool:
    """Whether ``baseline`` runs: what it needs is at hand (``files``: the ``baselines``
    config section)."""
    if baseline.needs is None:
        return True
    if baseline.needs == "synthetic":
        return synthetic
    return bool(files[baseline.needs])


_IMAGENET_MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
_IMAGENET_STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
# How many of torchvision's classifier modules (dropout, linear, relu, ...) each layer runs.
_ALEXNET_CLASSIFIER = {"pool5": 0, "fc6": 3, "fc7": 6}
_HOG_SIDE = 64
# Window 64, blocks of 16 moved by 8, cells of 8, 9 orientations: Dalal and Triggs' layout.
_HOG = ((_HOG_SIDE, _HOG_SIDE), (16, 16), (8, 8), (8, 8), 9)


def _grey(crops: np.ndarray, input_size: int, flip: bool) -> np.ndarray:
    """(N, s, s) float32 grey centre crops, mirrored when ``flip``."""
    # Sliced, the masks alone (``MaskImages``) are read like an array.
    x = centre_crop(np.asarray(crops[:]), input_size).astype(np.float32)
    grey = x @ np.array([0.114, 0.587, 0.299], np.float32)  # BGR weights
    return grey[:, :, ::-1] if flip else grey


def _unit(x: np.ndarray) -> np.ndarray:
    return (x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)).astype(np.float32)


def hog_features(input_size: int) -> Features:
    """HOG of the centre crop resized to 64 px, L2-normalised."""
    hog = cv2.HOGDescriptor(*_HOG)

    def features(crops: np.ndarray, flip: bool) -> np.ndarray:
        grey = _grey(crops, input_size, flip)
        if len(grey) == 0:
            return np.zeros((0, hog.getDescriptorSize()), np.float32)
        # OpenCV's HOG takes one image a call; the work inside is per image, not per pixel.
        rows = [
            hog.compute(cv2.resize(g, (_HOG_SIDE, _HOG_SIDE)).clip(0, 255).astype(np.uint8))
            for g in grey
        ]
        return _unit(np.stack(rows).reshape(len(grey), -1))

    return features


def pixel_features(input_size: int, side: int) -> Features:
    """The grey centre crop averaged down to ``side`` x ``side``, mean-free, L2-normalised."""

    def features(crops: np.ndarray, flip: bool) -> np.ndarray:
        grey = torch.from_numpy(np.ascontiguousarray(_grey(crops, input_size, flip)))
        small = F.adaptive_avg_pool2d(grey[:, None], side).reshape(len(grey), side * side).numpy()
        return _unit(small - small.mean(axis=1, keepdims=True))

    return features


def imagenet_alexnet(weights: str | os.PathLike, layer: str) -> nn.Module:
    """torchvision's AlexNet with the ImageNet weights of a local file, up to ``layer``."""
    from torchvision.models import alexnet

    key = "baselines.imagenet_alexnet_weights"
    if layer not in _ALEXNET_CLASSIFIER:
        raise ValueError(f"baselines.imagenet_alexnet_layer: unknown {layer!r}")
    try:
        state = torch.load(weights, map_location="cpu", weights_only=True)
    except Exception as err:
        raise ValueError(f"{key}: {weights} cannot be read as a torch state dict ({err})") from err
    net = alexnet(weights=None)
    try:
        net.load_state_dict(state)
    except (RuntimeError, TypeError, AttributeError) as err:
        first = str(err).splitlines()[0]
        raise ValueError(
            f"{key}: {weights} is not a torchvision AlexNet state dict ({first}); use "
            "torchvision's alexnet-owt-7be5be79.pth or a state dict saved like it"
        ) from err
    return nn.Sequential(
        net.features,
        net.avgpool,
        nn.Flatten(),
        *list(net.classifier)[: _ALEXNET_CLASSIFIER[layer]],
    ).eval()


def network_baseline_features(
    net: nn.Module, input_size: int, batch_size: int, device: torch.device, side: int = 224
) -> Features:
    """L2-normalised outputs of an ImageNet network on the centre crops, resized to ``side``
    and normalised as ImageNet training did."""
    net = net.to(device)

    @torch.no_grad()
    def features(crops: np.ndarray, flip: bool) -> np.ndarray:
        out = []
        # One pass even for no crops, so that the width of an empty result is right.
        for start in range(0, max(len(crops), 1), batch_size):
            batch = centre_crop(np.asarray(crops[start : start + batch_size]), input_size)
            if flip:
                batch = batch[:, :, ::-1]
            x = (to_tensor(batch) + 1) / 2
            x = F.interpolate(x, size=(side, side), mode="bilinear", antialias=True)
            x = ((x - _IMAGENET_MEAN) / _IMAGENET_STD).to(device)
            out.append(F.normalize(net(x).flatten(1), dim=1).cpu())
        return torch.cat(out).numpy()

    return features


def baseline_features(name: str, input_size: int, pixel_side: int | None) -> Features:
    """The features of a baseline of kind ``features``."""
    if name == "hog":
        return hog_features(input_size)
    if name in ("pixels", "silhouette") and pixel_side is not None:
        return pixel_features(input_size, pixel_side)
    raise ValueError(f"{name!r} is not a feature baseline with its settings")
