"""The baselines whose weights the workflow makes: the untrained network and the supervised
bound (the others are features of the crops, or a user's file: ``poseembed.baselines``).
"""


rule random_weights:
    """The untrained network: the baseline that shows what training adds."""
    output:
        weights="results/baselines/random/weights.pt",
    log:
        "results/logs/random_weights.log",
    conda:
        "../../envs/poseembed.yaml"
    params:
        network=random_network_params(),
        input_size=config["crops"]["size"],
    script:
        "../../scripts/random_weights.py"


rule train_supervised:
    """The supervised upper bound: the same network trained on the generator's poses."""
    input:
        crops=CROPS,
        frames=FRAMES,
        groundtruth=PLAN.groundtruth_files(),
    output:
        weights="results/baselines/supervised/weights.pt",
        metrics="results/baselines/supervised/metrics.csv",
    log:
        "results/logs/train_supervised.log",
    benchmark:
        "results/benchmarks/train_supervised.tsv"
    conda:
        "../../envs/poseembed.yaml"
    threads: config["training"]["threads"]
    resources:
        gpu=gpu(config["training"]["device"]),
    params:
        settings=supervised_params(),
    script:
        "../../scripts/train_supervised.py"
