"""Person boxes for videos without annotations: OpenCV's people detector (HOG with the linear
SVM shipped inside the library, no download) fused with the motion foreground, and the one
person the video follows tracked over time.

Each frame's candidates are its detections with at least ``min_moving`` of their pixels moving
unlike the camera (the person the video follows moves; punching bags and bystanders stand
still). A candidate scores its detector confidence plus ``motion_weight`` times that share; a
path through the frames adds ``continuity`` times the overlap (IoU) of consecutive boxes, and
a frame may take no candidate at ``miss_cost``. The best path (dynamic programming) keeps one
person; water glints or a swinging net move but are not detected. Gaps of up to ``max_gap``
frames are interpolated, longer ones take the motion box. Every frame says where its box came
from (``ORIGINS``)."""

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
    min_moving: float

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


def moving_share(moving: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """The share of each box's pixels that move, for boxes (k, 4) of one frame's moving
    pixels (H, W), from the frame's integral image."""
    h, w = moving.shape
    integral = cv2.integral(moving.astype(np.uint8)).astype(np.float64)
    x0 = np.clip(np.floor(boxes[:, 0]), 0, w - 1).astype(np.int64)
    y0 = np.clip(np.floor(boxes[:, 1]), 0, h - 1).astype(np.int64)
    x1 = np.clip(np.ceil(boxes[:, 2]), x0, w - 1).astype(np.int64) + 1
    y1 = np.clip(np.ceil(boxes[:, 3]), y0, h - 1).astype(np.int64) + 1
    inside = integral[y1, x1] - integral[y0, x1] - integral[y1, x0] + integral[y0, x0]
    return inside / ((x1 - x0) * (y1 - y0))


def track_person(
    detections: list[np.ndarray],
    motion: np.ndarray,
    moving: np.ndarray,
    width: int,
    p: PersonBoxParams,
) -> tuple[np.ndarray, np.ndarray]:
    """One box per frame (N, 4; NaN where none is found) and its origin code (index of
    ``ORIGINS``), from the frames' detections (``detect_people``; ignored for source motion),
    motion boxes (N, 4; NaN where nothing moves) and the moving pixels of ``width``-pixel
    frames, bit-packed along the rows as the flow artifact keeps them (N, H, ceil(W / 8))."""
    n = len(detections)
    if p.source == "motion":
        detections = [d[:0] for d in detections]
    candidates, unary = [], []
    for t, found in enumerate(detections):
        share = np.zeros(0)
        if len(found):
            pixels = np.unpackbits(moving[t], axis=-1, count=width).astype(bool)
            share = moving_share(pixels, found[:, :4])
        # The person the video follows moves: a still detection is a bystander or clutter.
        keep = share >= p.min_moving
        candidates.append(found[keep, :4])
        unary.append(np.r_[found[keep, 4] + p.motion_weight * share[keep], -p.miss_cost])
    path = _best_path(candidates, unary, p.continuity)
    boxes = np.full((n, 4), np.nan)
    codes = np.full(n, ORIGINS.index("interpolated"), np.uint8)
    for t, s in enumerate(path):
        if s < len(candidates[t]):
            boxes[t] = candidates[t][s]
            codes[t] = ORIGINS.index("detector")
    if p.source != "detector":
        # Where the detector loses the person for longer than max_gap frames, motion fills in.
        gap = _gap_lengths(np.isfinite(boxes).all(1))
        fill = ((p.source == "motion") | (gap > p.max_gap)) & np.isfinite(motion).all(1)
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
