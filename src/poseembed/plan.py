"""The run plan of a configuration: its videos, trainings, models, baselines, tables and
figures, and the files and settings each job reads. Built from the validated config alone (and
the dataset's folder), so that it is tested without Snakemake; the rules read it through
``workflow/rules/common.smk``.

Names: an *experiment* is a configured row (and its replicates); experiments that train alike
share their curriculum stages, trained under the first one's name (``trained_as``); experiments
alike in their stages and mining are one *model* (``model_as``), embedded and evaluated once.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, fields
from pathlib import Path

from poseembed.baselines import BASELINES, NETWORK_SETTINGS, runs, sees_masks
from poseembed.config import ConfigError
from poseembed.data.synthetic import StillSpec, SyntheticSpec
from poseembed.datasets import video_table
from poseembed.embedding import saved_settings
from poseembed.experiments import (
    canonical_experiments,
    experiment_rows,
    final_stage,
    groundtruth_experiments,
    model_signature,
    resolve_experiments,
    training_signature,
)
from poseembed.mining import MiningSettings
from poseembed.person_masks import FlowMaskSettings, MaskSettings

# Where each feature setting (fields of features.FeatureSettings) is configured.
_FEATURE_KEYS = {
    "batch_size": ("embed", "batch_size"),
    "amp": ("embed", "amp"),
    "pixel_side": ("baselines", "pixel_side"),
    "alexnet_layer": ("baselines", "imagenet_alexnet_layer"),
}


@dataclass(frozen=True)
class Plan:
    config: dict
    synthetic: bool
    data_root: Path
    videos: dict[tuple[str, str], Path]
    experiments: dict[str, dict]
    signatures: dict[str, dict]
    model_signatures: dict[str, dict]
    trained_as: dict[str, str]
    model_as: dict[str, str]
    baselines: list[str]
    has_stills: bool
    has_posture_labels: bool
    experiment_rows: list[dict]
    figures: dict[str, list[str]]
    warnings: list[str]
    # The background of the ``saved`` baseline's training (None when it does not run).
    saved_background: str | None = None

    # The registries.
    @property
    def categories(self) -> list[str]:
        return sorted({c for c, _ in self.videos})

    @property
    def stages(self) -> int:
        return self.config["curriculum"]["stages"]

    @property
    def trained(self) -> list[str]:
        return list(dict.fromkeys(self.trained_as.values()))

    @property
    def models(self) -> list[str]:
        return list(dict.fromkeys(self.model_as.values()))

    @property
    def mined(self) -> list[str]:
        return [m for m in self.models if self.model_signatures[m]["mining"] is not None]

    @property
    def reference_miner(self) -> str | None:
        """The mined model whose miner and counter the repetition table also runs on every
        baseline's embeddings (none when no model mines): the miner's numbers on HOG or the
        pixels tell what the embedding, not the miner, costs."""
        return self.mined[0] if self.mined else None

    @property
    def mining_gap(self) -> int:
        """The first mined model's ``min_gap`` (0 when none mines): the frames too near in time
        to be mined, which the embeddings' cycle neighbours leave out too."""
        return self.mining_settings(self.mined[0])["min_gap"] if self.mined else 0

    @property
    def network_baselines(self) -> list[str]:
        return [b for b in self.baselines if BASELINES[b].kind == "network"]

    @property
    def table_models(self) -> list[str]:
        """Every model a table shows: each experiment's replicates, and the baselines."""
        rows = (m for row in self.experiment_rows for m in row["models"])
        return list(dict.fromkeys([*rows, *self.baselines]))

    @property
    def retrieval_model(self) -> str:
        return self.model_as[self.config["figures"]["retrieval_model"]]

    def table_rows(self) -> list[dict]:
        """Rows of the comparison table: experiments, then baselines (one not run says why;
        another run's network has a row only when given)."""
        rows = list(self.experiment_rows)
        for b in BASELINES.values():
            ran = b.name in self.baselines
            if b.kind == "saved" and not ran:
                continue
            rows.append(
                {
                    "name": b.name,
                    "kind": "baseline",
                    "models": [b.name] if ran else [],
                    "what": b.what,
                    "note": "" if ran else b.not_run,
                }
            )
        return rows

    # Videos and the dataset's files.
    def per_video(self, pattern: str) -> list[str]:
        return [pattern.format(category=c, video=v) for c, v in sorted(self.videos)]

    def boxes_file(self, category: str, video: str) -> str | list:
        """A video's box file; none when a folder dataset has no box for it."""
        path = self.data_root / self.config["dataset"]["boxes"] / category / f"{video}.bb"
        return str(path) if self.synthetic or path.exists() else []

    def groundtruth_files(self) -> list[str]:
        return self.per_video(str(self.data_root / "groundtruth/{category}/{video}.csv"))

    def cycles_file(self) -> str | list:
        """``dataset.cycles`` of a folder dataset; none for a synthetic one or without."""
        if self.synthetic or self.config["dataset"]["cycles"] is None:
            return []
        return str(_data_path(self.config, self.data_root, "cycles"))

    @property
    def has_cycles(self) -> bool:
        """Whether counting is judged: the generator's cycles or annotated ones."""
        return self.synthetic or bool(self.cycles_file())

    @property
    def lag_figure_models(self) -> list[str]:
        """The lag figure's lines: the counting figures' models and every baseline."""
        return list(dict.fromkeys([*self.counting_models, *self.baselines]))

    @property
    def counting_models(self) -> list[str]:
        """The models of ``figures.counting_models`` (experiments as the model they share)."""
        names = self.config["figures"]["counting_models"]
        return list(dict.fromkeys(self.model_as.get(n, n) for n in names))

    def posture_inputs(self) -> dict[str, list[str]]:
        """The posture label files and frame lists, when the dataset has them."""
        if not self.has_posture_labels:
            return {}
        return {
            kind: _label_files(self.config, self.data_root, self.categories, kind)
            for kind in ("labels", "frame_lists")
        }

    def stills_file(self, key: str) -> str | list:
        """``dataset.stills`` or ``dataset.stills_images``; none without stills."""
        return str(_data_path(self.config, self.data_root, key)) if self.has_stills else []

    def synthetic_params(self, videos: bool) -> dict:
        """The generator's keys that the videos (or the stills) depend on, and no others."""
        keys = {f.name for f in fields(SyntheticSpec if videos else StillSpec)}
        return {k: v for k, v in self.config["synthetic"].items() if k in keys}

    def figure_videos(self, key: str) -> list[str]:
        """``figures.<key>`` (``flow_videos``, ``repetition_videos``, ``counting_videos``):
        'category/video' ids."""
        return self.figures[key]

    def contact_sheet_videos(self) -> list[tuple[str, str]]:
        n = self.config["figures"]["contact_sheet_videos"]
        return [
            (c, v) for c in self.categories for v in sorted(v for k, v in self.videos if k == c)[:n]
        ]

    # Trainings and models.
    def last_stage(self, exp: str) -> int:
        return final_stage(self.experiments[exp]["training"], self.stages)

    def previous_stage(self, exp: str, stage: int) -> str | list:
        if stage > self.last_stage(exp):
            raise ValueError(f"experiment {exp} has {self.last_stage(exp)} stage(s), not {stage}")
        return [] if stage == 1 else f"results/train/{exp}/stage{stage - 1}.pt"

    def last_stage_weights(self, model: str) -> str:
        """The last curriculum stage of a model (the start of mining and refinement)."""
        exp = self.trained_as[model]
        return f"results/train/{exp}/stage{self.last_stage(exp)}.pt"

    def final_weights(self, model: str) -> str:
        """A network baseline's weights; a model's refined weights when it mines, else its last
        curriculum stage's."""
        if model in self.network_baselines:
            return f"results/baselines/{model}/weights.pt"
        if model in self.mined:
            return f"results/train/{model}/refined.pt"
        return self.last_stage_weights(model)

    @property
    def stage_posture_models(self) -> list[str]:
        """The trained models of ``evaluation.stage_posture`` (experiments as the model they
        share; those not in this run left out) whose posture is measured after every stage;
        none without posture labels."""
        if not self.has_posture_labels:
            return []
        names = self.config["evaluation"]["stage_posture"]
        return list(dict.fromkeys(self.model_as[n] for n in names if n in self.model_as))

    def stage_weights(self, model: str) -> dict[str, str]:
        """A model's networks in training order, by name: each curriculum stage's, then the
        refinement's when it mines."""
        exp = self.trained_as[model]
        out = {
            f"stage {k}": f"results/train/{exp}/stage{k}.pt"
            for k in range(1, self.last_stage(exp) + 1)
        }
        if model in self.mined:
            out["refined"] = f"results/train/{model}/refined.pt"
        return out

    def metrics_files(self, model: str) -> list[str]:
        """Metrics of a model's curriculum stages, then of its refinement when it mines."""
        exp = self.trained_as[model]
        files = [
            f"results/train/{exp}/stage{k}_metrics.csv" for k in range(1, self.last_stage(exp) + 1)
        ]
        if model in self.mined:
            files.append(f"results/train/{model}/refined_metrics.csv")
        return files

    def mining_source(self, model: str) -> str:
        """A mined model's ``mining.embedding`` (left out of the signature when self)."""
        return self.model_signatures[model]["mining"].get("embedding", "self")

    def mining_embeddings(self, model: str) -> str:
        """The frame embeddings a mined model's miner reads: those its stages give, shared by
        the models on them, or a baseline's (``mining.embedding``)."""
        source = self.mining_source(model)
        if source != "self":
            return f"results/embed/{source}/frames.h5"
        return f"results/mining/{self.trained_as[model]}/frames.h5"

    def mining_settings(self, model: str) -> dict:
        """The miner's settings (``mining.MiningSettings``, min_gap resolved), and no
        refinement key, so that editing one reruns the refinement only."""
        # The signature leaves out how a job runs (tile): it comes from the config section.
        tile = self.experiments[model]["mining"]["tile"]
        values = {**self.model_signatures[model]["mining"], "tile": tile}
        return {f.name: values[f.name] for f in fields(MiningSettings)}

    def mining_counting(self, model: str) -> dict | None:
        """The counter's settings where a model's miner asks the counter for its periods
        (``mining.period_tolerance``); None otherwise, so that editing the counter leaves
        such mining alone."""
        if self.model_signatures[model]["mining"]["period_tolerance"] is None:
            return None
        return self.config["counting"]

    def cross_video_threshold(self, model: str) -> float | None:
        """The similarity of cross-video pairs; None when the model mines none."""
        return self.model_signatures[model]["mining"].get("cross_video_threshold")

    def background_masks(self, model: str) -> list[str]:
        """The person masks that grey out a model's background: none when it keeps it (and for
        the baselines but the one that sees the label-free masks alone)."""
        exp = self.experiments.get(model)
        background = exp["training"]["background"] if exp else "keep"
        if sees_masks(model):
            background = "motion"
        if model == "saved":
            background = self.saved_background
        if background == "keep":
            return []
        return self.per_video(f"results/masks/{background}/{{category}}/{{video}}.npy")

    def mask_params(self) -> dict:
        """The ``masks`` keys the label-free masks read: all but ``unseen``, so that editing
        what fills the unseen pixels leaves the masks alone."""
        return {f.name: self.config["masks"][f.name] for f in fields(MaskSettings)}

    def flow_mask_params(self) -> dict:
        """The ``masks`` keys the flow's masks read, and no others, so that editing a key of
        the scene's masks leaves them alone."""
        return {f.name: self.config["masks"][f.name] for f in fields(FlowMaskSettings)}

    def still_masks(self, model: str) -> str | list:
        """The predicted masks of the still crops, for models that grey out the background or
        see the masks alone (the generator's masks exist for the videos only)."""
        return "results/stills/masks.npy" if self.background_masks(model) else []

    # Embeddings.
    def weights_of(self, model: str) -> dict[str, str]:
        """The weights a model's features need: a network's, the user's file, or none."""
        kind = BASELINES[model].kind if model in BASELINES else "network"
        if kind == "features":
            return {}
        if kind in ("pretrained", "saved"):
            return {"weights": self.config["baselines"][BASELINES[model].needs]}
        return {"weights": self.final_weights(model)}

    def feature_params(self, model: str) -> dict:
        """The settings a model's features depend on, None for the others (so that an edit
        reruns only the embeddings it changes)."""
        used = BASELINES[model].settings if model in BASELINES else NETWORK_SETTINGS
        out = {"input_size": self.config["crops"]["size"]}
        for name, (section, key) in _FEATURE_KEYS.items():
            out[name] = self.config[section][key] if name in used else None
        return out

    def embed_device(self, model: str) -> str:
        """Where a model's embedding runs: features with no network run on the CPU."""
        if model in BASELINES and BASELINES[model].kind == "features":
            return "cpu"
        return self.config["embed"]["device"]

    # Evaluations and targets.
    def evaluation_files(self, kind: str) -> list[str]:
        """results/eval/<model>/<kind>.csv of every model, when the data has that evaluation."""
        available = self.has_posture_labels if kind == "posture" else self.has_stills
        return [f"results/eval/{m}/{kind}.csv" for m in self.table_models] if available else []

    def targets(self) -> list[str]:
        """Everything the configured run produces."""
        mined = self.mined
        out = self.per_video("results/crops/{category}/{video}.npy")
        out += [f"results/figures/flow/{v}.png" for v in self.figure_videos("flow_videos")]
        if self.trained:
            out += [
                "results/curriculum/samples.parquet",
                "results/figures/curriculum_histogram.png",
            ]
        out += [f"results/figures/training/{m}.png" for m in self.models]
        out += [f"results/embed/{m}/frames.h5" for m in [*self.models, *self.baselines]]
        out += self.evaluation_files("posture") + self.evaluation_files("retrieval")
        if self.stage_posture_models:
            out += ["results/tables/posture_by_stage.csv", "results/figures/posture_by_stage.png"]
        out += [f"results/mining/{m}/repetitions.parquet" for m in mined]
        out += [
            f"results/figures/repetitions/{m}/{v}.png"
            for m in mined
            if m in self.config["experiments"]
            for v in self.figure_videos("repetition_videos")
        ]
        if self.synthetic and mined:
            out.append("results/tables/repetitions.csv")
        out += [f"results/counting/{m}/counts.csv" for m in self.table_models]
        out += [
            f"results/figures/counting/{m}/{v}.png"
            for m in self.counting_models
            for v in self.figure_videos("counting_videos")
        ]
        if self.has_cycles:
            out.append("results/tables/counting.csv")
        if self.synthetic:
            out.append("results/tables/lag_similarity.csv")
        if self.has_posture_labels or self.has_stills:
            out.append("results/tables/retrieval.csv")
        if self.has_stills:
            out.append("results/figures/mpii_retrievals.png")
        if self.synthetic:
            out += [
                "results/figures/synthetic_samples.png",
                "results/tables/embedding_diagnostics.csv",
                "results/tables/person_masks.csv",
                "results/tables/task_shortcuts.csv",
            ]
        return out


