"""The pair samplers: ranges, balance, membership in the stage, determinism."""

from __future__ import annotations

import numpy as np
import pytest

from poseembed.config import schema_defaults
from poseembed.tasks.spatial import NEIGHBOURS, sample_spatial_patches
from poseembed.tasks.temporal import (
    TemporalRanges,
    negative_pairs,
    removed_negatives,
    sample_temporal_pairs,
    short_videos,
)

TRAINING = schema_defaults("training")
CONFIGURED = TemporalRanges(TRAINING["tau_pos"], tuple(TRAINING["tau_neg"]))


def _stage(rng):
    """Three videos; the stage keeps a random 60 % of their frames."""
    lengths = [80, 50, 120]
    video = np.concatenate([np.full(n, i) for i, n in enumerate(lengths)])
    frame = np.concatenate([np.arange(n) for n in lengths])
    keep = rng.random(len(video)) < 0.6
    return video[keep], frame[keep]


@pytest.mark.parametrize(
    "ranges", [CONFIGURED, TemporalRanges(3, (8, 16)), TemporalRanges(4, (10, 18))]
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
    a = sample_temporal_pairs(video, frame, 64, CONFIGURED, np.random.default_rng(5))
    b = sample_temporal_pairs(video, frame, 64, CONFIGURED, np.random.default_rng(5))
    assert np.array_equal(a.anchor, b.anchor) and np.array_equal(a.other, b.other)


def test_impossible_ranges_are_reported():
    video, frame = np.zeros(10, int), np.arange(10)
    with pytest.raises(ValueError, match="too few frame pairs"):
        sample_temporal_pairs(
            video, frame, 8, TemporalRanges(4, (12, 16)), np.random.default_rng(0)
        )
    with pytest.raises(ValueError, match="tau_pos"):
        TemporalRanges(8, (6, 12))


def _periodic():
    """Two videos with a pose repeating every 10 frames, mined as groups by phase; the second
    video's frames 0-9 unmined."""
    video = np.repeat([0, 1], 40)
    frame = np.tile(np.arange(40), 2)
    group = np.where((video == 1) & (frame < 10), -1, video * 10 + frame % 10)
    return video, frame, group


def _unordered(a, b, frame):
    swap = frame[a] > frame[b]
    return set(zip(np.where(swap, b, a).tolist(), np.where(swap, a, b).tolist(), strict=True))


def test_negatives_removed_are_exactly_the_mined_pairs_in_the_negative_range():
    video, frame, group = _periodic()
    ranges = TemporalRanges(4, (8, 16))
    removed = _unordered(*removed_negatives(*negative_pairs(video, frame, ranges), group), frame)
    # Inside one group and 8 <= dt <= 16: dt = 10, where both frames are mined.
    assert removed and all(
        abs(frame[a] - frame[b]) == 10 and group[a] == group[b] >= 0 for a, b in removed
    )
    assert len(removed) == 30 + 20
    pairs = sample_temporal_pairs(
        video, frame, 40000, ranges, np.random.default_rng(0), group=group
    )
    neg = pairs.label == 0
    drawn = _unordered(pairs.anchor[neg], pairs.other[neg], frame)
    assert drawn == _unordered(*negative_pairs(video, frame, ranges), frame) - removed


def test_a_share_of_positives_comes_from_the_repetition_groups():
    video, frame, group = _periodic()
    ranges = TemporalRanges(4, (8, 16))
    pairs = sample_temporal_pairs(
        video, frame, 2000, ranges, np.random.default_rng(0), group=group, mined_share=0.5
    )
    pos = pairs.label == 1
    assert pos.sum() == 1000
    a, b = pairs.anchor[pos], pairs.other[pos]
    assert np.all(video[a] == video[b]) and np.all(a != b)
    mined = np.abs(frame[a] - frame[b]) > ranges.tau_pos
    assert mined.sum() == 500 and np.all(group[a][mined] == group[b][mined])
    none = sample_temporal_pairs(
        video, frame, 64, ranges, np.random.default_rng(0), group=np.full(80, -1), mined_share=0.5
    )
    assert np.abs(frame[none.anchor] - frame[none.other])[none.label == 1].max() <= 4


def test_a_share_of_positives_comes_from_pairs_across_videos():
    video, frame = _stage(np.random.default_rng(2))
    first = np.flatnonzero(video == 0)[:10]
    second = np.flatnonzero(video == 2)[:10]
    cross = (np.r_[first, second], np.r_[second, first])
    ranges = CONFIGURED
    pairs = sample_temporal_pairs(
        video, frame, 400, ranges, np.random.default_rng(0), cross=cross, cross_share=0.25
    )
    pos = pairs.label == 1
    across = video[pairs.anchor] != video[pairs.other]
    assert pos.sum() == 200 and across.sum() == 50 and np.all(pos[across])
    known = set(zip(*cross, strict=True))
    drawn = zip(pairs.anchor[across], pairs.other[across], strict=True)
    assert all((a, b) in known for a, b in drawn)
    every = sample_temporal_pairs(
        video, frame, 14, ranges, np.random.default_rng(0), cross=cross, cross_share=1.0
    )
    assert len(every.anchor) == len(every.label) == 14
    assert np.array_equal(video[every.anchor] != video[every.other], every.label == 1)
    # Without cross pairs the draw is the paper's, to the bit.
    plain = sample_temporal_pairs(video, frame, 400, ranges, np.random.default_rng(0))
    off = sample_temporal_pairs(
        video, frame, 400, ranges, np.random.default_rng(0), cross=cross, cross_share=0.0
    )
    assert np.array_equal(plain.anchor, off.anchor) and np.array_equal(plain.label, off.label)


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


def test_pairs_are_anchored_only_in_usable_rows():
    video = np.repeat([0, 1], 40)
    frame = np.tile(np.arange(40), 2)
    ranges = TemporalRanges(4, (8, 16))
    usable = video == 1
    p = sample_temporal_pairs(video, frame, 200, ranges, np.random.default_rng(0), usable=usable)
    assert (video[p.anchor] == 1).all()
    everyone = sample_temporal_pairs(video, frame, 200, ranges, np.random.default_rng(0))
    same = sample_temporal_pairs(
        video, frame, 200, ranges, np.random.default_rng(0), usable=np.ones(80, bool)
    )
    assert np.array_equal(everyone.anchor, same.anchor), "all usable draws as before"
    assert short_videos(np.repeat(["a", "b"], [5, 40]), np.r_[0:5, 0:40], ranges) == ["a"]
