"""The run plan, built from a configuration without Snakemake: what runs, what each job reads."""

from __future__ import annotations

import copy
from dataclasses import asdict

import pytest
import yaml
from snakemake.utils import update_config, validate

from poseembed.config import SCHEMA_PATH, load_schema
from poseembed.plan import Plan, build_plan
from poseembed.training import default_settings, initial_model, save_weights
from tests.conftest import ROOT
from tests.fake_datasets import write_olympic_tree

DEFAULT = yaml.safe_load((ROOT / "config.yaml").read_text())


def plan_of(config: dict) -> Plan:
    config = copy.deepcopy(config)
    validate(config, str(SCHEMA_PATH), set_default=True)
    return build_plan(config, load_schema(SCHEMA_PATH))


@pytest.fixture(scope="module")
def default() -> Plan:
    return plan_of(DEFAULT)


def test_the_gpu_preset_merges_over_the_default_config():
    # As --configfile merges it: keys it does not set keep config.yaml's values.
    config = copy.deepcopy(DEFAULT)
    preset = ROOT / "workflow" / "configs" / "synthetic_gpu.yaml"
    update_config(config, yaml.safe_load(preset.read_text()))
    plan = plan_of(config)
    assert len(plan.videos) == 16 * 40
    assert plan.config["flow"]["backend"] == "torch_tvl1"
    assert plan.config["flow"]["eps"] == DEFAULT["flow"]["eps"]
    assert plan.trained == plan_of(DEFAULT).trained


def test_the_default_plan_trains_embeds_and_compares(default):
    assert len(default.videos) == 16 * 6 and len(default.categories) == 16
    # 11 distinct trainings and 2 more seeds of full; no_mining, cross_video and mined_by_hog
    # use full's stages and tau_p4_n8-16 is temporal_only, so 16 models, 5 of them mined.
    assert len(default.trained) == 13 and len(default.models) == 16
    assert default.mined == ["full", "full_r1", "full_r2", "cross_video", "mined_by_hog"]
    assert default.mining_embeddings("mined_by_hog") == "results/embed/hog/frames.h5"
    assert default.baselines == ["random", "supervised", "hog", "pixels", "silhouette"]
    assert default.network_baselines == ["random", "supervised"]
    assert default.trained_as["cross_video"] == "full" and default.model_as["no_mining"] == (
        "no_mining"
    )
    assert not default.warnings
    targets = default.targets()
    assert len(targets) == len(set(targets))
    assert "results/tables/task_shortcuts.csv" in targets
    assert "results/figures/mpii_retrievals.png" in targets


def test_weights_of_each_kind_of_model(default):
    assert default.final_weights("full") == "results/train/full/refined.pt"
    assert default.final_weights("no_mining") == "results/train/full/stage7.pt"
    assert default.final_weights("no_curriculum") == "results/train/no_curriculum/stage1.pt"
    assert default.final_weights("random") == "results/baselines/random/weights.pt"
    assert default.weights_of("hog") == {}
    assert default.mining_embeddings("cross_video") == "results/mining/full/frames.h5"
    assert default.metrics_files("full")[-1] == "results/train/full/refined_metrics.csv"
    assert len(default.metrics_files("full")) == 8


def test_feature_settings_name_only_what_a_model_reads(default):
    hog = default.feature_params("hog")
    assert hog["input_size"] == 64 and hog["batch_size"] is None and hog["pixel_side"] is None
    assert default.feature_params("pixels")["pixel_side"] == 16
    assert default.feature_params("full") == default.feature_params("random")
    assert default.feature_params("full")["amp"] is True
    assert default.embed_device("hog") == "cpu"


def test_the_masks_follow_each_model_s_background(default):
    assert default.background_masks("full")[0].startswith("results/masks/motion/")
    assert default.background_masks("keep_background") == []
    assert default.background_masks("groundtruth_masks")[0].startswith("results/masks/groundtruth")
    assert default.background_masks("flow_masks")[0].startswith("results/masks/flow/")
    assert default.background_masks("hog") == [] and default.still_masks("hog") == []
    # The silhouette baseline sees the label-free masks alone: the videos' and the stills'.
    assert default.background_masks("silhouette") == default.background_masks("full")
    assert default.still_masks("silhouette") == "results/stills/masks.npy"


def test_the_noise_reaches_both_the_videos_and_the_stills(default):
    videos, stills = default.synthetic_params(True), default.synthetic_params(False)
    assert set(stills) == {"stills", "still_size", "noise_sigma"}
    assert "noise_sigma" in videos and "stills" not in videos and "still_size" not in videos
    assert set(videos) | set(stills) == set(DEFAULT["synthetic"])


