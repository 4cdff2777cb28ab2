"""The Snakemake workflow end to end: a tiny run of every stage, what its artifacts hold, and
which jobs an edit of the config reruns."""

from __future__ import annotations

import shutil
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
from tests.snakemake_runs import (
    MODELS,
    TINY,
    TRAINED,
    jobs_of_dry_run,
    retrained,
    snakemake,
    write_config,
)


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
    assert sorted(p.name for p in (r / "train").iterdir()) == sorted(
        [*TRAINED, "cross_video", "hog_mined"]
    )
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
    for model in (*MODELS, "random", "supervised", "hog", "pixels", "silhouette"):
        table = pd.read_csv(r / "eval" / model / "posture.csv")
        assert list(table["category"]) == ["long_jump", "vault"]
        assert table["auc"].between(0, 1).all()


def test_editing_tau_pos_retrains_exactly_the_experiments_that_use_it(tiny_run):
    edit = edited(tiny_run, "training", "tau_pos", 5)
    exps, jobs = retrained(tiny_run, edit)
    assert exps == {
        "full", "no_curriculum", "keep_background", "flow_masks", "groundtruth_masks"
    }  # fmt: skip
    assert jobs["train_stage"] == 2 + 1 + 2 + 2 + 2
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
    # full's miner also runs on every baseline's embeddings.
    assert list(table["model"]) == [
        "full", "cross_video", "hog_mined", "random", "supervised", "hog", "pixels", "silhouette",
    ]  # fmt: skip
    hog_mined = pd.read_parquet(r / "mining" / "hog_mined" / "repetitions.parquet")
    assert table["mined_pairs"].iloc[2] == len(hog_mined)
    # The hog row is full's miner (threshold 0.5) on the HOG embeddings hog_mined mines with no
    # threshold: its mutual peaks are among hog_mined's.
    pairs = table.set_index("model")["mined_pairs"]
    assert pairs["hog"] <= pairs["hog_mined"]
    log = (r / "logs" / "mine_repetitions" / "hog_mined.log").read_text()
    assert "results/embed/hog/frames.h5" in log
    assert table["mined_pairs"].iloc[0] == len(reps)
    videos = pd.read_csv(r / "tables" / "repetitions_videos.csv")
    assert (videos.groupby("model", sort=False)["video"].count() == 6).all()
    cross = pd.read_parquet(r / "mining" / "cross_video" / "cross_video.parquet")
    assert len(cross) > 0 and (cross["video"] != cross["other_video"]).all()
    assert len(pd.read_parquet(r / "mining" / "full" / "cross_video.parquet")) == 0
    log = (r / "logs" / "refine" / "cross_video.log").read_text()
    assert "cross-video pairs (share 0.5 of the positives)" in log
    markdown = (r / "tables" / "repetitions.md").read_text()
    assert markdown.startswith("# Mined repetitions") and "mined by full's miner" in markdown
    figure = r / "figures" / "repetitions" / "full" / "vault" / "vault_000.png"
    assert cv2.imread(str(figure)) is not None
    assert not list((r / "train_state").rglob("*.ckpt"))


def test_tiny_run_counts_with_every_model_and_judges_the_counts(tiny_run):
    r = tiny_run / "results"
    models = (*MODELS, "random", "supervised", "hog", "pixels", "silhouette")
    for model in models:
        counts = pd.read_csv(r / "counting" / model / "counts.csv", dtype={"starts": str})
        assert len(counts) == 6
        starts = counts["starts"].fillna("").str.split().map(len)
        assert (starts == counts["count"]).all()
    table = pd.read_csv(r / "tables" / "counting.csv").set_index("model")
    assert set(table.index) == set(models)
    assert (table["videos"] > 0).all() and table["count_obo"].between(0, 1).all()
    assert table[["cycle_similarity", "half_cycle_similarity"]].abs().le(1).all(axis=None)
    videos = pd.read_csv(r / "tables" / "counting_videos.csv")
    assert (videos["true_count"] >= 0).all()
    assert (videos.loc[videos["true_count"] == 0, "cycle_pairs"] == 0).all()
    for model in ("full", "hog"):
        figure = r / "figures" / "counting" / model / "vault" / "vault_000.png"
        assert cv2.imread(str(figure)) is not None
    lags = pd.read_csv(r / "tables" / "lag_similarity.csv").set_index("model")
    assert set(lags.index) == set(models) and len(lags.columns) == 41
    assert (lags["0"].dropna() > 0.99).all()
    assert cv2.imread(str(r / "figures" / "lag_similarity.png")) is not None


