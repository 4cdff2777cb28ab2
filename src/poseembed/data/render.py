"""Drawing of synthetic scenes: textured backgrounds, clothed bodies, camera and image effects."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from poseembed.data.skeleton import Actor
from poseembed.joints import J


@dataclass(frozen=True)
class Look:
    """Clothing and skin of one actor."""

    skin: tuple[int, int, int]
    shirt: tuple[int, int, int]
    shirt_stripe: tuple[int, int, int]
    stripe_period: int
    shorts: tuple[int, int, int]
    shoes: tuple[int, int, int]


def _colour(rng: np.random.Generator, lo: int = 0, hi: int = 256) -> tuple[int, int, int]:
    return tuple(int(c) for c in rng.integers(lo, hi, 3))


def sample_look(rng: np.random.Generator) -> Look:
    skin_tone = rng.uniform(0.35, 1.0)
    skin = tuple(int(c * skin_tone) for c in (150, 180, 225))
    return Look(
        skin=skin,
        shirt=_colour(rng),
        shirt_stripe=_colour(rng),
        stripe_period=int(rng.choice([0, 3, 4, 6])),
        shorts=_colour(rng, 0, 200),
        shoes=_colour(rng, 0, 255),
    )


def make_background(rng: np.random.Generator, width: int, height: int, horizon: int) -> np.ndarray:
    """A textured arena: stands with a noisy crowd above the horizon, a lined floor below it."""
    img = np.empty((height, width, 3), np.float32)
    img[:horizon] = _colour(rng, 40, 220)
    img[horizon:] = _colour(rng, 40, 220)
    low = rng.random((max(2, height // 24), max(2, width // 24), 3)).astype(np.float32)
    img += (cv2.resize(low, (width, height), interpolation=cv2.INTER_CUBIC) - 0.5) * 90
    crowd = rng.random((max(2, horizon // 3), max(2, width // 3), 3)).astype(np.float32)
    crowd = cv2.resize(crowd, (width, horizon), interpolation=cv2.INTER_NEAREST)
    img[:horizon] += (crowd - 0.5) * rng.uniform(30, 90)
    img = np.clip(img, 0, 255).astype(np.uint8)
    for _ in range(int(rng.integers(3, 9))):
        x = int(rng.integers(0, width))
        w = int(rng.integers(3, 14))
        cv2.rectangle(
            img, (x, int(horizon * rng.uniform(0.2, 0.8))), (x + w, horizon), _colour(rng), -1
        )
    for _ in range(int(rng.integers(1, 4))):
        y = int(rng.integers(horizon + 2, height))
        cv2.line(img, (0, y), (width - 1, y + int(rng.integers(-8, 9))), _colour(rng, 150), 1)
    return img


def _stripes(shape: tuple[int, int], period: int) -> np.ndarray:
    if period == 0:
        return np.zeros(shape, bool)
    yy = np.arange(shape[0])[:, None] + np.arange(shape[1])[None, :] // 3
    return (yy // period) % 2 == 1


# (joint a, joint b, clothing part, side) for every segment drawn as a thick line.
_SEGMENTS: tuple[tuple[int, int, str, str], ...] = (
    (J["r_ankle"], J["r_knee"], "skin", "r"),
    (J["r_knee"], J["r_hip"], "shorts", "r"),
    (J["l_ankle"], J["l_knee"], "skin", "l"),
    (J["l_knee"], J["l_hip"], "shorts", "l"),
    (J["r_wrist"], J["r_elbow"], "skin", "r"),
    (J["r_elbow"], J["r_shoulder"], "shirt", "r"),
    (J["l_wrist"], J["l_elbow"], "skin", "l"),
    (J["l_elbow"], J["l_shoulder"], "shirt", "l"),
    (J["thorax"], J["upper_neck"], "skin", "r"),
)
# The far side is drawn darker so that left and right (and so mirror images) can be told apart.
_SHADE = {"r": 1.0, "l": 0.75}


def draw_person(
    frame: np.ndarray,
    joints2d: np.ndarray,
    depth: np.ndarray,
    actor: Actor,
    look: Look,
    px_per_m: float,
) -> np.ndarray:
    """Draw one person in place, far parts first; return its mask (uint8, 0/255)."""
    h, w = frame.shape[:2]
    mask = np.zeros((h, w), np.uint8)
    shirt_mask = np.zeros((h, w), np.uint8)
    pts = np.round(joints2d * 16).astype(np.int32)
    width = max(2, round(actor.limb_width * px_per_m))
    colours = {"skin": look.skin, "shirt": look.shirt, "shorts": look.shorts}
    items: list[tuple[float, str, tuple]] = []
    for a, b, part, side in _SEGMENTS:
        colour = tuple(int(c * _SHADE[side]) for c in colours[part])
        items.append((float(depth[[a, b]].mean()), "limb", (pts[a], pts[b], colour, part)))
    torso = pts[[J["r_shoulder"], J["l_shoulder"], J["l_hip"], J["r_hip"]]]
    items.append((float(depth[[J["pelvis"], J["thorax"]]].mean()), "torso", (torso,)))
    items.append((float(depth[J["head_top"]]), "head", ()))
    for ankle, side in ((J["r_ankle"], "r"), (J["l_ankle"], "l")):
        shoe = tuple(int(c * _SHADE[side]) for c in look.shoes)
        items.append((float(depth[ankle]), "shoe", (pts[ankle], shoe)))
    for _, kind, args in sorted(items, key=lambda it: it[0]):
        if kind == "limb":
            p, q, colour, part = args
            targets = [(frame, colour), (mask, 255)]
            if part == "shirt":
                targets.append((shirt_mask, 255))
            for target, value in targets:
                cv2.line(target, tuple(p), tuple(q), value, width, cv2.LINE_AA, shift=4)
        elif kind == "torso":
            for target, value in ((frame, look.shirt), (mask, 255), (shirt_mask, 255)):
                cv2.fillConvexPoly(target, args[0], value, cv2.LINE_AA, shift=4)
                cv2.polylines(target, [args[0]], True, value, width, cv2.LINE_AA, shift=4)
        elif kind == "shoe":
            for target, value in ((frame, args[1]), (mask, 255)):
                cv2.circle(target, tuple(args[0]), width * 8, value, -1, cv2.LINE_AA, shift=4)
        else:
            neck, top = joints2d[J["upper_neck"]], joints2d[J["head_top"]]
            centre = np.round((neck + top) / 2 * 16).astype(int)
            radius = max(2, round(np.linalg.norm(top - neck) * 0.55 * 16))
            for target, value in ((frame, look.skin), (mask, 255)):
                cv2.circle(target, tuple(centre), radius, value, -1, cv2.LINE_AA, shift=4)
    stripe = (shirt_mask > 127) & _stripes((h, w), look.stripe_period)
    frame[stripe] = look.shirt_stripe
    return mask


def visible_joints(
    joints2d: np.ndarray, occluder: np.ndarray, width: int, height: int
) -> np.ndarray:
    """1 where a joint lies inside the frame and not behind a foreground occluder."""
    x, y = joints2d[:, 0], joints2d[:, 1]
    inside = (x >= 0) & (x <= width - 1) & (y >= 0) & (y <= height - 1)
    xi = np.clip(np.round(x).astype(int), 0, width - 1)
    yi = np.clip(np.round(y).astype(int), 0, height - 1)
    return (inside & (occluder[yi, xi] == 0)).astype(np.uint8)


def degrade(
    frame: np.ndarray, rng: np.random.Generator, gain: float, blur_sigma: float, noise_sigma: float
) -> np.ndarray:
    """Lighting gain, optical blur and sensor noise."""
    out = frame.astype(np.float32) * gain
    if blur_sigma > 0:
        out = cv2.GaussianBlur(out, (0, 0), blur_sigma)
    out += rng.normal(0, noise_sigma, out.shape).astype(np.float32)
    return np.clip(out, 0, 255).astype(np.uint8)
