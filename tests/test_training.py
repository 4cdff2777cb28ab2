"""Training of a stage: it runs on crop artifacts, writes its metrics, and resumes exactly."""

from __future__ import annotations

import logging
import os
from dataclasses import replace
from itertools import pairwise

import numpy as np
import pandas as pd
import pytest
import torch

from poseembed.crops import person_crops, save_crops
from poseembed.frames import extract_frames
from poseembed.training import StagePaths, default_settings, train_stage
from tests.conftest import CROPS, FRAMES

TINY = default_settings(
    32,
    embedding_dim=16,
    iterations=12,
    batch_size=8,
    checkpoint_every=5,
    eval_every=6,
    eval_pairs=16,
    device="cpu",
    background="keep",
    warmup=0,
    grey_prob=0.0,
)


@pytest.fixture(scope="module")
def crop_tables(long_jump, tmp_path_factory):
    root = tmp_path_factory.mktemp("crops")
    paths, tables = {}, []
    for name, video, bb in zip(
        long_jump["names"], long_jump["videos"], long_jump["boxes"], strict=True
    ):
        fs = extract_frames(video, bb, **FRAMES)
        paths[name] = str(root / f"{name}.npy")
        save_crops(
            paths[name],
            person_crops(fs.frames, fs.boxes, size=32, margin=0.125, context=CROPS["context"]),
        )
        tables.append(pd.DataFrame({"video": name, "frame": np.arange(len(fs))}))
    return paths, pd.concat(tables[:2]), tables[2]


class Interrupted(Exception):
    pass


def _weights(path):
    return torch.load(path, weights_only=True)["model"]


def _kill_at(iteration):
    def kill(it):
        if it == iteration:
            raise Interrupted

    return kill


def test_a_stage_killed_mid_way_resumes_and_matches(crop_tables, tmp_path, caplog):
    paths, train, held = crop_tables
    paths_a, paths_b = (
        StagePaths(None, tmp_path / f"{x}.ckpt", tmp_path / f"{x}.pt", tmp_path / f"{x}.csv")
        for x in "ab"
    )
    full = train_stage(train, held, paths, {}, TINY, 1, paths_a)
    assert list(full["iteration"]) == list(range(1, 13))
    assert {"temporal_loss", "spatial_loss", "heldout_temporal_acc"} <= set(full.columns)
    assert not (tmp_path / "a.ckpt").exists()

    with pytest.raises(Interrupted):
        train_stage(train, held, paths, {}, TINY, 1, paths_b, on_iteration=_kill_at(8))
    assert (tmp_path / "b.ckpt").exists() and not (tmp_path / "b.pt").exists()
    with caplog.at_level(logging.INFO, logger="poseembed.training"):
        resumed = train_stage(train, held, paths, {}, TINY, 1, paths_b)
    assert "resumed at iteration 5" in caplog.text
    a, b = _weights(tmp_path / "a.pt"), _weights(tmp_path / "b.pt")
    assert all(torch.equal(a[k], b[k]) for k in a)
    pd.testing.assert_frame_equal(full, resumed)


@pytest.mark.parametrize("edit", ["lr", "crops"])
def test_a_state_saved_for_other_settings_or_inputs_is_discarded(
    crop_tables, tmp_path, caplog, edit
):
    """Kill a stage, edit what it depends on, rerun: it starts over, as a fresh run would."""
    paths, train, held = crop_tables
    fresh, killed = (
        StagePaths(None, tmp_path / f"{x}.ckpt", tmp_path / f"{x}.pt", tmp_path / f"{x}.csv")
        for x in ("fresh", "killed")
    )
    with pytest.raises(Interrupted):
        train_stage(train, held, paths, {}, TINY, 1, killed, on_iteration=_kill_at(8))
    edited = TINY
    if edit == "lr":
        edited = replace(TINY, lr=TINY.lr * 3)
    else:
        rebuilt = paths[train["video"].iloc[0]]
        os.utime(rebuilt, ns=(os.stat(rebuilt).st_atime_ns, os.stat(rebuilt).st_mtime_ns + 10**9))
    with caplog.at_level(logging.INFO, logger="poseembed.training"):
        after = train_stage(train, held, paths, {}, edited, 1, killed)
    assert "discarded, saved for other settings or inputs" in caplog.text
    assert "resumed" not in caplog.text
    expected = train_stage(train, held, paths, {}, edited, 1, fresh)
    pd.testing.assert_frame_equal(after, expected)
    a, b = _weights(tmp_path / "fresh.pt"), _weights(tmp_path / "killed.pt")
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_identical_runs_write_identical_weight_files(crop_tables, tmp_path):
    paths, train, held = crop_tables
    one = replace(TINY, iterations=2)
    for x in "ab":
        out = StagePaths(None, tmp_path / f"{x}.ckpt", tmp_path / f"{x}.pt", tmp_path / f"{x}.csv")
        train_stage(train, held, paths, {}, one, 1, out)
    assert (tmp_path / "a.pt").read_bytes() == (tmp_path / "b.pt").read_bytes()


