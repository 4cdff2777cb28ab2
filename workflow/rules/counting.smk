"""Repetition counting from every model's and baseline's frame embeddings, judged against the
synthetic generator's cycles or a dataset's annotated ones (dataset.cycles)."""


rule count_repetitions:
    """Each video's count, period and cycles, and each frame's period, from its
    self-similarity."""
    input:
        embeddings="results/embed/{model}/frames.h5",
    output:
        counts="results/counting/{model}/counts.csv",
        periods="results/counting/{model}/periods.parquet",
    log:
        "results/logs/count_repetitions/{model}.log",
    benchmark:
        "results/benchmarks/count_repetitions/{model}.tsv"
    conda:
        "../../envs/poseembed.yaml"
    params:
        settings=config["counting"],
    script:
        "../../scripts/count_repetitions.py"


rule counting_table:
    """Count error, off-by-one accuracy, cycle boundaries and periods of every model, and how
    alike its embedding finds frames one and half a cycle apart."""
    input:
        counts=expand("results/counting/{model}/counts.csv", model=PLAN.table_models),
        periods=expand(
            "results/counting/{model}/periods.parquet", model=PLAN.table_models
        ),
        embeddings=expand("results/embed/{model}/frames.h5", model=PLAN.table_models),
        cycles=PLAN.cycles_file(),
        groundtruth=PLAN.groundtruth_files() if PLAN.synthetic else [],
    output:
        table=report(
            "results/tables/counting.csv",
            caption="../report/counting_table.rst",
            category="Repetition counting",
        ),
        markdown="results/tables/counting.md",
        videos="results/tables/counting_videos.csv",
    log:
        "results/logs/counting_table.log",
    conda:
        "../../envs/poseembed.yaml"
    params:
        models=PLAN.table_models,
        tolerance=config["evaluation"]["cycle_tolerance"],
    script:
        "../../scripts/counting_table.py"


rule counting_figure:
    """A video's self-similarity with the counted cycles, and a strip of frames per cycle."""
    input:
        counts="results/counting/{model}/counts.csv",
        embeddings="results/embed/{model}/frames.h5",
        crops="results/crops/{category}/{video}.npy",
        frames="results/frames/{category}/{video}.npz",
    output:
        figure=report(
            "results/figures/counting/{model}/{category}/{video}.png",
            caption="../report/counting.rst",
            category="Repetition counting",
            subcategory="{model}",
        ),
    log:
        "results/logs/counting_figure/{model}/{category}/{video}.log",
    conda:
        "../../envs/poseembed.yaml"
    params:
        rows=config["figures"]["counting_rows"],
        columns=config["figures"]["counting_columns"],
    script:
        "../../scripts/counting_figure.py"


rule lag_similarity:
    """Each model's mean similarity by lag over frames outside the generator's cycles: where
    it comes back at some lag, the embedding has learnt a time scale, not poses, and counts
    repetitions that are not there (synthetic data only)."""
    input:
        embeddings=expand("results/embed/{model}/frames.h5", model=PLAN.table_models),
        groundtruth=PLAN.groundtruth_files(),
    output:
        table="results/tables/lag_similarity.csv",
        figure=report(
            "results/figures/lag_similarity.png",
            caption="../report/lag_similarity.rst",
            category="Repetition counting",
        ),
    log:
        "results/logs/lag_similarity.log",
    conda:
        "../../envs/poseembed.yaml"
    params:
        models=PLAN.table_models,
        figure_models=PLAN.lag_figure_models,
        lags=config["evaluation"]["lags"],
    script:
        "../../scripts/lag_similarity.py"
