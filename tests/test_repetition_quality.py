"""Mined repetitions measured against a ground truth of cycles and phases known by hand."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from poseembed.config import schema_defaults, strict_settings
from poseembed.counting import CountSettings
from poseembed.evaluation.repetitions import (
    cycle_neighbours,
    repetition_measures,
    summarise,
    true_period_bound,
    untested_bound,
)
from poseembed.formats.embeddings import Embeddings
from poseembed.mining import MiningSettings, mine_embeddings
from poseembed.tasks.temporal import TemporalRanges


def groundtruth() -> pd.DataFrame:
    """10 still frames, 4 cycles of period 10 (frames 10-49), 10 still frames."""
    frame = np.arange(60)
    periodic = (frame >= 10) & (frame < 50)
    return pd.DataFrame(
        {
            "frame": frame,
            "segment": np.where(frame < 10, 0, np.where(periodic, 1, 2)),
            "cycle": np.where(periodic, (frame - 10) // 10, -1),
            "phase": np.where(periodic, ((frame - 10) % 10) / 10, np.nan),
            "period": np.where(periodic, 10.0, np.nan),
        }
    )


def mined(pairs: list[tuple[int, int]], groups: list[int]) -> pd.DataFrame:
    q, f = np.array(pairs).T
    both = pd.DataFrame({"query": np.r_[q, f], "frame": np.r_[f, q], "group": groups * 2})
    return both.assign(category="c", video="v", similarity=1.0)


def test_a_perfect_and_a_wrong_pair_give_the_hand_counted_measures():
    # Phase 0 in cycles 0 and 2 (frames 10, 30), and a still frame paired with a cycle's frame.
    reps = mined([(10, 30), (0, 42)], [0, 1])
    m = repetition_measures(reps, {"v": groundtruth()}, 0.05, 16, TemporalRanges(4, (8, 16)))
    row = m.iloc[0]
    assert (row["pairs"], row["correct_pairs"]) == (4, 2)
    # Reachable with min_gap 16: cycle pairs 2 or 3 apart, both directions, 10 phases each.
    assert row["repetitions"] == 10 * 2 * (2 + 1)
    assert row["found"] == 2
    # Negatives of range [8, 16] at the same phase: dt = 10 within the periodic segment.
    assert row["false_negatives"] == 30
    assert row["removed"] == 0 and row["false_negatives_removed"] == 0
    s = summarise(m)
    assert s["precision"] == pytest.approx(0.5)
    assert s["wrong_outside_cycles"] == pytest.approx(0.5)


def test_wrong_pairs_are_told_by_why_they_are_wrong():
    # Half a cycle apart (frames 10, 35), another phase (10, 33), one cycle (10, 17), and a
    # frame of the last still segment (42, 55); with a second periodic segment, frames 50-59.
    gt = groundtruth()
    late = gt["frame"] >= 50
    gt.loc[late, ["segment", "cycle", "phase", "period"]] = np.c_[
        np.full(10, 2),
        (gt.loc[late, "frame"] - 50) // 5,
        ((gt.loc[late, "frame"] - 50) % 5) / 5,
        np.full(10, 5.0),
    ]
    reps = mined([(10, 35), (10, 33), (10, 17), (42, 55), (0, 30)], [0, 1, 2, 3, 4])
    m = repetition_measures(reps, {"v": gt}, 0.05, 16, TemporalRanges(4, (8, 16))).iloc[0]
    assert m["correct_pairs"] == 0
    assert (m["half_cycle"], m["other_phase"], m["same_cycle"]) == (2, 2, 2)
    assert (m["other_segment"], m["outside_cycles"]) == (2, 2)


def test_removed_negatives_are_those_inside_a_group():
    # One group of phase 0 across all four cycles: three of its pairs lie at dt = 10.
    reps = mined([(10, 30), (20, 40), (30, 10), (10, 40)], [0, 0, 0, 0])
    m = repetition_measures(reps, {"v": groundtruth()}, 0.05, 16, TemporalRanges(4, (8, 16)))
    assert m.iloc[0]["removed"] == 3 and m.iloc[0]["false_negatives_removed"] == 3


def _embedded(rows: np.ndarray) -> Embeddings:
    emb = Embeddings()
    emb.videos[("c", "v")] = (np.arange(len(rows))[::-1], rows[::-1].astype(np.float32))
    return emb


def test_cycle_neighbours_tell_the_phase_from_its_mirror():
    gt = groundtruth()
    theta = 2 * np.pi * np.nan_to_num(gt["phase"].to_numpy())
    # A still frame sits at the periodic frames' mean, so it does not tilt the centred cosine.
    still = gt["cycle"].to_numpy() < 0
    phase = np.c_[np.cos(theta), np.sin(theta)]
    phase[still] = 0
    right = cycle_neighbours(_embedded(phase), {("c", "v"): gt}, 0.05, 4)
    assert right == {"cycle_match": 1.0, "cycle_mirror": 0.0}
    # Left and right swapped from one cycle to the next: every odd number of cycles away, the
    # frame most alike is the mirror pose (the second harmonic is shared, the first flips).
    flip = np.where(gt["cycle"].to_numpy() % 2 == 0, 1.0, -1.0)[:, None]
    mirrored = np.c_[np.cos(2 * theta), np.sin(2 * theta), 0.5 * flip * phase]
    mirrored[still] = 0
    odd = cycle_neighbours(_embedded(mirrored), {("c", "v"): gt}, 0.05, 4)
    # Four cycles: of the three others of each, two lie an odd number of cycles away.
    assert odd["cycle_mirror"] == pytest.approx(2 / 3)
    assert odd["cycle_match"] == pytest.approx(1 / 3)
    # Nothing far enough in time: nothing to judge.
    far = cycle_neighbours(_embedded(phase), {("c", "v"): gt}, 0.05, 60)
    assert np.isnan(far["cycle_match"]) and np.isnan(far["cycle_mirror"])


def test_the_bounds_show_what_a_half_period_and_the_period_test_cost_the_miner():
    # Eight strides of 20 frames whose mirror half (the first harmonic flipped) looks alike:
    # without the octave test the counter takes 10 frames, and the miner keeps mirror pairs.
    frame = np.arange(160)
    gt = pd.DataFrame(
        {
            "frame": frame,
            "segment": 0,
            "cycle": frame // 20,
            "phase": (frame % 20) / 20,
            "period": 20.0,
        }
    )
    theta = 2 * np.pi * gt["phase"].to_numpy()
    rows = np.c_[np.cos(2 * theta), np.sin(2 * theta), 0.3 * np.cos(theta), 0.3 * np.sin(theta)]
    rows += np.random.default_rng(0).normal(0, 0.01, rows.shape)
    emb = _embedded(rows)
    mining = schema_defaults("mining")
    settings = MiningSettings(
        min_gap=16,
        **{k: mining[k] for k in ("threshold", "window", "centre", "period_tolerance", "tile")},
    )
    counting = strict_settings(
        CountSettings, schema_defaults("counting") | {"octave_components": None}, "counting"
    )
    ranges = TemporalRanges(4, (8, 16))
    counted = summarise(
        repetition_measures(mine_embeddings(emb, settings, counting), {"v": gt}, 0.1, 16, ranges)
    )
    bound = true_period_bound(emb, {"v": gt}, settings, counting, 0.1, ranges)
    assert counted["precision"] < 0.7 and counted["wrong_half_cycle"] > 0.3
    assert bound["true_period_precision"] == 1.0
    assert bound["true_period_recall"] == pytest.approx(counted["recall"])
    # Frames two apart (frames.step 2): the generator's period of 20 frames is 10 rows.
    sparse = Embeddings()
    sparse.videos[("c", "v")] = (2 * np.arange(80), rows[::2].astype(np.float32))
    halved = true_period_bound(sparse, {"v": gt}, settings, counting, 0.1, ranges)
    # With the true periods the period test drops no true pair the similarity peaks found.
    assert halved["true_period_precision"] == 1.0
    # min_gap is in source frames, and only the embedded frames are to be found: every
    # stride's repetitions are found as from the dense frames.
    assert halved["true_period_recall"] == bound["true_period_recall"] == 1.0
    assert halved["true_period_recall"] == pytest.approx(
        untested_bound(sparse, {"v": gt}, settings, 0.1, ranges)["untested_recall"]
    )
    # Without the period test the mirror pairs stay, as with the half period, and no true
    # pair is lost; with the octave test the counter's periods take them out.
    untested = untested_bound(emb, {"v": gt}, settings, 0.1, ranges)
    assert untested == {
        "untested_precision": pytest.approx(counted["precision"]),
        "untested_recall": pytest.approx(counted["recall"]),
    }
    octave = replace(counting, octave_components=schema_defaults("counting")["octave_components"])
    assert (
        summarise(
            repetition_measures(mine_embeddings(emb, settings, octave), {"v": gt}, 0.1, 16, ranges)
        )["precision"]
        > untested["untested_precision"] + 0.3
    )
