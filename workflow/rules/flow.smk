"""Optical flow per video: fg/bg ratio, camera motion and, without annotations, boxes."""


rule optical_flow:
    """Flow between consecutive frames and its per-frame statistics."""
    input:
        frames="results/frames/{category}/{video}.npz",
    output:
        flow="results/flow/{category}/{video}.npz",
    log:
        "results/logs/optical_flow/{category}/{video}.log",
    benchmark:
        "results/benchmarks/optical_flow/{category}/{video}.tsv"
    conda:
        "../../envs/poseembed.yaml"
    threads: 1
    resources:
        gpu=gpu(flow_device()),
    params:
        flow=config["flow"],
    script:
        "../../scripts/optical_flow.py"
