"""The pair samplers: ranges, balance, membership in the stage, determinism."""

from __future__ import annotations

import numpy as np
import pytest

from poseembed.tasks.spatial import NEIGHBOURS, sample_spatial_patches
from poseembed.tasks.temporal import TemporalRanges, sample_temporal_pairs


def _stage(rng):
    """Three videos; the stage keeps a random 60 % of their frames."""
    lengths = [80, 50, 120]
    video = np.concatenate([np.full(n, i) for i, n in enumerate(lengths)])
    frame = np.concatenate([np.arange(n) for n in lengths])
    keep = rng.random(len(video)) < 0.6
    return video[keep], frame[keep]


@pytest.mark.parametrize(
    "ranges", [TemporalRanges(), TemporalRanges(3, (8, 16)), TemporalRanges(4, (10, 18))]
)
def test_temporal_pairs_respect_ranges_balance_and_the_stage(ranges):
    rng = np.random.default_rng(0)
    video, frame = _stage(rng)
    pairs = sample_temporal_pairs(video, frame, 1001, ranges, rng)
    assert len(pairs.label) == 1001 and pairs.label.sum() == 500
    assert np.all(video[pairs.anchor] == video[pairs.other])
    dt = np.abs(frame[pairs.anchor] - frame[pairs.other])
    pos = pairs.label == 1
    assert dt[pos].min() >= 1 and dt[pos].max() <= ranges.tau_pos
    assert dt[~pos].min() >= ranges.tau_neg[0] and dt[~pos].max() <= ranges.tau_neg[1]
    # Both offsets' signs and the whole ranges are used.
    assert set(np.unique(dt[pos])) == set(range(1, ranges.tau_pos + 1))
    assert (frame[pairs.other] > frame[pairs.anchor]).mean() == pytest.approx(0.5, abs=0.08)


def test_temporal_sampling_is_seeded():
    video, frame = _stage(np.random.default_rng(1))
    a = sample_temporal_pairs(video, frame, 64, TemporalRanges(), np.random.default_rng(5))
    b = sample_temporal_pairs(video, frame, 64, TemporalRanges(), np.random.default_rng(5))
    assert np.array_equal(a.anchor, b.anchor) and np.array_equal(a.other, b.other)


def test_impossible_ranges_are_reported():
    video, frame = np.zeros(10, int), np.arange(10)
    with pytest.raises(ValueError, match="too few frame pairs"):
        sample_temporal_pairs(
            video, frame, 8, TemporalRanges(4, (12, 16)), np.random.default_rng(0)
        )
    with pytest.raises(ValueError, match="tau_pos"):
        TemporalRanges(8, (6, 12))


def test_spatial_patches_lie_on_the_grid_inside_the_crop():
    rng = np.random.default_rng(0)
    p = sample_spatial_patches(4000, crop_side=83, input_size=64, rng=rng)
    assert np.all(p.centre >= 0) and np.all(p.centre + p.side <= 83)
    assert np.all(p.neighbour >= 0) and np.all(p.neighbour + p.side <= 83)
    assert np.bincount(p.label, minlength=8).min() > 400
    # The neighbour's offset from the centre points the way its label says.
    d = p.neighbour - p.centre
    expected = NEIGHBOURS[p.label][:, ::-1] - 1
    assert np.array_equal(np.sign(np.round(d / (64 / 3))), expected)
    assert np.all(np.abs(d[expected == 0]) < 64 / 3 * 0.35)
