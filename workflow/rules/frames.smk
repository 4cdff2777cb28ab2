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
        size=config["crops"]["size"],
        margin=config["crops"]["margin"],
        context=config["crops"]["context"],
    script:
        "../../scripts/crops.py"
