"""Norpix ``.seq`` sequences as Olympic Sports ships them: a 1024-byte header, then JPEG frames.

Each frame is stored as a uint32 byte count (the count included), the JPEG data, and a timestamp
with optional padding; the reader finds each next frame by its JPEG start marker, so it does not
depend on the padding of the writing software's version.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

import cv2
import numpy as np

from poseembed.atomic import atomic_path

HEADER_SIZE = 1024
MAGIC = 0xFEED
_JPEG_FORMAT = 102
_SOI = b"\xff\xd8\xff"


class SeqError(ValueError):
    pass


def read_seq_header(data: bytes, path: str | os.PathLike) -> dict:
    if len(data) < HEADER_SIZE or struct.unpack_from("<I", data, 0)[0] != MAGIC:
        raise SeqError(f"{path}: not a Norpix .seq file (no 0xFEED magic in a 1024-byte header)")
    width, height, depth, _, _, fmt, n_frames = struct.unpack_from("<7I", data, 548)
    fps = struct.unpack_from("<d", data, 584)[0]
    return {
        "width": width,
        "height": height,
        "bit_depth": depth,
        "format": fmt,
        "n_frames": n_frames,
        "fps": fps,
    }


def read_seq(path: str | os.PathLike) -> tuple[list[np.ndarray], float]:
    """Decoded BGR frames and the frame rate."""
    data = Path(path).read_bytes()
    header = read_seq_header(data, path)
    frames: list[np.ndarray] = []
    pos = HEADER_SIZE
    while len(frames) < header["n_frames"]:
        if pos + 4 > len(data):
            break
        size = struct.unpack_from("<I", data, pos)[0]
        if size <= 4 or pos + size > len(data):
            raise SeqError(
                f"{path}: frame {len(frames)} at byte {pos} claims {size} bytes; "
                f"the file has {len(data) - pos} left (truncated?)"
            )
        img = cv2.imdecode(np.frombuffer(data, np.uint8, size - 4, pos + 4), cv2.IMREAD_COLOR)
        if img is None:
            raise SeqError(f"{path}: frame {len(frames)} at byte {pos} is not a decodable JPEG")
        frames.append(img)
        nxt = data.find(_SOI, pos + size)
        if nxt < 0:
            break
        pos = nxt - 4
    if len(frames) != header["n_frames"]:
        raise SeqError(
            f"{path}: header announces {header['n_frames']} frames, "
            f"found {len(frames)} (truncated file?)"
        )
    return frames, header["fps"]


def write_seq(
    path: str | os.PathLike, frames: list[np.ndarray], fps: float, quality: int = 90
) -> None:
    if not frames:
        raise ValueError("write_seq needs at least one frame")
    h, w = frames[0].shape[:2]
    header = bytearray(HEADER_SIZE)
    struct.pack_into("<I", header, 0, MAGIC)
    name = "Norpix seq".encode("utf-16-le")
    header[4 : 4 + len(name)] = name
    struct.pack_into("<ii", header, 28, 5, HEADER_SIZE)
    struct.pack_into("<7I", header, 548, w, h, 24, 24, w * h * 3, _JPEG_FORMAT, len(frames))
    struct.pack_into("<d", header, 584, fps)
    body = bytearray()
    for i, frame in enumerate(frames):
        ok, jpg = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, quality])
        if not ok:
            raise ValueError(f"frame {i} could not be JPEG-encoded")
        body += struct.pack("<I", len(jpg) + 4) + jpg.tobytes()
        body += struct.pack("<IHH", int(i / fps), int((i / fps % 1) * 1000), 0)
    with atomic_path(path) as tmp:
        tmp.write_bytes(bytes(header) + bytes(body))
