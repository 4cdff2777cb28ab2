"""Experiments: overrides, training signatures, which experiments train alike, stage settings."""

from __future__ import annotations

import copy

import pytest
import yaml

from poseembed.config import SCHEMA_PATH, ConfigError, load_schema
from poseembed.experiments import (
    canonical_experiments,
    final_stage,
    model_signature,
    resolve_experiments,
    training_signature,
)
from poseembed.training import settings_of
from tests.conftest import ROOT

SCHEMA = load_schema(SCHEMA_PATH)


@pytest.fixture
def config() -> dict:
    return copy.deepcopy(yaml.safe_load((ROOT / "config.yaml").read_text()))


def signatures(config: dict) -> dict[str, dict]:
    return {n: training_signature(e) for n, e in resolve_experiments(config, SCHEMA).items()}


def test_the_default_experiments_and_those_trained_once(config):
    names = canonical_experiments(signatures(config))
    assert {"full", "no_curriculum", "temporal_only", "spatial_only"} <= set(names)
    assert len([n for n in names if n.startswith("tau_")]) == 5
    assert names["tau_p4_n8-16"] == "temporal_only"
    assert names["no_mining"] == names["cross_video"] == names["mined_by_hog"] == "full"
    assert len(set(names.values())) == len(names) - 4


def test_tau_keys_leave_the_signature_when_the_temporal_task_is_off(config):
    before = signatures(config)
    config["training"]["tau_pos"] = 5
    after = signatures(config)
    changed = {n for n in before if before[n] != after[n]}
    assert changed == {
        "full", "full_r1", "full_r2", "no_mining", "no_curriculum", "temporal_only",
        "keep_background", "flow_masks", "groundtruth_masks", "cross_video",
        "mined_by_hog",
    }  # fmt: skip
    assert "tau_pos" not in after["spatial_only"]["training"]


def test_run_only_keys_do_not_change_what_is_learnt(config):
    before = signatures(config)
    config["training"]["threads"] = 4
    assert signatures(config) == before


def test_unknown_or_invalid_overrides_name_the_experiment_and_key(config):
    config["experiments"]["bad"] = {"training": {"tau_pso": 3}}
    with pytest.raises(ConfigError, match=r"experiments\.bad\.training\.tau_pso"):
        resolve_experiments(config, SCHEMA)
    config["experiments"]["bad"] = {"training": {"lr": -1}}
    with pytest.raises(ConfigError, match=r"experiments\.bad\.training\.lr"):
        resolve_experiments(config, SCHEMA)
    config["experiments"] = {"random": {}}
    with pytest.raises(ConfigError, match="baseline"):
        resolve_experiments(config, SCHEMA)


def test_both_tasks_off_is_refused(config):
    config["experiments"] = {"none": {"training": {"temporal_weight": 0, "spatial_weight": 0}}}
    with pytest.raises(ConfigError, match="switch one task on"):
        signatures(config)


def test_without_a_curriculum_one_stage_gets_every_iteration(config):
    sig = signatures(config)
    on = settings_of(sig["full"], 64, 7)
    off = settings_of(sig["no_curriculum"], 64, 7)
    assert off.iterations == 7 * on.iterations
    assert final_stage(sig["no_curriculum"]["training"], 7) == 1
    assert final_stage(sig["full"]["training"], 7) == 7
    only = settings_of(sig["spatial_only"], 64, 7)
    assert only.temporal_weight == 0 and only.tau_neg is None


def test_mining_separates_models_that_share_their_stages(config):
    experiments = resolve_experiments(config, SCHEMA)
    models = canonical_experiments({n: model_signature(e) for n, e in experiments.items()})
    assert models["no_mining"] == "no_mining" and models["tau_p4_n8-16"] == "temporal_only"
    full = model_signature(experiments["full"])["mining"]
    assert full["min_gap"] == 16 and "device" not in full and "enabled" not in full
    assert model_signature(experiments["no_mining"])["mining"] is None


def test_mining_needs_the_temporal_task_and_reads_its_range(config):
    config["mining"]["enabled"] = True
    experiments = resolve_experiments(config, SCHEMA)
    assert model_signature(experiments["spatial_only"])["mining"] is None
    assert model_signature(experiments["tau_p4_n10-18"])["mining"]["min_gap"] == 18
    config["experiments"]["bad"] = {"mining": {"treshold": 0.5}}
    with pytest.raises(ConfigError, match="experiments.bad.mining.treshold"):
        resolve_experiments(config, SCHEMA)


def test_replicates_follow_their_experiment_with_the_next_seeds(config):
    config["experiments"] = {"a": {"replicates": 3, "training": {"seed": 5}}, "b": {}}
    resolved = resolve_experiments(config, SCHEMA)
    assert list(resolved) == ["a", "a_r1", "a_r2", "b"]
    assert [resolved[n]["training"]["seed"] for n in resolved] == [5, 6, 7, 0]
    assert len(set(canonical_experiments(signatures(config)).values())) == 4
    config["experiments"]["a_r1"] = {}
    with pytest.raises(ConfigError, match=r"\['a_r1'\] are names of replicates"):
        resolve_experiments(config, SCHEMA)


def test_keys_a_training_does_not_use_leave_its_signature(config):
    config["experiments"] = {
        "spatial": {"training": {"temporal_weight": 0}},
        "constant": {"training": {"lr_schedule": "constant"}},
    }
    sig = signatures(config)
    assert "grey_prob" not in sig["spatial"]["training"]
    assert "warmup" not in sig["constant"]["training"] and "warmup" in sig["spatial"]["training"]


def test_positive_shares_beyond_one_are_refused_naming_the_experiment(config):
    config["experiments"] = {"greedy": {"mining": {"cross_video_share": 0.6}}}
    with pytest.raises(ConfigError, match=r"experiments.greedy: mining.positive_share \(0.5\)"):
        resolve_experiments(config, SCHEMA)


@pytest.mark.parametrize(
    ("tau_pos", "tau_neg"), [(8, [8, 16]), (4, [16, 8]), (10, [8, 16])], ids=str
)
def test_bad_temporal_ranges_fail_before_any_job_naming_the_experiment(config, tau_pos, tau_neg):
    config["experiments"]["short"] = {"training": {"tau_pos": tau_pos, "tau_neg": tau_neg}}
    with pytest.raises(ConfigError, match=r"experiments\.short: training\.tau_pos"):
        resolve_experiments(config, SCHEMA)
    config["experiments"]["short"]["training"]["temporal_weight"] = 0
    resolve_experiments(config, SCHEMA)
