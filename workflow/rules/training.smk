"""Self-supervised training, one job per curriculum stage."""


rule train_stage:
    """Stage k of an experiment, starting from stage k-1's weights; resumes from its periodic
    state (outside the outputs) when killed."""
    input:
        samples="results/curriculum/samples.parquet",
        crops=CROPS,
        masks=lambda w: PLAN.background_masks(w.exp),
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
    threads: training_threads
    resources:
        gpu=training_gpus,
        processes=training_resources("processes"),
        loader_workers=training_resources("loader_workers"),
    params:
        signature=lambda w: PLAN.signatures[w.exp],
        stages=STAGES,
        input_size=config["crops"]["size"],
        state=lambda w: f"results/train_state/{w.exp}/stage{w.stage}.ckpt",
    script:
        "../../scripts/train_stage.py"


rule training_curve:
    """Losses and held-out accuracies of every stage of a model, and of its refinement."""
    input:
        metrics=lambda w: PLAN.metrics_files(w.model),
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
