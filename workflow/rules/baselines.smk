"""Baselines: the untrained network, HOG and raw pixels (no download), and an ImageNet AlexNet
from a local weights file."""


rule random_weights:
    """The untrained network: the baseline that shows what training adds."""
    output:
        weights="results/baselines/random/weights.pt",
    log:
        "results/logs/random_weights.log",
    conda:
        "../../envs/poseembed.yaml"
    params:
        network=random_model_params(),
        input_size=config["crops"]["size"],
    script:
        "../../scripts/random_weights.py"


rule train_supervised:
    """The supervised upper bound: the same network trained on the generator's poses."""
    input:
        crops=per_video("results/crops/{category}/{video}.npy"),
        frames=per_video("results/frames/{category}/{video}.npz"),
        groundtruth=groundtruth_files(),
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
        gpu=TRAINING_GPU,
    params:
        settings=supervised_params(),
    script:
        "../../scripts/train_supervised.py"


rule embed_baseline:
    """HOG, raw-pixel or ImageNet AlexNet embeddings of the centre crops the network sees,
    every frame of every video and the mirrored frames the posture labels judge."""
    input:
        unpack(posture_inputs),
        unpack(weights_of),
        crops=per_video("results/crops/{category}/{video}.npy"),
        frames=per_video("results/frames/{category}/{video}.npz"),
    output:
        embeddings="results/embed/{baseline}/frames.h5",
    log:
        "results/logs/embed_baseline/{baseline}.log",
    benchmark:
        "results/benchmarks/embed_baseline/{baseline}.tsv"
    conda:
        "../../envs/poseembed.yaml"
    threads: config["training"]["threads"]
    resources:
        gpu=lambda wildcards: (
            TRAINING_GPU if wildcards.baseline == IMAGENET_ALEXNET else 0
        ),
    params:
        features=feature_params,
        device=config["training"]["device"],
    script:
        "../../scripts/embed_baseline.py"
