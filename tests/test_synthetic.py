"""The synthetic generator: determinism and consistency of its ground truth."""

from __future__ import annotations

import numpy as np
import pytest

from poseembed.config import ConfigError
from poseembed.data import synthetic
from poseembed.data.motions import CATEGORIES, PERIODIC, run_program
from poseembed.data.synthetic import (
    StillSpec,
    SyntheticSpec,
    render_still,
    render_video,
    write_stills,
    write_video_file,
)
from poseembed.formats.bbox import read_bb
from poseembed.formats.cliquecnn import read_frame_list, read_labels
from poseembed.formats.groundtruth import read_groundtruth, read_masks
from poseembed.pose_distance import pose_distances
from tests.conftest import SMALL, SYNTHETIC


def test_same_seed_same_video_other_seed_other_video():
    a = render_video("bowling", 0, 7, SMALL)
    b = render_video("bowling", 0, 7, SMALL)
    c = render_video("bowling", 0, 8, SMALL)
    assert np.array_equal(np.stack(a.frames), np.stack(b.frames))
    assert np.array_equal(a.joints, b.joints)
    assert len(c.frames) != len(a.frames) or not np.array_equal(a.joints, c.joints)


@pytest.mark.parametrize("category", CATEGORIES)
def test_ground_truth_is_consistent(category):
    v = render_video(category, 1, 3, SMALL)
    n = len(v.frames)
    h, w = v.frames[0].shape[:2]
    assert v.joints.shape == (n, 16, 2) and v.visible.shape == (n, 16)
    vis = v.visible.astype(bool)
    x, y = v.joints[..., 0], v.joints[..., 1]
    assert np.all((x[vis] >= 0) & (x[vis] <= w - 1) & (y[vis] >= 0) & (y[vis] <= h - 1))
    # The box is the person mask's extent; the joints lie on the drawn limbs' centre lines.
    tol = 1.0
    b = v.boxes[:, None, :]
    inside = (
        (x >= b[..., 0] - tol)
        & (x <= b[..., 2] + tol)
        & (y >= b[..., 1] - tol)
        & (y <= b[..., 3] + tol)
    )
    assert np.all(inside[vis])
    assert v.masks.any(axis=(1, 2)).mean() > 0.95
    # Measured: 0.97 to 1.0 of the joints visible, per category.
    assert vis.mean() > 0.9


@pytest.mark.parametrize("category", CATEGORIES)
def test_repetition_phase_follows_the_period(category):
    track = run_program(category, np.random.default_rng(5))
    periodic = track.cycle >= 0
    for seg in np.unique(track.segment[periodic]):
        idx = np.flatnonzero(track.segment == seg)
        period = track.period[idx[0]]
        expected = np.arange(len(idx)) / period
        assert np.allclose(track.phase[idx], expected % 1.0)
        assert np.array_equal(track.cycle[idx], np.floor(expected).astype(int))
        motion = PERIODIC[track.motion[idx[0]]]
        if "yaw_per_cycle" in motion or "pitch_per_cycle" in motion:
            continue
        # After the blend-in (first quarter cycle) a pose repeats exactly one period later.
        p = round(period)
        if p == period and len(idx) > p + period / 4 + 1:
            start = int(np.ceil(period / 4))
            a = track.dofs[idx[start : len(idx) - p]]
            b = track.dofs[idx[start + p :]]
            assert np.allclose(a, b, atol=1e-6)


def test_written_formats_read_back(long_jump):
    frame_list = read_frame_list(long_jump["frame_list"])
    labels = read_labels(long_jump["labels"])
    assert len(labels.anchors) == SMALL.anchors_per_category
    total = 0
    for name, bb_path, gt_path, mask_path in zip(
        long_jump["names"],
        long_jump["boxes"],
        long_jump["groundtruth"],
        long_jump["masks"],
        strict=True,
    ):
        frames, _boxes = read_bb(bb_path)
        table, _joints, _vis = read_groundtruth(gt_path)
        masks = read_masks(mask_path)
        assert len(frames) == len(table) == len(masks)
        assert np.array_equal(frames, np.arange(len(frames)))
        assert [f for v, f in frame_list if v == name] == list(range(len(frames)))
        total += len(frames)
    assert len(frame_list) == total


def test_label_positives_are_closer_in_pose_than_negatives(long_jump):
    labels = read_labels(long_jump["labels"])
    items = read_frame_list(long_jump["frame_list"])
    tables = {
        n: read_groundtruth(p)
        for n, p in zip(long_jump["names"], long_jump["groundtruth"], strict=True)
    }
    joints = np.stack([tables[v][1][f] for v, f in items])
    vis = np.stack([tables[v][2][f] for v, f in items])
    video = np.array([v for v, _ in items])
    for i, a in enumerate(labels.anchors):
        direct, mirrored = pose_distances(joints[[a]], vis[[a]], joints, vis)
        d = np.minimum(direct[0], mirrored[0])
        pos, neg = labels.pos_ids[i], labels.neg_ids[i]
        assert d[pos].max() < d[neg].min()
        assert np.all(video[pos] != video[a]) and np.all(video[neg] != video[a])
        assert np.array_equal(
            labels.pos_flipvals[i].astype(bool), mirrored[0, pos] < direct[0, pos]
        )


def test_specs_take_exactly_their_config_keys():
    stills = StillSpec.from_params(
        {k: SYNTHETIC[k] for k in ("stills", "still_size", "noise_sigma")}
    )
    assert stills.noise_sigma == SMALL.noise_sigma == tuple(SYNTHETIC["noise_sigma"])
    image, joints, visible, box = render_still(0, 0, stills)
    assert image.shape == (stills.still_size, stills.still_size, 3)
    assert joints.shape == (16, 2) and visible.shape == (16,) and box.shape == (4,)
    with pytest.raises(ConfigError, match=r"missing keys \['noise_sigma'\], unknown keys \[\]"):
        StillSpec.from_params({"stills": 2, "still_size": 64})
    with pytest.raises(ConfigError, match=r"synthetic \(videos\).*unknown keys \['stills'\]"):
        SyntheticSpec.from_params({**SMALL.__dict__, "stills": 2})


class _SilentWriter:
    """OpenCV's writer on a full disk: opened, every write accepted, nothing written."""

    def __init__(self, path, *args):
        self.path = path

    def isOpened(self):
        return True

    def write(self, frame):
        pass

    def release(self):
        open(self.path, "wb").close()


def test_a_write_that_fails_silently_is_caught_and_nothing_left(tmp_path, monkeypatch):
    frames = [np.zeros((24, 32, 3), np.uint8)] * 5
    write_video_file(tmp_path / "ok.mp4", frames, 25.0)
    monkeypatch.setattr(synthetic.cv2, "VideoWriter", _SilentWriter)
    with pytest.raises(OSError, match=r"holds 0 of 5 frames.*no space left\?"):
        write_video_file(tmp_path / "full.mp4", frames, 25.0)
    monkeypatch.setattr(synthetic.cv2, "imwrite", lambda *args: False)
    stills = StillSpec.from_params(
        {k: SYNTHETIC[k] for k in ("still_size", "noise_sigma")} | {"stills": 1}
    )
    with pytest.raises(OSError, match=r"still_00000.jpg: not written; no space left\?"):
        write_stills(tmp_path / "a.json", tmp_path / "images", 0, stills)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["images", "ok.mp4"]
