"""Repetition counting: exact on periodic sequences with known cycles, measured against
annotations, and on the real QUVA clips."""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np
import pandas as pd
import pytest

from poseembed.config import schema_defaults, strict_settings
from poseembed.counting import (
    CountSettings,
    _run_cycles,
    count_repetitions,
    count_videos,
    parse_frame_list,
)
from poseembed.evaluation.counting import (
    count_measures,
    cycle_periods,
    cycle_positions,
    cycle_similarity,
    lag_profile,
    period_measures,
    summarise_counts,
    synthetic_cycle_ends,
    synthetic_cycle_periods,
    synthetic_cycle_positions,
    synthetic_periods,
)
from poseembed.formats.cycles import read_cycles
from poseembed.formats.video import read_video
from tests.conftest import realdata

SETTINGS = strict_settings(CountSettings, schema_defaults("counting"), "counting")


DIM = 128  # the default model's embedding


def harmonics(phase: np.ndarray, count: int) -> np.ndarray:
    """(N, 2 * count): the cosines, then the sines, of the first ``count`` harmonics."""
    angle = 2 * np.pi * phase[:, None] * np.arange(1, count + 1)
    return np.c_[np.cos(angle), np.sin(angle)]


def embed_phase(
    phase: np.ndarray, seed: int = 0, noise: float = 0.05, weights: tuple[float, ...] = (1, 1, 1)
) -> np.ndarray:
    """Embeddings of poses that depend on the phase alone (a harmonic per weight, each weighted
    over a random array of directions), with a shared offset (the scene) and noise."""
    rng = np.random.default_rng(seed)
    weighted = harmonics(phase, len(weights)) * np.r_[weights, weights]
    offset = 3 * rng.normal(size=DIM)
    return (
        weighted @ rng.normal(size=(2 * len(weights), DIM))
        + offset
        + noise * rng.normal(size=(len(phase), DIM))
    )


def cycles(*parts: tuple[int, float]) -> np.ndarray:
    """The phase of consecutive parts: (frames, period) moves, (frames, 0) holds the pose."""
    phase, now = [], 0.0
    for frames, period in parts:
        step = 1 / period if period else 0.0
        phase.append(now + step * np.arange(frames))
        now += step * frames
    return np.concatenate(phase)


@pytest.mark.parametrize(
    ("parts", "count", "period"),
    [
        (((120, 20),), 6, 20),
        # A tempo change: five slow cycles, then six twice as fast.
        (((120, 24), (72, 12)), 11, 24),
        # A pause of two periods, held at the pose where a cycle starts.
        (((60, 20), (40, 0), (60, 20)), 6, 20),
        # Standing still, then moving; moving, then standing still.
        (((30, 0), (60, 15)), 4, 15),
        (((60, 15), (30, 0)), 4, 15),
    ],
    ids=["steady", "tempo_change", "pause", "still_then_moving", "moving_then_still"],
)
def test_the_count_and_period_of_known_cycles_are_exact(parts, count, period):
    found = count_repetitions(embed_phase(cycles(*parts)), SETTINGS)
    assert found.count == count
    assert found.median_period == period
    assert len(found.starts) == len(found.ends) == count
    assert (found.ends >= found.starts).all() and (found.starts[1:] > found.ends[:-1]).all()


def test_a_slow_turn_inside_each_cycle_is_part_of_its_period_not_a_pause():
    # Each 24-frame cycle: 18 frames of motion, then 6 held at its top (a quarter period).
    phase = cycles(*[(18, 18), (6, 0)] * 6)
    found = count_repetitions(embed_phase(phase), SETTINGS)
    assert (found.count, found.median_period) == (6, 24)
    assert count_repetitions(embed_phase(phase), replace(SETTINGS, min_pause=0.0)).count < 6
    # Held as briefly before the motion and after it, the pose adds nothing.
    # (At min_pause 1 only their place makes them pauses: they last less than half a period.)
    edges = cycles((10, 0), *[(18, 18), (6, 0)] * 5, (18, 18), (10, 0))
    assert count_repetitions(embed_phase(edges), replace(SETTINGS, min_pause=1.0)).count == 6


