"""The synthetic sports benchmark: rendered videos with full ground truth, in real formats.

The workflow writes it under ``results/synthetic`` in the layout of a user's real dataset:
``videos/<cat>/<video>.mp4``, ``bboxes/<cat>/<video>.bb`` (CliqueCNN),
``groundtruth/<cat>/<video>.csv`` (joints, visibility, repetition phase, camera shift) and
``groundtruth/<cat>/<video>_masks.npz`` (packed person masks), ``labels/labels_<cat>.hdf5`` and
``labels/imagePaths_<cat>.txt`` (CliqueCNN posture benchmark), ``mpii/images/*.jpg`` and
``mpii/annotations.json`` (MPII JSON form, held-out actors and backgrounds).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pandas as pd

from poseembed.atomic import atomic_path
from poseembed.config import strict_settings
from poseembed.data.motions import CATEGORIES, MotionTrack, run_program
from poseembed.data.posture_labels import make_posture_labels
from poseembed.data.render import (
    degrade,
    draw_person,
    make_background,
    sample_look,
    visible_joints,
)
from poseembed.data.skeleton import D, forward_kinematics, sample_actor
from poseembed.formats.bbox import write_bb
from poseembed.formats.cliquecnn import write_frame_list, write_labels
from poseembed.formats.groundtruth import joint_columns, write_groundtruth, write_masks
from poseembed.formats.mpii import PersonAnnotations, write_mpii_json
from poseembed.joints import N_JOINTS

_DEPTH_M = 14.0
_STILLS_STREAM = 1000


def _tuples(params: dict) -> dict:
    """Config keys with YAML lists (the ranges) as tuples, so that a spec stays hashable."""
    return {k: tuple(v) if isinstance(v, list) else v for k, v in params.items()}


@dataclass(frozen=True)
class SyntheticSpec:
    """The generator's knobs of the videos: ``config.yaml``'s ``synthetic`` less the stills'."""

    videos_per_category: int
    width: int
    height: int
    fps: float
    px_per_m: tuple[float, float]
    speed_scale: tuple[float, float]
    shake_px: tuple[float, float]
    noise_sigma: tuple[float, float]
    blur_prob: float
    lighting_amp: tuple[float, float]
    occluder_prob: float
    distractor_prob: float
    anchors_per_category: int
    positives_per_anchor: int
    negatives_per_anchor: int

    @classmethod
    def from_params(cls, params: dict) -> SyntheticSpec:
        """Strictly from the workflow's ``synthetic`` keys of the videos."""
        return strict_settings(cls, _tuples(params), "config synthetic (videos)")


@dataclass(frozen=True)
class StillSpec:
    """The generator's knobs of the held-out still images."""

    stills: int
    still_size: int
    noise_sigma: tuple[float, float]

    @classmethod
    def from_params(cls, params: dict) -> StillSpec:
        """Strictly from the workflow's ``synthetic`` keys of the stills."""
        return strict_settings(cls, _tuples(params), "config synthetic (stills)")


@dataclass
class RenderedVideo:
    frames: list[np.ndarray]
    joints: np.ndarray
    visible: np.ndarray
    boxes: np.ndarray
    masks: np.ndarray
    camera: np.ndarray
    yaw: np.ndarray
    track: MotionTrack


def _ema(x: np.ndarray, alpha: float) -> np.ndarray:
    out = np.empty_like(x)
    acc = x[0]
    for i, v in enumerate(x):
        acc = acc + alpha * (v - acc)
        out[i] = acc
    return out


def _mask_box(mask: np.ndarray, joints: np.ndarray, width: int, height: int) -> np.ndarray:
    ys, xs = np.nonzero(mask > 127)
    if xs.size:
        return np.array([xs.min(), ys.min(), xs.max(), ys.max()], np.float64)
    lo = np.clip(joints.min(0), 0, [width - 1, height - 1])
    hi = np.clip(joints.max(0), 0, [width - 1, height - 1])
    return np.array([lo[0], lo[1], hi[0], hi[1]])


