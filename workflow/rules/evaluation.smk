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
