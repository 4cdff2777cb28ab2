"""Reading a video source: any OpenCV-readable file, a Norpix ``.seq``, or a folder of images."""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np

from poseembed.formats.seq import SeqError, read_seq

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff")
VIDEO_SUFFIXES = (".mp4", ".avi", ".mov", ".mkv", ".webm", ".mpg", ".mpeg", ".m4v", ".seq")


class VideoReadError(RuntimeError):
    pass


def _read_opencv(path: Path) -> tuple[list[np.ndarray], float]:
    cap = cv2.VideoCapture(str(path))
    if not cap.isOpened():
        raise VideoReadError(
            f"{path}: OpenCV cannot open it (unknown container or codec, a truncated file, "
            "or not a video)"
        )
    expected = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    fps = float(cap.get(cv2.CAP_PROP_FPS)) or 25.0
    frames = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(frame)
    cap.release()
    if not frames:
        raise VideoReadError(f"{path}: no frame could be decoded (empty or corrupt file)")
    # Containers' frame counts can be estimates; a shortfall beyond rounding means truncation.
    if expected > 0 and len(frames) < expected - max(2, round(0.02 * expected)):
        raise VideoReadError(
            f"{path}: the container announces {expected} frames but only "
            f"{len(frames)} decode (truncated or corrupt file)"
        )
    return frames, fps


def _read_folder(path: Path, fps: float) -> tuple[list[np.ndarray], float]:
    files = sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        raise VideoReadError(f"{path}: a frame folder with no images ({', '.join(IMAGE_SUFFIXES)})")
    frames = []
    for f in files:
        img = cv2.imread(str(f), cv2.IMREAD_COLOR)
        if img is None:
            raise VideoReadError(f"{f}: not a readable image")
        frames.append(img)
    return frames, fps


def read_video(path: str | os.PathLike, folder_fps: float) -> tuple[list[np.ndarray], float]:
    """All frames (BGR uint8) and the frame rate (``folder_fps`` for a folder of frame images);
    a clear error names the file when it fails."""
    path = Path(path)
    if not path.exists():
        raise VideoReadError(f"{path}: no such video file or frame folder")
    if path.is_dir():
        frames, fps = _read_folder(path, folder_fps)
    elif path.suffix.lower() == ".seq":
        try:
            frames, fps = read_seq(path)
        except SeqError as err:
            raise VideoReadError(str(err)) from err
    else:
        frames, fps = _read_opencv(path)
    sizes = {f.shape for f in frames}
    if len(sizes) > 1:
        raise VideoReadError(f"{path}: frames of different sizes {sorted(sizes)}")
    return frames, fps
