"""Repetition mining on embedding sequences whose repetitions are known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from poseembed.config import schema_defaults, strict_settings
from poseembed.counting import CountSettings
from poseembed.formats.embeddings import Embeddings
from poseembed.mining import (
    MiningSettings,
    artifact_rows,
    cross_video_pairs,
    cross_video_rows,
    in_rows,
    mine_embeddings,
    mine_pairs,
    repetition_groups,
    whole_periods_apart,
)
from poseembed.plots.repetitions import figure_rows

MINING = schema_defaults("mining")
COUNTING = strict_settings(CountSettings, schema_defaults("counting"), "counting")


def settings(**changes) -> MiningSettings:
    """The configured miner with ``changes``; min_gap, null in the config, is the configured
    tau_neg's maximum, as the workflow resolves it."""
    keys = {"min_gap": schema_defaults("training")["tau_neg"][1]} | {
        k: MINING[k] for k in ("threshold", "window", "centre", "period_tolerance", "tile")
    }
    return MiningSettings(**keys | changes)


def periodic(n: int, period: float, noise: float = 0.02, seed: int = 0) -> np.ndarray:
    """Unit embeddings that go round a circle once per period, in 16 dimensions."""
    rng = np.random.default_rng(seed)
    phase = 2 * np.pi * np.arange(n) / period
    e = np.zeros((n, 16))
    e[:, 0], e[:, 1] = np.cos(phase), np.sin(phase)
    e[:, 2:] = rng.normal(0, noise, (n, 14))
    return e / np.linalg.norm(e, axis=1, keepdims=True)


def test_every_other_frame_mines_what_every_frame_does_at_the_gap_in_frames():
    dense = periodic(200, 24)
    sparse = Embeddings()
    sparse.videos[("c", "v")] = (2 * np.arange(100), dense[::2])
    full = Embeddings()
    full.videos[("c", "v")] = (np.arange(200), dense)
    miner = settings(min_gap=30, window=4, threshold=0.9, period_tolerance=None)
    assert in_rows(miner, 2.0) == settings(
        min_gap=15, window=2, threshold=0.9, period_tolerance=None
    )
    assert in_rows(miner, 5.0).window == 1
    # Two periods, 48 frames (24 rows), are past the gap of 30 frames: found (not 30 rows).
    found = mine_embeddings(sparse, miner)
    gaps = (found["frame"] - found["query"]).abs()
    assert gaps.min() > 30 and (gaps == 48).any()
    assert set(found["query"]) <= set(mine_embeddings(full, miner)["query"])


@pytest.mark.parametrize("tile", [7, 64, 10_000])
def test_a_periodic_sequence_gives_its_true_repetitions_with_precision_one(tile):
    n, period = 200, 25
    pairs = mine_pairs(periodic(n, period), settings(min_gap=16, threshold=0.9, tile=tile))
    dt = (pairs["frame"] - pairs["query"]).abs().to_numpy()
    assert len(pairs) > 0
    assert (dt > 16).all()
    # Correct when the two frames are whole periods apart (within a frame of phase).
    off = np.minimum(dt % period, period - dt % period)
    assert (off <= 1).all(), "precision 1"
    # Every frame finds about one repetition per other cycle it can reach.
    per_query = pairs.groupby("query").size()
    assert per_query.reindex(range(n), fill_value=0).median() >= n // period - 2


def test_the_tiling_does_not_change_the_result():
    e = periodic(300, 31, noise=0.05, seed=2)
    a = mine_pairs(e, settings(min_gap=16, threshold=0.8, tile=13)).sort_values(["query", "frame"])
    b = mine_pairs(e, settings(min_gap=16, threshold=0.8, tile=5000)).sort_values(
        ["query", "frame"]
    )
    # The tiles' products may differ in the last bits; the pairs may not.
    assert np.array_equal(a[["query", "frame"]].to_numpy(), b[["query", "frame"]].to_numpy())
    assert np.allclose(a["similarity"], b["similarity"], atol=1e-5)


def test_a_sequence_without_repetitions_gives_none():
    rng = np.random.default_rng(0)
    e = rng.normal(size=(150, 64))
    e /= np.linalg.norm(e, axis=1, keepdims=True)
    assert len(mine_pairs(e, settings(threshold=0.9))) == 0


def test_groups_join_the_frames_of_one_phase():
    n, period = 100, 25
    pairs = mine_pairs(periodic(n, period, noise=0.0), settings(min_gap=16, threshold=0.95))
    groups = repetition_groups(pairs, n)
    assert groups[0] >= 0 and groups[0] == groups[25] == groups[50] == groups[75]
    assert groups[0] != groups[12]


