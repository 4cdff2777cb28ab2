"""Frame extraction and person crops."""

from __future__ import annotations

import logging

import cv2
import numpy as np
import pytest

from poseembed.crops import crop_side, load_crops, person_crops, save_crops
from poseembed.datasets import video_sources
from poseembed.formats.bbox import BoxFileError, boxes_in_frame
from poseembed.formats.groundtruth import read_groundtruth
from poseembed.frames import extract_frames, load_frames, save_frames
from tests.conftest import CROPS, FRAMES, realdata


def test_extraction_of_synthetic_video_keeps_boxes_and_ground_truth(long_jump, tmp_path):
    fs = extract_frames(
        long_jump["videos"][0], long_jump["boxes"][0], **FRAMES | {"height": 60, "step": 2}
    )
    table, joints, vis = read_groundtruth(long_jump["groundtruth"][0])
    assert len(fs) == (len(table) + 1) // 2
    assert fs.frames.shape[1:] == (60, 80, 3) and fs.source_size == (160, 120)
    assert fs.fps == pytest.approx(12.5)
    # Boxes scaled with the frames still hold the scaled visible joints.
    j = joints[fs.index] * 0.5
    v = vis[fs.index].astype(bool)
    b = fs.boxes[:, None, :]
    inside = (j[..., 0] >= b[..., 0] - 1) & (j[..., 0] <= b[..., 2] + 1)
    assert inside[v].all()
    save_frames(tmp_path / "f.npz", fs)
    back = load_frames(tmp_path / "f.npz")
    assert np.array_equal(back.frames, fs.frames) and np.allclose(back.boxes, fs.boxes)


def test_crops_centre_the_person_and_memory_map(long_jump, tmp_path):
    fs = extract_frames(long_jump["videos"][1], long_jump["boxes"][1], **FRAMES)
    crops = person_crops(fs.frames, fs.boxes, size=32, margin=0.25, context=CROPS["context"])
    side = crop_side(32, 0.25)
    assert crops.shape == (len(fs), side, side, 3) and crops.dtype == np.uint8
    save_crops(tmp_path / "c.npy", crops)
    mm = load_crops(tmp_path / "c.npy")
    assert isinstance(mm, np.memmap) and np.array_equal(mm[3], crops[3])
    # A synthetic box on a flat frame lands at the crop's centre.
    frame = np.zeros((1, 100, 100, 3), np.uint8)
    frame[0, 40:60, 45:55] = 255
    c = person_crops(frame, np.array([[45, 40, 54, 59]], float), size=20, margin=0.5, context=0.0)
    ys, xs = np.nonzero(c[0, :, :, 0] > 127)
    assert abs(ys.mean() - (c.shape[1] - 1) / 2) < 1 and abs(xs.mean() - (c.shape[2] - 1) / 2) < 1


def test_extraction_of_real_videos_without_boxes():
    fs = extract_frames(realdata("videos", "eye_makeup.avi"), None, **FRAMES | {"height": 120})
    assert len(fs) == 164 and fs.frames.shape[1:] == (120, 160, 3)
    assert np.isnan(fs.boxes).all()
    crops = person_crops(fs.frames[:4], fs.boxes[:4], size=32, margin=0.1, context=CROPS["context"])
    assert crops.shape == (4, 38, 38, 3)


def test_video_sources_lists_files_and_frame_folders(tmp_path):
    (tmp_path / "vault" / "clip_a").mkdir(parents=True)
    (tmp_path / "vault" / "clip_a" / "I00000.png").write_bytes(b"")
    (tmp_path / "vault" / "clip_b.seq").write_bytes(b"")
    (tmp_path / "vault" / "notes.txt").write_text("")
    (tmp_path / "snatch").mkdir()
    (tmp_path / "snatch" / "x.mp4").write_bytes(b"")
    found = video_sources(tmp_path)
    assert sorted(found) == [("snatch", "x"), ("vault", "clip_a"), ("vault", "clip_b")]
    assert sorted(video_sources(tmp_path, exclude=["clip_b"], categories=["vault"])) == [
        ("vault", "clip_a")
    ]


def test_videos_directly_in_the_folder_form_one_category_named_after_it(tmp_path):
    root = tmp_path / "my_clips"
    (root / "clip_a").mkdir(parents=True)
    (root / "clip_a" / "00000.jpg").write_bytes(b"")
    (root / "clip_b.MP4").write_bytes(b"")
    (root / "readme.txt").write_text("")
    (root / "vault").mkdir()
    (root / "vault" / "x.avi").write_bytes(b"")
    (root / "vault" / "thumbnail.jpg").write_bytes(b"")
    assert sorted(video_sources(root)) == [
        ("my_clips", "clip_a"),
        ("my_clips", "clip_b"),
        ("vault", "x"),
    ]
    assert sorted(video_sources(root, categories=["my_clips"], exclude=["clip_a"])) == [
        ("my_clips", "clip_b")
    ]


def _bb(path, lines):
    path.write_text("".join(f"{f} {x0} {y0} {x1} {y1}\n" for f, x0, y0, x1, y1 in lines))
    return path


def test_a_box_file_with_missing_lines_fails_past_the_share_and_warns_below(
    long_jump, tmp_path, caplog
):
    one_line = _bb(tmp_path / "one.bb", [(0, 50, 20, 90, 110)])
    with pytest.raises(BoxFileError, match=r"one\.bb: \d+ of \d+ frames have no line"):
        extract_frames(long_jump["videos"][0], one_line, **FRAMES)
    with caplog.at_level(logging.WARNING, logger="poseembed.frames"):
        fs = extract_frames(long_jump["videos"][0], one_line, **FRAMES | {"max_bad_boxes": 1.0})
    assert f"{len(fs) - 1} of {len(fs)} frames without a line got the nearest box" in caplog.text
    assert np.allclose(fs.boxes, [50, 20, 90, 110])


def test_boxes_off_the_frame_are_missing_and_boxes_partly_off_are_clipped(tmp_path):
    lines = [(f, 10, 10, 50, 50) for f in range(10)]
    lines[3] = (3, 200, 10, 260, 50)  # wholly right of a 160 px frame
    lines[6] = (6, -20, -5, 40, 130)  # sticks out left, top and bottom
    boxes, report = boxes_in_frame(_bb(tmp_path / "v.bb", lines), np.arange(10), (160, 120), 0.2)
    assert np.isnan(boxes[3]).all() and np.isfinite(np.delete(boxes, 3, axis=0)).all()
    assert boxes[6].tolist() == [0, 0, 40, 120]
    assert report.outside == [4] and report.clipped == 1 and report.filled == 0
    lines[5] = (5, 10, 10, 50, float("nan"))
    lines[7] = (7, 10, 200, 50, 260)
    with pytest.raises(BoxFileError, match=r"v\.bb: 3 of 10 frames .*lines 4, 6, 8\)"):
        boxes_in_frame(_bb(tmp_path / "v.bb", lines), np.arange(10), (160, 120), 0.2)


def test_a_one_frame_video_fails_at_extraction_naming_the_file(tmp_path):
    path = tmp_path / "still.mp4"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 25, (32, 24))
    writer.write(np.zeros((24, 32, 3), np.uint8))
    writer.release()
    with pytest.raises(ValueError, match=r"still\.mp4: 1 frame\(s\); the optical flow"):
        extract_frames(path, None, **FRAMES)
