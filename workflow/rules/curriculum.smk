"""The curriculum: training samples ordered by flow reliability and cut into stages."""


rule curriculum:
    """One row per training sample (video, frame, category, fg/bg ratio, stage) and the
    histogram of the paper's supplementary Fig. 1."""
    input:
        flow=FLOWS,
    output:
        samples="results/curriculum/samples.parquet",
        histogram=report(
            "results/figures/curriculum_histogram.png",
            caption="../report/curriculum_histogram.rst",
            category="Curriculum",
        ),
    log:
        "results/logs/curriculum.log",
    conda:
        "../../envs/poseembed.yaml"
    params:
        stages=STAGES,
    script:
        "../../scripts/curriculum.py"
