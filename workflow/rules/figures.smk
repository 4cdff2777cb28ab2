"""Figures that show the data itself."""


rule contact_sheet:
    """Frames of every category with the ground-truth skeleton and box drawn."""
    input:
        frames=[f"results/frames/{c}/{v}.npz" for c, v in contact_sheet_videos()],
        groundtruth=[
            f"results/synthetic/groundtruth/{c}/{v}.csv"
            for c, v in contact_sheet_videos()
        ],
    output:
        report(
            "results/figures/synthetic_samples.png",
            caption="../report/synthetic_samples.rst",
            category="Data",
        ),
    log:
        "results/logs/contact_sheet.log",
    conda:
        "../../envs/poseembed.yaml"
    params:
        frames_per_video=config["figures"]["contact_sheet_frames"],
    script:
        "../../scripts/contact_sheet.py"