def test_table_rows_name_every_baseline_and_why_one_did_not_run(tmp_path):
    root = tmp_path / "olympic"
    write_olympic_tree(root, ["long_jump", "vault"])
    config = copy.deepcopy(DEFAULT)
    config["dataset"] = {**config["dataset"], "kind": "folder", "root": str(root)}
    plan = plan_of(config)
    assert "groundtruth_masks" not in plan.experiments
    # One warning for it, not a second from evaluation.stage_posture that names it.
    assert [w for w in plan.warnings if "groundtruth_masks" in w] == [
        "experiments.groundtruth_masks is left out: its training.background groundtruth needs "
        "the synthetic generator's masks"
    ]
    assert plan.stage_posture_models == ["full", "flow_masks", "keep_background"]
    assert "supervised" not in plan.baselines
    rows = {r["name"]: r for r in plan.table_rows()}
    assert rows["supervised"]["models"] == [] and "ground-truth poses" in rows["supervised"]["note"]
    assert "imagenet_alexnet" in rows and rows["hog"]["models"] == ["hog"]
    assert plan.boxes_file("long_jump", "lonYt0_00010_00040").endswith("lonYt0_00010_00040.bb")
    assert plan.boxes_file("long_jump", "no_such_video") == []


def test_figure_videos_default_to_each_category_s_first_and_check_a_choice(default):
    assert default.figure_videos("flow_videos")[0] == "basketball_layup/basketball_layup_000"
    config = copy.deepcopy(DEFAULT)
    config["figures"]["repetition_videos"] = ["vault/vault_999"]
    with pytest.raises(ValueError, match=r"figures\.repetition_videos: \['vault/vault_999'\]"):
        plan_of(config)
    config["dataset"]["categories"] = ["long_jump"]
    config["figures"]["repetition_videos"] = ["vault/vault_000", "long_jump/long_jump_001"]
    plan = plan_of(config)
    assert plan.figure_videos("repetition_videos") == ["long_jump/long_jump_001"]
    assert any("['vault/vault_000'] are left out" in w for w in plan.warnings)


def test_a_category_without_videos_fails_naming_those_that_have_some(tmp_path):
    root = tmp_path / "olympic"
    write_olympic_tree(root, ["long_jump", "vault"])
    config = copy.deepcopy(DEFAULT)
    config["dataset"] = {
        **config["dataset"],
        "kind": "folder",
        "root": str(root),
        "categories": ["long_jump", "lnog_jump"],
    }
    with pytest.raises(
        ValueError, match=r"\['lnog_jump'\] have no videos.*\['long_jump', 'vault'\]"
    ):
        plan_of(config)


def test_the_miner_reads_no_refinement_key(default):
    assert default.mining_settings("full") == {
        "min_gap": 16, "threshold": 0.5, "window": 4, "centre": True, "period_tolerance": 0.2,
        "tile": 512,
    }  # fmt: skip
    assert default.cross_video_threshold("full") is None
    assert default.cross_video_threshold("cross_video") is not None
    config = copy.deepcopy(DEFAULT)
    config["mining"]["iterations"] += 1
    edited = plan_of(config)
    assert edited.mining_settings("full") == default.mining_settings("full")
    assert edited.model_signatures["full"] != default.model_signatures["full"]


def test_every_model_counts_and_annotated_cycles_judge_a_folder_dataset(default, tmp_path):
    targets = default.targets()
    counted = [t for t in targets if t.startswith("results/counting/")]
    assert counted == [f"results/counting/{m}/counts.csv" for m in default.table_models]
    assert "results/tables/counting.csv" in targets
    assert "results/tables/lag_similarity.csv" in targets
    assert "results/figures/counting/hog/hammer_throw/hammer_throw_000.png" in targets
    root = tmp_path / "olympic"
    write_olympic_tree(root, ["long_jump", "vault"])
    config = copy.deepcopy(DEFAULT)
    config["dataset"] = {**config["dataset"], "kind": "folder", "root": str(root)}
    config["figures"] = {**config["figures"], "counting_videos": None}
    folder = plan_of(config)
    assert not folder.has_cycles and "results/tables/counting.csv" not in folder.targets()
    assert "results/tables/lag_similarity.csv" not in folder.targets()
    config["dataset"]["cycles"] = "cycles.csv"
    with pytest.raises(ValueError, match=r"dataset\.cycles: .*cycles\.csv does not exist"):
        plan_of(config)
    (root / "cycles.csv").write_text("video,cycle_end_frames\n")
    annotated = plan_of(config)
    assert annotated.cycles_file() == str(root / "cycles.csv")
    assert "results/tables/counting.csv" in annotated.targets()
    config["figures"]["counting_models"] = ["full", "hgo"]
    with pytest.raises(ValueError, match=r"counting_models: \['hgo'\] are neither"):
        plan_of(config)