@pytest.mark.parametrize("seed", range(4))
def test_a_video_held_still_for_most_of_its_frames_counts_its_motion_alone(seed):
    # 120 of 200 frames held: the median change is the still frames' noise, and measured
    # against it they had counted as motion (5 or 6 cycles).
    found = count_repetitions(embed_phase(cycles((60, 0), (80, 20), (60, 0)), seed), SETTINGS)
    assert (found.count, found.median_period) == (4, 20)


def embed_mirror_phase(phase: np.ndarray, odd: float) -> np.ndarray:
    """A stride's embeddings: poses half a cycle apart (the other leg forward) alike but for
    the odd harmonics, of weight ``odd`` beside the even ones' 1."""
    return embed_phase(phase, weights=(odd, 1, odd, 1))


def test_the_octave_test_counts_a_stride_whose_mirror_half_looks_alike_once():
    phase = cycles((160, 32))
    mirror = embed_mirror_phase(phase, odd=0.15)
    assert count_repetitions(mirror, replace(SETTINGS, octave_components=None)).count == 10
    found = count_repetitions(mirror, SETTINGS)
    assert found.count == 5
    assert found.median_period == pytest.approx(32, abs=1)
    # A motion that truly repeats every half stride keeps its period.
    assert count_repetitions(embed_mirror_phase(phase, odd=0.0), SETTINGS).count == 10


def two_moves(first: tuple[int, int], second: tuple[int, int], seed: int) -> np.ndarray:
    """(frames, period) of a move whose halves differ, then of a stride whose mirror half looks
    alike (its odd harmonics weak, in directions of their own), in one run."""
    rng = np.random.default_rng(seed)
    phase = cycles(first, second)
    waves = harmonics(phase, 4)
    move = rng.normal(size=(8, DIM))
    stride = move.copy()
    # The odd harmonics' rows: cosines 0 and 2, sines 4 and 6.
    stride[[0, 2, 4, 6]] = 0.15 * rng.normal(size=(4, DIM))
    e = np.where((np.arange(len(phase)) < first[0])[:, None], waves @ move, waves @ stride)
    return e + 3 * rng.normal(size=DIM) + 0.05 * rng.normal(size=e.shape)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize(
    ("first", "second"), [((160, 40), (112, 28)), ((112, 28), (160, 40))], ids=["long", "short"]
)
def test_the_octave_test_asks_each_stretch_of_a_run_for_its_own_octave(first, second, seed):
    # Asked of the whole run, the longer move's answer went to both: the stride counted twice
    # (12) or the other move counted half (6).
    found = count_repetitions(two_moves(first, second, seed), SETTINGS)
    assert found.count == first[0] // first[1] + second[0] // second[1]
    n = first[0]
    assert np.nanmedian(found.period[:n]) == first[1]
    assert np.nanmedian(found.period[n:]) == second[1]


@pytest.mark.parametrize("seed", range(10))
def test_the_octave_test_leaves_a_short_video_s_period_alone(seed):
    # 40 frames: with a direction whitened per frame or two, noise alone doubled it.
    e = embed_phase(cycles((40, 5)), seed=seed)
    assert count_repetitions(e, SETTINGS).count == 8


def test_the_octave_test_does_not_double_a_period_past_the_longest_lag():
    # A stride of 64 frames peaks at 32; its double does not fit in the 60 lags of 120 frames.
    mirror = embed_mirror_phase(cycles((120, 64)), odd=0.15)
    found = count_repetitions(mirror, SETTINGS)
    assert np.nanmax(found.period) <= 0.5 * 120


def test_the_cycles_of_a_steady_motion_start_where_they_start():
    found = count_repetitions(embed_phase(cycles((120, 20))), SETTINGS)
    assert found.starts.tolist() == [0, 20, 40, 60, 80, 100]
    assert found.ends.tolist() == [19, 39, 59, 79, 99, 119]


