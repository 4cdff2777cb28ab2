"""The still-image set of the pose retrieval: people, crops and every model's embeddings."""


rule still_crops:
    """The people of the still annotations (at most evaluation.retrieval.max_people) and their
    crops, framed from MPII's centre and scale as the videos' crops are from their boxes.
    """
    input:
        annotations=stills_annotations(),
        images=stills_images(),
    output:
        crops="results/stills/crops.npy",
        people="results/stills/people.json",
    log:
        "results/logs/still_crops.log",
    conda:
        "../../envs/poseembed.yaml"
    params:
        max_people=config["evaluation"]["retrieval"]["max_people"],
        seed=config["seed"],
        size=config["crops"]["size"],
        margin=config["crops"]["margin"],
        context=config["crops"]["context"],
    script:
        "../../scripts/still_crops.py"


rule train_mask_predictor:
    """A small network that predicts the label-free motion masks from the crops' pixels: the
    masks of the still images, which have no flow."""
    input:
        crops=per_video("results/crops/{category}/{video}.npy"),
        masks=per_video("results/masks/motion/{category}/{video}.npy"),
    output:
        weights="results/masks/predictor.pt",
        metrics="results/masks/predictor_metrics.csv",
    log:
        "results/logs/train_mask_predictor.log",
    benchmark:
        "results/benchmarks/train_mask_predictor.tsv"
    conda:
        "../../envs/poseembed.yaml"
    threads: config["training"]["threads"]
    resources:
        gpu=TRAINING_GPU,
    params:
        settings=mask_predictor_params(),
    script:
        "../../scripts/train_mask_predictor.py"


rule still_masks:
    """Person masks of the still crops by the mask predictor."""
    input:
        weights="results/masks/predictor.pt",
        crops="results/stills/crops.npy",
    output:
        masks="results/stills/masks.npy",
    log:
        "results/logs/still_masks.log",
    conda:
        "../../envs/poseembed.yaml"
    threads: config["training"]["threads"]
    resources:
        gpu=TRAINING_GPU,
    params:
        batch_size=config["embed"]["batch_size"],
        device=config["training"]["device"],
    script:
        "../../scripts/still_masks.py"


rule embed_stills:
    """Embeddings of the still people's crops and of their mirror images, by a network or a
    baseline."""
    input:
        unpack(weights_of),
        crops="results/stills/crops.npy",
        masks=lambda wildcards: still_masks(wildcards.model),
    output:
        embeddings="results/embed/{model}/stills.h5",
    log:
        "results/logs/embed_stills/{model}.log",
    conda:
        "../../envs/poseembed.yaml"
    threads: config["training"]["threads"]
    resources:
        gpu=lambda wildcards: (
            0 if wildcards.model in FEATURE_BASELINES else TRAINING_GPU
        ),
    params:
        features=feature_params,
        device=config["training"]["device"],
    script:
        "../../scripts/embed_stills.py"
