"""Baselines that need no download: the untrained network, HOG and raw pixels."""


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


rule embed_baseline:
    """HOG or raw-pixel embeddings of the centre crops the network sees, every frame of every
    video and the mirrored frames the posture labels judge."""
    input:
        unpack(posture_inputs),
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
    params:
        input_size=config["crops"]["size"],
        pixel_side=config["baselines"]["pixel_side"],
    script:
        "../../scripts/embed_baseline.py"
