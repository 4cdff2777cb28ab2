"""Person boxes for videos without annotations: OpenCV's people detector (HOG with the linear
SVM shipped inside the library, no download) fused with the change the camera's motion leaves
(``change_energy``), and the one person the video follows tracked over time.

Each frame's candidates are its detections that hold at least ``min_held`` of the frame's
change (the person the video follows moves; a punching bag, a window column, a pole or a
bystander holds next to none of it). A candidate scores its detector confidence plus
``motion_weight`` times that share; a path through the frames adds ``continuity`` times the
overlap (IoU) of consecutive boxes, and a frame may take no candidate at ``miss_cost``. The
best path (dynamic programming) keeps one person. Gaps of up to ``max_gap`` frames are
interpolated, longer ones take the motion box; a path on fewer than ``min_detected`` of the
frames the detector looks at is a detector that finds the person now and then, if at all, and
the motion boxes take the whole video (every frame where something moves). Every frame says
where its box came from (``ORIGINS``)."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from poseembed.flow.motion_boxes import box_iou
from poseembed.runs import true_runs

ORIGINS = ("annotation", "detector", "motion", "interpolated", "frame")
SOURCES = ("auto", "detector", "motion")
# The INRIA window the detector was trained on is 64 x 128 px around a person about 96 px
# tall: its boxes hold a margin of a quarter of the width and an eighth of the height per side.
_MARGIN_X, _MARGIN_Y = 0.25, 0.125


@dataclass(frozen=True)
class PersonBoxParams:
    """The config's ``flow.person_boxes`` keys, every one given."""

    source: str
    upscale: float
    hit_threshold: float
    every: int
    motion_weight: float
    continuity: float
    miss_cost: float
    max_gap: int
    min_held: float
    min_detected: float

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise ValueError(f"flow.person_boxes.source: {self.source!r} is not one of {SOURCES}")


def detect_people(frames: np.ndarray, p: PersonBoxParams) -> list[np.ndarray]:
    """Per frame (every ``p.every``-th; the others get none) the detections (k, 5): the
    person's box (x0, y0, x1, y1, inclusive pixels of the frame) and the SVM's score."""
    hog = cv2.HOGDescriptor()
    hog.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())
    out = [np.zeros((0, 5)) for _ in range(len(frames))]
    for i in range(0, len(frames), p.every):
        # One image a call: OpenCV's detector scans its pyramid internally.
        image = cv2.resize(frames[i], None, fx=p.upscale, fy=p.upscale)
        rects, scores = hog.detectMultiScale(
            image, hitThreshold=p.hit_threshold, winStride=(8, 8), padding=(8, 8), scale=1.05
        )
        if len(rects) == 0:
            continue
        x, y, w, h = (np.asarray(rects, np.float64) / p.upscale).T
        mx, my = _MARGIN_X * w, _MARGIN_Y * h
        out[i] = np.stack([x + mx, y + my, x + w - 1 - mx, y + h - 1 - my, np.ravel(scores)], 1)
    return out


def track_person(
    detections: list[np.ndarray], held: list[np.ndarray], motion: np.ndarray, p: PersonBoxParams
) -> tuple[np.ndarray, np.ndarray]:
    """One box per frame (N, 4; NaN where none is found) and its origin code (index of
    ``ORIGINS``), from the frames' detections (``detect_people``; ignored for source motion),
    the share of the frame's change each holds (``change_energy.held_share``) and the motion
    boxes (N, 4; NaN where nothing moves)."""
    n = len(detections)
    if p.source == "motion":
        detections = [d[:0] for d in detections]
        held = [h[:0] for h in held]
    candidates, unary = [], []
    for found, share in zip(detections, held, strict=True):
        keep = share >= p.min_held
        candidates.append(found[keep, :4])
        unary.append(np.r_[found[keep, 4] + p.motion_weight * share[keep], -p.miss_cost])
    path = _best_path(candidates, unary, p.continuity)
    boxes = np.full((n, 4), np.nan)
    codes = np.full(n, ORIGINS.index("interpolated"), np.uint8)
    for t, s in enumerate(path):
        if s < len(candidates[t]):
            boxes[t] = candidates[t][s]
            codes[t] = ORIGINS.index("detector")
    if p.source == "detector":
        return boxes, codes
    found = np.isfinite(boxes).all(1)
    # Coverage among the frames the detector looked at (every ``p.every``-th).
    fill = (_gap_lengths(found) > p.max_gap) | (found[:: p.every].mean() < p.min_detected)
    fill &= np.isfinite(motion).all(1)
    boxes[fill] = motion[fill]
    codes[fill] = ORIGINS.index("motion")
    return boxes, codes


def _gap_lengths(found: np.ndarray) -> np.ndarray:
    """For each frame without a box, the length of the run of such frames it lies in; 0 for
    frames with one."""
    out = np.zeros(len(found), np.int64)
    for a, b in true_runs(~found):
        out[a:b] = b - a
    return out


def _best_path(candidates: list[np.ndarray], unary: list[np.ndarray], continuity: float) -> list:
    """Viterbi over each frame's candidates and a last state "no box" (no overlap term): the
    index of the state each frame takes."""
    best, back = unary[0], []
    for t in range(1, len(candidates)):
        prev, now = candidates[t - 1], candidates[t]
        link = np.zeros((len(prev) + 1, len(now) + 1))
        if len(prev) and len(now):
            a = np.repeat(prev, len(now), 0)
            b = np.tile(now, (len(prev), 1))
            link[:-1, :-1] = continuity * box_iou(a, b).reshape(len(prev), len(now))
        total = best[:, None] + link
        back.append(np.argmax(total, 0))
        best = total.max(0) + unary[t]
    state = int(np.argmax(best))
    path = [state]
    for pointers in reversed(back):
        state = int(pointers[state])
        path.append(state)
    return path[::-1]
