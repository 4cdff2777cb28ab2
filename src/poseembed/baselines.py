"""Baseline embeddings that need no download: HOG and raw pixels of the same centre crops the
network sees (the untrained network is the third: ``random_weights``)."""

from __future__ import annotations

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from poseembed.embedding import Features, centre_crop

BASELINE_FEATURES = ("hog", "pixels")
_HOG_SIDE = 64
# Window 64, blocks of 16 moved by 8, cells of 8, 9 orientations: Dalal and Triggs' layout.
_HOG = ((_HOG_SIDE, _HOG_SIDE), (16, 16), (8, 8), (8, 8), 9)


def _grey(crops: np.ndarray, input_size: int, flip: bool) -> np.ndarray:
    """(N, s, s) float32 grey centre crops, mirrored when ``flip``."""
    x = centre_crop(np.asarray(crops), input_size).astype(np.float32)
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


def baseline_features(name: str, input_size: int, pixel_side: int) -> Features:
    if name == "hog":
        return hog_features(input_size)
    if name == "pixels":
        return pixel_features(input_size, pixel_side)
    raise ValueError(f"unknown baseline {name!r}; choose one of {', '.join(BASELINE_FEATURES)}")
