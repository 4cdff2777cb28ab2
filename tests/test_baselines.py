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
    # Measured 0.88 and 0.00: the two diagonals' gradients fall in disjoint orientation bins.
    assert h[0] @ h[1] > 0.8, "a slightly shifted line looks alike"
    assert h[0] @ h[2] < 0.05, "the mirrored diagonal does not"


@pytest.fixture(scope="module")
def alexnet_weights(tmp_path_factory) -> str:
    """A state dict in the layout of torchvision's ImageNet AlexNet (random values)."""
    import torch
    from torchvision.models import alexnet

    path = tmp_path_factory.mktemp("alexnet") / "alexnet.pth"
    torch.manual_seed(0)
    torch.save(alexnet(weights=None).state_dict(), path)
    return str(path)


@pytest.mark.parametrize("layer,width", [("pool5", 9216), ("fc7", 4096)])
def test_imagenet_alexnet_from_a_local_file_gives_unit_rows_of_its_layer(
    alexnet_weights, layer, width
):
    import torch

    from poseembed.baselines import imagenet_alexnet, network_baseline_features

    f = network_baseline_features(
        imagenet_alexnet(alexnet_weights, layer), 64, 4, torch.device("cpu")
    )
    x = crops(3)
    a = f(x, False)
    assert a.shape == (3, width) and np.allclose(np.linalg.norm(a, axis=1), 1, atol=1e-5)
    np.testing.assert_allclose(f(x, True), f(np.ascontiguousarray(x[:, :, ::-1]), False), atol=1e-5)
    assert f(x[:0], False).shape == (0, width)


def test_a_wrong_alexnet_file_names_the_key_and_the_file(tmp_path):
    import torch

    from poseembed.baselines import imagenet_alexnet

    (tmp_path / "junk.pth").write_bytes(b"junk")
    with pytest.raises(ValueError, match=r"imagenet_alexnet_weights: .*junk.pth cannot be read"):
        imagenet_alexnet(tmp_path / "junk.pth", "fc7")
    torch.save({"conv.weight": torch.zeros(1)}, tmp_path / "other.pth")
    with pytest.raises(ValueError, match=r"other.pth is not a torchvision AlexNet"):
        imagenet_alexnet(tmp_path / "other.pth", "fc7")


def test_the_silhouette_sees_the_mask_and_not_the_person(tmp_path):
    import torch

    from poseembed.features import FeatureSettings, model_features
    from poseembed.person_masks import model_inputs

    x = crops(3)
    masks = np.zeros((3, 84, 84), np.uint8)
    masks[:, 20:70, 30:55] = 255
    masks[2, 20:45, 55:75] = 255  # an arm out: another outline
    np.save(tmp_path / "masks.npy", masks)
    settings = FeatureSettings(64, None, None, 16, None)
    f = model_features("silhouette", None, settings, torch.device("cpu"), masked=True)
    seen = f(model_inputs(x, tmp_path / "masks.npy", "crops.npy", masks_alone=True), False)
    assert np.allclose(np.linalg.norm(seen, axis=1), 1, atol=1e-5)
    # Other pixels inside the same outline: the same row; another outline: another row.
    assert seen[0] @ seen[1] > 0.999
    assert seen[0] @ seen[2] < 0.95
    with pytest.raises(ValueError, match="person masks alone"):
        model_features("silhouette", None, settings, torch.device("cpu"), masked=False)
    with pytest.raises(ValueError, match="crops as they are"):
        model_features("hog", None, settings, torch.device("cpu"), masked=True)


def test_only_a_feature_baseline_sees_the_masks_alone():
    from poseembed.baselines import BASELINES

    for b in BASELINES.values():
        assert b.sees in ("crops", "masks"), b.name
        assert b.sees == "crops" or b.kind == "features", b.name