def test_editing_a_counting_key_reruns_the_counting_and_the_mining_that_asks_it(tiny_run):
    edit = edited(tiny_run, "counting", "min_periodicity", 0.3)
    jobs = jobs_of_dry_run(tiny_run, "--configfile", edit)
    # The miner takes the counter's periods (mining.period_tolerance): it and what follows it
    # rerun, no training stage (test_plan: without period_tolerance the miner reads no
    # counting key).
    assert {"count_repetitions", "counting_table", "mine_repetitions", "refine"} <= set(jobs)
    assert "train_stage" not in jobs and "embed_for_mining" not in jobs


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
    assert jobs["curriculum"] == 1 and jobs["train_stage"] == 7 * 3 + 1
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
    assert jobs["embed_stills"] == jobs["evaluate_retrieval"] == len(MODELS) + 5


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
    for model in (*MODELS, "random", "supervised", "hog", "pixels", "silhouette"):
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
        "keep_background", "flow_masks", "groundtruth_masks", "cross_video", "hog_mined", "random",
        "supervised", "hog", "pixels", "silhouette",
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
    assert set(diagnostics.index) == {
        *MODELS,
        "random",
        "supervised",
        "hog",
        "pixels",
        "silhouette",
    }
    assert diagnostics["within_video_rho"].between(-1, 1).all()
    # The mask alone follows its own outline more than any model follows it.
    mask_rho = diagnostics["within_video_mask_rho"]
    assert mask_rho.idxmax() == "silhouette" and mask_rho["silhouette"] > 0.8
    assert diagnostics["video_identity_accuracy"].between(0, 1).all()
    assert diagnostics[["cycle_match", "cycle_mirror"]].stack().between(0, 1).all()
    assert diagnostics["cycle_match"].notna().all()
    masks = pd.read_csv(r / "tables" / "person_masks.csv").set_index(["masks", "category"])
    filled = "motion (scene, predictor where unseen)"
    unfilled = "label_free (scene, flow where unseen)"
    assert list(masks.index) == [
        (kind, category)
        for kind in (filled, unfilled, "flow")
        for category in ("long_jump", "vault", "all")
    ]
    assert masks["iou"].between(0, 1).all()
    # The scene's masks keep less of the scene than the flow's, which they fall back on.
    iou, precision = masks["iou"].unstack(0), masks["precision"].unstack(0)
    for kind in (filled, unfilled):
        assert (iou[kind] > iou["flow"]).all() and (precision[kind] > precision["flow"]).all()
    shortcuts = pd.read_csv(r / "tables" / "task_shortcuts.csv")
    assert set(shortcuts["model"]) == set(MODELS) and len(shortcuts) == 3 * len(MODELS)
    curves = pd.read_csv(r / "tables" / "posture_by_stage.csv")
    assert list(curves["model"].unique()) == [
        "full", "flow_masks", "groundtruth_masks", "keep_background"
    ]  # fmt: skip
    full = curves[curves["model"] == "full"]
    assert list(full["step"]) == ["stage 1", "stage 2", "refined"]
    assert list(full["iterations"]) == [3, 6, 9]
    # Each curve ends at the network the posture table judges.
    for model, rows in curves.groupby("model"):
        final = pd.read_csv(r / "eval" / model / "posture.csv")["auc"].mean()
        assert rows["avg_auc"].iloc[-1] == pytest.approx(final, abs=1e-6), model
    assert cv2.imread(str(r / "figures" / "posture_by_stage.png")) is not None
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
                 "task_shortcuts.csv", "counting.csv", "lag_similarity.png",
                 "posture_by_stage.csv", "posture_by_stage.png"):  # fmt: skip
        assert any(n.endswith(part) for n in names), part


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
    config["mining"] = {"iterations": 3}
    config["mask_predictor"] = {"iterations": 3, "batch_size": 4}
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


def test_editing_a_key_of_the_scene_s_masks_leaves_the_flow_s_masks_alone(tiny_run):
    exps, jobs = retrained(tiny_run, edited(tiny_run, "masks", "scene_threshold", 4.0))
    assert "full" in exps and not exps & {"flow_masks", "keep_background", "groundtruth_masks"}
    assert jobs["person_masks"] == 6 and "flow_person_masks" not in jobs
    assert jobs["train_mask_predictor"] == jobs["filled_masks"] == 1


def test_editing_what_fills_the_unseen_pixels_refills_the_masks_alone(tiny_run):
    exps, jobs = retrained(tiny_run, edited(tiny_run, "masks", "unseen", "flow"))
    assert "full" in exps and not exps & {"flow_masks", "keep_background", "groundtruth_masks"}
    assert jobs["filled_masks"] == 1
    assert "person_masks" not in jobs and "train_mask_predictor" not in jobs


def test_editing_a_mask_key_reruns_the_masks_and_the_models_that_use_them(tiny_run):
    edit = edited(tiny_run, "masks", "window", 1)
    exps, jobs = retrained(tiny_run, edit)
    # The flow's masks change, and the scene's that fall back on them.
    assert {"full", "spatial_only", "flow_masks"} <= exps
    assert not exps & {"keep_background", "groundtruth_masks"}, "they use no label-free mask"
    assert jobs["person_masks"] == jobs["flow_person_masks"] == 6
    assert "crops" not in jobs and "optical_flow" not in jobs
