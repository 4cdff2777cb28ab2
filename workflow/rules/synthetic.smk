"""The synthetic sports benchmark (only when dataset.kind is 'synthetic')."""


rule synthesize_category:
    """Render a category's videos with boxes, ground truth and posture labels."""
    output:
        videos=synthetic_outputs("results/synthetic/videos/{cat}/{cat}_{i:03d}.mp4"),
        boxes=synthetic_outputs("results/synthetic/bboxes/{cat}/{cat}_{i:03d}.bb"),
        groundtruth=synthetic_outputs(
            "results/synthetic/groundtruth/{cat}/{cat}_{i:03d}.csv"
        ),
        masks=synthetic_outputs(
            "results/synthetic/groundtruth/{cat}/{cat}_{i:03d}_masks.npz"
        ),
        labels="results/synthetic/labels/labels_{category}.hdf5",
        frame_list="results/synthetic/labels/imagePaths_{category}.txt",
    log:
        "results/logs/synthesize/{category}.log",
    benchmark:
        "results/benchmarks/synthesize/{category}.tsv"
    conda:
        "../../envs/poseembed.yaml"
    params:
        seed=config["seed"],
        spec=PLAN.synthetic_params(videos=True),
    script:
        "../../scripts/synthesize_category.py"


rule synthesize_stills:
    """Render the held-out still-image set in the MPII JSON form."""
    output:
        annotations="results/synthetic/mpii/annotations.json",
        images=directory("results/synthetic/mpii/images"),
    log:
        "results/logs/synthesize/stills.log",
    benchmark:
        "results/benchmarks/synthesize/stills.tsv"
    conda:
        "../../envs/poseembed.yaml"
    params:
        seed=config["seed"],
        spec=PLAN.synthetic_params(videos=False),
    script:
        "../../scripts/synthesize_stills.py"
