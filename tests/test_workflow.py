"""The Snakemake workflow: lint, dry runs, a tiny end-to-end run, failures and rerun triggers."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import cv2
import h5py
import numpy as np
import pandas as pd
import pytest
import yaml

from poseembed.formats.embeddings import load_embeddings
from poseembed.mining import COLUMNS
from tests.conftest import ROOT, realdata
from tests.fake_datasets import write_olympic_tree

SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))

TINY = {
    "dataset": {"categories": ["long_jump", "vault"]},
    "synthetic": {
        "videos_per_category": 3,
        "anchors_per_category": 3,
        "positives_per_anchor": 2,
        "negatives_per_anchor": 6,
        "stills": 8,
    },
    "evaluation": {"retrieval": {"ks": [1, 2], "relevant": 2}},
    "curriculum": {"stages": 2},
    "training": {"iterations": 3, "batch_size": 4, "eval_every": 2, "eval_pairs": 8},
    # Threshold 0: every mutual peak is a repetition, so that a few iterations find some.
    "mining": {"iterations": 3, "threshold": 0.0},
    "mask_predictor": {"iterations": 3, "batch_size": 4},
    "supervised": {"iterations": 3, "batch_size": 8, "videos_per_batch": 2},
    "figures": {"repetition_videos": ["vault/vault_000"]},
    "experiments": {
        "full": {"mining": {"enabled": True}},
        "same_as_full": {"training": {"threads": 2}},
        "tau3": {"training": {"spatial_weight": 0, "tau_pos": 3}},
        "spatial_only": {"training": {"temporal_weight": 0}, "replicates": 2},
        "no_curriculum": {"training": {"curriculum": False}},
        "keep_background": {"training": {"background": "keep"}},
        "groundtruth_masks": {"training": {"background": "groundtruth"}},
        "cross_video": {
            "mining": {"enabled": True, "cross_video_share": 0.5, "cross_video_threshold": 0.0}
        },
    },
}
TRAINED = (
    "full", "tau3", "spatial_only", "spatial_only_r1", "no_curriculum",
    "keep_background", "groundtruth_masks",
)  # fmt: skip
# same_as_full shares full's stages but does not mine, cross_video mines across videos too:
# models of their own.
MODELS = (*TRAINED, "same_as_full", "cross_video")


def snakemake(workdir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [
            SNAKEMAKE,
            "-s",
            str(ROOT / "Snakefile"),
            "--directory",
            str(workdir),
            "--cores",
            "2",
            *args,
        ],
        capture_output=True,
        text=True,
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"snakemake {args} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        )
    return proc


def job_counts(out: str) -> dict[str, int]:
    """The jobs per rule of a dry run's first 'Job stats' table."""
    counts = {}
    lines = out.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("Job stats")), len(lines))
    for line in lines[start + 1 :]:
        parts = line.split()
        if parts[:1] == ["total"]:
            break
        if len(parts) == 2 and parts[1].isdigit() and parts[0] != "job":
            counts[parts[0]] = int(parts[1])
    return counts


def jobs_of_dry_run(workdir: Path, *args: str) -> dict[str, int]:
    return job_counts(snakemake(workdir, "-n", "--quiet", "rules", *args).stdout)


def retrained(workdir: Path, edit: str) -> tuple[set[str], dict[str, int]]:
    """The experiments whose stages a dry run with the ``edit`` config file would train, and
    its jobs per rule."""
    out = snakemake(workdir, "-n", "--configfile", edit).stdout
    exps = {
        line.split("exp=")[1].split(",")[0]
        for line in out.splitlines()
        if "wildcards: exp=" in line
    }
    return exps, job_counts(out)


def write_config(workdir: Path, config: dict) -> None:
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))


