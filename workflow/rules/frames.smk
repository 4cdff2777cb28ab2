"""Frame extraction and person crops, one artifact per video."""


rule extract_frames:
    """Decode a video once: resized frames, boxes, frame indices and frame rate."""
    input:
        video=video_source,
        boxes=boxes_source,
    output:
        frames="results/frames/{category}/{video}.npz",
    log:
        "results/logs/extract_frames/{category}/{video}.log",
    benchmark:
        "results/benchmarks/extract_frames/{category}/{video}.tsv"
    conda:
        "../../envs/poseembed.yaml"
    params:
        height=config["frames"]["height"],
        step=config["frames"]["step"],
        folder_fps=config["frames"]["folder_fps"],
        max_bad_boxes=config["frames"]["max_bad_boxes"],
    script:
        "../../scripts/extract_frames.py"


rule crops:
    """Person crops at network input size with a margin for jitter (memory-mappable .npy);
    boxes come from the dataset, or from motion where it has none."""
    input:
        frames="results/frames/{category}/{video}.npz",
        flow="results/flow/{category}/{video}.npz",
    output:
        crops="results/crops/{category}/{video}.npy",
    log:
        "results/logs/crops/{category}/{video}.log",
    conda:
        "../../envs/poseembed.yaml"
    params:
        **CROP_GEOMETRY,
    script:
        "../../scripts/crops.py"


rule person_masks:
    """Label-free person masks aligned with the crops (uint8 0-255, memory-mappable), by
    masks.method: what differs from the scene behind the person, the flow's masks where no
    frame shows the scene (or those alone), cut to the person's colours by GrabCut if asked;
    and the pixels whose mask the method itself gives (seen)."""
    input:
        flow="results/flow/{category}/{video}.npz",
        frames="results/frames/{category}/{video}.npz",
    output:
        masks="results/masks/label_free/{category}/{video}.npy",
        seen="results/masks/seen/{category}/{video}.npy",
    log:
        "results/logs/person_masks/{category}/{video}.log",
    conda:
        "../../envs/poseembed.yaml"
    params:
        **CROP_GEOMETRY,
        masks=PLAN.mask_params(),
    script:
        "../../scripts/person_masks.py"


rule filled_masks:
    """The label-free masks that models with training.background motion see: where no frame
    showed the scene behind the person, by masks.unseen (the mask predictor, trained on the
    seen pixels, or the flow's masks). One job: the predictor is loaded once. It runs as the
    predictor trains (its batch size and device), so that an edit of how embeddings are made
    leaves the masks, and every model trained on them, alone."""
    input:
        crops=CROPS,
        masks=LABEL_FREE_MASKS,
        seen=SEEN_MASKS,
        weights="results/masks/predictor.pt",
    output:
        masks=MOTION_MASKS,
    log:
        "results/logs/filled_masks.log",
    conda:
        "../../envs/poseembed.yaml"
    threads: config["training"]["threads"]
    resources:
        gpu=gpu(config["training"]["device"]),
    params:
        unseen=config["masks"]["unseen"],
        batch_size=config["mask_predictor"]["batch_size"],
        device=config["training"]["device"],
    script:
        "../../scripts/filled_masks.py"


rule flow_person_masks:
    """The flow's person masks alone, aligned with the crops: the pixels that move unlike the
    camera, united over neighbouring frames inside the box, gaps closed and holes filled (what
    training.background flow greys with)."""
    input:
        flow="results/flow/{category}/{video}.npz",
    output:
        masks="results/masks/flow/{category}/{video}.npy",
    log:
        "results/logs/flow_person_masks/{category}/{video}.log",
    conda:
        "../../envs/poseembed.yaml"
    params:
        **CROP_GEOMETRY,
        masks=PLAN.flow_mask_params(),
    script:
        "../../scripts/flow_person_masks.py"


rule groundtruth_masks:
    """The synthetic generator's person masks of every video, aligned with the crops: the
    reference the label-free masks are measured against, and the input of the
    ground-truth-mask diagnosis. One job: a diagnosis, cheap beside the videos' other jobs.
    """
    input:
        masks=PLAN.per_video(
            str(PLAN.data_root / "groundtruth/{category}/{video}_masks.npz")
        ),
        frames=FRAMES,
        flow=FLOWS,
    output:
        masks=GROUNDTRUTH_MASKS,
    log:
        "results/logs/groundtruth_masks.log",
    conda:
        "../../envs/poseembed.yaml"
    params:
        **CROP_GEOMETRY,
    script:
        "../../scripts/groundtruth_masks.py"