def test_saved_weights_add_a_baseline_that_sees_the_crops_as_it_was_trained(tmp_path):
    weights = tmp_path / "full.pt"
    settings = asdict(default_settings(64, embedding_dim=16))
    save_weights(weights, initial_model("small", 16, 0), settings, 1)
    config = copy.deepcopy(DEFAULT)
    config["baselines"]["saved_weights"] = str(weights)
    plan = plan_of(config)
    assert "saved" in plan.baselines and "saved" not in plan_of(DEFAULT).baselines
    assert plan.weights_of("saved") == {"weights": str(weights)}
    # Trained with the default background (motion masks): embedded on masked crops.
    assert plan.background_masks("saved") == plan.background_masks("full") != []
    assert "results/counting/saved/counts.csv" in plan.targets()
    assert [r["name"] for r in plan.table_rows()].count("saved") == 1
    assert "saved" not in [r["name"] for r in plan_of(DEFAULT).table_rows()]
    config["baselines"]["saved_weights"] = str(tmp_path / "missing.pt")
    with pytest.raises(ValueError, match=r"baselines.saved_weights: .*missing.pt is not a file"):
        plan_of(config)
    (tmp_path / "junk.pt").write_bytes(b"junk")
    config["baselines"]["saved_weights"] = str(tmp_path / "junk.pt")
    with pytest.raises(ValueError, match="not a weights file a poseembed training wrote"):
        plan_of(config)


def test_a_folder_run_without_experiments_counts_with_the_saved_weights_and_trains_nothing(
    tmp_path,
):
    weights = tmp_path / "full.pt"
    settings = asdict(default_settings(64, embedding_dim=16))
    save_weights(weights, initial_model("small", 16, 0), settings, 1)
    root = tmp_path / "clips"
    write_olympic_tree(root, ["long_jump"])
    config = yaml.safe_load((ROOT / "workflow" / "configs" / "folder.yaml").read_text())
    config["dataset"].update({"root": str(root), "videos": "videos"})
    config["baselines"] = {"saved_weights": str(weights)}
    config["experiments"] = {}
    config["figures"]["counting_models"] = ["saved", "hog"]
    plan = plan_of(config)
    targets = plan.targets()
    assert plan.trained == [] and plan.models == [] and plan.mined == []
    assert not [t for t in targets if t.startswith(("results/train", "results/curriculum"))]
    assert "results/counting/saved/counts.csv" in targets
    assert "results/figures/counting/saved/long_jump/lonYt0_00010_00040.png" in targets


def test_the_miner_reads_the_counter_only_when_it_asks_for_periods(default):
    assert default.mining_counting("full") == DEFAULT["counting"]
    config = copy.deepcopy(DEFAULT)
    config["mining"]["period_tolerance"] = None
    assert plan_of(config).mining_counting("full") is None


def test_a_baseline_s_embeddings_can_drive_the_miner_on_an_experiment_s_stages(default):
    config = copy.deepcopy(DEFAULT)
    config["experiments"] = {
        "full": {"mining": {"enabled": True}},
        "hog_mined": {"mining": {"enabled": True, "embedding": "hog"}},
    }
    plan = plan_of(config)
    assert plan.trained_as["hog_mined"] == "full" and plan.model_as["hog_mined"] == "hog_mined"
    assert plan.mining_embeddings("full") == "results/mining/full/frames.h5"
    assert plan.mining_embeddings("hog_mined") == "results/embed/hog/frames.h5"
    assert plan.mining_settings("hog_mined") == plan.mining_settings("full")
    # The paper's miner keeps the signature it had before the key: its caches stay valid.
    assert "embedding" not in plan.model_signatures["full"]["mining"]
    config["experiments"]["hog_mined"]["mining"]["embedding"] = "sift"
    with pytest.raises(ValueError, match=r"experiments.hog_mined.mining.embedding: 'sift'.*hog"):
        plan_of(config)


def test_the_posture_after_every_stage_of_the_chosen_experiments(default, tmp_path):
    assert default.stage_posture_models == [
        "full",
        "flow_masks",
        "groundtruth_masks",
        "keep_background",
    ]
    steps = default.stage_weights("full")
    assert list(steps) == [*(f"stage {k}" for k in range(1, 8)), "refined"]
    assert steps["stage 7"] == "results/train/full/stage7.pt"
    assert steps["refined"] == "results/train/full/refined.pt"
    # no_mining is full's stages without the refinement.
    assert list(default.stage_weights("no_mining").values()) == list(steps.values())[:-1]
    assert "results/tables/posture_by_stage.csv" in default.targets()
    config = copy.deepcopy(DEFAULT)
    config["evaluation"]["stage_posture"] = ["tau_p4_n8-16", "gone"]
    plan = plan_of(config)
    # An experiment that shares another's training is measured as that one, once.
    assert plan.stage_posture_models == ["temporal_only"]
    assert plan.warnings == [
        "evaluation.stage_posture: ['gone'] are left out: not experiments of this run"
    ]
    config["evaluation"]["stage_posture"] = []
    assert "results/tables/posture_by_stage.csv" not in plan_of(config).targets()
