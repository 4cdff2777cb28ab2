"""Motion programs of the 16 synthetic sports: periodic cycles, key poses, pauses and slow motion.

A program is a list of steps. ``Cycle`` repeats a periodic motion (its phase is ground truth
for repetition mining); ``Pose`` moves to a key pose and optionally holds it (a pause).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from poseembed.data.skeleton import N_DOFS, D
from poseembed.datasets import OLYMPIC_SPORTS

POSES: dict[str, dict[str, float]] = {
    "stand": {"sh_abd_r": 8, "sh_abd_l": 8, "elbow_r": 10, "elbow_l": 10},
    "ready": {
        "trunk_flex": 20,
        "hip_flex_r": 25,
        "hip_flex_l": 25,
        "knee_r": 35,
        "knee_l": 35,
        "sh_flex_r": 30,
        "sh_flex_l": 30,
        "elbow_r": 60,
        "elbow_l": 60,
    },
    "squat": {
        "trunk_flex": 35,
        "hip_flex_r": 105,
        "hip_flex_l": 105,
        "knee_r": 135,
        "knee_l": 135,
        "hip_abd_r": 15,
        "hip_abd_l": 15,
        "sh_flex_r": 10,
        "sh_flex_l": 10,
    },
    "pull": {
        "trunk_flex": 25,
        "hip_flex_r": 50,
        "hip_flex_l": 50,
        "knee_r": 45,
        "knee_l": 45,
        "sh_flex_r": 5,
        "sh_flex_l": 5,
    },
    "front_rack": {
        "hip_flex_r": 20,
        "hip_flex_l": 20,
        "knee_r": 25,
        "knee_l": 25,
        "sh_flex_r": 90,
        "sh_flex_l": 90,
        "elbow_r": 150,
        "elbow_l": 150,
    },
    "overhead": {"sh_flex_r": 175, "sh_flex_l": 175, "sh_abd_r": 10, "sh_abd_l": 10},
    "split_jerk": {
        "hip_flex_r": 45,
        "knee_r": 40,
        "hip_flex_l": -30,
        "knee_l": 35,
        "sh_flex_r": 175,
        "sh_flex_l": 175,
    },
    "overhead_squat": {
        "trunk_flex": 25,
        "hip_flex_r": 100,
        "hip_flex_l": 100,
        "knee_r": 130,
        "knee_l": 130,
        "sh_flex_r": 160,
        "sh_flex_l": 160,
        "sh_abd_r": 25,
        "sh_abd_l": 25,
    },
    "throw_back": {
        "trunk_twist": -70,
        "trunk_flex": 10,
        "knee_r": 40,
        "hip_flex_r": 20,
        "sh_abd_r": 85,
        "sh_flex_r": -20,
        "elbow_r": 10,
        "sh_flex_l": 70,
        "sh_abd_l": 30,
    },
    "throw_release": {
        "trunk_twist": 45,
        "trunk_flex": 25,
        "hip_flex_l": 20,
        "knee_l": 10,
        "hip_flex_r": -20,
        "knee_r": 30,
        "sh_flex_r": 140,
        "elbow_r": 5,
        "sh_flex_l": 20,
        "sh_abd_l": 40,
    },
    "takeoff": {
        "hip_flex_r": 85,
        "knee_r": 95,
        "hip_flex_l": -15,
        "knee_l": 5,
        "sh_flex_r": 150,
        "sh_flex_l": 150,
        "elbow_r": 20,
        "elbow_l": 20,
    },
    "flight": {
        "hip_flex_r": 70,
        "hip_flex_l": 60,
        "knee_r": 50,
        "knee_l": 40,
        "sh_flex_r": 110,
        "sh_flex_l": 110,
    },
    "arch": {
        "trunk_flex": -45,
        "neck_flex": -30,
        "hip_flex_r": -25,
        "hip_flex_l": -25,
        "knee_r": 70,
        "knee_l": 70,
        "sh_flex_r": 170,
        "sh_flex_l": 170,
    },
    "land": {
        "trunk_flex": 45,
        "hip_flex_r": 95,
        "hip_flex_l": 95,
        "knee_r": 110,
        "knee_l": 110,
        "sh_flex_r": 90,
        "sh_flex_l": 90,
    },
    "tuck": {
        "hip_flex_r": 120,
        "hip_flex_l": 120,
        "knee_r": 130,
        "knee_l": 130,
        "sh_flex_r": 70,
        "sh_flex_l": 70,
        "elbow_r": 100,
        "elbow_l": 100,
        "trunk_flex": 30,
    },
    "pike": {
        "hip_flex_r": 120,
        "hip_flex_l": 120,
        "sh_flex_r": 120,
        "sh_flex_l": 120,
        "trunk_flex": 30,
    },
    "streamline": {"sh_flex_r": 180, "sh_flex_l": 180, "pitch": 180},
    "bowl_back": {
        "trunk_flex": 20,
        "hip_flex_l": 30,
        "knee_l": 40,
        "hip_flex_r": -10,
        "sh_flex_r": -70,
        "elbow_r": 5,
        "sh_abd_l": 40,
        "sh_flex_l": 40,
    },
    "bowl_release": {
        "trunk_flex": 45,
        "hip_flex_l": 85,
        "knee_l": 95,
        "hip_flex_r": -40,
        "knee_r": 10,
        "hip_abd_r": 10,
        "sh_flex_r": 60,
        "elbow_r": 5,
        "sh_abd_l": 80,
    },
    "serve_toss": {
        "trunk_flex": -15,
        "knee_r": 35,
        "knee_l": 35,
        "hip_flex_r": 15,
        "hip_flex_l": 15,
        "sh_flex_l": 170,
        "sh_abd_r": 85,
        "sh_flex_r": -10,
        "elbow_r": 110,
    },
    "serve_hit": {
        "trunk_flex": 30,
        "hip_flex_l": 20,
        "hip_flex_r": -10,
        "sh_flex_r": 175,
        "elbow_r": 5,
        "sh_flex_l": 40,
    },
    "handstand": {
        "pitch": 180,
        "sh_flex_r": 180,
        "sh_flex_l": 180,
        "hip_flex_r": 10,
        "hip_flex_l": -10,
    },
    "pole_carry": {"sh_flex_r": 40, "sh_flex_l": 60, "elbow_r": 80, "elbow_l": 60},
    "pole_plant": {
        "sh_flex_r": 170,
        "sh_flex_l": 150,
        "elbow_r": 10,
        "elbow_l": 30,
        "hip_flex_r": 60,
        "knee_r": 70,
    },
    "pole_swing": {
        "pitch": -150,
        "hip_flex_r": 120,
        "hip_flex_l": 120,
        "knee_r": 20,
        "knee_l": 20,
        "sh_flex_r": 170,
        "sh_flex_l": 170,
    },
    "shot_ready": {
        "trunk_flex": 55,
        "hip_flex_r": 60,
        "knee_r": 70,
        "hip_flex_l": -10,
        "sh_abd_r": 70,
        "elbow_r": 140,
        "sh_flex_l": 80,
    },
    "shot_put": {
        "trunk_twist": 35,
        "trunk_flex": 10,
        "hip_flex_l": 25,
        "knee_l": 15,
        "sh_flex_r": 135,
        "elbow_r": 5,
        "sh_abd_l": 60,
    },
}

# Periodic motions: value(phase) = base + amp * sin(2 pi (phase + offset)).
PERIODIC: dict[str, dict] = {
    "run": {
        "base": {
            "trunk_flex": 14,
            "hip_flex_r": 25,
            "hip_flex_l": 25,
            "knee_r": 60,
            "knee_l": 60,
            "elbow_r": 90,
            "elbow_l": 90,
        },
        "amp": {
            "hip_flex_r": 45,
            "hip_flex_l": 45,
            "knee_r": 45,
            "knee_l": 45,
            "sh_flex_r": 55,
            "sh_flex_l": 55,
        },
        "offset": {"hip_flex_l": 0.5, "knee_r": -0.25, "knee_l": 0.25, "sh_flex_r": 0.5},
        "speed": 3.4,
        "lift": 0.06,
        "period": (11, 16),
    },
    "walk": {
        "base": {
            "hip_flex_r": 5,
            "hip_flex_l": 5,
            "knee_r": 20,
            "knee_l": 20,
            "elbow_r": 20,
            "elbow_l": 20,
        },
        "amp": {
            "hip_flex_r": 25,
            "hip_flex_l": 25,
            "knee_r": 20,
            "knee_l": 20,
            "sh_flex_r": 25,
            "sh_flex_l": 25,
        },
        "offset": {"hip_flex_l": 0.5, "knee_r": -0.25, "knee_l": 0.25, "sh_flex_r": 0.5},
        "speed": 1.5,
        "lift": 0.02,
        "period": (20, 28),
    },
    "dribble": {
        "base": {
            "trunk_flex": 20,
            "hip_flex_r": 25,
            "hip_flex_l": 25,
            "knee_r": 55,
            "knee_l": 55,
            "sh_flex_r": 45,
            "elbow_r": 50,
            "elbow_l": 90,
        },
        "amp": {
            "hip_flex_r": 35,
            "hip_flex_l": 35,
            "knee_r": 35,
            "knee_l": 35,
            "elbow_r": 40,
            "sh_flex_l": 40,
        },
        "offset": {"hip_flex_l": 0.5, "knee_r": -0.25, "knee_l": 0.25},
        "speed": 2.4,
        "lift": 0.04,
        "period": (12, 18),
    },
    "bound": {
        "base": {
            "trunk_flex": 10,
            "hip_flex_r": 30,
            "hip_flex_l": 30,
            "knee_r": 50,
            "knee_l": 50,
            "elbow_r": 60,
            "elbow_l": 60,
            "sh_flex_r": 40,
            "sh_flex_l": 40,
        },
        "amp": {
            "hip_flex_r": 60,
            "hip_flex_l": 60,
            "knee_r": 50,
            "knee_l": 50,
            "sh_flex_r": 70,
            "sh_flex_l": 70,
        },
        "offset": {"hip_flex_l": 0.5, "knee_r": -0.25, "knee_l": 0.25, "sh_flex_r": 0.5},
        "speed": 5.0,
        "lift": 0.35,
        "period": (16, 22),
    },
    "bounce": {
        "base": {
            "hip_flex_r": 25,
            "hip_flex_l": 25,
            "knee_r": 35,
            "knee_l": 35,
            "sh_flex_r": 90,
            "sh_flex_l": 90,
            "trunk_flex": 10,
        },
        "amp": {
            "hip_flex_r": 20,
            "hip_flex_l": 20,
            "knee_r": 30,
            "knee_l": 30,
            "sh_flex_r": 80,
            "sh_flex_l": 80,
            "trunk_flex": 10,
        },
        "offset": {},
        "speed": 0.0,
        "lift": 0.3,
        "period": (14, 20),
    },
    "spin": {
        "base": {
            "sh_abd_r": 80,
            "sh_abd_l": 70,
            "knee_r": 30,
            "knee_l": 30,
            "hip_flex_r": 20,
            "hip_flex_l": 20,
            "trunk_flex": 15,
        },
        "amp": {"knee_r": 15, "knee_l": 15, "trunk_twist": 20, "sh_flex_r": -25},
        "offset": {"knee_l": 0.5, "trunk_twist": 0.25},
        "yaw_per_cycle": 360.0,
        "speed": 0.25,
        "lift": 0.02,
        "period": (12, 18),
    },
    "swing": {
        "base": {
            "sh_flex_r": 90,
            "sh_flex_l": 90,
            "sh_abd_r": 20,
            "sh_abd_l": 20,
            "knee_r": 25,
            "knee_l": 25,
            "hip_flex_r": 15,
            "hip_flex_l": 15,
        },
        "amp": {
            "sh_flex_r": 85,
            "sh_flex_l": 85,
            "sh_abd_r": 25,
            "sh_abd_l": -25,
            "trunk_twist": 40,
            "trunk_side": 10,
        },
        "offset": {"sh_abd_r": 0.25, "sh_abd_l": 0.25, "trunk_twist": 0.25},
        "speed": 0.0,
        "lift": 0.0,
        "period": (14, 20),
    },
    "somersault": {
        "base": POSES["tuck"],
        "amp": {"knee_r": 10, "knee_l": 10},
        "offset": {},
        "pitch_per_cycle": 360.0,
        "speed": 0.6,
        "lift": 0.0,
        "period": (10, 14),
    },
    "ball_bounce": {
        "base": {
            "sh_flex_r": 35,
            "elbow_r": 70,
            "sh_flex_l": 20,
            "trunk_flex": 15,
            "knee_r": 15,
            "knee_l": 15,
        },
        "amp": {"elbow_r": 30, "sh_flex_r": 15, "knee_r": 8, "knee_l": 8},
        "offset": {"sh_flex_r": 0.1},
        "speed": 0.0,
        "lift": 0.0,
        "period": (10, 14),
    },
}


@dataclass(frozen=True)
class Cycle:
    motion: str
    cycles: tuple[int, int]
    slowmo_prob: float = 0.0


@dataclass(frozen=True)
class Pose:
    pose: str
    move: tuple[int, int] = (6, 10)
    hold: tuple[int, int] = (0, 0)
    lift: float = 0.0


PROGRAMS: dict[str, list] = {
    "basketball_layup": [
        Pose("stand", hold=(3, 6)),
        Cycle("dribble", (3, 4), 0.2),
        Pose("takeoff", (5, 7), lift=0.4),
        Pose("overhead", (4, 6), lift=0.7),
        Pose("land", (6, 8)),
    ],
    "bowling": [
        Pose("stand", hold=(6, 12)),
        Cycle("walk", (2, 3), 0.2),
        Pose("bowl_back", (6, 9)),
        Pose("bowl_release", (5, 7), hold=(8, 14)),
    ],
    "clean_and_jerk": [
        Pose("squat", hold=(6, 10)),
        Pose("pull", (8, 12)),
        Pose("front_rack", (6, 8), hold=(6, 10)),
        Pose("split_jerk", (5, 7)),
        Pose("overhead", (8, 10), hold=(8, 14)),
        Pose("stand", (6, 8)),
    ],
    "discus_throw": [
        Pose("ready", hold=(4, 8)),
        Cycle("swing", (2, 3)),
        Cycle("spin", (2, 3), 0.3),
        Pose("throw_back", (4, 6)),
        Pose("throw_release", (4, 6), hold=(4, 8)),
    ],
    "diving_platform_10m": [
        Pose("stand", hold=(8, 12)),
        Pose("overhead", (5, 7)),
        Pose("takeoff", (5, 7), lift=0.5),
        Cycle("somersault", (2, 3), 0.3),
        Pose("streamline", (6, 8), hold=(3, 5), lift=-0.5),
    ],
    "diving_springboard_3m": [
        Cycle("walk", (2, 2)),
        Cycle("bounce", (2, 3), 0.2),
        Pose("pike", (5, 7), lift=0.8),
        Cycle("somersault", (1, 2)),
        Pose("streamline", (6, 8), hold=(3, 5), lift=-0.4),
    ],
    "hammer_throw": [
        Pose("ready", hold=(4, 6)),
        Cycle("swing", (3, 4), 0.2),
        Cycle("spin", (3, 4), 0.2),
        Pose("throw_release", (5, 7), hold=(5, 8)),
    ],
    "high_jump": [
        Cycle("run", (3, 4), 0.2),
        Pose("takeoff", (5, 7), lift=0.6),
        Pose("arch", (6, 8), lift=0.9),
        Pose("land", (6, 9), hold=(4, 8)),
    ],
    "javelin_throw": [
        Pose("stand", hold=(3, 6)),
        Cycle("run", (3, 5), 0.2),
        Pose("throw_back", (5, 7)),
        Pose("throw_release", (4, 6), hold=(6, 10)),
    ],
    "long_jump": [
        Cycle("run", (4, 5), 0.2),
        Pose("takeoff", (4, 6), lift=0.5),
        Pose("flight", (6, 8), lift=0.7),
        Pose("land", (6, 8), hold=(5, 9)),
    ],
    "pole_vault": [
        Pose("pole_carry", hold=(4, 8)),
        Cycle("run", (3, 4), 0.2),
        Pose("pole_plant", (5, 7)),
        Pose("pole_swing", (7, 9), lift=1.2),
        Pose("handstand", (6, 8), lift=1.4),
        Pose("land", (7, 9), hold=(4, 6)),
    ],
    "shot_put": [
        Pose("stand", hold=(6, 10)),
        Pose("shot_ready", (6, 8), hold=(4, 8)),
        Cycle("walk", (1, 2), 0.3),
        Pose("shot_put", (4, 6), hold=(6, 10)),
    ],
    "snatch": [
        Pose("squat", hold=(8, 12)),
        Pose("pull", (6, 9)),
        Pose("overhead_squat", (5, 7), hold=(6, 10)),
        Pose("overhead", (8, 12), hold=(6, 12)),
    ],
    "tennis_serve": [
        Pose("stand", hold=(3, 6)),
        Cycle("ball_bounce", (3, 4), 0.3),
        Pose("serve_toss", (7, 9), hold=(2, 4)),
        Pose("serve_hit", (4, 5)),
        Pose("stand", (6, 8), hold=(3, 6)),
    ],
    "triple_jump": [
        Cycle("run", (3, 4), 0.2),
        Cycle("bound", (2, 2), 0.2),
        Pose("flight", (5, 7), lift=0.6),
        Pose("land", (6, 8), hold=(4, 8)),
    ],
    "vault": [
        Cycle("run", (4, 5), 0.2),
        Pose("takeoff", (4, 5), lift=0.3),
        Pose("handstand", (6, 8), lift=0.9),
        Cycle("somersault", (1, 1)),
        Pose("land", (6, 8), hold=(4, 8)),
    ],
}
CATEGORIES: tuple[str, ...] = OLYMPIC_SPORTS
assert set(PROGRAMS) == set(OLYMPIC_SPORTS), "one motion program per Olympic Sports category"


def _vector(d: dict[str, float]) -> np.ndarray:
    v = np.zeros(N_DOFS)
    for k, val in d.items():
        v[D[k]] = val
    return v


@dataclass
class MotionTrack:
    """Per-frame angles (degrees), forward speed and lift (metres), and the repetition truth."""

    dofs: np.ndarray
    speed: np.ndarray
    lift: np.ndarray
    segment: np.ndarray
    motion: list[str] = field(default_factory=list)
    cycle: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    phase: np.ndarray = field(default_factory=lambda: np.zeros(0))
    period: np.ndarray = field(default_factory=lambda: np.zeros(0))


def _periodic(spec: dict, phase: np.ndarray) -> np.ndarray:
    base, amp, off = _vector(spec["base"]), _vector(spec["amp"]), _vector(spec["offset"])
    out = base + amp * np.sin(2 * np.pi * (phase[:, None] + off))
    out[:, D["yaw"]] += spec.get("yaw_per_cycle", 0.0) * phase
    out[:, D["pitch"]] -= spec.get("pitch_per_cycle", 0.0) * phase
    return out


def run_program(category: str, rng: np.random.Generator, speed_scale: float = 1.0) -> MotionTrack:
    """Evaluate a category's program with random durations, periods and slow motion."""
    if category not in PROGRAMS:
        raise KeyError(f"unknown category {category!r}; known: {', '.join(CATEGORIES)}")
    dofs, speed, lift, seg, motion, cyc, ph, per = [], [], [], [], [], [], [], []
    current = _vector(POSES["stand"])
    current_lift = 0.0
    yaw_pitch_carry = np.zeros(N_DOFS)
    for s, step in enumerate(PROGRAMS[category]):
        if isinstance(step, Cycle):
            spec = PERIODIC[step.motion]
            period = rng.integers(spec["period"][0], spec["period"][1] + 1) / speed_scale
            if rng.random() < step.slowmo_prob:
                period *= rng.uniform(2.2, 3.0)
            n_cycles = int(rng.integers(step.cycles[0], step.cycles[1] + 1))
            n = max(2, round(period * n_cycles))
            phase = np.arange(n) / period
            traj = _periodic(spec, phase) + yaw_pitch_carry
            lift_traj = spec["lift"] * np.abs(np.sin(np.pi * phase * 2)) + current_lift
            spd = np.full(n, spec["speed"] / period)
            # Blend the first quarter cycle from the previous pose so that limbs do not jump.
            k = max(1, round(period / 4))
            w = 0.5 - 0.5 * np.cos(np.pi * np.clip(np.arange(n) / k, 0, 1))
            traj = w[:, None] * traj + (1 - w[:, None]) * current
            cyc.append(np.floor(phase).astype(int))
            ph.append(phase % 1.0)
            per.append(np.full(n, period))
            motion += [step.motion] * n
            # Rotations (spins, somersaults) continue from where the cycle ended.
            end = _periodic(spec, np.array([n / period]))[0] + yaw_pitch_carry
            yaw_pitch_carry = np.zeros(N_DOFS)
            yaw_pitch_carry[[D["yaw"], D["pitch"]]] = end[[D["yaw"], D["pitch"]]] % 360.0
            current = traj[-1]
        else:
            target = _vector(POSES[step.pose]) + yaw_pitch_carry
            n_move = int(rng.integers(step.move[0], step.move[1] + 1))
            n_hold = int(rng.integers(step.hold[0], step.hold[1] + 1)) if step.hold[1] else 0
            t = np.arange(1, n_move + 1) / n_move
            w = 0.5 - 0.5 * np.cos(np.pi * t)
            move = current + w[:, None] * (target - current)
            sway = rng.normal(0, 1.0, (n_hold, N_DOFS)).cumsum(0) * 0.15
            sway[:, [D["yaw"], D["pitch"]]] = 0
            traj = np.concatenate([move, target + sway])
            lift_traj = np.concatenate(
                [current_lift + w * (step.lift - current_lift), np.full(n_hold, step.lift)]
            )
            n = len(traj)
            spd = np.full(n, 0.0)
            spd[:n_move] = np.linspace(0.15, 0.0, n_move) if s else 0.0
            cyc.append(np.full(n, -1))
            ph.append(np.full(n, np.nan))
            per.append(np.full(n, np.nan))
            motion += [f"pose:{step.pose}"] * n
            current, current_lift = traj[-1], step.lift
        dofs.append(traj)
        speed.append(spd)
        lift.append(lift_traj)
        seg.append(np.full(len(traj), s))
    return MotionTrack(
        dofs=np.concatenate(dofs),
        speed=np.concatenate(speed),
        lift=np.concatenate(lift),
        segment=np.concatenate(seg),
        motion=motion,
        cycle=np.concatenate(cyc),
        phase=np.concatenate(ph),
        period=np.concatenate(per),
    )