def _as_video(e: np.ndarray, first: int = 0):
    from poseembed.formats.embeddings import Embeddings

    emb = Embeddings()
    index = np.arange(first, first + len(e))
    shuffled = np.random.default_rng(0).permutation(len(e))
    emb.videos[("cat", "v")] = (index[shuffled], e[shuffled].astype(np.float32))
    return emb


def test_groups_of_a_periodic_video_hold_one_phase():
    from poseembed.mining import row_groups

    n, period = 200, 25
    s = settings(min_gap=16, threshold=0.9)
    # Rows stored out of order and numbered from 100: results speak in source frame numbers.
    reps = mine_embeddings(_as_video(periodic(n, period), first=100), s, COUNTING)
    assert set(reps["video"]) == {"v"} and reps["query"].min() >= 100
    frames = np.arange(100, 100 + n)
    group = row_groups(np.full(n, "v"), frames, reps)
    for g in np.unique(group[group >= 0]):
        # One pose: phases within two frames of each other, round the circle.
        phases = (frames[group == g] - 100) % period
        spread = np.abs(phases[:, None] - phases[None])
        assert np.minimum(spread, period - spread).max() <= 2
    assert (row_groups(np.array(["other"]), np.array([100]), reps) == -1).all()


def test_figure_rows_show_a_query_and_its_repetitions_and_skip_neighbouring_queries():
    pairs = [(5, 25), (5, 45), (25, 45), (6, 26), (6, 46), (60, 80)]
    both = pairs + [(b, a) for a, b in pairs]
    reps = pd.DataFrame(both, columns=["query", "frame"])
    # 5 and 25 and 45 have two partners each; 6 lies beside 5; 26 beside 25.
    assert figure_rows(reps, rows=3, columns=6) == [[5, 25, 45], [60, 80]]
    assert figure_rows(reps, rows=1, columns=2) == [[5, 25]]


def test_cross_video_pairs_are_mutual_nearest_neighbours_of_other_videos():
    rng = np.random.default_rng(0)
    poses = rng.normal(size=(6, 8))
    poses /= np.linalg.norm(poses, axis=1, keepdims=True)
    emb = Embeddings()
    # Video a shows poses 0-5, b shows 0-2 then noise, c (another category) shows 0-5 too.
    noise = rng.normal(size=(3, 8))
    noise /= np.linalg.norm(noise, axis=1, keepdims=True)
    emb.videos[("x", "a")] = (np.arange(6), poses + 0.01 * rng.normal(size=(6, 8)))
    emb.videos[("x", "b")] = (np.arange(10, 16), np.r_[poses[:3], noise])
    emb.videos[("y", "c")] = (np.arange(6), poses)
    pairs = cross_video_pairs(emb, threshold=0.9, tile=4)
    assert set(pairs["category"]) == {"x"}, "one video in y: nothing to pair"
    one_way = pairs[pairs["video"] == "a"]
    assert sorted(zip(one_way["frame"], one_way["other_frame"], strict=True)) == [
        (0, 10), (1, 11), (2, 12)
    ]  # fmt: skip
    assert len(pairs) == 6 and (pairs["similarity"] >= 0.9).all()
    # Source frames 10-15 of b are the rows 0-5 of its artifacts.
    index = {video: i for (_, video), (i, _) in emb.videos.items()}
    rows = artifact_rows(pairs, index, (("video", "frame"), ("other_video", "other_frame")))
    assert sorted(rows.loc[rows["video"] == "b", "frame"]) == [0, 1, 2]
    videos = np.array(["a"] * 6 + ["b"] * 6)
    frames = np.r_[np.arange(6), np.arange(6)]
    keep = ~((videos == "b") & (frames == 1))
    a, b = cross_video_rows(videos[keep], frames[keep], rows)
    assert len(a) == 4, "pairs with a frame outside the rows are left out"
    assert set(zip(videos[keep][a], frames[keep][a], frames[keep][b], strict=True)) == {
        ("a", 0, 0), ("b", 0, 0), ("a", 2, 2), ("b", 2, 2)
    }  # fmt: skip


def test_whole_periods_apart_takes_periodic_frames_whole_periods_apart():
    period = np.r_[np.full(100, 20.0), np.full(20, np.nan), np.full(30, 30.0)]
    query = np.array([0, 0, 0, 0, 0, 0, 50, 60])
    frame = np.array([20, 43, 10, 35, 25, 110, 95, 135])
    # 1 and 2 periods (43: 2.15); half a period; 1.75 and 1.25 periods; a frame not periodic;
    # 2.25 periods; 75 frames, a whole number of the mean period 25, but between a frame of
    # period 20 and one of 30 (two motions).
    expected = [True, True, False, False, False, False, False, False]
    assert whole_periods_apart(query, frame, period, 0.2).tolist() == expected
    assert whole_periods_apart(frame, query, period, 0.2).tolist() == expected