def _pose_world(track: MotionTrack, actor, base_yaw: float) -> tuple[np.ndarray, np.ndarray]:
    dofs = track.dofs.copy()
    dofs[:, D["yaw"]] += base_yaw
    body = forward_kinematics(dofs, actor)
    # Athletes travel across the view (x); the yaw offset only turns the body towards the camera.
    travel = np.cumsum(track.speed) * np.sign(np.sin(np.deg2rad(base_yaw)))
    root = np.stack([travel, -body[:, :, 1].min(1) + track.lift, np.zeros_like(travel)], 1)
    return body + root[:, None, :], dofs[:, D["yaw"]]


def render_video(category: str, index: int, seed: int, spec: SyntheticSpec) -> RenderedVideo:
    """One video of a category; deterministic for (seed, category, index)."""
    cat_idx = CATEGORIES.index(category)
    rng = np.random.default_rng([seed, cat_idx, index])
    w, h = spec.width, spec.height
    track = run_program(category, rng, rng.uniform(*spec.speed_scale))
    n = len(track.dofs)
    actor, look = sample_actor(rng), sample_look(rng)
    direction = rng.choice([-1.0, 1.0])
    base_yaw = 90.0 * direction + rng.uniform(-35, 35)
    world, yaw = _pose_world(track, actor, base_yaw)

    f = rng.uniform(*spec.px_per_m)
    scale = f * _DEPTH_M / (_DEPTH_M - world[:, :, 2].mean(1))
    pelvis = world[:, 6]
    follow = rng.uniform(0.15, 0.6)
    shake = rng.uniform(*spec.shake_px)
    cam_x = _ema(pelvis[:, 0], follow) * scale + rng.normal(0, shake, n)
    cam_y = _ema(np.maximum(pelvis[:, 1] - 1.2, 0), 0.2) * scale + rng.normal(0, shake, n)
    ground_v = h * rng.uniform(0.8, 0.9)
    offset_x = w / 2 - direction * w * rng.uniform(0.0, 0.15)
    joints = np.empty((n, N_JOINTS, 2))
    joints[..., 0] = offset_x + world[..., 0] * scale[:, None] - cam_x[:, None]
    joints[..., 1] = ground_v - world[..., 1] * scale[:, None] + cam_y[:, None]
    depth = world[..., 2]

    margin = 8
    x_lo, x_hi = cam_x.min(), cam_x.max()
    y_lo, y_hi = -cam_y.max(), -cam_y.min()
    bg_w = int(np.ceil(x_hi - x_lo)) + w + 2 * margin
    bg_h = int(np.ceil(y_hi - y_lo)) + h + 2 * margin
    horizon = int(margin + (y_hi - y_lo) + ground_v * rng.uniform(0.45, 0.7))
    background = make_background(rng, bg_w, bg_h, min(horizon, bg_h - 2))
    # Background pixel (x, y) appears at frame (x - x0, y - y0): the camera's known motion.
    x0 = cam_x - x_lo + margin
    y0 = -cam_y - y_lo + margin
    camera = np.stack([x0, y0], 1)

    occluder = None
    if rng.random() < spec.occluder_prob:
        ox = int(rng.uniform(x0.min() + w * 0.3, x0.max() + w * 0.7))
        occluder = (ox, int(rng.integers(3, 7)), tuple(int(c) for c in rng.integers(0, 256, 3)))
    distractor = None
    if rng.random() < spec.distractor_prob:
        start = rng.uniform([0, 0], [w, h * 0.6])
        distractor = (
            start,
            rng.normal(0, 2.0, 2),
            int(rng.integers(3, 7)),
            tuple(int(c) for c in rng.integers(0, 256, 3)),
        )
    gain_amp, gain_period = rng.uniform(*spec.lighting_amp), rng.uniform(40, 120)
    gain_phase = rng.uniform(0, 2 * np.pi)
    blur = rng.uniform(0.5, 1.0) if rng.random() < spec.blur_prob else 0.0
    noise = rng.uniform(*spec.noise_sigma)

    frames, masks = [], np.zeros((n, h, w), bool)
    visible = np.zeros((n, N_JOINTS), np.uint8)
    boxes = np.zeros((n, 4))
    for t in range(n):
        m = np.float32([[1, 0, -x0[t]], [0, 1, -y0[t]]])
        frame = cv2.warpAffine(
            background, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT
        )
        if distractor is not None:
            pos = distractor[0] + distractor[1] * t
            cv2.circle(frame, (int(pos[0]), int(pos[1])), distractor[2], distractor[3], -1)
        mask = draw_person(frame, joints[t], depth[t], actor, look, float(scale[t]))
        occ_mask = np.zeros((h, w), np.uint8)
        if occluder is not None:
            x = round(occluder[0] - x0[t])
            cv2.rectangle(frame, (x, 0), (x + occluder[1], h - 1), occluder[2], -1)
            cv2.rectangle(occ_mask, (x, 0), (x + occluder[1], h - 1), 255, -1)
            mask[occ_mask > 0] = 0
        gain = 1.0 + gain_amp * np.sin(2 * np.pi * t / gain_period + gain_phase)
        frames.append(degrade(frame, rng, gain, blur, noise))
        masks[t] = mask > 127
        visible[t] = visible_joints(joints[t], occ_mask, w, h)
        boxes[t] = _mask_box(mask, joints[t], w, h)
    return RenderedVideo(frames, joints, visible, boxes, masks, camera, yaw, track)