def test_dry_run_of_the_default_config(tmp_path):
    shutil.copy(ROOT / "config.yaml", tmp_path / "config.yaml")
    jobs = jobs_of_dry_run(tmp_path)
    assert jobs["synthesize_category"] == 16
    assert jobs["extract_frames"] == jobs["optical_flow"] == jobs["crops"] == 16 * 6
    assert jobs["synthesize_stills"] == jobs["contact_sheet"] == 1
    assert jobs["flow_figure"] == 16 and jobs["curriculum"] == 1
    # 10 distinct trainings and 2 more seeds of full: 11 of 7 stages, one single stage.
    # 14 models: no_mining and cross_video use full's stages, tau_p4_n8-16 is temporal_only.
    assert jobs["train_stage"] == 11 * 7 + 1 and jobs["training_curve"] == 14
    # The models, the untrained network, the supervised bound, HOG and pixels.
    assert jobs["embed"] == 14 + 4
    assert jobs["evaluate_posture"] == jobs["evaluate_retrieval"] == 14 + 4
    assert jobs["embed_stills"] == 18 and jobs["still_crops"] == jobs["still_masks"] == 1
    # cross_video mines on full's stages: their embeddings are made once.
    assert jobs["embed_for_mining"] == 3 and jobs["mine_repetitions"] == jobs["refine"] == 4
    assert jobs["repetition_figure"] == 6 and jobs["repetition_table"] == 1
    assert jobs["render_tables"] == jobs["retrieval_figure"] == 1
    assert jobs["person_masks"] == 16 * 6
    assert jobs["groundtruth_masks"] == jobs["train_supervised"] == 1
    for rule in ("embedding_diagnostics", "mask_quality_table", "task_shortcuts_table"):
        assert jobs[rule] == 1, rule
    assert jobs["train_mask_predictor"] == 1


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
    assert jobs["embed"] == 14 + 5 and jobs["embed_stills"] == 19
    assert jobs["evaluate_posture"] == jobs["evaluate_retrieval"] == 14 + 5
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
    # Real data: no ground-truth-mask experiment and no supervised bound.
    assert jobs["evaluate_posture"] == jobs["evaluate_retrieval"] == 13 + 3
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


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("tiny")
    write_config(work, TINY)
    snakemake(work)
    return work


def test_tiny_run_writes_every_artifact(tiny_run):
    r = tiny_run / "results"
    for cat in ("long_jump", "vault"):
        for i in range(3):
            name = f"{cat}_{i:03d}"
            assert (r / "frames" / cat / f"{name}.npz").is_file()
            flow = np.load(r / "flow" / cat / f"{name}.npz")
            assert str(flow["box_source"]) == "annotation" and np.isfinite(flow["ratio"]).all()
            crops = np.load(r / "crops" / cat / f"{name}.npy", mmap_mode="r")
            assert crops.shape[1:] == (83, 83, 3)
            assert (r / "logs" / "extract_frames" / cat / f"{name}.log").read_text()
        assert (r / "synthetic" / "labels" / f"labels_{cat}.hdf5").is_file()
    sheet = cv2.imread(str(r / "figures" / "synthetic_samples.png"))
    assert sheet is not None and sheet.shape[0] > 200
    assert len(list((r / "synthetic" / "mpii" / "images").glob("*.jpg"))) == 8
    assert cv2.imread(str(r / "figures" / "flow" / "vault" / "vault_000.png")) is not None
    samples = pd.read_parquet(r / "curriculum" / "samples.parquet")
    assert set(samples["stage"]) == {1, 2} and samples["video"].nunique() == 6
    assert cv2.imread(str(r / "figures" / "curriculum_histogram.png")) is not None
    assert not list(r.rglob(".*.npz")) and not list(r.rglob(".*.npy")), "temporary files left"
    assert jobs_of_dry_run(tiny_run) == {}


def test_tiny_run_trains_every_distinct_experiment_once(tiny_run):
    r = tiny_run / "results"
    # cross_video's refinement has a folder of its own; its stages are full's.
    assert sorted(p.name for p in (r / "train").iterdir()) == sorted([*TRAINED, "cross_video"])
    for exp in ("full", "tau3", "spatial_only"):
        for k in (1, 2):
            metrics = pd.read_csv(r / "train" / exp / f"stage{k}_metrics.csv")
            assert list(metrics["iteration"]) == [1, 2, 3]
        assert cv2.imread(str(r / "figures" / "training" / f"{exp}.png")) is not None
    assert "spatial_loss" not in pd.read_csv(r / "train" / "tau3" / "stage2_metrics.csv")
    single = pd.read_csv(r / "train" / "no_curriculum" / "stage1_metrics.csv")
    assert len(single) == 6 and not (r / "train" / "no_curriculum" / "stage2.pt").exists()
    assert not list((r / "train_state").rglob("*.ckpt")), "periodic states are removed at the end"
    emb = load_embeddings(r / "embed" / "full" / "frames.h5")
    assert len(emb.videos) == 6 and emb.flipped
    index, rows = emb.videos[("vault", "vault_000")]
    assert np.allclose(np.linalg.norm(rows, axis=1), 1, atol=1e-4) and len(index) == len(rows)
    for model in (*MODELS, "random", "supervised", "hog", "pixels"):
        table = pd.read_csv(r / "eval" / model / "posture.csv")
        assert list(table["category"]) == ["long_jump", "vault"]
        assert table["auc"].between(0, 1).all()


