"""Embeddings of every model and baseline, one script per kind of input (video frames, still
people), every model through ``features.model_features``."""


rule embed:
    """L2-normalised embeddings of every frame of every video, and of the mirrored frames the
    posture labels judge, by a model or a baseline."""
    input:
        unpack(lambda w: PLAN.posture_inputs()),
        unpack(lambda w: PLAN.weights_of(w.model)),
        crops=CROPS,
        frames=FRAMES,
        masks=lambda w: PLAN.background_masks(w.model),
    output:
        embeddings="results/embed/{model}/frames.h5",
    log:
        "results/logs/embed/{model}.log",
    benchmark:
        "results/benchmarks/embed/{model}.tsv"
    conda:
        "../../envs/poseembed.yaml"
    threads: config["embed"]["threads"]
    resources:
        gpu=lambda w: gpu(PLAN.embed_device(w.model)),
    params:
        model=lambda w: w.model,
        features=lambda w: PLAN.feature_params(w.model),
        device=lambda w: PLAN.embed_device(w.model),
    script:
        "../../scripts/embed_frames.py"


rule embed_for_mining:
    """Embeddings of every frame by the last curriculum stage of a trained experiment: what the
    miner reads (once for all the models that mine on those stages)."""
    input:
        weights=lambda w: PLAN.last_stage_weights(w.exp),
        crops=CROPS,
        frames=FRAMES,
        masks=lambda w: PLAN.background_masks(w.exp),
    output:
        embeddings="results/mining/{exp}/frames.h5",
    log:
        "results/logs/embed_for_mining/{exp}.log",
    conda:
        "../../envs/poseembed.yaml"
    threads: config["embed"]["threads"]
    resources:
        gpu=gpu(config["embed"]["device"]),
    params:
        model=lambda w: w.exp,
        features=lambda w: PLAN.feature_params(w.exp),
        device=config["embed"]["device"],
    script:
        "../../scripts/embed_frames.py"


rule embed_stills:
    """Embeddings of the still people's crops and of their mirror images, by a model or a
    baseline."""
    input:
        unpack(lambda w: PLAN.weights_of(w.model)),
        crops="results/stills/crops.npy",
        masks=lambda w: PLAN.still_masks(w.model),
    output:
        embeddings="results/embed/{model}/stills.h5",
    log:
        "results/logs/embed_stills/{model}.log",
    conda:
        "../../envs/poseembed.yaml"
    threads: config["embed"]["threads"]
    resources:
        gpu=lambda w: gpu(PLAN.embed_device(w.model)),
    params:
        model=lambda w: w.model,
        features=lambda w: PLAN.feature_params(w.model),
        device=lambda w: PLAN.embed_device(w.model),
    script:
        "../../scripts/embed_stills.py"
