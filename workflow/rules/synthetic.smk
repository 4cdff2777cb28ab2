"""The synthetic sports benchmark (only when dataset.kind is 'synthetic')."""


_SYN = config["synthetic"]
_STILL_KEYS = ("stills", "still_size", "noise_sigma")


def _synthetic_outputs(pattern):
    return [
        pattern.format(i=i, cat="{category}")
        for i in range(_SYN["videos_per_category"])
    ]


rule synthesize_category:
    """Render a category's videos with boxes, ground truth and posture labels."""
    output:
        videos=_synthetic_outputs(
            "results/synthetic/videos/{cat}/{cat}_{i:03d}.mp4"
        ),
        boxes=_synthetic_outputs("results/synthetic/bboxes/{cat}/{cat}_{i:03d}.bb"),
        groundtruth=_synthetic_outputs(
            "results/synthetic/groundtruth/{cat}/{cat}_{i:03d}.csv"
        ),
        masks=_synthetic_outputs(
            "results/synthetic/groundtruth/{cat}/{cat}_{i:03d}_masks.npz"
        ),
        labels="results/synthetic/labels/labels_{category}.hdf5",
        frame_list="results/synthetic/labels/imagePaths_{category}.txt",
    params:
        seed=config["seed"],
        spec={k: v for k, v in _SYN.items() if k not in _STILL_KEYS},
        root="results/synthetic",
    log:
        "results/logs/synthesize/{category}.log",
    benchmark:
        "results/benchmarks/synthesize/{category}.tsv"
    script:
        "../../scripts/synthesize_category.py"


rule synthesize_stills:
    """Render the held-out still-image set in the MPII JSON form."""
    output:
        annotations="results/synthetic/mpii/annotations.json",
        images=directory("results/synthetic/mpii/images"),
    params:
        seed=config["seed"],
        spec={k: _SYN[k] for k in _STILL_KEYS},
        root="results/synthetic",
    log:
        "results/logs/synthesize/stills.log",
    benchmark:
        "results/benchmarks/synthesize/stills.tsv"
    script:
        "../../scripts/synthesize_stills.py"
