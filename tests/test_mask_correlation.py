"""How an embedding follows the person mask: high when it copies the outline, not otherwise."""

from __future__ import annotations

import numpy as np
import pytest

from poseembed.evaluation.mask_correlation import mask_correlation, mask_overlap, sampled_overlaps
from poseembed.formats.embeddings import Embeddings


def _videos(tmp_path, copy_outline: bool) -> tuple[Embeddings, dict, dict]:
    """Two videos of 30 frames whose masks are boxes of random size; the embedding is the
    mean-free mask (``copy_outline``) or a random unit vector per frame."""
    rng = np.random.default_rng(0)
    emb, poses, masks = Embeddings(), {}, {}
    for v in range(2):
        frames = np.arange(30) * 2
        m = np.zeros((30, 24, 24), np.uint8)
        for k, (h, w) in enumerate(rng.integers(4, 20, (30, 2))):
            m[k, 2 : 2 + h, 2 : 2 + w] = 255
        flat = m.reshape(30, -1).astype(np.float64)
        e = flat - flat.mean(1, keepdims=True) if copy_outline else rng.normal(size=(30, 16))
        key = ("c", f"v{v}")
        emb.videos[key] = (frames, e / np.linalg.norm(e, axis=1, keepdims=True))
        poses[key] = (frames, np.zeros((30, 16, 2)), np.ones((30, 16), np.uint8))
        np.save(tmp_path / f"v{v}.npy", m)
        masks[key] = tmp_path / f"v{v}.npy"
    return emb, poses, masks


def test_overlap_is_intersection_over_union():
    a = np.zeros((3, 4, 4), np.uint8)
    a[0, :2] = a[1, :] = 255
    o = mask_overlap(a)
    assert o[0, 1] == pytest.approx(0.5) and o[0, 0] == 1 and o[0, 2] == 0


def test_an_embedding_of_the_outline_follows_the_mask_and_a_random_one_does_not(tmp_path):
    def rho(copy_outline: bool) -> dict[str, float]:
        emb, poses, masks = _videos(tmp_path, copy_outline)
        return mask_correlation(emb, sampled_overlaps(emb, poses, masks, 20, 0, input_size=24))

    copied, random = rho(True), rho(False)
    # Measured 0.95 and -0.05.
    assert copied["within_video_mask_rho"] > 0.9
    assert abs(random["within_video_mask_rho"]) < 0.1


def test_masks_that_do_not_match_the_embeddings_are_named(tmp_path):
    emb, poses, masks = _videos(tmp_path, True)
    np.save(tmp_path / "v1.npy", np.zeros((29, 24, 24), np.uint8))
    with pytest.raises(ValueError, match="v1.npy: 29 masks for 30"):
        sampled_overlaps(emb, poses, masks, 20, 0, input_size=24)
