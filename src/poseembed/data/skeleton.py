"""A 3-D articulated body with the 16 MPII joints, posed by joint angles (vectorised over frames).

Body frame: x to the person's left, y up, z forward; the pelvis at the origin.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from poseembed.joints import N_JOINTS, J

DOFS: tuple[str, ...] = (
    "yaw",
    "pitch",
    "roll",
    "trunk_flex",
    "trunk_twist",
    "trunk_side",
    "neck_flex",
    "hip_flex_r",
    "hip_abd_r",
    "knee_r",
    "hip_flex_l",
    "hip_abd_l",
    "knee_l",
    "sh_flex_r",
    "sh_abd_r",
    "elbow_r",
    "sh_flex_l",
    "sh_abd_l",
    "elbow_l",
)
D = {name: i for i, name in enumerate(DOFS)}
N_DOFS = len(DOFS)


@dataclass(frozen=True)
class Actor:
    """Segment lengths in metres; one actor keeps them for a whole video."""

    hip_half: float = 0.1
    thigh: float = 0.45
    shin: float = 0.43
    torso: float = 0.5
    neck: float = 0.1
    head: float = 0.22
    shoulder_half: float = 0.19
    upper_arm: float = 0.3
    forearm: float = 0.27
    limb_width: float = 0.11
    torso_width: float = 0.3


def sample_actor(rng: np.random.Generator) -> Actor:
    """An actor with a random overall size and per-segment proportions."""
    base = Actor()
    scale = rng.uniform(0.88, 1.1)
    fields = {k: v * scale * rng.uniform(0.9, 1.1) for k, v in base.__dict__.items()}
    return Actor(**fields)


def _rx(a: np.ndarray) -> np.ndarray:
    c, s = np.cos(a), np.sin(a)
    o, z = np.ones_like(a), np.zeros_like(a)
    return np.stack(
        [np.stack([o, z, z], -1), np.stack([z, c, -s], -1), np.stack([z, s, c], -1)], -2
    )


def _ry(a: np.ndarray) -> np.ndarray:
    c, s = np.cos(a), np.sin(a)
    o, z = np.ones_like(a), np.zeros_like(a)
    return np.stack(
        [np.stack([c, z, s], -1), np.stack([z, o, z], -1), np.stack([-s, z, c], -1)], -2
    )


def _rz(a: np.ndarray) -> np.ndarray:
    c, s = np.cos(a), np.sin(a)
    o, z = np.ones_like(a), np.zeros_like(a)
    return np.stack(
        [np.stack([c, -s, z], -1), np.stack([s, c, z], -1), np.stack([z, z, o], -1)], -2
    )


def _apply(r: np.ndarray, v: np.ndarray) -> np.ndarray:
    return np.einsum("nij,nj->ni", r, v)


def forward_kinematics(dofs_deg: np.ndarray, actor: Actor) -> np.ndarray:
    """Joints (N, 16, 3) in metres, pelvis at the origin, for angles (N, N_DOFS) in degrees."""
    a = np.deg2rad(np.asarray(dofs_deg, dtype=np.float64))
    n = a.shape[0]
    down = np.tile([0.0, -1.0, 0.0], (n, 1))
    up = -down
    out = np.zeros((n, N_JOINTS, 3))

    def leg(side: str, sign: float) -> None:
        hip = np.tile([sign * actor.hip_half, 0.0, 0.0], (n, 1))
        r_hip = _rz(sign * a[:, D[f"hip_abd_{side}"]]) @ _rx(-a[:, D[f"hip_flex_{side}"]])
        knee = hip + _apply(r_hip, down * actor.thigh)
        ankle = knee + _apply(r_hip @ _rx(a[:, D[f"knee_{side}"]]), down * actor.shin)
        out[:, J[f"{side}_hip"]], out[:, J[f"{side}_knee"]], out[:, J[f"{side}_ankle"]] = (
            hip,
            knee,
            ankle,
        )

    leg("r", -1.0)
    leg("l", 1.0)

    r_trunk = _ry(a[:, D["trunk_twist"]]) @ _rx(a[:, D["trunk_flex"]]) @ _rz(a[:, D["trunk_side"]])
    thorax = _apply(r_trunk, up * actor.torso)
    r_neck = r_trunk @ _rx(a[:, D["neck_flex"]])
    neck = thorax + _apply(r_neck, up * actor.neck)
    out[:, J["thorax"]] = thorax
    out[:, J["upper_neck"]] = neck
    out[:, J["head_top"]] = neck + _apply(r_neck, up * actor.head)

    def arm(side: str, sign: float) -> None:
        shoulder = thorax + _apply(r_trunk, np.tile([sign * actor.shoulder_half, -0.03, 0], (n, 1)))
        r_arm = r_trunk @ _rz(sign * a[:, D[f"sh_abd_{side}"]]) @ _rx(-a[:, D[f"sh_flex_{side}"]])
        elbow = shoulder + _apply(r_arm, down * actor.upper_arm)
        wrist = elbow + _apply(r_arm @ _rx(-a[:, D[f"elbow_{side}"]]), down * actor.forearm)
        out[:, J[f"{side}_shoulder"]], out[:, J[f"{side}_elbow"]], out[:, J[f"{side}_wrist"]] = (
            shoulder,
            elbow,
            wrist,
        )

    arm("r", -1.0)
    arm("l", 1.0)

    r_global = _ry(a[:, D["yaw"]]) @ _rx(a[:, D["pitch"]]) @ _rz(a[:, D["roll"]])
    return np.einsum("nij,nkj->nki", r_global, out)
