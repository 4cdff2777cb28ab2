"""Frame embeddings: unit rows, mirrored frames, the file layout, and lookups by frame number."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from poseembed.crops import save_crops
from poseembed.embedding import embed_crops, embed_videos, load_model, network_features
from poseembed.formats.embeddings import (
    load_embeddings,
    load_video_embeddings,
    save_embeddings,
)
from poseembed.training import initial_model, save_weights

# Mixed precision is CUDA's: on the CPU amp changes nothing.
CPU = torch.device("cpu")


@pytest.fixture
def network(tmp_path):
    settings = {"trunk": "small", "embedding_dim": 8, "input_size": 32, "background": "keep"}
    save_weights(tmp_path / "w.pt", initial_model("small", 8, seed=0), settings, stage=0)
    return load_model(tmp_path / "w.pt", CPU)


@pytest.fixture
def video(tmp_path):
    crops = np.random.default_rng(0).integers(0, 255, (7, 40, 40, 3), np.uint8)
    save_crops(tmp_path / "v.npy", crops)
    np.savez(tmp_path / "v.npz", index=np.arange(0, 14, 2))
    return crops, str(tmp_path / "v.npy"), str(tmp_path / "v.npz")


def test_rows_are_unit_and_do_not_depend_on_the_batch_size(network, video):
    model, settings = network
    crops, _, _ = video
    a = embed_crops(model, crops, settings["input_size"], 3, CPU, amp=False)
    b = embed_crops(model, crops, settings["input_size"], 100, CPU, amp=False)
    assert a.shape == (7, 8) and np.allclose(np.linalg.norm(a, axis=1), 1, atol=1e-5)
    np.testing.assert_allclose(a, b, atol=1e-5)


def test_rows_are_the_network_on_the_centre_of_each_crop_mirrored_when_asked(network, video):
    model, settings = network
    crops, _, _ = video
    size = settings["input_size"]
    o = (crops.shape[1] - size) // 2
    centre = crops[:, o : o + size, o : o + size]
    for flip, images in ((False, centre), (True, centre[:, :, ::-1])):
        x = torch.from_numpy(images[..., ::-1].copy()).permute(0, 3, 1, 2).float() / 127.5 - 1
        with torch.inference_mode():
            want = model.embed(x).numpy()
        got = embed_crops(model, crops, size, 3, CPU, flip, amp=False)
        np.testing.assert_allclose(got, want, atol=1e-5)


def test_mirrored_frames_and_lookup_by_source_frame_number(network, video, tmp_path):
    model, _ = network
    crops, crops_path, frames_path = video
    emb = embed_videos(
        network_features(model, 32, 4, CPU, False),
        {("c", "v"): (crops_path, frames_path)},
        {("c", "v"): np.array([4])},
    )
    save_embeddings(tmp_path / "e.h5", emb)
    back = load_embeddings(tmp_path / "e.h5")
    mirrored = embed_crops(model, crops[2:3, :, ::-1], 32, 4, CPU, amp=False)
    rows = back.of("c", "v", np.array([4, 4, 12]), np.array([False, True, False]))
    np.testing.assert_allclose(rows[0], emb.videos[("c", "v")][1][2], atol=1e-6)
    np.testing.assert_allclose(rows[1], mirrored[0], atol=1e-5)
    assert not np.allclose(rows[0], rows[1])
    with pytest.raises(KeyError, match=r"frames \[5\]"):
        back.of("c", "v", np.array([5]), np.array([False]))
    index, rows = load_video_embeddings(tmp_path / "e.h5", "c", "v")
    assert np.array_equal(index, emb.videos[("c", "v")][0])
    assert np.array_equal(rows, emb.videos[("c", "v")][1])
    with pytest.raises(KeyError, match=r"no embeddings of c/w"):
        load_video_embeddings(tmp_path / "e.h5", "c", "w")


def test_labelled_frames_outside_the_extracted_ones_are_named(network, video):
    model, _ = network
    _, crops_path, frames_path = video
    with pytest.raises(ValueError, match=r"frames\.step"):
        embed_videos(
            network_features(model, 32, 4, CPU, False),
            {("c", "v"): (crops_path, frames_path)},
            {("c", "v"): np.array([3])},
        )


def test_embeddings_of_some_frames_only(network, video):
    model, _ = network
    _, crops_path, frames_path = video
    features = network_features(model, 32, 4, CPU, False)
    videos = {("c", "v"): (crops_path, frames_path), ("c", "w"): (crops_path, frames_path)}
    every = embed_videos(features, videos, {("c", "v"): np.array([4])})
    some = embed_videos(
        features, videos, {("c", "v"): np.array([4])}, only={("c", "v"): np.array([2, 12])}
    )
    assert list(some.videos) == [("c", "v")]
    index, rows = some.videos[("c", "v")]
    assert index.tolist() == [2, 12]
    np.testing.assert_allclose(rows, every.videos[("c", "v")][1][[1, 6]], atol=1e-6)
    np.testing.assert_allclose(some.flipped[("c", "v")][1], every.flipped[("c", "v")][1])
    with pytest.raises(ValueError, match=r"frames\.step"):
        embed_videos(features, videos, {}, only={("c", "v"): np.array([3])})