def test_a_tempo_change_moves_the_boundaries_with_it():
    found = count_repetitions(embed_phase(cycles((120, 24), (72, 12))), SETTINGS)
    truth = np.r_[np.arange(1, 6) * 24, 120 + np.arange(1, 7) * 12] - 1
    assert np.abs(found.ends - truth).max() <= 2


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("kind", ["still", "drift", "wander", "noise"])
def test_no_repetition_gives_no_count(kind, seed):
    rng = np.random.default_rng(seed)
    if kind == "still":
        # Less its mean, a still video is its noise.
        e = embed_phase(np.zeros(200), seed)
    elif kind == "drift":
        # One pass through the poses (a single, slow move): never back where it started.
        e = embed_phase(np.linspace(0, 0.45, 200), seed)
    elif kind == "wander":
        e = np.cumsum(rng.normal(size=(200, DIM)), 0)
    else:
        e = rng.normal(size=(200, DIM))
    found = count_repetitions(e, SETTINGS)
    assert found.count == 0
    assert len(found.starts) == 0


@pytest.mark.parametrize(("frames", "period"), [(120, 90), (120, 75), (200, 150)])
def test_a_move_that_comes_back_once_before_the_longest_lag_is_no_repetition(frames, period):
    # Less than two cycles of one harmonic: the similarity still climbs at the longest lag
    # tried (half the video) and had been taken for a peak there, counting two.
    found = count_repetitions(embed_phase(cycles((frames, period)), weights=(1,)), SETTINGS)
    assert found.count == 0
    # Two whole cycles are counted, their period at the longest lag itself.
    whole = count_repetitions(embed_phase(cycles((120, 60)), weights=(1,)), SETTINGS)
    assert (whole.count, whole.median_period) == (2, 60)


def test_a_period_long_slip_inside_a_motion_is_bridged_not_a_stop():
    # Ten cycles of 20 frames; for one period mid-video the crops slip (large noise), and the
    # local period there doubles or fails. Measured over the four seeds: 10, 10, 9, 10 with the
    # bridge, 8, 8, 9, 8 without.
    errors = {}
    for bridge in (SETTINGS.bridge, 0.0):
        settings = replace(SETTINGS, bridge=bridge)
        errors[bridge] = 0
        for seed in range(4):
            e = embed_phase(cycles((200, 20)), seed)
            e[90:110] += 2.0 * np.random.default_rng(seed + 10).normal(size=(20, DIM))
            errors[bridge] += abs(count_repetitions(e, settings).count - 10)
    assert errors[SETTINGS.bridge] <= 1 < errors[0.0]


def test_a_video_too_short_for_two_cycles_of_the_shortest_period_has_no_count():
    found = count_repetitions(embed_phase(cycles((9, 4))), SETTINGS)
    assert found.count == 0 and np.isnan(found.median_period)


def test_counts_speak_in_source_frames_whatever_the_order_of_the_rows():
    e = embed_phase(cycles((120, 20))).astype(np.float32)
    index = 2 * np.arange(120) + 100
    shuffled = np.random.default_rng(0).permutation(120)
    table, periods = count_videos({("c", "v"): (index[shuffled], e[shuffled])}, SETTINGS)
    row = table.iloc[0]
    assert row["count"] == 6 and row["period"] == 40.0 and row["periodic_share"] == 1.0
    assert parse_frame_list(row["starts"]).tolist() == list(range(100, 340, 40))
    # A cycle ends on the source frame before the next one starts, not on the last row before
    # it (frames 139, not 138: the rows are two frames apart); the last on the last row.
    assert parse_frame_list(row["ends"]).tolist() == [139, 179, 219, 259, 299, 338]
    assert periods["frame"].tolist() == index.tolist()
    assert (periods["period"] == 40.0).all()


