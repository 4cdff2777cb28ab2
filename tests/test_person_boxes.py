"""The person tracker: one moving person kept among bystanders and moving clutter, gaps
bridged, motion where the detector loses the person for long."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from poseembed.flow.motion_boxes import box_iou
from poseembed.flow.person_boxes import ORIGINS, detect_people, track_person
from tests.conftest import PERSON_BOXES

H, W, N = 120, 160, 40


def scene() -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray, np.ndarray]:
    """A person walking right (moving), a bystander standing still with a stronger detector
    score, and a patch of glints that moves but is no person; detections (k, 5) per frame, the
    share of the frame's change each holds (the person most, the bystander none), the motion
    boxes (on the glints) and the person's true boxes."""
    x = 10 + 2 * np.arange(N)
    person = np.stack([x, np.full(N, 30), x + 20, np.full(N, 90)], 1).astype(float)
    bystander = np.array([120.0, 25, 142, 95])
    glints = np.tile([40.0, 100, 99, 117], (N, 1))
    detections = [
        np.array([[*person[t], 0.6], [*bystander, 1.2]]) if t % 9 else np.zeros((0, 5))
        for t in range(N)
    ]
    held = [np.array([0.6, 0.0])[: len(d)] for d in detections]
    return detections, held, glints, person


def test_the_track_keeps_the_moving_person_and_bridges_short_gaps():
    detections, held, glints, person = scene()
    boxes, origin = track_person(detections, held, glints, PERSON_BOXES)
    found = origin == ORIGINS.index("detector")
    assert found.sum() == N - 5 and (origin[~found] == ORIGINS.index("interpolated")).all()
    assert np.isnan(boxes[~found]).all()
    assert box_iou(boxes[found], person[found]).min() == 1.0


def test_motion_fills_a_long_gap_and_only_in_auto():
    detections, held, glints, _ = scene()
    for t in range(10, 30):
        detections[t], held[t] = detections[t][:0], held[t][:0]
    boxes, origin = track_person(detections, held, glints, replace(PERSON_BOXES, max_gap=15))
    assert (origin[10:30] == ORIGINS.index("motion")).all()
    assert np.array_equal(boxes[10:30], glints[10:30])
    boxes, origin = track_person(
        detections, held, glints, replace(PERSON_BOXES, source="detector", max_gap=15)
    )
    assert (origin[10:30] == ORIGINS.index("interpolated")).all()
    _, origin = track_person(detections, held, glints, replace(PERSON_BOXES, source="motion"))
    assert set(origin) == {ORIGINS.index("motion")}


def test_the_detector_finds_nobody_in_an_empty_frame():
    frames = np.full((2, H, W, 3), 128, np.uint8)
    assert all(len(d) == 0 for d in detect_people(frames, PERSON_BOXES))


def test_motion_takes_the_video_when_the_detector_finds_the_person_in_too_few_frames():
    detections, held, glints, _ = scene()
    for t in range(N // 2 + 1):
        detections[t], held[t] = detections[t][:0], held[t][:0]
    boxes, origin = track_person(detections, held, glints, replace(PERSON_BOXES, max_gap=N))
    assert set(origin) == {ORIGINS.index("motion")} and np.array_equal(boxes, glints)
    _, origin = track_person(
        detections, held, glints, replace(PERSON_BOXES, max_gap=N, min_detected=0.4)
    )
    assert (origin[N // 2 + 1 :] != ORIGINS.index("motion")).all()


def test_coverage_counts_only_the_frames_the_detector_looks_at():
    detections, held, glints, _ = scene()
    every = replace(PERSON_BOXES, every=3, max_gap=N)
    for t in range(N):
        if t % 3:
            detections[t], held[t] = detections[t][:0], held[t][:0]
    _, origin = track_person(detections, held, glints, every)
    assert ORIGINS.index("detector") in origin and ORIGINS.index("motion") not in origin
