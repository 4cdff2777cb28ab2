"""Experiments: named overrides of the model, training and mining sections, and which of them
train alike.

An experiment's training signature holds exactly the settings its curriculum stages depend on
(the temporal ranges only when the temporal task is on), so that experiments with equal
signatures are trained once and an edit reruns only the experiments it concerns. Its model
signature adds the mining and refinement settings: experiments equal in both are one model.
"""

from __future__ import annotations

import copy

from poseembed.baselines import BASELINES
from poseembed.config import SECTIONS, ConfigError, config_errors

_TEMPORAL_ONLY_KEYS = ("tau_pos", "tau_neg", "grey_prob")
# Keys that change how a training runs, not what it learns; ``training.Parallel`` holds them.
PARALLEL_KEYS = ("processes", "loader_workers")
_RUN_KEYS = ("threads", *PARALLEL_KEYS)
_MINING_RUN_KEYS = ("enabled", "tile", "device")


def _merge(base: dict, override: dict, where: str) -> dict:
    out = copy.deepcopy(base)
    for key, value in override.items():
        if key not in base:
            raise ConfigError(f"{where}.{key}: unknown key; the keys are those of the base section")
        out[key] = value
    return out


def replicate_names(config: dict) -> dict[str, list[str]]:
    """Each configured experiment's trainings: its own name, then ``<name>_r1``, ..."""
    out = {}
    for name, overrides in config["experiments"].items():
        n = (overrides or {}).get("replicates", 1)
        out[name] = [name, *(f"{name}_r{r}" for r in range(1, n))]
    taken = [n for names in out.values() for n in names[1:] if n in config["experiments"]]
    if taken:
        raise ConfigError(
            f"experiments: {taken} are names of replicates (<name>_r<i>); rename those experiments"
        )
    return out


def resolve_experiments(config: dict, schema: dict) -> dict[str, dict]:
    """Every experiment's effective sections, each checked against the schema; replicates
    follow their experiment, with training seeds counted up from its own."""
    out = {}
    replicates = replicate_names(config)
    for name, overrides in config["experiments"].items():
        if name in BASELINES:
            raise ConfigError(f"experiments.{name}: the name is a baseline's; choose another")
        effective = {
            section: _merge(
                config[section], (overrides or {}).get(section, {}), f"experiments.{name}.{section}"
            )
            for section in SECTIONS
        }
        sub_schema = {
            "type": "object",
            "properties": {s: schema["properties"][s] for s in SECTIONS},
        }
        errors = config_errors(effective, sub_schema)
        if errors:
            raise ConfigError(
                "invalid experiment:\n  " + "\n  ".join(f"experiments.{name}.{e}" for e in errors)
            )
        training = effective["training"]
        lo, hi = training["tau_neg"]
        if training["temporal_weight"] > 0 and not training["tau_pos"] < lo <= hi:
            raise ConfigError(
                f"experiments.{name}: training.tau_pos ({training['tau_pos']}) and "
                f"training.tau_neg ({[lo, hi]}) need tau_pos < tau_neg[0] <= tau_neg[1]: "
                "positives nearer in time than every negative"
            )
        if training["batch_size"] % training["processes"]:
            raise ConfigError(
                f"experiments.{name}: training.batch_size ({training['batch_size']}) is not a "
                f"multiple of training.processes ({training['processes']}): every process "
                "trains on an equal part of the batch"
            )
        mining = effective["mining"]
        if mining["positive_share"] + mining["cross_video_share"] > 1:
            raise ConfigError(
                f"experiments.{name}: mining.positive_share ({mining['positive_share']}) and "
                f"mining.cross_video_share ({mining['cross_video_share']}) add up to more than 1"
            )
        for r, replicate in enumerate(replicates[name]):
            out[replicate] = copy.deepcopy(effective)
            out[replicate]["training"]["seed"] += r
    return out


def groundtruth_experiments(config: dict) -> list[str]:
    """The experiments that grey the background with the synthetic generator's masks: a
    diagnosis that real data cannot give."""
    base = config["training"].get("background")
    return [
        name
        for name, overrides in config["experiments"].items()
        if (overrides or {}).get("training", {}).get("background", base) == "groundtruth"
    ]


