"""Person boxes without annotations against the synthetic ground truth, every category.

For the default run's videos (``results/frames`` and ``results/flow``, so run ``make run``
first), boxes from motion alone, from the tracked people detector alone and from both
(``flow.person_boxes.source`` motion / detector / auto) against the generator's boxes: mean
IoU per category, and the detector's time per frame as a ratio to the CPU's flow (DIS medium)
per pair of the same frames, measured in the same run. The camera motion comes from a DIS
flow of the frames without their boxes, as for a video without annotations (the flow
artifact's was estimated around the true box).

Run: ``.venv/bin/python bench/person_boxes.py`` (``--videos 2`` per category).
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from poseembed.config import schema_defaults
from poseembed.flow.backends import FlowSettings, compute_flow
from poseembed.flow.change_energy import accumulated_change, held_share, mass_boxes
from poseembed.flow.motion_boxes import MotionBoxParams, box_iou, finish_boxes
from poseembed.flow.person_boxes import PersonBoxParams, detect_people, track_person
from poseembed.flow.statistics import camera_motion
from poseembed.flow.tvl1_params import TVL1Params
from poseembed.frames import load_frames

SOURCES = ("motion", "detector", "auto")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", default="results", help="the default run's results")
    parser.add_argument("--videos", type=int, default=1, help="videos per category")
    args = parser.parse_args()
    flow = schema_defaults("flow")
    motion_params = MotionBoxParams(**flow["motion_boxes"])
    person_params = PersonBoxParams(**flow["person_boxes"])
    root = Path(args.results)
    paths = sorted((root / "frames").glob("*/*.npz"))
    if not paths:
        raise SystemExit(f"{root / 'frames'}: no frame artifacts; run the default workflow first")
    # The CPU's flow: the camera motion of each video, and the reference of the timing.
    dis = FlowSettings(
        **{k: flow[k] for k in ("batch_size", "raft_weights")},
        backend="dis_medium",
        device="cpu",
        tvl1=TVL1Params(**flow["tvl1"]),
        threads=0,
    )
    rows, detect_s, frames_seen = [], 0.0, 0
    for category in sorted({p.parent.name for p in paths}):
        for path in [p for p in paths if p.parent.name == category][: args.videos]:
            fs = load_frames(path)
            h, w = fs.frames.shape[1:3]
            camera = camera_motion(compute_flow(fs.frames[:-1], fs.frames[1:], dis), None)
            change = accumulated_change(fs.frames, camera, fs.fps, motion_params)
            motion = mass_boxes(change, motion_params.mass, motion_params.min_area)
            start = time.perf_counter()
            detections = detect_people(fs.frames[:-1], person_params)
            detect_s += time.perf_counter() - start
            frames_seen += len(detections)
            held = [held_share(c, d) for c, d in zip(change, detections, strict=True)]
            truth = fs.boxes[:-1]
            row = {"category": category, "video": path.stem}
            for source in SOURCES:
                boxes, _ = track_person(
                    detections, held, motion, replace(person_params, source=source)
                )
                if not np.isfinite(boxes).any():
                    boxes = np.tile([0.0, 0.0, w - 1.0, h - 1.0], (len(boxes), 1))
                boxes = finish_boxes(boxes, motion_params, h, w)
                row[source] = float(box_iou(boxes, truth).mean())
            rows.append(row)
    table = pd.DataFrame(rows)
    by_category = table.groupby("category")[list(SOURCES)].mean()
    print(by_category.to_markdown(floatfmt=".3f"))
    print(
        f"\nmean IoU over {len(table)} videos: "
        + ", ".join(f"{s} {table[s].mean():.3f}" for s in SOURCES)
    )
    # The reference, in the same run: the CPU's flow (DIS medium) on the same frames.
    pairs = min(frames_seen, 50)
    frames = load_frames(paths[0]).frames
    start = time.perf_counter()
    compute_flow(frames[:pairs], frames[1 : pairs + 1], dis)
    flow_ms = 1000 * (time.perf_counter() - start) / pairs
    detect_ms = 1000 * detect_s / frames_seen
    print(f"detector {detect_ms:.1f} ms per frame of {frames.shape[2]}x{frames.shape[1]} px")
    print(
        f"ratio detector / DIS-medium flow ({flow_ms:.1f} ms per pair): {detect_ms / flow_ms:.2f}"
    )

    summary = {s: round(float(table[s].mean()), 4) for s in SOURCES}
    print(json.dumps({"iou": summary, "detector_over_flow": round(detect_ms / flow_ms, 3)}))


if __name__ == "__main__":
    main()
