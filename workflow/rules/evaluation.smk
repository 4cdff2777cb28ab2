"""Evaluation protocols on the embeddings."""


rule evaluate_posture:
    """CliqueCNN's Olympic Sports posture protocol: per-category AUC of the mean ROC curve."""
    input:
        unpack(lambda w: PLAN.posture_inputs()),
        embeddings="results/embed/{model}/frames.h5",
    output:
        table="results/eval/{model}/posture.csv",
        curves="results/eval/{model}/posture_roc.csv",
    log:
        "results/logs/evaluate_posture/{model}.log",
    conda:
        "../../envs/poseembed.yaml"
    script:
        "../../scripts/evaluate_posture.py"


rule stage_posture:
    """The posture protocol after every curriculum stage and the refinement of a model, on the
    frames the labels judge: whether training goes on lifting the pose."""
    input:
        unpack(lambda w: PLAN.posture_inputs()),
        weights=lambda w: list(PLAN.stage_weights(w.model).values()),
        crops=CROPS,
        frames=FRAMES,
        masks=lambda w: PLAN.background_masks(w.model),
    output:
        table="results/eval/{model}/posture_by_stage.csv",
    log:
        "results/logs/stage_posture/{model}.log",
    benchmark:
        "results/benchmarks/stage_posture/{model}.tsv"
    conda:
        "../../envs/poseembed.yaml"
    threads: config["embed"]["threads"]
    resources:
        gpu=gpu(config["embed"]["device"]),
    params:
        model=lambda w: w.model,
        steps=lambda w: list(PLAN.stage_weights(w.model)),
        features=lambda w: PLAN.feature_params(w.model),
        device=config["embed"]["device"],
    script:
        "../../scripts/stage_posture.py"


rule posture_by_stage:
    """The stage curves of evaluation.stage_posture's models as one table and one figure, the
    baselines' Avg. AUC beside them."""
    input:
        stages=[
            f"results/eval/{m}/posture_by_stage.csv" for m in PLAN.stage_posture_models
        ],
        baselines=[f"results/eval/{b}/posture.csv" for b in PLAN.baselines],
    output:
        table=report(
            "results/tables/posture_by_stage.csv",
            caption="../report/posture_by_stage.rst",
            category="Tables",
        ),
        markdown="results/tables/posture_by_stage.md",
        figure=report(
            "results/figures/posture_by_stage.png",
            caption="../report/posture_by_stage.rst",
            category="Training",
        ),
    log:
        "results/logs/posture_by_stage.log",
    conda:
        "../../envs/poseembed.yaml"
    params:
        baselines=PLAN.baselines,
    script:
        "../../scripts/posture_by_stage.py"


rule evaluate_retrieval:
    """Pose retrieval on the still images: every person a query against the others; the
    ground-truth pose distance and precision of the nearest by embedding, with the random and
    oracle rankings."""
    input:
        people="results/stills/people.json",
        embeddings="results/embed/{model}/stills.h5",
    output:
        table="results/eval/{model}/retrieval.csv",
    log:
        "results/logs/evaluate_retrieval/{model}.log",
    conda:
        "../../envs/poseembed.yaml"
    params:
        retrieval=retrieval_params(),
    script:
        "../../scripts/evaluate_retrieval.py"


rule embedding_diagnostics:
    """What every model's embedding encodes (synthetic data: the generator's joints): how it
    follows the pose within and across videos, pose neighbours and a linear read-out across
    videos, how well it tells videos apart, and whether a frame's nearest frame of another
    cycle is at its phase (what mining can find), and how it follows the label-free person mask
    instead."""
    input:
        embeddings=expand("results/embed/{model}/frames.h5", model=PLAN.table_models),
        groundtruth=PLAN.groundtruth_files(),
        masks=MOTION_MASKS,
    output:
        table=report(
            "results/tables/embedding_diagnostics.csv",
            caption="../report/embedding_diagnostics.rst",
            category="Tables",
        ),
        markdown="results/tables/embedding_diagnostics.md",
    log:
        "results/logs/embedding_diagnostics.log",
    conda:
        "../../envs/poseembed.yaml"
    params:
        models=PLAN.table_models,
        frames=config["evaluation"]["pose_correlation_frames"],
        seed=config["seed"],
        phase_tolerance=config["evaluation"]["phase_tolerance"],
        min_gap=PLAN.mining_gap,
        input_size=config["crops"]["size"],
    script:
        "../../scripts/embedding_diagnostics.py"


rule mask_quality_table:
    """Label-free person masks (by masks.method, filled by masks.unseen; before the fill; the
    flow's alone) against the generator's, per category (synthetic data)."""
    input:
        motion=MOTION_MASKS,
        label_free=LABEL_FREE_MASKS,
        flow=FLOW_MASKS,
        groundtruth=GROUNDTRUTH_MASKS,
    output:
        table=report(
            "results/tables/person_masks.csv",
            caption="../report/person_masks.rst",
            category="Tables",
        ),
        markdown="results/tables/person_masks.md",
    log:
        "results/logs/mask_quality_table.log",
    conda:
        "../../envs/poseembed.yaml"
    params:
        method=config["masks"]["method"],
        unseen=config["masks"]["unseen"],
    script:
        "../../scripts/mask_quality_table.py"


rule task_shortcuts_table:
    """Each model's held-out task accuracies with its own crops, the person only and the
    background only: which tasks have a shortcut in the scene (synthetic data)."""
    input:
        samples="results/curriculum/samples.parquet",
        weights=[PLAN.final_weights(m) for m in PLAN.models],
        crops=CROPS,
        motion_masks=MOTION_MASKS,
        flow_masks=FLOW_MASKS,
        groundtruth_masks=GROUNDTRUTH_MASKS,
    output:
        table=report(
            "results/tables/task_shortcuts.csv",
            caption="../report/task_shortcuts.rst",
            category="Tables",
        ),
        markdown="results/tables/task_shortcuts.md",
    log:
        "results/logs/task_shortcuts_table.log",
    conda:
        "../../envs/poseembed.yaml"
    threads: config["embed"]["threads"]
    resources:
        gpu=gpu(config["embed"]["device"]),
    params:
        models=PLAN.models,
        backgrounds=[PLAN.experiments[m]["training"]["background"] for m in PLAN.models],
        heldout_fractions=[
            PLAN.experiments[m]["training"]["heldout_fraction"] for m in PLAN.models
        ],
        device=config["embed"]["device"],
    script:
        "../../scripts/task_shortcuts_table.py"