def test_editing_tau_pos_retrains_exactly_the_experiments_that_use_it(tiny_run):
    edit = edited(tiny_run, "training", "tau_pos", 5)
    exps, jobs = retrained(tiny_run, edit)
    assert exps == {
        "full", "no_curriculum", "keep_background", "groundtruth_masks"
    }  # fmt: skip
    assert jobs["train_stage"] == 2 + 1 + 2 + 2
    assert "crops" not in jobs and "curriculum" not in jobs


def test_tiny_run_mines_refines_and_measures_the_repetitions(tiny_run):
    r = tiny_run / "results"
    reps = pd.read_parquet(r / "mining" / "full" / "repetitions.parquet")
    assert list(reps.columns) == list(COLUMNS) and len(reps) > 0
    assert ((reps["frame"] - reps["query"]).abs() > 16).all()
    refined = pd.read_csv(r / "train" / "full" / "refined_metrics.csv")
    assert list(refined["iteration"]) == [1, 2, 3]
    with h5py.File(r / "embed" / "full" / "frames.h5") as f:
        assert f.attrs["weights"] == "results/train/full/refined.pt"
    with h5py.File(r / "embed" / "same_as_full" / "frames.h5") as f:
        assert f.attrs["weights"] == "results/train/full/stage2.pt"
    table = pd.read_csv(r / "tables" / "repetitions.csv")
    assert list(table["model"]) == ["full", "cross_video"]
    assert table["mined_pairs"].iloc[0] == len(reps)
    cross = pd.read_parquet(r / "mining" / "cross_video" / "cross_video.parquet")
    assert len(cross) > 0 and (cross["video"] != cross["other_video"]).all()
    assert len(pd.read_parquet(r / "mining" / "full" / "cross_video.parquet")) == 0
    log = (r / "logs" / "refine" / "cross_video.log").read_text()
    assert "cross-video pairs (share 0.5 of the positives)" in log
    assert (r / "tables" / "repetitions.md").read_text().startswith("# Mined repetitions")
    figure = r / "figures" / "repetitions" / "full" / "vault" / "vault_000.png"
    assert cv2.imread(str(figure)) is not None
    assert not list((r / "train_state").rglob("*.ckpt"))


def test_tiny_run_counts_with_every_model_and_judges_the_counts(tiny_run):
    r = tiny_run / "results"
    models = (*MODELS, "random", "supervised", "hog", "pixels")
    for model in models:
        counts = pd.read_csv(r / "counting" / model / "counts.csv", dtype={"starts": str})
        assert len(counts) == 6
        starts = counts["starts"].fillna("").str.split().map(len)
        assert (starts == counts["count"]).all()
    table = pd.read_csv(r / "tables" / "counting.csv").set_index("model")
    assert set(table.index) == set(models)
    assert (table["videos"] > 0).all() and table["count_obo"].between(0, 1).all()
    videos = pd.read_csv(r / "tables" / "counting_videos.csv")
    assert (videos["true_count"] >= 0).all()
    for model in ("full", "hog"):
        figure = r / "figures" / "counting" / model / "vault" / "vault_000.png"
        assert cv2.imread(str(figure)) is not None
    lags = pd.read_csv(r / "tables" / "lag_similarity.csv").set_index("model")
    assert set(lags.index) == set(models) and len(lags.columns) == 41
    assert (lags["0"].dropna() > 0.99).all()
    assert cv2.imread(str(r / "figures" / "lag_similarity.png")) is not None


