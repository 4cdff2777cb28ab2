"""Frame embeddings: of a trained network (batched, centre crops, L2-normalised), or of any
feature function of crops (the baselines), for every frame of every video."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

import numpy as np
import torch

from poseembed.batches import to_float
from poseembed.crops import load_crops
from poseembed.formats.embeddings import Embeddings, rows_of
from poseembed.logs import progress
from poseembed.models import SiameseNet
from poseembed.person_masks import model_inputs


def load_model(weights: str | os.PathLike, device: torch.device) -> tuple[SiameseNet, dict]:
    """The network saved by a training stage, in eval mode, and its settings."""
    saved = torch.load(weights, map_location=device, weights_only=True)
    settings = saved["settings"]
    model = SiameseNet(settings["trunk"], settings["embedding_dim"])
    model.load_state_dict(saved["model"])
    model.to(device, memory_format=torch.channels_last).eval()
    return model, settings


def saved_settings(weights: str | os.PathLike, key: str) -> dict:
    """The settings a training saved beside its network (``key``: the config key that named the
    file, for the error)."""
    try:
        return torch.load(weights, map_location="cpu", weights_only=True)["settings"]
    # torch.load fails on a foreign file in many ways (unpickling, struct, zip errors).
    except Exception as err:
        raise ValueError(
            f"{key}: {weights} is not a weights file a poseembed training wrote ({err})"
        ) from None


Images = TypeVar("Images", np.ndarray, torch.Tensor)
"""(N, S, S, 3) crops, on the host or a device."""


def centre_crop(crops: Images, size: int) -> Images:
    side = crops.shape[1]
    if size > side:
        raise ValueError(f"crops of {side} px cannot give inputs of {size} px")
    o = (side - size) // 2
    return crops[:, o : o + size, o : o + size]


@torch.inference_mode()
def embed_crops(
    model: SiameseNet,
    crops: np.ndarray,
    input_size: int,
    batch_size: int,
    device: torch.device,
    flip: bool = False,
    *,
    amp: bool,
) -> np.ndarray:
    """(N, D) float32 embeddings of (N, S, S, 3) uint8 crops; ``flip`` mirrors them first."""
    use_amp = amp and device.type == "cuda"
    pin = device.type == "cuda"
    out = []
    for start in range(0, len(crops), batch_size):
        # uint8 crosses to the device, a quarter of float's bytes; the crop, mirror and
        # conversion run there (on a GPU the host's conversion took ~98% of the time). The
        # rows stay there until the end, so the host reads the next crops as the GPU works.
        block = np.asarray(crops[start : start + batch_size])
        host = torch.empty(block.shape, dtype=torch.uint8, pin_memory=pin)
        host.numpy()[...] = block
        batch = centre_crop(host.to(device, non_blocking=pin), input_size)
        if flip:
            batch = batch.flip(2)
        x = to_float(batch).contiguous(memory_format=torch.channels_last)
        with torch.autocast(device.type, dtype=torch.float16, enabled=use_amp):
            out.append(model.embed(x).float())
    if not out:
        return np.zeros((0, model.project.out_features), np.float32)
    return torch.cat(out).cpu().numpy()


Features = Callable[[np.ndarray, bool], np.ndarray]
"""(N, S, S, 3) uint8 crops and whether to mirror them -> (N, D) float32 unit rows."""


def network_features(
    model: SiameseNet, input_size: int, batch_size: int, device: torch.device, amp: bool
) -> Features:
    return lambda crops, flip: embed_crops(
        model, crops, input_size, batch_size, device, flip, amp=amp
    )


def embed_videos(
    features: Features,
    videos: dict[tuple[str, str], tuple[str | os.PathLike, str | os.PathLike]],
    flipped: dict[tuple[str, str], np.ndarray],
    masks: dict[tuple[str, str], str | os.PathLike] | None = None,
    masks_alone: bool = False,
    only: dict[tuple[str, str], np.ndarray] | None = None,
) -> Embeddings:
    """Embeddings of every frame of ``videos`` ((category, video) -> (crops, frames artifact))
    and of the mirrored crops of the ``flipped`` source frame numbers; with ``masks`` (person
    masks per video), of the crops with their background greyed out, as the model was trained,
    or of the masks alone (``masks_alone``). ``only`` restricts them to those source frame
    numbers of those videos (the frames an evaluation judges)."""
    out = Embeddings()
    chosen = {k: v for k, v in videos.items() if only is None or k in only}
    for key, (crops_path, frames_path) in progress(chosen.items(), "embed", total=len(chosen)):
        crops = model_inputs(
            load_crops(crops_path), masks[key] if masks else None, crops_path, masks_alone
        )
        with np.load(frames_path) as f:
            index = f["index"].astype(np.int64)
        if len(index) != len(crops):
            raise ValueError(
                f"{crops_path} has {len(crops)} crops but {frames_path} {len(index)} frames; "
                "rerun the crops rule"
            )
        if only is None:
            out.videos[key] = (index, features(crops, False))
        else:
            frames = only[key]
            out.videos[key] = (
                frames,
                features(crops[_rows(index, frames, key, frames_path)], False),
            )
        if key in flipped:
            frames = flipped[key]
            rows = _rows(index, frames, key, frames_path)
            out.flipped[key] = (frames, features(crops[rows], True))
    return out


def _rows(
    index: np.ndarray, frames: np.ndarray, key: tuple[str, str], frames_path: str | os.PathLike
) -> np.ndarray:
    """The rows of a video's artifacts that hold the source frame numbers ``frames``."""
    try:
        return rows_of(index, frames, f"{key[0]}/{key[1]}")
    except KeyError as err:
        raise ValueError(
            f"{err.args[0]}: labelled frames missing from {frames_path} (frames.step?)"
        ) from None
