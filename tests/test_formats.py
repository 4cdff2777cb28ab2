"""Every reader and writer of the datasets' formats, on written files and on real samples."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from poseembed.formats.bbox import BoxFileError, boxes_for_frames, read_bb, write_bb
from poseembed.formats.cliquecnn import (
    PostureLabels,
    judged_frames,
    label_flips,
    read_frame_list,
    read_labels,
    read_posture_sets,
    video_frames,
    write_frame_list,
    write_labels,
)
from poseembed.formats.groundtruth import (
    joint_columns,
    read_groundtruth,
    read_masks,
    write_groundtruth,
    write_masks,
)
from poseembed.formats.mpii import read_mpii_json, read_people, write_mpii_json
from poseembed.formats.seq import SeqError, read_seq, read_seq_header, write_seq
from poseembed.formats.video import VideoReadError, read_video
from tests.conftest import FRAMES, realdata
from tests.fake_datasets import write_mpii_mat


def test_bb_round_trip_and_alignment(tmp_path):
    frames = np.array([0, 1, 2, 5])
    boxes = np.array([[1, 2, 10, 20], [2, 3, 11, 21], [3, 4, 12, 22], [6, 7, 15, 25]], float)
    write_bb(tmp_path / "a.bb", frames, boxes)
    f, b = read_bb(tmp_path / "a.bb")
    assert np.array_equal(f, frames) and np.allclose(b, boxes)
    aligned = boxes_for_frames(np.arange(7), f, b)
    assert np.allclose(aligned[3], boxes[2]) and np.allclose(aligned[4], boxes[3])


def test_bb_errors_name_the_file(tmp_path):
    (tmp_path / "bad.bb").write_text("0 1 2 3\n")
    with pytest.raises(BoxFileError, match="bad.bb.*5 columns"):
        read_bb(tmp_path / "bad.bb")
    (tmp_path / "flip.bb").write_text("0 10 2 3 20\n")
    with pytest.raises(BoxFileError, match="flip.bb: line 1"):
        read_bb(tmp_path / "flip.bb")


def test_cliquecnn_labels_and_frame_list_round_trip(tmp_path):
    items = [("abc_00001_00010", i) for i in range(3)] + [("xyz_00000_00004", 0)]
    write_frame_list(tmp_path / "imagePaths_vault.txt", items)
    assert (tmp_path / "imagePaths_vault.txt").read_text().splitlines()[
        1
    ] == "./abc_00001_00010/I00001.png"
    assert read_frame_list(tmp_path / "imagePaths_vault.txt") == items
    labels = PostureLabels(
        np.array([0, 3]),
        [np.array([1, 2]), np.array([0, 1])],
        [np.array([3, 3, 1]), np.array([2, 2, 2])],
        [np.array([0, 1]), np.array([1, 1])],
        [np.array([0, 0, 1]), np.array([1, 0, 0])],
    )
    write_labels(tmp_path / "labels_vault.hdf5", labels)
    back = read_labels(tmp_path / "labels_vault.hdf5")
    assert np.array_equal(back.anchors, labels.anchors)
    for key in ("pos_ids", "neg_ids", "pos_flipvals", "neg_flipvals"):
        assert all(
            np.array_equal(x, y)
            for x, y in zip(getattr(back, key), getattr(labels, key), strict=True)
        )


def test_label_flips_name_the_mirrored_frames_of_each_video(tmp_path):
    write_frame_list(tmp_path / "imagePaths_c.txt", [("v0", 0), ("v0", 4), ("v1", 2), ("v1", 7)])
    labels = PostureLabels(
        np.array([0]),
        [np.array([2, 3])],
        [np.array([1, 3])],
        [np.array([0, 1])],
        [np.array([1, 1])],
    )
    write_labels(tmp_path / "labels_c.hdf5", labels)
    files = [str(tmp_path / "labels_c.hdf5")], [str(tmp_path / "imagePaths_c.txt")]
    flips = label_flips(*files, {("c", "v0"): None, ("c", "v1"): None, ("d", "v2"): None})
    assert {k: v.tolist() for k, v in flips.items()} == {("c", "v0"): [4], ("c", "v1"): [7]}
    sets = read_posture_sets(*files)
    judged = video_frames(sets, {("c", "v0"): None, ("c", "v1"): None}, judged_frames)
    # Every frame judged, the anchor and the mirrored ones included (their rows are looked up
    # before the mirrored rows replace them).
    assert {k: v.tolist() for k, v in judged.items()} == {("c", "v0"): [0, 4], ("c", "v1"): [2, 7]}
    with pytest.raises(ValueError, match="imagePaths_c.txt names video 'v1'"):
        label_flips(*files, {("c", "v0"): None})


def test_groundtruth_table_and_masks_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    joints = rng.uniform(0, 100, (3, 16, 2))
    visible = (rng.random((3, 16)) > 0.3).astype(np.uint8)
    table = pd.DataFrame({"frame": np.arange(3), **joint_columns(joints, visible)})
    write_groundtruth(tmp_path / "v.csv", table)
    back, j, v = read_groundtruth(tmp_path / "v.csv")
    assert back["frame"].tolist() == [0, 1, 2]
    assert np.allclose(j, joints, atol=0.005) and np.array_equal(v, visible)
    # A width that is not a multiple of 8 comes back unpadded.
    masks = rng.random((2, 5, 13)) > 0.5
    write_masks(tmp_path / "v_masks.npz", masks)
    assert np.array_equal(read_masks(tmp_path / "v_masks.npz"), masks)


def test_frame_list_error_names_line(tmp_path):
    (tmp_path / "l.txt").write_text("./v/I00001.png\nnonsense\n")
    with pytest.raises(ValueError, match=r"l.txt:2"):
        read_frame_list(tmp_path / "l.txt")


def test_mpii_json_reads_real_sample_and_round_trips(tmp_path):
    ann = read_mpii_json(realdata("mpii", "test_mpii.json"))
    assert len(ann) >= 5 and ann.joints.shape[1:] == (16, 2)
    assert set(np.unique(ann.visible)) <= {0, 1}
    assert np.all(ann.scales > 0)
    write_mpii_json(tmp_path / "a.json", ann)
    back = read_mpii_json(tmp_path / "a.json")
    assert back.images == ann.images
    assert np.allclose(back.joints, ann.joints, atol=0.01) and np.array_equal(
        back.visible, ann.visible
    )


def test_mpii_release_mat_gives_the_people_of_the_json_form(tmp_path):
    ann = read_mpii_json(realdata("mpii", "test_mpii.json"))
    ann.images[1] = ann.images[0]  # two people in one image
    write_mpii_mat(tmp_path / "release.mat", ann)
    back = read_people(tmp_path / "release.mat")
    order = [0, 1, 2, 3, 4]
    assert back.images == [ann.images[i] for i in order]
    assert np.array_equal(back.visible, ann.visible)
    seen = ann.visible.astype(bool)
    assert np.allclose(back.joints[seen], ann.joints[seen])
    assert np.all(back.joints[~seen] == -1)
    assert np.allclose(back.centers, ann.centers) and np.allclose(back.scales, ann.scales)


def test_mpii_readers_name_the_bad_file(tmp_path):
    (tmp_path / "a.mat").write_bytes(b"not matlab")
    with pytest.raises(ValueError, match=r"a.mat: not an MPII release"):
        read_people(tmp_path / "a.mat")
    with pytest.raises(ValueError, match=r"b.txt: MPII annotations must be"):
        read_people(tmp_path / "b.txt")


def test_seq_round_trip_and_truncation(tmp_path):
    ramp = np.add.outer(np.arange(24), np.arange(32))[..., None].repeat(3, -1)
    frames = [(ramp * 2 + 30 * i).astype(np.uint8) for i in range(5)]
    write_seq(tmp_path / "a.seq", frames, fps=29.97)
    data = (tmp_path / "a.seq").read_bytes()
    header = read_seq_header(data, "a.seq")
    assert (header["width"], header["height"], header["n_frames"]) == (32, 24, 5)
    back, fps = read_seq(tmp_path / "a.seq")
    assert fps == pytest.approx(29.97) and len(back) == 5
    errors = [np.abs(b.astype(int) - f).mean() for b, f in zip(back, frames, strict=True)]
    assert max(errors) < 3  # JPEG: close, in order, not equal
    (tmp_path / "cut.seq").write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(SeqError, match="cut.seq"):
        read_seq(tmp_path / "cut.seq")
    (tmp_path / "not.seq").write_bytes(b"\0" * 2000)
    with pytest.raises(VideoReadError, match="not.seq: not a Norpix"):
        read_video(tmp_path / "not.seq", FRAMES["folder_fps"])


def test_video_readers_on_real_samples():
    frames, fps = read_video(realdata("videos", "pool_cleaning.mp4"), FRAMES["folder_fps"])
    assert len(frames) == 300 and frames[0].shape == (256, 340, 3) and fps == pytest.approx(30)
    frames, fps = read_video(realdata("videos", "eye_makeup.avi"), FRAMES["folder_fps"])
    assert len(frames) == 164 and frames[0].shape == (240, 320, 3) and fps == pytest.approx(25)


@pytest.mark.parametrize("name,keep", [("pool_cleaning.mp4", 0.5), ("eye_makeup.avi", 0.5)])
def test_truncated_video_gives_a_clear_error(tmp_path, name, keep):
    data = realdata("videos", name).read_bytes()
    cut = tmp_path / f"cut_{name}"
    cut.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(VideoReadError, match=f"cut_{name}.*(truncated|cannot open)"):
        read_video(cut, FRAMES["folder_fps"])


def test_frame_folder_and_mixed_sizes(tmp_path):
    import cv2

    folder = tmp_path / "clip"
    folder.mkdir()
    for i in range(3):
        cv2.imwrite(str(folder / f"I{i:05d}.png"), np.full((10, 12, 3), i * 40, np.uint8))
    frames, fps = read_video(folder, folder_fps=12.5)
    assert len(frames) == 3 and fps == 12.5 and frames[2][0, 0, 0] == 80
    cv2.imwrite(str(folder / "I00003.png"), np.zeros((11, 12, 3), np.uint8))
    with pytest.raises(VideoReadError, match="different sizes"):
        read_video(folder, 12.5)
