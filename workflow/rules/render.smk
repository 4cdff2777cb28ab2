"""The rendered paper: result tables and the pose retrieval figure."""


rule render_tables:
    """The paper's Table 1 (temporal ranges) and the comparison of every experiment and
    baseline, mean and standard deviation over replicates."""
    input:
        posture=PLAN.evaluation_files("posture"),
        retrieval=PLAN.evaluation_files("retrieval"),
    output:
        ranges=report(
            "results/tables/temporal_ordering_ranges.csv",
            caption="../report/temporal_ordering_ranges.rst",
            category="Tables",
        ),
        ranges_md="results/tables/temporal_ordering_ranges.md",
        comparison=report(
            "results/tables/retrieval.csv",
            caption="../report/comparison.rst",
            category="Tables",
        ),
        comparison_md="results/tables/retrieval.md",
    log:
        "results/logs/render_tables.log",
    conda:
        "../../envs/poseembed.yaml"
    params:
        rows=PLAN.table_rows(),
    script:
        "../../scripts/render_tables.py"


rule retrieval_figure:
    """For a few queries, the nearest people by ground-truth pose, by a baseline and by ours
    (the paper's supplementary Fig. 5)."""
    input:
        people="results/stills/people.json",
        crops="results/stills/crops.npy",
        model=lambda w: f"results/embed/{PLAN.retrieval_model}/stills.h5",
        baseline=f"results/embed/{config['figures']['retrieval_baseline']}/stills.h5",
    output:
        figure=report(
            "results/figures/mpii_retrievals.png",
            caption="../report/mpii_retrievals.rst",
            category="Pose retrieval",
        ),
    log:
        "results/logs/retrieval_figure.log",
    conda:
        "../../envs/poseembed.yaml"
    params:
        model=config["figures"]["retrieval_model"],
        baseline=config["figures"]["retrieval_baseline"],
        queries=config["figures"]["retrieval_queries"],
        neighbours=config["figures"]["retrieval_neighbours"],
        input_size=config["crops"]["size"],
        flip_invariant=config["evaluation"]["retrieval"]["flip_invariant"],
        min_common_joints=config["evaluation"]["retrieval"]["min_common_joints"],
    script:
        "../../scripts/retrieval_figure.py"
