"""Repetition mining on the last curriculum stage, and the refinement on the cleaned labels."""


rule embed_for_mining:
    """Embeddings of every frame by the last curriculum stage of a trained experiment: what the
    miner reads (once for all the models that mine on those stages)."""
    input:
        weights=lambda wildcards: last_stage_weights(wildcards.exp),
        crops=per_video("results/crops/{category}/{video}.npy"),
        masks=lambda wildcards: background_masks(wildcards.exp),
        frames=per_video("results/frames/{category}/{video}.npz"),
    output:
        embeddings="results/mining/{exp}/frames.h5",
    log:
        "results/logs/embed_for_mining/{exp}.log",
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


rule mine_repetitions:
    """Mutual peaks of each video's self-similarity, far in time, merged into groups; and
    mutual nearest neighbours across the videos of a category."""
    input:
        embeddings=mining_embeddings,
    output:
        repetitions="results/mining/{mined}/repetitions.parquet",
        cross_video="results/mining/{mined}/cross_video.parquet",
    log:
        "results/logs/mine_repetitions/{mined}.log",
    benchmark:
        "results/benchmarks/mine_repetitions/{mined}.tsv"
    conda:
        "../../envs/poseembed.yaml"
    resources:
        gpu=mining_gpu,
    params:
        settings=mining_params,
    script:
        "../../scripts/mine_repetitions.py"


rule repetition_figure:
    """A video's query frames and their mined repetitions (the paper's supplementary Figs. 2-4)."""
    input:
        repetitions="results/mining/{mined}/repetitions.parquet",
        crops="results/crops/{category}/{video}.npy",
        frames="results/frames/{category}/{video}.npz",
    output:
        figure=report(
            "results/figures/repetitions/{mined}/{category}/{video}.png",
            caption="../report/repetitions.rst",
            category="Repetition mining",
            subcategory="{mined}",
        ),
    log:
        "results/logs/repetition_figure/{mined}/{category}/{video}.log",
    conda:
        "../../envs/poseembed.yaml"
    params:
        rows=config["figures"]["repetition_rows"],
        columns=config["figures"]["repetition_columns"],
    script:
        "../../scripts/repetition_figure.py"


rule refine:
    """Training continued from the last curriculum stage on the labels the repetitions clean:
    mined repetitions as extra positives, and no negative inside a repetition group."""
    input:
        samples="results/curriculum/samples.parquet",
        crops=per_video("results/crops/{category}/{video}.npy"),
        masks=lambda wildcards: background_masks(wildcards.mined),
        init=curriculum_weights,
        repetitions="results/mining/{mined}/repetitions.parquet",
        cross_video="results/mining/{mined}/cross_video.parquet",
        embeddings=mining_embeddings,
    output:
        weights="results/train/{mined}/refined.pt",
        metrics="results/train/{mined}/refined_metrics.csv",
    log:
        "results/logs/refine/{mined}.log",
    benchmark:
        "results/benchmarks/refine/{mined}.tsv"
    conda:
        "../../envs/poseembed.yaml"
    threads: config["training"]["threads"]
    resources:
        gpu=lambda wildcards: on_gpu(EXPERIMENTS[wildcards.mined]["training"]["device"]),
    params:
        signature=refine_params,
        stages=STAGES,
        input_size=config["crops"]["size"],
        state=lambda wildcards: f"results/train_state/{wildcards.mined}/refined.ckpt",
    script:
        "../../scripts/refine.py"


rule repetition_table:
    """Mined repetitions against the generator's cycles and phases (synthetic data only)."""
    input:
        repetitions=expand("results/mining/{mined}/repetitions.parquet", mined=MINED),
        groundtruth=groundtruth_files(),
    output:
        table=report(
            "results/tables/repetitions.csv",
            caption="../report/repetitions_table.rst",
            category="Repetition mining",
        ),
        markdown="results/tables/repetitions.md",
        videos="results/tables/repetitions_videos.csv",
    log:
        "results/logs/repetition_table.log",
    conda:
        "../../envs/poseembed.yaml"
    params:
        models=MINED,
        settings=lambda wildcards: [MODEL_SIGNATURES[m] for m in MINED],
        tolerance=config["evaluation"]["phase_tolerance"],
    script:
        "../../scripts/repetition_table.py"
