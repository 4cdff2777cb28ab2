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
    script:
        "../../scripts/extract_frames.py"


rule crops:
    """Person crops at network input size with a margin for jitter (memory-mappable .npy);
    boxes come from the dataset, or from motion where it has none. Beside them, label-free
    person masks aligned with the crops: the pixels that move unlike the camera, united over
    neighbouring frames inside the padded box (uint8 0-255)."""
    input:
        frames="results/frames/{category}/{video}.npz",
        flow="results/flow/{category}/{video}.npz",
    output:
        crops="results/crops/{category}/{video}.npy",
        masks="results/masks/motion/{category}/{video}.npy",
    log:
        "results/logs/crops/{category}/{video}.log",
    conda:
        "../../envs/poseembed.yaml"
    params:
        masks=config["masks"],
        size=config["crops"]["size"],
        margin=config["crops"]["margin"],
        context=config["crops"]["context"],
    script:
        "../../scripts/crops.py"



rule groundtruth_masks:
    """The synthetic generator's person masks of one category's videos, aligned with their
    crops: the reference the label-free masks are measured against, and the input of the
    ground-truth-mask diagnosis."""
    input:
        masks=synthetic_outputs(
            str(DATA_ROOT / "groundtruth/{cat}/{cat}_{i:03d}_masks.npz")
        ),
        frames=synthetic_outputs("results/frames/{cat}/{cat}_{i:03d}.npz"),
        flow=synthetic_outputs("results/flow/{cat}/{cat}_{i:03d}.npz"),
    output:
        masks=synthetic_outputs("results/masks/groundtruth/{cat}/{cat}_{i:03d}.npy"),
    log:
        "results/logs/groundtruth_masks/{category}.log",
    conda:
        "../../envs/poseembed.yaml"
    params:
        size=config["crops"]["size"],
        margin=config["crops"]["margin"],
        context=config["crops"]["context"],
    script:
        "../../scripts/groundtruth_masks.py"
