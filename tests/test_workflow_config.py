"""The Snakemake workflow on configurations alone: dry runs of the default and the presets,
bad configs refused before any job, and a folder dataset with a corrupt video."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from tests.conftest import ROOT
from tests.fake_datasets import write_olympic_tree
from tests.snakemake_runs import TINY, job_counts, jobs_of_dry_run, snakemake, write_config


def test_dry_run_of_the_default_config(tmp_path):
    shutil.copy(ROOT / "config.yaml", tmp_path / "config.yaml")
    jobs = jobs_of_dry_run(tmp_path)
    assert jobs["synthesize_category"] == 16
    assert jobs["extract_frames"] == jobs["optical_flow"] == jobs["crops"] == 16 * 6
    assert jobs["synthesize_stills"] == jobs["contact_sheet"] == 1
    assert jobs["flow_figure"] == 16 and jobs["curriculum"] == 1
    # 11 distinct trainings and 2 more seeds of full: 12 of 7 stages, one single stage.
    # 16 models: no_mining, cross_video and mined_by_hog use full's stages, tau_p4_n8-16 is
    # temporal_only.
    assert jobs["train_stage"] == 12 * 7 + 1 and jobs["training_curve"] == 16
    # The models, the untrained network, the supervised bound, HOG, pixels and the silhouette.
    assert jobs["embed"] == 16 + 5
    assert jobs["evaluate_posture"] == jobs["evaluate_retrieval"] == 16 + 5
    assert jobs["embed_stills"] == 21 and jobs["still_crops"] == jobs["still_masks"] == 1
    # full, flow_masks, groundtruth_masks and keep_background after every stage.
    assert jobs["stage_posture"] == 4 and jobs["posture_by_stage"] == 1
    # cross_video mines on full's stages: their embeddings are made once; mined_by_hog on HOG's.
    assert jobs["embed_for_mining"] == 3 and jobs["mine_repetitions"] == jobs["refine"] == 5
    assert jobs["repetition_figure"] == 9 and jobs["repetition_table"] == 1
    assert jobs["render_tables"] == jobs["retrieval_figure"] == 1
    assert jobs["person_masks"] == jobs["flow_person_masks"] == 16 * 6
    assert jobs["groundtruth_masks"] == jobs["train_supervised"] == 1
    for rule in ("embedding_diagnostics", "mask_quality_table", "task_shortcuts_table"):
        assert jobs[rule] == 1, rule
    assert jobs["train_mask_predictor"] == jobs["filled_masks"] == 1


def test_nested_keys_from_the_command_line_and_bad_ranges_before_any_job(tmp_path):
    write_config(tmp_path, TINY)
    jobs = jobs_of_dry_run(
        tmp_path, "--config", "crops={size: 96}", "dataset={categories: [vault]}"
    )
    assert jobs["crops"] == 3 and jobs["synthesize_category"] == 1
    proc = snakemake(tmp_path, "-n", "--config", "training={tau_pos: 9}", check=False)
    assert proc.returncode != 0
    assert "experiments.full: training.tau_pos (9) and training.tau_neg ([8, 16])" in proc.stdout


def test_a_yaml_error_in_the_config_names_its_line(tmp_path):
    (tmp_path / "config.yaml").write_text("seed: 0\ncrops:\n  size: [96\n")
    proc = snakemake(tmp_path, "-n", check=False)
    assert proc.returncode != 0 and "config.yaml:4:1: not valid YAML" in proc.stdout + proc.stderr


def test_a_yaml_error_in_a_config_file_given_to_make_run_names_its_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("training:\n  lr: [0.1\n")
    check = subprocess.run(
        [sys.executable, "-m", "poseembed.config", str(bad), str(tmp_path / "absent.yaml")],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 1
    assert f"{bad}:3:1: not valid YAML" in check.stderr
    assert "absent.yaml: no such config file" in check.stderr
    # make run checks the file before Snakemake reads it.
    plan = subprocess.run(
        ["make", "-n", "run", f"CONFIGFILE={bad}"], cwd=ROOT, capture_output=True, text=True
    ).stdout
    assert plan.index(f"-m poseembed.config {bad}") < plan.index(f"--configfile {bad}")


def test_an_imagenet_alexnet_file_adds_its_baseline_everywhere(tmp_path):
    shutil.copy(ROOT / "config.yaml", tmp_path / "config.yaml")
    (tmp_path / "alexnet.pth").write_bytes(b"")
    edit = tmp_path / "alexnet.yaml"
    edit.write_text(yaml.safe_dump({"baselines": {"imagenet_alexnet_weights": "alexnet.pth"}}))
    out = snakemake(tmp_path, "-n", "--configfile", str(edit)).stdout
    jobs = job_counts(out)
    assert jobs["embed"] == 16 + 6 and jobs["embed_stills"] == 22
    assert jobs["evaluate_posture"] == jobs["evaluate_retrieval"] == 16 + 6
    assert "results/embed/imagenet_alexnet/frames.h5" in out and "alexnet.pth" in out


def test_dry_run_of_the_olympic_sports_preset_on_a_tree_in_its_formats(tmp_path):
    root = tmp_path / "olympic"
    write_olympic_tree(root, ["long_jump", "vault"])
    shutil.copy(ROOT / "config.yaml", tmp_path / "config.yaml")
    preset = str(ROOT / "workflow" / "configs" / "olympic_sports.yaml")
    mpii = root / "mpii"
    paths = (
        f"dataset={{root: {root}, stills: {mpii / 'mpii_human_pose_v1_u12_1.mat'}, "
        f"stills_images: {mpii / 'images'}}}"
    )
    out = snakemake(tmp_path, "-n", "--configfile", preset, "--config", paths).stdout
    jobs = job_counts(out)
    assert jobs["extract_frames"] == jobs["optical_flow"] == jobs["crops"] == 4
    assert "synthesize_category" not in jobs and "synthesize_stills" not in jobs
    # Real data: no ground-truth-mask experiment and no supervised bound (random, HOG, pixels
    # and the silhouette).
    assert jobs["evaluate_posture"] == jobs["evaluate_retrieval"] == 15 + 4
    # full, flow_masks and keep_background after every stage: groundtruth_masks is left out.
    assert jobs["stage_posture"] == 3
    assert "train_supervised" not in jobs and "groundtruth_masks" not in jobs
    assert jobs["render_tables"] == jobs["retrieval_figure"] == jobs["still_crops"] == 1
    assert "long_jump/lonYt0_00010_00040.seq" in out and "lonYt0_00010_00040.bb" in out


def test_a_category_folder_of_any_name_without_a_slash(tmp_path):
    root = tmp_path / "olympic"
    write_olympic_tree(root, ["sprüng"], videos=1)
    dataset = {"kind": "folder", "root": str(root), "stills": None}
    write_config(tmp_path, {**TINY, "dataset": dataset, "figures": {}})
    jobs = jobs_of_dry_run(tmp_path)
    assert jobs["extract_frames"] == jobs["crops"] == 1


def test_bad_config_fails_before_any_job_naming_the_key(tmp_path):
    write_config(tmp_path, {"crops": {"size": 3, "colour": "red"}, "frames": {"step": 0}})
    proc = snakemake(tmp_path, "-n", check=False)
    assert proc.returncode != 0
    err = proc.stdout + proc.stderr
    assert "crops.size: 3 is less than the minimum of 16" in err
    assert "frames.step" in err and "'colour' was unexpected" in err
    assert not (tmp_path / "results").exists()


@pytest.mark.slow
def test_folder_dataset_isolates_a_corrupt_video_and_honours_exclude(tmp_path, long_jump):
    root = tmp_path / "data"
    videos = root / "videos" / "long_jump"
    videos.mkdir(parents=True)
    shutil.copy(long_jump["videos"][0], videos / "good_a.mp4")
    shutil.copy(long_jump["videos"][1], videos / "good_b.mp4")
    shutil.copy(long_jump["videos"][2], videos / "skipped.mp4")
    data = Path(long_jump["videos"][2]).read_bytes()
    (videos / "broken.mp4").write_bytes(data[: len(data) // 2])
    (root / "bboxes" / "long_jump").mkdir(parents=True)
    shutil.copy(long_jump["boxes"][0], root / "bboxes" / "long_jump" / "good_a.bb")
    write_config(
        tmp_path, {"dataset": {"kind": "folder", "root": str(root), "exclude": ["skipped"]}}
    )
    proc = snakemake(tmp_path, "--keep-going", check=False)
    assert proc.returncode != 0
    frames = tmp_path / "results" / "frames" / "long_jump"
    assert sorted(p.name for p in frames.iterdir()) == ["good_a.npz", "good_b.npz"]
    flow_b = np.load(tmp_path / "results" / "flow" / "long_jump" / "good_b.npz")
    # No .bb: the detector keeps the small jumper in under half of the frames, and the motion
    # boxes take the video (tests/test_flow.py measures both against the true boxes).
    assert str(flow_b["box_source"]) == "motion"
    assert np.isfinite(flow_b["boxes"]).all() and len(flow_b["box_origin"]) == len(flow_b["fg"])
    log = (
        tmp_path / "results" / "logs" / "extract_frames" / "long_jump" / "broken.log"
    ).read_text()
    assert "broken.mp4" in log and "cannot open" in log
    assert "add 'broken' to dataset.exclude" in proc.stdout + proc.stderr
    a = np.load(frames / "good_a.npz")
    b = np.load(frames / "good_b.npz")
    assert np.isfinite(a["boxes"]).all() and np.isnan(b["boxes"]).all()
