"""The change the camera's motion leaves: on what moves unlike the camera, not on a panned
texture-less wall, and the boxes and shares that hold it."""

from __future__ import annotations

import numpy as np

from poseembed.flow.change_energy import (
    SCALE,
    accumulate,
    change_energy,
    held_share,
    mass_boxes,
)
from poseembed.flow.motion_boxes import box_iou
from tests.conftest import MOTION_BOXES

H, W, N = 96, 128, 12


def panned_scene(square: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Frames (N, H, W, 3) of a textured background panned 2 px a frame to the left, with a
    flat grey wall on its right half, and (``square``) a textured square that moves down 3 px a
    frame against it; the camera motion (N - 1, 2) and the square's boxes (N, 4)."""
    rng = np.random.default_rng(0)
    background = rng.integers(0, 255, (H, W + 2 * N), np.uint8)
    background[:, W // 2 :] = 128
    patch = rng.integers(0, 255, (20, 20), np.uint8)
    frames, boxes = [], []
    for t in range(N):
        image = background[:, 2 * t : 2 * t + W].copy()
        y = 20 + 3 * t
        if square:
            image[y : y + 20, 30:50] = patch
        frames.append(np.repeat(image[..., None], 3, -1))
        boxes.append([30.0, y, 49, y + 19])
    return np.stack(frames), np.tile([-2.0, 0.0], (N - 1, 1)), np.array(boxes)


def test_the_change_lies_on_what_moves_unlike_the_camera():
    frames, camera, square = panned_scene()
    energy = change_energy(frames, camera, 4.0, 3.0)
    assert energy.shape == (N - 1, H // SCALE, W // SCALE)
    acc = accumulate(energy, 3, MOTION_BOXES.border)
    # The square and the strip it uncovers hold nearly all of the change; the panned texture
    # and the panned wall next to none.
    around = square[:-1] + np.array([-4, -4, 4, 7])
    held = np.array([held_share(a, b[None]) for a, b in zip(acc, around, strict=True)])
    assert held.min() > 0.9
    boxes = mass_boxes(acc, 0.02, 0.002)
    assert box_iou(boxes, square[:-1]).mean() > 0.5


def test_nothing_changes_under_a_pan_of_a_still_scene():
    frames, camera, _ = panned_scene(square=False)
    energy = change_energy(frames, camera, 4.0, 3.0)
    assert not energy.any()
    assert np.isnan(mass_boxes(accumulate(energy, 3, 0.05), 0.02, 0.002)).all()


def test_held_share_is_the_share_of_the_change_inside_each_box():
    acc = np.zeros((10, 20), np.float32)
    acc[2:6, 4:8] = 1.0
    boxes = SCALE * np.array([[4.0, 2, 8, 6], [4, 2, 12, 6], [12, 0, 20, 10]]) - [0, 0, 1, 1]
    assert held_share(acc, boxes).tolist() == [1.0, 1.0, 0.0]
    assert held_share(np.zeros((10, 20)), boxes).tolist() == [0.0, 0.0, 0.0]
    # A box's last pixel on a cell's first pixel takes that cell; one short of it does not.
    column = np.zeros((10, 20), np.float32)
    column[:, 8] = 1.0
    edges = np.array([[0.0, 0, 32, 39], [0, 0, 31, 39], [32, 0, 35, 39], [36, 0, 79, 39]])
    assert held_share(column, edges).tolist() == [1.0, 0.0, 1.0, 0.0]


def test_frames_whose_size_is_no_multiple_of_the_cell_keep_cells_aligned():
    frames = np.zeros((2, 2 * SCALE + 3, 3 * SCALE + 2, 3), np.uint8)
    frames[1, SCALE : 2 * SCALE, 2 * SCALE : 3 * SCALE] = 255
    energy = change_energy(frames, np.zeros((1, 2)), 4.0, 3.0)
    assert energy.shape == (1, 2, 3)
    assert np.argmax(energy[0]) == np.ravel_multi_index((1, 2), (2, 3))
    box = mass_boxes(energy, 0.05, 0.0)[0]
    assert box[0] >= 1 * SCALE and box[2] <= 3 * SCALE - 1
