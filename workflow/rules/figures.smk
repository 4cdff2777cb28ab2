"""Figures that show the data itself."""


def _sheet_videos():
    n = config["figures"]["contact_sheet_videos"]
    return [(c, v) for c in CATEGORIES for v in sorted(v for k, v in VIDEOS if k == c)[:n]]


rule contact_sheet:
    """Frames of every category with the ground-truth skeleton and box drawn."""
    input:
        frames=[f"results/frames/{c}/{v}.npz" for c, v in _sheet_videos()],
        groundtruth=[f"results/synthetic/groundtruth/{c}/{v}.csv" for c, v in _sheet_videos()],
    output:
        report(
            "results/figures/synthetic_samples.png",
            caption="../report/synthetic_samples.rst",
            category="Data",
        ),
    params:
        frames_per_video=config["figures"]["contact_sheet_frames"],
    log:
        "results/logs/contact_sheet.log",
    script:
        "../../scripts/contact_sheet.py"
