"""Which videos a dataset holds: the Olympic Sports categories, synthetic video ids, and the
listing of a user's ``<videos>/<category>/<video>`` folder."""

from __future__ import annotations

import os
from pathlib import Path

from poseembed.formats.video import IMAGE_SUFFIXES, VIDEO_SUFFIXES

OLYMPIC_SPORTS: tuple[str, ...] = (
    "basketball_layup",
    "bowling",
    "clean_and_jerk",
    "discus_throw",
    "diving_platform_10m",
    "diving_springboard_3m",
    "hammer_throw",
    "high_jump",
    "javelin_throw",
    "long_jump",
    "pole_vault",
    "shot_put",
    "snatch",
    "tennis_serve",
    "triple_jump",
    "vault",
)


def synthetic_video_id(category: str, index: int) -> str:
    return f"{category}_{index:03d}"


def synthetic_videos(categories: list[str], per_category: int) -> list[tuple[str, str]]:
    return [(c, synthetic_video_id(c, i)) for c in categories for i in range(per_category)]


def _source(p: Path) -> str | None:
    """The video name of a video file or a folder of frames (images, and neither videos nor
    folders: a category folder with a stray image stays a category); None for anything else."""
    if p.is_file():
        return p.stem if p.suffix.lower() in VIDEO_SUFFIXES else None
    if not p.is_dir():
        return None
    entries = list(p.iterdir())
    if any(q.is_dir() or q.suffix.lower() in VIDEO_SUFFIXES for q in entries):
        return None
    return p.name if any(q.suffix.lower() in IMAGE_SUFFIXES for q in entries) else None


def video_sources(
    root: str | os.PathLike, exclude: list[str] | None = None, categories: list[str] | None = None
) -> dict[tuple[str, str], Path]:
    """``{(category, video): path}`` for ``root/<category>/<video>``, a video file or a folder
    of frames. Videos directly in ``root`` (a folder without categories) form one category
    named after ``root``."""
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"{root}: the videos folder does not exist (dataset.videos)")
    found: dict[tuple[str, str], Path] = {}
    skip = set(exclude or [])

    def add(category: str, p: Path) -> None:
        name = _source(p)
        if name is None or name in skip or (categories and category not in categories):
            return
        if (category, name) in found:
            raise ValueError(
                f"{root}: two sources for video {name!r}: {found[category, name]} "
                f"and {p}; keep one or exclude it"
            )
        found[category, name] = p

    for entry in sorted(root.iterdir()):
        if _source(entry) is not None:
            add(root.resolve().name, entry)
        elif entry.is_dir():
            for p in sorted(entry.iterdir()):
                add(entry.name, p)
    return found


def video_table(dataset: dict, data_root: Path, synthetic_per_category: int | None) -> dict:
    """The videos of the ``dataset`` config section: ``{(category, video): path}``. Synthetic
    when ``synthetic_per_category`` is given (the generator writes them under ``data_root``)."""
    if synthetic_per_category is not None:
        cats = dataset["categories"] or list(OLYMPIC_SPORTS)
        unknown = sorted(set(cats) - set(OLYMPIC_SPORTS))
        if unknown:
            raise ValueError(
                f"config dataset.categories: {unknown} have no synthetic motion program; "
                f"choose among {list(OLYMPIC_SPORTS)}"
            )
        return {
            (c, v): data_root / dataset["videos"] / c / f"{v}.mp4"
            for c, v in synthetic_videos(cats, synthetic_per_category)
            if v not in dataset["exclude"]
        }
    folder = data_root / dataset["videos"]
    table = video_sources(folder, dataset["exclude"], dataset["categories"])
    missing = sorted(set(dataset["categories"]) - {c for c, _ in table})
    if missing:
        found = sorted({c for c, _ in video_sources(folder, dataset["exclude"])})
        raise ValueError(
            f"config dataset.categories: {missing} have no videos under {folder}; the "
            f"categories with videos are {found}"
        )
    if not table:
        raise ValueError(
            f"config dataset.root/videos: no videos under {folder}; "
            "expected <video>.<ext> or <video>/<frames>, in one level of category folders or "
            "none"
        )
    return table