def _figure_videos(
    config: dict, videos: dict, categories: list[str], key: str, warnings: list[str]
) -> list[str]:
    """``figures.<key>``: its 'category/video' ids of the chosen categories (saying which it
    leaves out), or the first video of each category."""
    chosen = config["figures"][key]
    if chosen is None:
        return [f"{c}/{min(v for k, v in videos if k == c)}" for c in categories]
    other = [v for v in chosen if v.split("/", 1)[0] not in categories]
    if other:
        warnings.append(
            f"figures.{key}: {other} are left out: their categories are not in this run"
        )
    kept = [v for v in chosen if v not in other]
    unknown = [v for v in kept if tuple(v.split("/", 1)) not in videos]
    if unknown:
        raise ValueError(
            f"config figures.{key}: {unknown} are not videos of the dataset; write them as "
            "category/video"
        )
    return kept


def _label_files(config: dict, data_root: Path, categories: list[str], kind: str) -> list[str]:
    """The posture label files (``labels``) or frame lists (``frame_lists``) of the dataset."""
    name = "labels_{}.hdf5" if kind == "labels" else "imagePaths_{}.txt"
    folder = data_root / config["dataset"]["labels"]
    return [str(folder / name.format(c)) for c in categories]


def _data_path(config: dict, data_root: Path, key: str) -> Path:
    """A dataset path of the config: relative to the dataset's root, or absolute."""
    return data_root / config["dataset"][key]