def test_editing_a_counting_key_reruns_only_the_counting(tiny_run):
    edit = edited(tiny_run, "counting", "min_periodicity", 0.3)
    jobs = jobs_of_dry_run(tiny_run, "--configfile", edit)
    assert set(jobs) == {"count_repetitions", "counting_table", "counting_figure", "all"}


def test_editing_only_a_mining_key_reruns_mining_and_refinement_but_no_stage(tiny_run):
    jobs = jobs_of_dry_run(tiny_run, "--configfile", edited(tiny_run, "mining", "threshold", 0.5))
    assert "train_stage" not in jobs and "embed_for_mining" not in jobs
    assert jobs["mine_repetitions"] == jobs["refine"] == jobs["embed"] == 2


def test_without_mining_the_refinement_is_skipped_and_the_last_stage_is_the_model(tiny_run):
    edit = tiny_run / "edit_no_mining.yaml"
    edit.write_text(yaml.safe_dump({"experiments": {"full": {"mining": {"enabled": False}}}}))
    # The target first: --configfile would take it for a second config file.
    out = snakemake(
        tiny_run, "results/embed/full/frames.h5", "-n", "--forceall", "--configfile", str(edit)
    ).stdout
    assert "rule refine" not in out and "rule mine_repetitions" not in out
    embed = out[out.index("rule embed:") :].split("\n\n")[0]
    assert "results/train/full/stage2.pt" in embed


def test_editing_only_an_embedding_key_retrains_nothing(tiny_run):
    jobs = jobs_of_dry_run(tiny_run, "--configfile", edited(tiny_run, "embed", "batch_size", 7))
    assert "train_stage" not in jobs and jobs["embed"] == len(MODELS) + 2


def test_editing_how_training_runs_retrains_nothing(tiny_run):
    """Processes and loader workers change how a stage runs, not what it learns."""
    for key, value in (("processes", 2), ("loader_workers", 0)):
        jobs = jobs_of_dry_run(tiny_run, "--configfile", edited(tiny_run, "training", key, value))
        assert jobs == {}, key


def edited(workdir: Path, section: str, key: str, value) -> str:
    """A config file that changes one key (what a user's edit of config.yaml amounts to)."""
    path = workdir / f"edit_{section}_{key}.yaml"
    path.write_text(yaml.safe_dump({section: {key: value}}))
    return str(path)


def test_editing_crop_size_reruns_only_the_crops(tiny_run):
    jobs = jobs_of_dry_run(tiny_run, "--configfile", edited(tiny_run, "crops", "size", 48))
    assert (
        jobs.get("crops") == 6
        and "extract_frames" not in jobs
        and "synthesize_category" not in jobs
    )


def test_editing_a_flow_key_reruns_flow_and_crops_but_not_extraction(tiny_run):
    jobs = jobs_of_dry_run(tiny_run, "--configfile", edited(tiny_run, "flow", "eps", 0.1))
    assert jobs.get("optical_flow") == jobs.get("crops") == 6
    assert "extract_frames" not in jobs and "synthesize_category" not in jobs


def test_editing_the_stage_count_reruns_the_curriculum_and_training_only(tiny_run):
    jobs = jobs_of_dry_run(tiny_run, "--configfile", edited(tiny_run, "curriculum", "stages", 3))
    assert jobs["curriculum"] == 1 and jobs["train_stage"] == 6 * 3 + 1
    assert "crops" not in jobs and "optical_flow" not in jobs


def test_editing_the_noise_reruns_the_videos_and_the_stills(tiny_run):
    edit = edited(tiny_run, "synthetic", "noise_sigma", [2.0, 4.0])
    jobs = jobs_of_dry_run(tiny_run, "--configfile", edit)
    assert jobs["synthesize_category"] == 2 and jobs["synthesize_stills"] == 1
    jobs = jobs_of_dry_run(tiny_run, "--configfile", edited(tiny_run, "synthetic", "blur_prob", 0))
    assert jobs["synthesize_category"] == 2 and "synthesize_stills" not in jobs


