"""Evaluation protocols on the embeddings."""


rule evaluate_posture:
    """CliqueCNN's Olympic Sports posture protocol: per-category AUC of the mean ROC curve."""
    input:
        unpack(posture_inputs),
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


rule pose_correlation_table:
    """How every model's embedding follows the ground-truth pose within a video and across
    videos (synthetic data: the generator's joints)."""
    input:
        embeddings=expand("results/embed/{model}/frames.h5", model=TABLE_MODELS),
        groundtruth=groundtruth_files(),
    output:
        table=report(
            "results/tables/pose_correlation.csv",
            caption="../report/pose_correlation.rst",
            category="Tables",
        ),
        markdown="results/tables/pose_correlation.md",
    log:
        "results/logs/pose_correlation_table.log",
    conda:
        "../../envs/poseembed.yaml"
    params:
        models=TABLE_MODELS,
        frames=config["evaluation"]["pose_correlation_frames"],
        seed=config["seed"],
    script:
        "../../scripts/pose_correlation_table.py"