def build_plan(config: dict, schema: dict) -> Plan:
    """The plan of a validated ``config`` (defaults filled in); ``schema`` checks each
    experiment's resolved sections."""
    config = copy.deepcopy(config)
    ds = config["dataset"]
    synthetic = ds["kind"] == "synthetic"
    data_root = Path("results/synthetic" if synthetic else ds["root"])
    per_category = config["synthetic"]["videos_per_category"] if synthetic else None
    videos = video_table(ds, data_root, per_category)
    warnings = []
    left_out = groundtruth_experiments(config) if not synthetic else []
    if not synthetic:
        for name in left_out:
            warnings.append(
                f"experiments.{name} is left out: its training.background groundtruth needs "
                "the synthetic generator's masks"
            )
            del config["experiments"][name]
    experiments = resolve_experiments(config, schema)
    signatures = {n: training_signature(e) for n, e in experiments.items()}
    model_signatures = {n: model_signature(e) for n, e in experiments.items()}
    model_as = canonical_experiments(model_signatures)
    baselines = [b.name for b in BASELINES.values() if runs(b, synthetic, config["baselines"])]
    stills = ds["stills"]
    has_stills = stills is not None and (
        synthetic or _data_path(config, data_root, "stills").exists()
    )
    if stills is not None and not has_stills:
        warnings.append(
            f"dataset.stills: {_data_path(config, data_root, 'stills')} does not exist; the pose "
            "retrieval is left out (set dataset.stills to null to say so)"
        )
    categories = sorted({c for c, _ in videos})
    labels = synthetic or all(
        Path(p).exists() for p in _label_files(config, data_root, categories, "labels")
    )
    absent = [
        n
        for n in config["evaluation"]["stage_posture"]
        if n not in experiments and n not in left_out
    ]
    if labels and absent:
        warnings.append(
            f"evaluation.stage_posture: {absent} are left out: not experiments of this run"
        )
    plan = Plan(
        config=config,
        synthetic=synthetic,
        data_root=data_root,
        videos=videos,
        experiments=experiments,
        signatures=signatures,
        model_signatures=model_signatures,
        trained_as=canonical_experiments(signatures),
        model_as=model_as,
        baselines=baselines,
        has_stills=has_stills,
        has_posture_labels=labels,
        experiment_rows=experiment_rows(config, experiments, model_as),
        figures={
            key: _figure_videos(config, videos, categories, key, warnings)
            for key in ("flow_videos", "repetition_videos", "counting_videos")
        },
        warnings=warnings,
        saved_background=_saved_background(config, synthetic) if "saved" in baselines else None,
    )
    _check_figures(plan)
    _check_mining_embeddings(plan)
    return plan


