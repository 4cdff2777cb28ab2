"""The person tracker: one moving person kept among bystanders and moving clutter, gaps
bridged, motion where the detector loses the person for long."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from poseembed.flow.motion_boxes import box_iou
from poseembed.flow.person_boxes import ORIGINS, detect_people, moving_share, track_person
from tests.conftest import PERSON_BOXES

H, W, N = 120, 160, 40


def scene() -> tuple[list[np.ndarray], np.ndarray, np.ndarray, np.ndarray]:
    """A person walking right (moving), a bystander standing still with a stronger detector
    score, and a patch of glints that moves but is no person; detections (k, 5) per frame, the
    motion boxes (on the glints), the moving pixels (bit-packed, as the flow keeps them) and
    the person's true boxes."""
    x = 10 + 2 * np.arange(N)
    person = np.stack([x, np.full(N, 30), x + 20, np.full(N, 90)], 1).astype(float)
    bystander = np.array([120.0, 25, 142, 95])
    moving = np.zeros((N, H, W), bool)
    for t, (x0, y0, x1, y1) in enumerate(person.astype(int)):
        moving[t, y0 : y1 + 1, x0 : x1 + 1] = True
    moving[:, 100:118, 40:100] = True
    glints = np.tile([40.0, 100, 99, 117], (N, 1))
    detections = [
        np.array([[*person[t], 0.6], [*bystander, 1.2]]) if t % 9 else np.zeros((0, 5))
        for t in range(N)
    ]
    return detections, glints, np.packbits(moving, axis=-1), person


def test_the_track_keeps_the_moving_person_and_bridges_short_gaps():
    detections, glints, moving, person = scene()
    boxes, origin = track_person(detections, glints, moving, W, PERSON_BOXES)
    found = origin == ORIGINS.index("detector")
    assert found.sum() == N - 5 and (origin[~found] == ORIGINS.index("interpolated")).all()
    assert np.isnan(boxes[~found]).all()
    assert box_iou(boxes[found], person[found]).min() == 1.0


def test_motion_fills_a_long_gap_and_only_in_auto():
    detections, glints, moving, _ = scene()
    for t in range(10, 30):
        detections[t] = np.zeros((0, 5))
    boxes, origin = track_person(detections, glints, moving, W, replace(PERSON_BOXES, max_gap=15))
    assert (origin[10:30] == ORIGINS.index("motion")).all()
    assert np.array_equal(boxes[10:30], glints[10:30])
    boxes, origin = track_person(
        detections, glints, moving, W, replace(PERSON_BOXES, source="detector", max_gap=15)
    )
    assert (origin[10:30] == ORIGINS.index("interpolated")).all()
    _, origin = track_person(detections, glints, moving, W, replace(PERSON_BOXES, source="motion"))
    assert set(origin) == {ORIGINS.index("motion")}


def test_moving_share_counts_the_pixels_inside_each_box():
    moving = np.zeros((10, 20), bool)
    moving[2:6, 4:8] = True
    boxes = np.array([[4.0, 2, 7, 5], [4, 2, 11, 5], [12, 0, 19, 9]])
    assert moving_share(moving, boxes).tolist() == [1.0, 0.5, 0.0]


def test_the_detector_finds_nobody_in_an_empty_frame():
    frames = np.full((2, H, W, 3), 128, np.uint8)
    assert all(len(d) == 0 for d in detect_people(frames, PERSON_BOXES))
