"""Shared fixtures: a small synthetic category rendered once per session, and the real samples."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest

from poseembed.config import schema_defaults
from poseembed.data.synthetic import SyntheticSpec, write_category
from poseembed.flow.backends import FlowSettings
from poseembed.flow.motion_boxes import MotionBoxParams
from poseembed.flow.person_boxes import PersonBoxParams
from poseembed.flow.tvl1_params import TVL1Params
from poseembed.flow.video import VideoFlow, analyse_video
from poseembed.frames import FrameSet, extract_frames

ROOT = Path(__file__).resolve().parents[1]
REALDATA = ROOT.parent / "shared" / "realdata"

SYNTHETIC = schema_defaults("synthetic")
# The configured generator of the videos (the workflow's keys: all but the stills' own), with
# fewer videos and posture labels.
SMALL = SyntheticSpec.from_params(
    {f.name: SYNTHETIC[f.name] for f in fields(SyntheticSpec)}
    | {
        "videos_per_category": 3,
        "anchors_per_category": 4,
        "positives_per_anchor": 3,
        "negatives_per_anchor": 8,
    }
)

FRAMES = schema_defaults("frames")
CROPS = schema_defaults("crops")
FLOW = schema_defaults("flow")
MOTION_BOXES = MotionBoxParams(**FLOW["motion_boxes"])
PERSON_BOXES = PersonBoxParams(**FLOW["person_boxes"])


def flow_settings(tvl1: dict | None = None, **changes) -> FlowSettings:
    """The configured flow backend with ``changes`` (``tvl1`` keys merged into the configured
    ones); threads 0, so that a test leaves torch's thread count alone."""
    keys = {k: FLOW[k] for k in ("backend", "device", "batch_size", "raft_weights")}
    tvl1_params = TVL1Params(**FLOW["tvl1"] | (tvl1 or {}))
    return FlowSettings(**keys | {"tvl1": tvl1_params, "threads": 0} | changes)


def analyse(
    frames: np.ndarray,
    boxes: np.ndarray,
    settings: FlowSettings,
    person_boxes: PersonBoxParams = PERSON_BOXES,
    fps: float = 25.0,
) -> VideoFlow:
    """``analyse_video`` of frames at ``fps`` with the configured eps, motion and person boxes
    and inspection side."""
    return analyse_video(
        frames, boxes, fps, settings, FLOW["eps"], MOTION_BOXES, person_boxes, FLOW["inspect_side"]
    )


# Our TV-L1 with fewer warps and iterations than configured: enough for the short clips here.
LIGHT = flow_settings(backend="torch_tvl1", tvl1={"warps": 2, "iterations": 15})


@pytest.fixture(scope="session")
def long_jump_flow_of(long_jump) -> list[tuple[FrameSet, VideoFlow]]:
    """Each long-jump video's frames and its flow with the annotated boxes (``LIGHT``)."""
    out = []
    for video, boxes in zip(long_jump["videos"], long_jump["boxes"], strict=True):
        fs = extract_frames(video, boxes, **FRAMES)
        out.append((fs, analyse(fs.frames, fs.boxes, LIGHT)))
    return out


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests of the tiny end-to-end run are slow: ``pytest -m 'not slow'`` leaves them out."""
    for item in items:
        if "tiny_run" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


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
