"""Self-supervised training, one job per curriculum stage, and the network's frame embeddings."""


rule train_stage:
    """Stage k of an experiment, starting from stage k-1's weights; resumes from its periodic
    state (outside the outputs) when killed."""
    input:
        samples="results/curriculum/samples.parquet",
        crops=per_video("results/crops/{category}/{video}.npy"),
        masks=lambda wildcards: background_masks(wildcards.exp),
        init=previous_stage,
    output:
        weights="results/train/{exp}/stage{stage}.pt",
        metrics="results/train/{exp}/stage{stage}_metrics.csv",
    log:
        "results/logs/train_stage/{exp}/stage{stage}.log",
    benchmark:
        "results/benchmarks/train_stage/{exp}/stage{stage}.tsv"
    conda:
        "../../envs/poseembed.yaml"
    threads: config["training"]["threads"]
    resources:
        gpu=training_gpu,
    params:
        signature=training_params,
        stages=STAGES,
        input_size=config["crops"]["size"],
        state=lambda wildcards: f"results/train_state/{wildcards.exp}/stage{wildcards.stage}.ckpt",
    script:
        "../../scripts/train_stage.py"


rule training_curve:
    """Losses and held-out accuracies of every stage of a model, and of its refinement."""
    input:
        metrics=model_metrics,
    output:
        figure=report(
            "results/figures/training/{model}.png",
            caption="../report/training_curve.rst",
            category="Training",
            subcategory="{model}",
        ),
    log:
        "results/logs/training_curve/{model}.log",
    conda:
        "../../envs/poseembed.yaml"
    script:
        "../../scripts/training_curve.py"


rule embed:
    """L2-normalised embeddings of every frame of every video, and of the mirrored frames the
    posture labels judge."""
    input:
        unpack(posture_inputs),
        weights=model_weights,
        crops=per_video("results/crops/{category}/{video}.npy"),
        masks=lambda wildcards: background_masks(wildcards.model),
        frames=per_video("results/frames/{category}/{video}.npz"),
    output:
        embeddings="results/embed/{model}/frames.h5",
    log:
        "results/logs/embed/{model}.log",
    benchmark:
        "results/benchmarks/embed/{model}.tsv"
    wildcard_constraints:
        model=NETWORKS,
    conda:
        "../../envs/poseembed.yaml"
    threads: config["training"]["threads"]
    resources:
        gpu=on_gpu(config["training"]["device"]),
    params:
        batch_size=config["embed"]["batch_size"],
        amp=config["training"]["amp"],
        device=config["training"]["device"],
    script:
        "../../scripts/embed.py"