def test_measures_of_a_count_are_the_hand_counted_ones():
    truth = np.array([19, 39, 59, 79])
    # One boundary 3 frames off (within 0.2 of a 20-frame cycle), one 6 off, one missing.
    m = count_measures(truth, 3, np.array([22, 45, 79]), 0.2)
    assert (m["true_count"], m["count"], m["abs_error"]) == (4, 3, 1)
    assert m["boundary_recall"] == 0.5
    assert m["boundary_precision"] == pytest.approx(2 / 3)
    # 60 cycle frames, 50 found periodic: 20 at half the period, 25 at it, 5 at double.
    length = np.r_[np.full(60, 20.0), np.full(20, np.nan)]
    period = np.r_[np.full(10, np.nan), np.full(20, 10.0), np.full(25, 21.0), np.full(25, 40.0)]
    m |= period_measures(length, period)
    assert (m["cycle_frames"], m["periodic_frames"]) == (60, 50)
    # A lone annotated cycle (frames 0-49) reaches a fifth of its 50 frames, not every end.
    lone = count_measures(np.array([49]), 3, np.array([5, 58, 200]), 0.2)
    assert (lone["boundary_recall"], lone["boundary_precision"]) == (1.0, pytest.approx(1 / 3))
    assert count_measures(np.array([49]), 1, np.array([60]), 0.2)["boundary_recall"] == 0.0
    # Two detected ends beside one annotated end: one pair, the other end is wrong.
    twice = count_measures(np.array([19, 39]), 3, np.array([18, 20, 39]), 0.2)
    assert (twice["boundary_recall"], twice["boundary_precision"]) == (1.0, pytest.approx(2 / 3))
    # The most pairs: 10 with 16 and 20 with 25, though 20 lies nearer 16 than 10 does.
    crossed = count_measures(np.array([10, 20]), 2, np.array([16, 25]), 0.6)
    assert (crossed["boundary_recall"], crossed["boundary_precision"]) == (1.0, 1.0)
    # With one frame in 10 embedded, ends lie on one frame in 10: an annotated end 5 frames
    # from the nearest (beyond a fifth of a 20-frame cycle) is as near as a count can come.
    coarse = (np.array([24, 44, 64]), 3, np.array([29, 49, 69]), 0.2)
    assert count_measures(*coarse)["boundary_recall"] == 0.0
    assert count_measures(*coarse, step=10)["boundary_recall"] == 1.0
    m |= {"cycle_pairs": 30, "cycle_similarity": 0.8, "half_cycle_similarity": 0.2}
    none = count_measures(np.zeros(0, np.int64), 2, np.array([10, 20]), 0.2)
    none |= period_measures(np.full(30, np.nan), np.full(30, 12.0))
    none |= {"cycle_pairs": 0, "cycle_similarity": np.nan, "half_cycle_similarity": np.nan}
    s = summarise_counts(pd.DataFrame([m, none]))
    assert (s["cycle_similarity"], s["half_cycle_similarity"]) == (0.8, 0.2)
    # Pooled over frames: 30 frames at 0.8 and 10 at 0.4 give 0.7, not the videos' mean 0.6.
    other = m | {"cycle_pairs": 10, "cycle_similarity": 0.4, "half_cycle_similarity": 0.6}
    pooled = summarise_counts(pd.DataFrame([m, other, none]))
    assert pooled["cycle_similarity"] == pytest.approx(0.7)
    assert pooled["half_cycle_similarity"] == pytest.approx(0.3)
    assert s["periodic"] == pytest.approx(50 / 60)
    assert (s["period_half"], s["period_right"], s["period_double"]) == (0.4, 0.5, 0.1)
    assert s["videos"] == 1 and s["count_mae"] == 0.25 and s["count_obo"] == 1.0
    assert s["over_counts"] == 0.0
    assert s["boundary_recall"] == 0.5 and s["boundary_precision"] == pytest.approx(2 / 3)
    assert s["videos_without"] == 1 and s["false_counts"] == 1.0


