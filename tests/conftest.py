"""Shared fixtures: a small synthetic category rendered once per session, and the real samples."""

from __future__ import annotations

from pathlib import Path

import pytest

from poseembed.data.synthetic import SyntheticSpec, write_category

ROOT = Path(__file__).resolve().parents[1]
REALDATA = ROOT.parent / "shared" / "realdata"

SMALL = SyntheticSpec(
    videos_per_category=3,
    anchors_per_category=4,
    positives_per_anchor=3,
    negatives_per_anchor=8,
    stills=6,
)


def realdata(*parts: str) -> Path:
    """A file of ../shared/realdata, or a skip when the samples are absent (a user's clone)."""
    path = REALDATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real sample data absent: {path}")
    return path


@pytest.fixture(scope="session")
def long_jump(tmp_path_factory) -> dict:
    """Three rendered long-jump videos with all their ground truth, written as the workflow does."""
    root = tmp_path_factory.mktemp("synthetic")
    names = [f"long_jump_{i:03d}" for i in range(SMALL.videos_per_category)]
    out = {
        "root": root,
        "names": names,
        "videos": [str(root / "videos/long_jump" / f"{n}.mp4") for n in names],
        "boxes": [str(root / "bboxes/long_jump" / f"{n}.bb") for n in names],
        "groundtruth": [str(root / "groundtruth/long_jump" / f"{n}.csv") for n in names],
        "masks": [str(root / "groundtruth/long_jump" / f"{n}_masks.npz") for n in names],
        "labels": str(root / "labels/labels_long_jump.hdf5"),
        "frame_list": str(root / "labels/imagePaths_long_jump.txt"),
    }
    write_category(
        "long_jump",
        0,
        SMALL,
        out["videos"],
        out["boxes"],
        out["groundtruth"],
        out["masks"],
        out["labels"],
        out["frame_list"],
    )
    return out
