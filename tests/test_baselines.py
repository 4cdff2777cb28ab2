"""The baselines' features: unit rows, mirroring, and what each one sees."""

from __future__ import annotations

import numpy as np
import pytest

from poseembed.baselines import baseline_features


def crops(n: int = 5, side: int = 84, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (n, side, side, 3), np.uint8)


@pytest.mark.parametrize("name", ["hog", "pixels"])
def test_rows_are_unit_and_mirroring_is_a_flip_of_the_input(name):
    f = baseline_features(name, 64, 16)
    x = crops()
    a = f(x, False)
    assert a.shape[0] == 5 and a.dtype == np.float32
    assert np.allclose(np.linalg.norm(a, axis=1), 1, atol=1e-5)
    np.testing.assert_allclose(f(x, True), f(np.ascontiguousarray(x[:, :, ::-1]), False), atol=1e-5)
    assert f(x[:0], False).shape == (0, a.shape[1])


def test_pixels_ignore_an_intensity_change_and_hog_sees_orientation():
    x = crops(2)
    pixels, hog = baseline_features("pixels", 64, 16), baseline_features("hog", 64, 16)
    dimmer = (x * 0.5 + 60).astype(np.uint8)
    np.testing.assert_allclose(pixels(dimmer, False), pixels(x, False), atol=0.02)
    line = np.zeros((3, 84, 84, 3), np.uint8)
    for k, shift in enumerate((0, 2)):
        idx = np.arange(10, 74)
        line[k, idx, np.clip(idx + shift, 0, 83)] = 255
    line[2] = line[0, :, ::-1]
    h = hog(line, False)
    assert h[0] @ h[1] > 0.8, "a slightly shifted line looks alike"
    assert h[0] @ h[2] < 0.5, "the mirrored diagonal does not"