def test_synthetic_cycle_ends_keep_whole_cycles_of_segments_with_two_or_more():
    frame = np.arange(80)
    # Segment 1: cycles of 10 frames from frame 10 to 44 (the last only half there); segment
    # 3: a single cycle, not a repetition.
    segment = np.select([frame < 10, frame < 45, frame < 60], [0, 1, 2], 3)
    cycle = np.where(segment == 1, (frame - 10) // 10, np.where(segment == 3, 0, -1))
    period = np.where(cycle >= 0, 10.0, np.nan)
    gt = pd.DataFrame({"frame": frame, "segment": segment, "cycle": cycle, "period": period})
    assert synthetic_cycle_ends(gt).tolist() == [19, 29, 39, 44]
    assert synthetic_cycle_ends(gt.iloc[:25]).tolist() == [19, 24]
    assert synthetic_cycle_ends(gt.iloc[:10]).tolist() == []
    assert np.array_equal(synthetic_periods(gt, [5, 10, 70, 99]), [np.nan, 10, 10, np.nan], True)
    # The judged frames: the lone cycle of segment 3 and a cut-off cycle's frames are none.
    judged = synthetic_cycle_periods(gt, [10, 44, 70])
    assert np.array_equal(judged, [10, 10, np.nan], True)
    assert np.isnan(synthetic_cycle_periods(gt.iloc[:24], [15, 22])).all()
    assert synthetic_periods(gt.iloc[:24], [15, 22]).tolist() == [10, 10]


def test_cycle_periods_give_each_annotated_cycle_its_own_length():
    # Cycles end at 29, 49 and 79 (lengths 20, 30); the first is as long as the second.
    frames = np.array([5, 10, 29, 30, 49, 50, 79, 80])
    length = cycle_periods(np.array([29, 49, 79]), frames)
    assert np.array_equal(length, [np.nan, 20, 20, 20, 20, 30, 30, np.nan], equal_nan=True)
    assert np.isnan(cycle_periods(np.zeros(0, np.int64), frames)).all()


def test_cycle_positions_count_cycles_and_phase_within_each_run():
    # Cycles end at 29, 49 and 79 (lengths 20, 20, 30; the first starts at 10).
    frames = np.array([5, 10, 29, 30, 49, 50, 65, 79, 80])
    position, run = cycle_positions(np.array([29, 49, 79]), frames)
    expected = [np.nan, 0, 0.95, 1, 1.95, 2, 2.5, 2 + 29 / 30, np.nan]
    np.testing.assert_allclose(position, expected)
    assert (run == 0).all()
    # The generator's cycles and phases, each segment a run; a lone cycle has no place.
    frame = np.arange(60)
    segment = np.select([frame < 20, frame < 40], [0, 1], 2)
    cycle = np.where(segment == 2, 0, (frame % 20) // 10)
    phase = (frame % 10) / 10
    gt = pd.DataFrame(
        {"frame": frame, "segment": segment, "cycle": cycle, "phase": phase, "period": 10.0}
    )
    position, run = synthetic_cycle_positions(gt, [0, 15, 25, 45])
    np.testing.assert_allclose(position, [0, 1.5, 0.5, np.nan])
    assert run[:3].tolist() == [0, 0, 1]


def test_cycle_similarity_tells_a_carried_cycle_from_a_mirror_half_and_from_none():
    # Six cycles of 20 frames; the frames of the first five have a frame one cycle on.
    frames = np.arange(120)
    place = cycle_positions(np.arange(19, 120, 20), frames)
    phase = cycles((120, 20))
    carried = cycle_similarity(embed_phase(phase), *place)
    assert carried["cycle_pairs"] == 100
    assert carried["cycle_similarity"] > 0.9 > 0 > carried["half_cycle_similarity"]
    # A pose whose mirror half looks alike: the second harmonic dominates.
    mirror = cycle_similarity(embed_phase(phase, weights=(0.1, 1)), *place)
    assert min(mirror["cycle_similarity"], mirror["half_cycle_similarity"]) > 0.9
    # A slow drift through poses whatever the cycle: half a cycle on is the nearer.
    drift = cycle_similarity(embed_phase(np.linspace(0, 0.45, 120)), *place)
    assert drift["cycle_similarity"] < drift["half_cycle_similarity"]
    # Every other frame embedded: the same pairs at half the number.
    coarse = cycle_similarity(
        embed_phase(phase[::2]), *cycle_positions(np.arange(19, 120, 20), frames[::2])
    )
    assert coarse["cycle_pairs"] == 50 and coarse["cycle_similarity"] > 0.9
    # Frames three quarters of a cycle apart stand for neither phase.
    sparse = cycle_similarity(np.eye(3), np.array([0, 0.75, 1.5]), np.zeros(3, np.int64))
    assert sparse["cycle_pairs"] == 0
    none = cycle_similarity(np.eye(3), np.full(3, np.nan), np.zeros(3, np.int64))
    assert none["cycle_pairs"] == 0 and np.isnan(none["cycle_similarity"])


def test_the_lag_profile_comes_back_for_a_learnt_time_scale_and_not_for_poses():
    frames = np.arange(200)
    # Outside its cycles (frames 100-199), one embedding drifts through poses, the other
    # repeats every 20 frames whatever the pose: a time scale.
    drift = embed_phase(np.r_[np.linspace(0, 0.45, 100), cycles((100, 20))])
    clock = embed_phase(np.r_[cycles((100, 20)), cycles((100, 20))])
    cyclic = {"v": frames[100:]}
    falls = lag_profile({"v": (frames, drift)}, cyclic, 40)
    returns = lag_profile({"v": (frames, clock)}, cyclic, 40)
    assert falls[0] == pytest.approx(1) and (np.diff(falls[:30]) < 0.01).all()
    assert returns[20] > returns[10] + 0.5
    shuffled = np.random.default_rng(0).permutation(200)
    again = lag_profile({"v": (frames[shuffled], clock[shuffled])}, cyclic, 40)
    assert np.allclose(again, returns)


def test_a_bad_cycles_file_names_its_line(tmp_path):
    bad = tmp_path / "cycles.csv"
    bad.write_text("video,count,cycle_end_frames\na.mp4,2,10 20\nb.mp4,3,10 20\n")
    with pytest.raises(ValueError, match=r"cycles.csv:3: count 3 but 2"):
        read_cycles(bad)
    bad.write_text("video,cycle_end_frames\na.mp4,20 10\n")
    with pytest.raises(ValueError, match=r"cycles.csv:2: cycle_end_frames must increase"):
        read_cycles(bad)
    bad.write_text("name,ends\na.mp4,10\n")
    with pytest.raises(ValueError, match=r"no column \['cycle_end_frames', 'video'\]"):
        read_cycles(bad)


def test_the_quva_annotations_read():
    cycles_csv = realdata("repetitions", "cycles.csv")
    truth = read_cycles(cycles_csv)
    assert {k: len(v) for k, v in truth.items()} == {
        "quva_013_weights_floor": 7,
        "quva_028_bar_lift": 7,
        "quva_038_monkey_bars": 5,
    }


# Whole-frame grey thumbnails: counts measured on the clips (monkey bars: the athlete moves
# along the bars, the frame does not repeat, and none is counted).
QUVA_PIXEL_COUNTS = {"quva_013_weights_floor": 7, "quva_028_bar_lift": 7, "quva_038_monkey_bars": 0}


@pytest.mark.parametrize("video", sorted(QUVA_PIXEL_COUNTS))
def test_quva_clips_count_from_whole_frame_thumbnails(video):
    truth = read_cycles(realdata("repetitions", "cycles.csv"))[video]
    frames, _ = read_video(realdata("repetitions", f"{video}.mp4"), 25.0)
    grey = np.stack(
        [
            cv2.resize(cv2.cvtColor(f, cv2.COLOR_BGR2GRAY), (16, 16), interpolation=cv2.INTER_AREA)
            for f in frames
        ]
    ).reshape(len(frames), -1)
    found = count_repetitions(grey.astype(np.float32), SETTINGS)
    assert found.count == QUVA_PIXEL_COUNTS[video]
    # Measured: frames one cycle apart alike (0.86, 0.64) and half a cycle apart not, where the
    # cycles are counted; in the monkey bars one cycle apart no more alike than any two
    # frames (-0.03), less than half a cycle apart (0.26): no cycle for a counter to find.
    place = cycle_positions(truth, np.arange(len(frames)))
    carried = cycle_similarity(grey, *place)
    gap = carried["cycle_similarity"] - carried["half_cycle_similarity"]
    assert gap > 0.5 if found.count else gap < 0
    if found.count:
        # Measured: every annotated cycle end has a detected one within 0.2 of its cycle.
        m = count_measures(truth, found.count, found.ends, 0.2)
        assert m["boundary_recall"] >= 6 / 7


def test_a_tempo_that_quickens_past_the_start_before_keeps_the_starts_in_order():
    # Period 20 up to frame 21, then 2: the second cycle's start may move up to 5 frames
    # (a quarter of its period), past where the third one's window of 1 frame ends.
    rate = np.r_[np.full(21, 1 / 20), np.full(39, 1 / 2)]
    s = np.zeros((60, 60))
    s[0, 24] = 1.0
    starts, ends = _run_cycles(s, rate, 0, 60)
    assert starts[1] == 24 and (np.diff(starts) > 0).all() and starts[-1] < 60
    assert len(ends) == len(starts)