def training_signature(effective: dict) -> dict:
    """The settings an experiment's training depends on, and no others."""
    training = {k: v for k, v in effective["training"].items() if k not in _RUN_KEYS}
    if training["temporal_weight"] == 0:
        for key in _TEMPORAL_ONLY_KEYS:
            training.pop(key)
    if training["lr_schedule"] != "cosine":
        training.pop("warmup")
    if training["temporal_weight"] == 0 and training["spatial_weight"] == 0:
        raise ConfigError(
            "training: temporal_weight and spatial_weight are both 0; switch one task on"
        )
    # Sorted keys: Snakemake compares params as text, and a config file's key order is not ours.
    return {
        "model": dict(sorted(effective["model"].items())),
        "training": dict(sorted(training.items())),
    }


def parallel_keys(effective: dict) -> dict:
    """How an experiment's trainings run (``PARALLEL_KEYS``): resources of their jobs."""
    return {k: effective["training"][k] for k in PARALLEL_KEYS}


def mining_signature(effective: dict) -> dict | None:
    """The mining and refinement settings of an experiment; None when it does not mine (mining
    off, or no temporal task to refine)."""
    mining, training = effective["mining"], effective["training"]
    if not mining["enabled"] or training["temporal_weight"] == 0:
        return None
    out = {k: v for k, v in mining.items() if k not in _MINING_RUN_KEYS}
    if out["cross_video_share"] == 0:
        out.pop("cross_video_threshold")
    # The paper's miner, on the experiment's own stages, keeps the signature it had before the
    # key existed: caches of such models stay valid.
    if out["embedding"] == "self":
        out.pop("embedding")
    if out["min_gap"] is None:
        out["min_gap"] = training["tau_neg"][1]
    return dict(sorted(out.items()))


def model_signature(effective: dict) -> dict:
    """What an experiment's final model depends on: its stages, then mining and refinement."""
    return {**training_signature(effective), "mining": mining_signature(effective)}


def canonical_experiments(signatures: dict[str, dict]) -> dict[str, str]:
    """Each experiment mapped to the first experiment (in config order) that trains alike."""
    out: dict[str, str] = {}
    for name, sig in signatures.items():
        out[name] = next(n for n, s in signatures.items() if s == sig)
    return out


def final_stage(training: dict, stages: int) -> int:
    return stages if training["curriculum"] else 1


def stage_iterations(training: dict, stages: int) -> int:
    """Iterations of one stage: without a curriculum the single stage gets all of them."""
    return training["iterations"] * (1 if training["curriculum"] else stages)


def _changes(overrides: dict) -> str:
    """An experiment's overrides as 'section.key=value, ...'."""
    return ", ".join(
        f"{section}.{k}={v}"
        for section in SECTIONS
        for k, v in (overrides or {}).get(section, {}).items()
    )


def experiment_rows(
    config: dict, experiments: dict[str, dict], model_as: dict[str, str]
) -> list[dict]:
    """One table row per configured experiment: its replicates' models, what it changes, its
    temporal ranges, whether it is a temporal-only run of the paper's Table 1, and the other
    experiments that are the same model."""
    rows = []
    replicates = replicate_names(config)
    for name, names in replicates.items():
        e = experiments[name]
        t = e["training"]
        models = [model_as[n] for n in names]
        rows.append(
            {
                "name": name,
                "kind": "experiment",
                "models": models,
                "what": _changes(config["experiments"][name]) or "the base configuration",
                "tau_pos": t["tau_pos"],
                "tau_neg": list(t["tau_neg"]),
                "temporal_only": t["spatial_weight"] == 0
                and t["temporal_weight"] > 0
                and t["curriculum"]
                and mining_signature(e) is None,
                "aliases": [
                    other
                    for other, other_names in replicates.items()
                    if other != name and [model_as[n] for n in other_names] == models
                ],
            }
        )
    return rows