def test_editing_the_still_count_reruns_only_the_stills_and_their_evaluation(tiny_run):
    jobs = jobs_of_dry_run(tiny_run, "--configfile", edited(tiny_run, "synthetic", "stills", 9))
    still_jobs = {
        "synthesize_stills", "still_crops", "still_masks", "embed_stills", "evaluate_retrieval"
    }  # fmt: skip
    assert set(jobs) == {*still_jobs, "render_tables", "retrieval_figure", "all"}
    assert jobs["embed_stills"] == jobs["evaluate_retrieval"] == len(MODELS) + 4


def test_editing_a_retrieval_key_reruns_only_the_retrieval_evaluation(tiny_run):
    edit = edited(tiny_run, "evaluation", "retrieval", {"ks": [1], "relevant": 3})
    jobs = jobs_of_dry_run(tiny_run, "--configfile", edit)
    assert set(jobs) == {"evaluate_retrieval", "render_tables", "all"}, "the figure uses neither"
    edit = edited(tiny_run, "evaluation", "retrieval", {"flip_invariant": False})
    jobs = jobs_of_dry_run(tiny_run, "--configfile", edit)
    assert set(jobs) == {"evaluate_retrieval", "render_tables", "retrieval_figure", "all"}


def test_tiny_run_renders_the_tables_and_the_retrieval_figure(tiny_run):
    r = tiny_run / "results"
    people = len(yaml.safe_load((r / "stills" / "people.json").read_text()))
    assert np.load(r / "stills" / "crops.npy", mmap_mode="r").shape == (people, 83, 83, 3)
    for model in (*MODELS, "random", "supervised", "hog", "pixels"):
        with h5py.File(r / "embed" / model / "stills.h5") as f:
            assert f["embeddings"].shape[0] == f["mirrored"].shape[0] == people
        table = pd.read_csv(r / "eval" / model / "retrieval.csv").set_index("ranking")
        assert list(table.index) == ["model", "random", "oracle"]
        assert (table.loc["oracle", "pose_distance@1"] <= table["pose_distance@1"]).all()
    ranges = pd.read_csv(r / "tables" / "temporal_ordering_ranges.csv")
    assert list(ranges["experiment"]) == ["tau3"]
    assert list(ranges["paper_avg_auc"]) == [0.768]
    table = pd.read_csv(r / "tables" / "retrieval.csv").set_index("name")
    assert list(table.index) == [
        "full", "same_as_full", "tau3", "spatial_only", "no_curriculum",
        "keep_background", "groundtruth_masks", "cross_video", "random", "supervised", "hog",
        "pixels",
        "imagenet_alexnet", "random ranking", "oracle ranking",
    ]  # fmt: skip
    spatial = table.loc["spatial_only"]
    assert spatial["seeds"] == 2 and spatial["avg_auc_std"] >= 0
    aucs = [pd.read_csv(r / "eval" / m / "posture.csv")["auc"].mean() for m in TRAINED[2:4]]
    assert spatial["avg_auc"] == pytest.approx(np.mean(aucs))
    assert {"auc_long_jump", "auc_vault", "precision@2", "pose_distance@1_std"} <= set(table)
    assert np.isnan(table.loc["imagenet_alexnet", "avg_auc"])
    assert "not run" in table.loc["imagenet_alexnet", "what"]
    markdown = (r / "tables" / "retrieval.md").read_text()
    assert " ± " in markdown and "| spatial_only" in markdown
    figure = cv2.imread(str(r / "figures" / "mpii_retrievals.png"))
    assert figure is not None and figure.shape[0] > 400
    diagnostics = pd.read_csv(r / "tables" / "embedding_diagnostics.csv").set_index("model")
    assert set(diagnostics.index) == {*MODELS, "random", "supervised", "hog", "pixels"}
    assert diagnostics["within_video_rho"].between(-1, 1).all()
    assert diagnostics["video_identity_accuracy"].between(0, 1).all()
    masks = pd.read_csv(r / "tables" / "person_masks.csv").set_index("category")
    assert list(masks.index) == ["long_jump", "vault", "all"] and masks["iou"].between(0, 1).all()
    shortcuts = pd.read_csv(r / "tables" / "task_shortcuts.csv")
    assert set(shortcuts["model"]) == set(MODELS) and len(shortcuts) == 3 * len(MODELS)
    spatial = shortcuts[shortcuts["model"] == "spatial_only"]
    assert spatial["temporal_acc"].isna().all() and spatial["spatial_acc"].between(0, 1).all()