def test_next_stage_starts_from_the_previous_weights(crop_tables, tmp_path):
    paths, train, held = crop_tables
    one = replace(TINY, iterations=1, lr=0.0, weight_decay=0.0, momentum=0.0, spatial_weight=0.0)
    first = StagePaths(None, tmp_path / "s.ckpt", tmp_path / "s1.pt", tmp_path / "s1.csv")
    train_stage(train, held, paths, {}, one, 1, first)
    second = StagePaths(
        tmp_path / "s1.pt", tmp_path / "s.ckpt", tmp_path / "s2.pt", tmp_path / "s2.csv"
    )
    train_stage(train, held, paths, {}, one, 2, second)
    w1, w2 = _weights(tmp_path / "s1.pt"), _weights(tmp_path / "s2.pt")
    # With a zero learning rate only BatchNorm's running statistics may move.
    assert all(
        torch.equal(w1[k], w2[k]) for k in w1 if "running" not in k and "num_batches" not in k
    )


def test_one_learning_rate_schedule_spans_the_curriculum():
    from poseembed.experiments import final_stage
    from poseembed.training import default_signature, lr_factor, settings_of

    signature = default_signature(curriculum=True, iterations=10, lr_schedule="cosine", warmup=5)
    stages = [settings_of(signature, 32, 3, k) for k in (1, 2, 3)]
    assert final_stage(signature["training"], 3) == 3
    factors = [lr_factor(s, it) for s in stages for it in range(s.iterations)]
    assert factors[:5] == pytest.approx([0.2, 0.4, 0.6, 0.8, 1.0])
    # No restart at a stage boundary: the decay goes on from stage to stage to the end.
    assert all(b <= a for a, b in pairwise(factors[4:]))
    assert factors[-1] < 0.01
    per_stage = settings_of(
        {**signature, "training": {**signature["training"], "lr_schedule": "cosine_per_stage"}},
        32,
        3,
        2,
    )
    assert lr_factor(per_stage, 0) == 1.0
    with pytest.raises(ValueError, match="training.lr_schedule"):
        lr_factor(replace(TINY, lr_schedule="step"), 0)


def test_videos_too_short_for_the_ranges_are_left_out_of_the_temporal_task(
    crop_tables, tmp_path, caplog
):
    paths, train, held = crop_tables
    first = train["video"].iloc[0]
    # 6 frames of the first video: no pair 8 to 16 frames apart.
    short = train[(train["video"] != first) | (train["frame"] < 6)]
    out = StagePaths(None, tmp_path / "s.ckpt", tmp_path / "s.pt", tmp_path / "s.csv")
    with caplog.at_level(logging.WARNING, logger="poseembed.training"):
        metrics = train_stage(short, held, paths, {}, replace(TINY, iterations=2), 1, out)
    assert f"left out of the temporal task: {first}" in caplog.text
    assert np.isfinite(metrics["temporal_loss"]).all()
    only_short = short[short["video"] == first]
    with pytest.raises(ValueError, match="none can give a temporal pair"):
        train_stage(only_short, held, paths, {}, replace(TINY, iterations=2), 1, out)
