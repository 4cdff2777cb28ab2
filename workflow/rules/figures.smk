"""Figures that show the data itself."""


rule contact_sheet:
    """Frames of every category with the ground-truth skeleton and box drawn."""
    input:
        frames=[f"results/frames/{c}/{v}.npz" for c, v in PLAN.contact_sheet_videos()],
        groundtruth=[
            f"{PLAN.data_root}/groundtruth/{c}/{v}.csv"
            for c, v in PLAN.contact_sheet_videos()
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


rule flow_figure:
    """Frames of one video with the person box used, the flow and the fg/bg ratio over time."""
    input:
        frames="results/frames/{category}/{video}.npz",
        flow="results/flow/{category}/{video}.npz",
    output:
        report(
            "results/figures/flow/{category}/{video}.png",
            caption="../report/flow_figure.rst",
            category="Optical flow",
        ),
    log:
        "results/logs/flow_figure/{category}/{video}.log",
    conda:
        "../../envs/poseembed.yaml"
    script:
        "../../scripts/flow_figure.py"
