"""The curriculum: equal-size stages by descending ratio, used cumulatively."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from poseembed.curriculum import (
    assign_stages,
    build_samples,
    heldout_videos,
    load_samples,
    samples_of_stage,
    save_samples,
    split_stage,
)
from poseembed.plots.curriculum_histogram import curriculum_histogram


def test_stages_are_quantiles_of_descending_ratio():
    ratio = np.random.default_rng(0).random(700)
    stages = assign_stages(ratio, 7)
    assert np.bincount(stages)[1:].tolist() == [100] * 7
    # Every sample of an easier stage has a higher ratio than every sample of a harder one.
    for k in range(1, 7):
        assert ratio[stages == k].min() > ratio[stages == k + 1].max()
    assert np.all(assign_stages(ratio, 1) == 1)
    with pytest.raises(ValueError, match="curriculum.stages"):
        assign_stages(ratio, 0)


def test_uneven_counts_differ_by_at_most_one():
    counts = np.bincount(assign_stages(np.arange(23.0), 7))[1:]
    assert counts.sum() == 23 and counts.max() - counts.min() <= 1


def test_stages_are_cumulative_and_the_table_round_trips(tmp_path):
    rng = np.random.default_rng(1)
    videos = [("vault", f"vault_{i:03d}", rng.random(30 + i)) for i in range(4)]
    videos.append(("snatch", "snatch_000", rng.random(25)))
    table = build_samples(videos, 5)
    assert len(table) == sum(len(r) for *_, r in videos)
    sizes = [len(samples_of_stage(table, k)) for k in range(1, 6)]
    assert sizes == sorted(sizes) and sizes[-1] == len(table)
    first = samples_of_stage(table, 1)
    assert set(map(tuple, first[["video", "frame"]].to_numpy())) <= set(
        map(tuple, samples_of_stage(table, 2)[["video", "frame"]].to_numpy())
    )
    save_samples(tmp_path / "s.parquet", table)
    back = load_samples(tmp_path / "s.parquet")
    assert back.equals(table)
    curriculum_histogram(table, tmp_path / "h.png")
    assert (tmp_path / "h.png").stat().st_size > 10_000


def _table(videos_per_category: int) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    videos = [
        (c, f"{c}_{i}", rng.random(30)) for c in ("a", "b") for i in range(videos_per_category)
    ]
    return build_samples(videos, 3)


def test_heldout_videos_are_whole_videos_of_every_category():
    table = _table(6)
    held = heldout_videos(table, 0.17)
    assert len(held) == 2 and {h[0] for h in held} == {"a", "b"}
    assert heldout_videos(table, 0.17) == held, "the choice is stable"
    assert heldout_videos(table, 0) == []
    assert len(heldout_videos(_table(1), 0.5)) == 0, "a lone video is never held out"


def test_split_stage_is_cumulative_and_disjoint_from_the_heldout_videos():
    table = _table(6)
    sizes = []
    for stage in (1, 2, 3):
        train, held = split_stage(table, stage, True, 0.17)
        assert set(train["video"]).isdisjoint(held["video"])
        assert train["stage"].max() <= stage
        sizes.append(len(train))
    assert sizes[0] < sizes[1] < sizes[2] == len(table) - len(held)
    everything, _ = split_stage(table, 1, False, 0.17)
    assert len(everything) == sizes[2]
