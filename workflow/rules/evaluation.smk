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