def test_the_report_captions_every_table_and_figure(tiny_run):
    proc = snakemake(tiny_run, "--report", "report.zip")
    assert "ERROR" not in proc.stdout + proc.stderr, "a caption is not valid reStructuredText"
    import zipfile

    with zipfile.ZipFile(tiny_run / "report.zip") as z:
        names = z.namelist()
    for part in ("retrieval.csv", "temporal_ordering_ranges.csv", "mpii_retrievals.png",
                 "curriculum_histogram.png", "vault_000.png", "repetitions.csv",
                 "embedding_diagnostics.csv", "person_masks.csv",
                 "task_shortcuts.csv", "counting.csv", "lag_similarity.png"):  # fmt: skip
        assert any(n.endswith(part) for n in names), part


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
    # No .bb: the people detector finds the runner in every frame it needs.
    assert str(flow_b["box_source"]) == "detector"
    assert np.isfinite(flow_b["boxes"]).all() and len(flow_b["box_origin"]) == len(flow_b["fg"])
    log = (
        tmp_path / "results" / "logs" / "extract_frames" / "long_jump" / "broken.log"
    ).read_text()
    assert "broken.mp4" in log and "cannot open" in log
    assert "add 'broken' to dataset.exclude" in proc.stdout + proc.stderr
    a = np.load(frames / "good_a.npz")
    b = np.load(frames / "good_b.npz")
    assert np.isfinite(a["boxes"]).all() and np.isnan(b["boxes"]).all()


@pytest.mark.slow
def test_a_folder_without_categories_runs_through_mining_and_counting(tmp_path, tiny_run):
    """``make folder``'s config on a flat folder written here: two real clips and a folder of
    frames, without boxes, and the tiny run's full model as the baseline "saved"."""
    clips = tmp_path / "clips"
    clips.mkdir()
    for name in ("pool_cleaning.mp4", "eye_makeup.avi"):
        shutil.copy(realdata("videos", name), clips)
    frames = clips / "makeup_frames"
    frames.mkdir()
    capture = cv2.VideoCapture(str(clips / "eye_makeup.avi"))
    for i in range(40):
        cv2.imwrite(str(frames / f"{i:05d}.png"), capture.read()[1])
    config = yaml.safe_load((ROOT / "workflow" / "configs" / "folder.yaml").read_text())
    config["dataset"]["root"] = str(clips)
    config["baselines"] = {"saved_weights": str(tiny_run / "results/train/full/refined.pt")}
    config["figures"]["counting_models"] = ["full", "saved", "hog"]
    config["frames"].update({"height": 96, "step": 3})
    config["curriculum"]["stages"] = 2
    config["training"].update({"iterations": 2, "batch_size": 4})
    work = tmp_path / "work"
    write_config(work, config)
    figure = "results/figures/repetitions/full/clips/eye_makeup.png"
    counts = [f"results/counting/{m}/counts.csv" for m in ("full", "saved", "hog")]
    snakemake(work, figure, *counts)
    assert cv2.imread(str(work / figure)) is not None
    for path in counts:
        table = pd.read_csv(work / path)
        assert set(table["category"]) == {"clips"}
        assert set(table["video"]) == {"pool_cleaning", "eye_makeup", "makeup_frames"}
    flow = np.load(work / "results" / "flow" / "clips" / "pool_cleaning.npz")
    assert str(flow["box_source"]) == "motion"
    reps = pd.read_parquet(work / "results" / "mining" / "full" / "repetitions.parquet")
    assert set(reps["video"]) <= {"pool_cleaning", "eye_makeup", "makeup_frames"}
    # The saved model was trained on motion-masked crops: it embeds masked crops here too.
    log = (work / "results" / "logs" / "embed" / "saved.log").read_text()
    assert "background greyed by the person masks" in log


def test_editing_a_mask_key_reruns_the_masks_and_the_models_that_use_them(tiny_run):
    edit = edited(tiny_run, "masks", "window", 1)
    exps, jobs = retrained(tiny_run, edit)
    assert "full" in exps and "spatial_only" in exps
    assert not exps & {"keep_background", "groundtruth_masks"}, "they use no motion mask"
    assert jobs["person_masks"] == 6 and "crops" not in jobs and "optical_flow" not in jobs
