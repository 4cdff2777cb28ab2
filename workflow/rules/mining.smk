"""Repetition mining on the last curriculum stage, and the refinement on the cleaned labels."""


rule mine_repetitions:
    """Mutual peaks of each video's self-similarity, far in time, merged into groups; and
    mutual nearest neighbours across the videos of a category."""
    input:
        embeddings=lambda w: PLAN.mining_embeddings(w.model),
    output:
        repetitions="results/mining/{model}/repetitions.parquet",
        cross_video="results/mining/{model}/cross_video.parquet",
    log:
        "results/logs/mine_repetitions/{model}.log",
    benchmark:
        "results/benchmarks/mine_repetitions/{model}.tsv"
    wildcard_constraints:
        model=MINED_MODELS,
    conda:
        "../../envs/poseembed.yaml"
    resources:
        gpu=experiment_gpu("mining"),
    params:
        settings=lambda w: PLAN.mining_settings(w.model),
        counting=lambda w: PLAN.mining_counting(w.model),
        cross_video_threshold=lambda w: PLAN.cross_video_threshold(w.model),
        device=lambda w: PLAN.experiments[w.model]["mining"]["device"],
    script:
        "../../scripts/mine_repetitions.py"


rule repetition_figure:
    """A video's query frames and their mined repetitions (the paper's supplementary Figs. 2-4)."""
    input:
        repetitions="results/mining/{model}/repetitions.parquet",
        crops="results/crops/{category}/{video}.npy",
        frames="results/frames/{category}/{video}.npz",
    output:
        figure=report(
            "results/figures/repetitions/{model}/{category}/{video}.png",
            caption="../report/repetitions.rst",
            category="Repetition mining",
            subcategory="{model}",
        ),
    log:
        "results/logs/repetition_figure/{model}/{category}/{video}.log",
    wildcard_constraints:
        model=MINED_MODELS,
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
        crops=CROPS,
        masks=lambda w: PLAN.background_masks(w.model),
        init=lambda w: PLAN.last_stage_weights(w.model),
        repetitions="results/mining/{model}/repetitions.parquet",
        cross_video="results/mining/{model}/cross_video.parquet",
        embeddings=lambda w: PLAN.mining_embeddings(w.model),
    output:
        weights="results/train/{model}/refined.pt",
        metrics="results/train/{model}/refined_metrics.csv",
    log:
        "results/logs/refine/{model}.log",
    benchmark:
        "results/benchmarks/refine/{model}.tsv"
    wildcard_constraints:
        model=MINED_MODELS,
    conda:
        "../../envs/poseembed.yaml"
    threads: training_threads
    resources:
        gpu=training_gpus,
        processes=training_resources("processes"),
        loader_workers=training_resources("loader_workers"),
    params:
        signature=lambda w: PLAN.model_signatures[w.model],
        stages=STAGES,
        input_size=config["crops"]["size"],
        state=lambda w: f"results/train_state/{w.model}/refined.ckpt",
    script:
        "../../scripts/train_stage.py"


rule repetition_table:
    """Mined repetitions against the generator's cycles and phases (synthetic data only), the
    miner again with the generator's periods in the counter's place, and the first mined
    model's miner on every baseline's embeddings."""
    input:
        repetitions=expand(
            "results/mining/{model}/repetitions.parquet", model=PLAN.mined
        ),
        embeddings=[PLAN.mining_embeddings(m) for m in PLAN.mined],
        references=expand("results/embed/{model}/frames.h5", model=PLAN.baselines),
        groundtruth=PLAN.groundtruth_files(),
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
        models=PLAN.mined,
        settings=[PLAN.model_signatures[m] for m in PLAN.mined],
        mining=[PLAN.mining_settings(m) for m in PLAN.mined],
        counting=[PLAN.mining_counting(m) for m in PLAN.mined],
        references=PLAN.baselines,
        reference_miner=PLAN.reference_miner,
        tolerance=config["evaluation"]["phase_tolerance"],
    script:
        "../../scripts/repetition_table.py"