def _check_mining_embeddings(plan: Plan) -> None:
    """Every ``mining.embedding`` names self or a baseline the run embeds."""
    for name in plan.mined:
        source = plan.mining_source(name)
        if source != "self" and source not in plan.baselines:
            raise ConfigError(
                f"experiments.{name}.mining.embedding: {source!r} is not a baseline of this run; "
                f"use self or one of {', '.join(plan.baselines)}"
            )


def _saved_background(config: dict, synthetic: bool) -> str:
    """What the saved network was trained to see behind the person, read from its file."""
    path = Path(config["baselines"]["saved_weights"])
    key = "baselines.saved_weights"
    if not path.is_file():
        raise ValueError(
            f"{key}: {path} is not a file; give weights a training wrote, such as the default "
            "run's results/train/full/refined.pt (make run), as an absolute path"
        )
    background = saved_settings(path, key)["background"]
    if background == "groundtruth" and not synthetic:
        raise ValueError(
            f"{key}: {path} was trained on the synthetic generator's masks (background "
            "groundtruth), which folder datasets do not have; give a model trained with "
            "background motion or keep"
        )
    return background


def _check_figures(plan: Plan) -> None:
    """The figures' choices of model and baseline name ones that run; the annotations named
    exist."""
    figures = plan.config["figures"]
    choices = [*plan.experiments, *plan.baselines]
    unknown = [m for m in figures["counting_models"] if m not in choices]
    if unknown:
        raise ValueError(
            f"config figures.counting_models: {unknown} are neither experiments nor baselines "
            f"that run; choose among {choices}"
        )
    cycles = plan.cycles_file()
    if cycles and not Path(cycles).is_file():
        raise ValueError(
            f"config dataset.cycles: {cycles} does not exist; give the repetition annotations' "
            "CSV (relative to dataset.root or absolute), or null"
        )
    if not plan.has_stills:
        return
    if figures["retrieval_model"] not in plan.experiments:
        raise ValueError(
            f"config figures.retrieval_model: {figures['retrieval_model']!r} is not an "
            f"experiment; choose one of {list(plan.experiments)}"
        )
    if figures["retrieval_baseline"] not in plan.baselines:
        raise ValueError(
            f"config figures.retrieval_baseline: {figures['retrieval_baseline']!r} is not a "
            f"baseline that runs; choose one of {plan.baselines}"
        )
