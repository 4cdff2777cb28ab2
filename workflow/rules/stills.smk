"""The still-image set of the pose retrieval: its people, their crops and person masks."""


rule still_crops:
    """The people of the still annotations (at most evaluation.retrieval.max_people) and their
    crops, framed from MPII's centre and scale as the videos' crops are from their boxes.
    """
    input:
        annotations=PLAN.stills_file("stills"),
        images=PLAN.stills_file("stills_images"),
    output:
        crops="results/stills/crops.npy",
        people="results/stills/people.json",
    log:
        "results/logs/still_crops.log",
    conda:
        "../../envs/poseembed.yaml"
    params:
        **CROP_GEOMETRY,
        max_people=config["evaluation"]["retrieval"]["max_people"],
        seed=config["seed"],
    script:
        "../../scripts/still_crops.py"


rule train_mask_predictor:
    """A small network that predicts the label-free masks from the crops' pixels, trained on
    the pixels whose mask the scene gave: the masks of the still images, which have no flow,
    and of the frames where no frame showed the scene."""
    input:
        crops=CROPS,
        masks=LABEL_FREE_MASKS,
        seen=SEEN_MASKS,
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
        gpu=gpu(config["training"]["device"]),
    params:
        settings={
            **config["mask_predictor"],
            "seed": config["seed"],
            "device": config["training"]["device"],
        },
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
    threads: config["embed"]["threads"]
    resources:
        gpu=gpu(config["embed"]["device"]),
    params:
        batch_size=config["embed"]["batch_size"],
        device=config["embed"]["device"],
    script:
        "../../scripts/still_masks.py"
