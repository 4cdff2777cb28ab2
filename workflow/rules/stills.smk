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


rule embed_stills:
    """Embeddings of the still people's crops and of their mirror images, by a network or a
    baseline."""
    input:
        unpack(weights_of),
        crops="results/stills/crops.npy",
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