def test_whole_periods_apart_takes_the_prevailing_of_periods_an_octave_apart():
    # One motion of period 40 whose first stretch the counter halved (the mirror pose).
    period = np.r_[np.full(60, 20.0), np.full(140, 40.0)]
    query = np.array([10, 10, 10, 10, 90])
    frame = np.array([130, 110, 170, 150, 150])
    # 120 frames: 3 periods of 40; 100: 5 of the halved period, half a cycle off; 160: 4
    # periods; 140: 7 halved periods; 60: 1.5 periods.
    expected = [True, False, True, False, False]
    assert whole_periods_apart(query, frame, period, 0.2).tolist() == expected
    assert whole_periods_apart(frame, query, period, 0.2).tolist() == expected
    # One motion of period 20 whose last stretch the counter doubled: 140 and 160 frames are 7
    # and 8 periods; 150 is 7.5.
    period = np.r_[np.full(140, 20.0), np.full(60, 40.0)]
    query, frame = np.array([10, 10, 10]), np.array([150, 170, 160])
    assert whole_periods_apart(query, frame, period, 0.2).tolist() == [True, True, False]
    assert whole_periods_apart(frame, query, period, 0.2).tolist() == [True, True, False]
    # Two runs of periodic frames: periods an octave apart may be two motions.
    period[135:140] = np.nan
    assert not whole_periods_apart(query, frame, period, 0.2).any()
    # With a wide tolerance, periods alike are taken at their mean though they pass for an
    # octave too: 48 frames are 2 periods of their mean 24.25 (1.4 of 20 doubled).
    period = np.r_[np.full(50, 20.0), np.full(50, 28.5)]
    assert whole_periods_apart(np.array([10]), np.array([58]), period, 0.45).tolist() == [True]


def _still_then_cycles(seed: int = 0) -> np.ndarray:
    """60 frames of a pose held still (noise only), then 8 cycles of 25 frames."""
    rng = np.random.default_rng(seed)
    moving = periodic(200, 25, seed=seed)
    held = moving[:1] + rng.normal(0, 0.02, (60, moving.shape[1]))
    e = np.r_[held, moving]
    return e / np.linalg.norm(e, axis=1, keepdims=True)


def test_a_pose_held_still_is_no_repetition_when_the_counter_is_asked():
    emb = _as_video(_still_then_cycles())
    alone = mine_embeddings(emb, settings(period_tolerance=None), COUNTING)
    asked = mine_embeddings(emb, settings(), COUNTING)
    # Without the counter, frames of the held pose pair up across the stretch.
    assert ((alone["query"] < 60) & (alone["frame"] < 60)).sum() > 10
    assert len(asked) > 0 and (asked[["query", "frame"]].to_numpy() >= 60).all()
    dt = (asked["frame"] - asked["query"]).abs().to_numpy()
    off = np.minimum(dt % 25, 25 - dt % 25)
    assert (off <= 1).all()
    with pytest.raises(ValueError, match="period_tolerance needs the counter"):
        mine_embeddings(emb, settings())


def test_centred_mining_does_not_see_what_a_videos_frames_share():
    # 100 frames without repetition (random 64-d), then 6 cycles, all sharing a large offset
    # (the scene): raw cosines all rise near 1 and chance peaks pass the threshold. Measured
    # over seeds 0-3: about 1,000 raw pairs touch the first 100 frames, none centred.
    rng = np.random.default_rng(0)
    noise = rng.normal(size=(100, 64))
    noise /= np.linalg.norm(noise, axis=1, keepdims=True)
    moving = np.c_[periodic(150, 25), rng.normal(0, 0.02, (150, 48))]
    e = np.r_[noise, moving] + 0.5 * rng.normal(size=64)
    emb = _as_video(e / np.linalg.norm(e, axis=1, keepdims=True))
    raw = mine_embeddings(emb, settings(centre=False, threshold=0.9, period_tolerance=None))
    centred = mine_embeddings(emb, settings(threshold=0.5, period_tolerance=None))
    assert (raw[["query", "frame"]].to_numpy() < 100).any(1).sum() > 500
    assert len(centred) > 500 and (centred[["query", "frame"]].to_numpy() >= 100).all()