def write_video_file(path: str | os.PathLike, frames: list[np.ndarray], fps: float) -> None:
    """An MPEG-4 Part 2 ``.mp4``; its lossy coding is part of the intended degradation."""
    h, w = frames[0].shape[:2]
    with atomic_path(path, suffix=".mp4") as tmp:
        writer = cv2.VideoWriter(str(tmp), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
        if not writer.isOpened():
            raise RuntimeError(f"{path}: OpenCV's mp4v encoder is unavailable")
        for frame in frames:
            writer.write(frame)
        writer.release()
        # OpenCV's writer says nothing when a write fails (a full disk): read back what it wrote.
        cap = cv2.VideoCapture(str(tmp))
        n = int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) if cap.isOpened() else 0
        size = (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
        cap.release()
        if n != len(frames) or size != (w, h):
            raise OSError(
                f"{path}: the video written holds {n} of {len(frames)} frames of {size[0]}x"
                f"{size[1]} px (expected {w}x{h}); {_space_left(tmp.parent)}"
            )


def _space_left(folder: Path) -> str:
    free = shutil.disk_usage(folder).free
    return f"no space left? {free / 2**20:.0f} MiB free in {folder}"


def groundtruth_table(video: RenderedVideo) -> pd.DataFrame:
    """One row per frame: repetition truth, camera shift, yaw, and joints with visibility."""
    tr = video.track
    cols = {
        "frame": np.arange(len(video.frames)),
        "segment": tr.segment,
        "motion": tr.motion,
        "cycle": tr.cycle,
        "phase": np.round(tr.phase, 5),
        "period": np.round(tr.period, 4),
        "camera_x": np.round(video.camera[:, 0], 3),
        "camera_y": np.round(video.camera[:, 1], 3),
        "yaw": np.round(video.yaw, 2),
        **joint_columns(video.joints, video.visible),
    }
    return pd.DataFrame(cols)


def write_category(
    category: str,
    seed: int,
    spec: SyntheticSpec,
    videos: list[str],
    boxes: list[str],
    groundtruth: list[str],
    masks: list[str],
    labels: str,
    frame_list: str,
) -> None:
    """Render a category's videos (video ``i`` to ``videos[i]`` and so on), its ground truth and
    its posture labels."""
    joints, visible, names = [], [], []
    for i, (video_path, bb_path, gt_path, mask_path) in enumerate(
        zip(videos, boxes, groundtruth, masks, strict=True)
    ):
        video = render_video(category, i, seed, spec)
        write_video_file(video_path, video.frames, spec.fps)
        write_bb(bb_path, np.arange(len(video.frames)), video.boxes)
        write_groundtruth(gt_path, groundtruth_table(video))
        write_masks(mask_path, video.masks)
        joints.append(video.joints)
        visible.append(video.visible)
        names.append(Path(video_path).stem)
    items = [(name, t) for name, j in zip(names, joints, strict=True) for t in range(len(j))]
    video_of = np.concatenate([np.full(len(j), i) for i, j in enumerate(joints)])
    posture = make_posture_labels(
        np.concatenate(joints),
        np.concatenate(visible),
        video_of,
        np.random.default_rng([seed, CATEGORIES.index(category), 999]),
        spec.anchors_per_category,
        spec.positives_per_anchor,
        spec.negatives_per_anchor,
    )
    write_frame_list(frame_list, items)
    write_labels(labels, posture)


def render_still(
    index: int, seed: int, spec: StillSpec
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A single-person image of a held-out actor and background: image, joints, visible, box."""
    rng = np.random.default_rng([seed, _STILLS_STREAM, index])
    category = CATEGORIES[int(rng.integers(len(CATEGORIES)))]
    track = run_program(category, rng)
    t = int(rng.integers(len(track.dofs)))
    actor, look = sample_actor(rng), sample_look(rng)
    dofs = track.dofs[t : t + 1].copy()
    dofs[:, D["yaw"]] += rng.uniform(0, 360)
    body = forward_kinematics(dofs, actor)[0]
    size = spec.still_size
    extent = np.ptp(body[:, :2], axis=0).max()
    f = size * rng.uniform(0.55, 0.75) / max(extent, 0.5)
    centre = body[:, :2].mean(0) if extent > 0 else np.zeros(2)
    joints = np.stack(
        [size / 2 + (body[:, 0] - centre[0]) * f, size / 2 - (body[:, 1] - centre[1]) * f], 1
    )
    joints += rng.uniform(-0.1, 0.1, 2) * size
    image = make_background(rng, size, size, int(size * rng.uniform(0.4, 0.8)))
    mask = draw_person(image, joints, body[:, 2], actor, look, f)
    image = degrade(
        image, rng, rng.uniform(0.8, 1.2), rng.uniform(0, 0.8), rng.uniform(*spec.noise_sigma)
    )
    visible = visible_joints(joints, np.zeros((size, size), np.uint8), size, size)
    return image, joints, visible, _mask_box(mask, joints, size, size)


def write_stills(
    annotations: str | os.PathLike, images: str | os.PathLike, seed: int, spec: StillSpec
) -> None:
    """The held-out still-image set in the MPII JSON form; the JSON's image names are relative
    to ``images``. ``scale`` * 200 px is the person box's longer side, so that a still is
    cropped as a video frame with the same box is."""
    names, centers, scales, joints, visible = [], [], [], [], []
    for i in range(spec.stills):
        image, j, v, box = render_still(i, seed, spec)
        name = f"still_{i:05d}.jpg"
        with atomic_path(Path(images) / name) as tmp:
            if not cv2.imwrite(str(tmp), image, [cv2.IMWRITE_JPEG_QUALITY, 90]):
                raise OSError(f"{Path(images) / name}: not written; {_space_left(tmp.parent)}")
        names.append(name)
        centers.append([(box[0] + box[2]) / 2, (box[1] + box[3]) / 2])
        scales.append(max(box[2] - box[0], box[3] - box[1]) / 200)
        joints.append(j)
        visible.append(v)
    ann = PersonAnnotations(
        names, np.array(centers), np.array(scales), np.array(joints), np.array(visible)
    )
    write_mpii_json(annotations, ann)
