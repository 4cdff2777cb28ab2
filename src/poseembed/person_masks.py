"""Person masks without labels, crops whose background they suppress, and the masks alone as
images.

The background of a crop (textured, moving with the camera, different in every video) is the
shortcut of both tasks and the distraction of the embedding. The videos themselves say where the
person is, in two ways. The flow's (``motion_person_masks``): the pixels whose flow differs from
the camera's (``VideoFlow.moving``); a still limb does not move between two frames, so the
moving pixels of ``window`` frames on either side are united, nothing outside the person's
padded box is person, gaps are closed and holes filled, and where too little of the box moves
the box itself stands for the mask. Flow is smooth across the person's outline, so these are a
blob about twice the person that fills most of its box, and the crop keeps the scene inside
the box, a scene that changes with time as the camera pans. The scene's (``method`` scene, the
default; ``scene_person_masks``): what differs from the scene behind the person, which the
frames around show where the person stood elsewhere (``background_masks``); the flow's masks
stand in where no frame shows it, and ``seen`` says where the scene's word holds. An athlete who
spins in place (a hammer throw) never uncovers the scene behind them: there the mask predictor,
trained on the seen pixels of every video, fills in (``filled_masks``, ``unseen`` predictor). On
request (``grabcut_iterations`` > 0; off by default)
GrabCut (``colour_refined``) cuts either to the person's colours; it drops different parts of
the person in different videos, and an embedding trained on the cut flow masks followed the
pose across videos less (measured in the README).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields

import cv2
import numpy as np
from scipy import ndimage

from poseembed.atomic import atomic_path
from poseembed.background_masks import scene_residual
from poseembed.crops import load_crops, person_crops
from poseembed.flow.statistics import box_masks, padded_boxes

GREY = 128
"""The value that replaces the background: the middle of the input range, 0 after scaling."""


@dataclass(frozen=True)
class FlowMaskSettings:
    """The config's ``masks`` keys that the flow's masks read (see the schema)."""

    window: int
    box_pad: float
    close_px: int
    dilate_px: int
    min_cover: float


@dataclass(frozen=True)
class MaskSettings:
    """The config's ``masks`` section but ``unseen``, which only ``filled_masks`` reads (see the
    schema)."""

    method: str
    window: int
    box_pad: float
    close_px: int
    dilate_px: int
    min_cover: float
    scene_window: int
    scene_step: int
    scene_pad: float
    scene_min_views: int
    scene_threshold: float
    grabcut_iterations: int
    grabcut_pad: float
    grabcut_context: float

    @property
    def flow(self) -> FlowMaskSettings:
        """The keys of the flow's masks, which the scene's fall back on."""
        return FlowMaskSettings(**{f.name: getattr(self, f.name) for f in fields(FlowMaskSettings)})


METHODS = ("scene", "flow")
UNSEEN = ("predictor", "flow")


def _disc(radius: int) -> np.ndarray:
    """A structuring element that acts in the image plane only, frame by frame."""
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    return disc.astype(bool)[None]


def motion_person_masks(
    moving: np.ndarray, boxes: np.ndarray, s: FlowMaskSettings
) -> tuple[np.ndarray, np.ndarray]:
    """(N, H, W) bool person masks from moving pixels (N, H, W) and boxes (N, 4; NaN: none),
    and which frames (N,) took their box for want of motion."""
    h, w = moving.shape[1:]
    united = ndimage.maximum_filter1d(moving, size=2 * s.window + 1, axis=0, mode="nearest")
    inside = box_masks(padded_boxes(boxes, s.box_pad), h, w)
    masks = _closed_and_filled(united & inside, s.close_px)
    if s.dilate_px > 0:
        masks = ndimage.binary_dilation(masks, _disc(s.dilate_px))
    masks &= inside
    box = box_masks(boxes, h, w)
    area = box.sum((1, 2))
    sparse = (_cover(masks, box) < s.min_cover) & (area > 0)
    masks[sparse] = box[sparse]
    masks[area == 0] = True
    return masks, sparse


def scene_person_masks(
    residual: np.ndarray, boxes: np.ndarray, flow_masks: np.ndarray, s: MaskSettings
) -> tuple[np.ndarray, np.ndarray]:
    """(N, H, W) bool person masks of the pixels that differ from the scene (``residual`` from
    ``background_masks.scene_residual`` above ``s.scene_threshold``) inside the padded box,
    specks opened away, gaps closed, holes filled; the ``flow_masks`` (``motion_person_masks``)
    where no frame showed the scene, and whole where the mask covers less than
    ``s.min_cover`` of the box. Also which frames (N,) took their flow mask whole."""
    h, w = residual.shape[1:]
    inside = box_masks(padded_boxes(boxes, s.box_pad), h, w)
    known = ~np.isnan(residual)
    person = np.where(known, np.nan_to_num(residual) > s.scene_threshold, flow_masks)
    # Noise, coding loss and the scene's fine texture leave single pixels above threshold.
    person = ndimage.binary_opening(person & inside, np.ones((1, 2, 2), bool))
    masks = _closed_and_filled(person, s.close_px) & inside
    box = box_masks(boxes, h, w)
    whole = (_cover(masks, box) < s.min_cover) | (box.sum((1, 2)) == 0)
    masks[whole] = flow_masks[whole]
    return masks, whole


@dataclass(frozen=True)
class LabelFreeMasks:
    """A video's label-free person masks (N, H, W), which frames took a fallback whole (the
    flow's mask for ``scene``, the box for ``flow``), the share of the flow's masks behind
    which no frame showed the scene (0 for ``flow``), and ``seen`` (N, H, W): the pixels whose
    mask the method itself gives (for ``scene``: the scene was seen there, or it lies outside
    the box, and nowhere in a frame taken whole; everywhere for ``flow``)."""

    masks: np.ndarray
    whole: np.ndarray
    unseen: float
    seen: np.ndarray


def label_free_masks(
    moving: np.ndarray,
    boxes: np.ndarray,
    camera: np.ndarray,
    frames: np.ndarray | None,
    s: MaskSettings,
) -> LabelFreeMasks:
    """The person masks ``s.method`` asks for, from the flow's moving pixels (N, H, W), the
    boxes and camera motion (N, 4 and N, 2) and, for ``scene``, the frames (N, H, W, 3)."""
    if s.method not in METHODS:
        raise ValueError(
            f"config masks.method: unknown {s.method!r}; choose {' or '.join(METHODS)}"
        )
    flow_masks, whole = motion_person_masks(moving, boxes, s.flow)
    if s.method == "flow":
        return LabelFreeMasks(flow_masks, whole, 0.0, np.ones_like(flow_masks))
    if frames is None or len(frames) != len(boxes):
        raise ValueError(f"masks.method scene needs the {len(boxes)} frames the flow was made of")
    residual = scene_residual(
        frames, camera, boxes, s.scene_window, s.scene_step, s.scene_pad, s.scene_min_views
    )
    known = ~np.isnan(residual)
    unseen = float((~known)[flow_masks].mean()) if flow_masks.any() else 0.0
    masks, whole = scene_person_masks(residual, boxes, flow_masks, s)
    h, w = masks.shape[1:]
    seen = (known | ~box_masks(padded_boxes(boxes, s.box_pad), h, w)) & ~whole[:, None, None]
    return LabelFreeMasks(masks, whole, unseen, seen)


def filled_masks(
    masks: np.ndarray, seen: np.ndarray, predicted: np.ndarray | None, unseen: str
) -> np.ndarray:
    """Crop masks (N, S, S) uint8: ``masks`` where ``seen`` (both uint8 0-255, as written by
    ``mask_crops``), and where not, by ``unseen``: the mask predictor's ``predicted`` masks cut
    at one half (``predictor``), or ``masks`` themselves, the flow's where the scene was not
    seen (``flow``)."""
    if unseen not in UNSEEN:
        raise ValueError(f"config masks.unseen: unknown {unseen!r}; choose {' or '.join(UNSEEN)}")
    if unseen == "flow":
        return np.asarray(masks, np.uint8).copy()
    cut = np.where(np.asarray(predicted) > 127, 255, 0).astype(np.uint8)
    return np.where(np.asarray(seen) > 127, masks, cut).astype(np.uint8)


def _closed_and_filled(masks: np.ndarray, close_px: int) -> np.ndarray:
    """Gaps of up to ``close_px`` closed and holes filled, frame by frame."""
    if close_px > 0:
        masks = ndimage.binary_closing(masks, _disc(close_px))
    # Empty frames around the video, so that the first and last frames' holes are holes too.
    in_plane = np.pad(np.ones((1, 3, 3), bool), ((1, 1), (0, 0), (0, 0)))
    return ndimage.binary_fill_holes(np.pad(masks, ((1, 1), (0, 0), (0, 0))), in_plane)[1:-1]


def _cover(masks: np.ndarray, box: np.ndarray) -> np.ndarray:
    """The share (N,) of each frame's box that its mask covers."""
    return (masks & box).sum((1, 2)) / np.maximum(box.sum((1, 2)), 1)


def _grabcut(image: np.ndarray, prior: np.ndarray, iterations: int) -> np.ndarray | None:
    """GrabCut of ``image`` from ``prior`` (GC_* labels); None where a class has no pixel."""
    fg = (prior == cv2.GC_FGD) | (prior == cv2.GC_PR_FGD)
    bg = (prior == cv2.GC_BGD) | (prior == cv2.GC_PR_BGD)
    if not fg.any() or not bg.any():
        return None
    # GrabCut seeds its colour models by k-means from OpenCV's global generator.
    cv2.setRNGSeed(0)
    labels = prior.copy()
    models = np.zeros((1, 65)), np.zeros((1, 65))
    cv2.grabCut(image, labels, None, *models, iterations, cv2.GC_INIT_WITH_MASK)
    return (labels == cv2.GC_FGD) | (labels == cv2.GC_PR_FGD)


def colour_refined(
    frames: np.ndarray, masks: np.ndarray, boxes: np.ndarray, s: MaskSettings
) -> tuple[np.ndarray, np.ndarray]:
    """The masks (N, H, W) of ``motion_person_masks`` cut to the person's colours in
    ``frames`` (N, H, W, 3) by GrabCut, and which frames kept their mask (no box, nothing left
    of the person, or ``grabcut_iterations`` 0). Each frame's cut sees its box padded by
    ``grabcut_context``: the box padded by ``grabcut_pad`` may be person, the rest is the
    background its colour model learns from."""
    refined, kept = masks.copy(), np.ones(len(masks), bool)
    if s.grabcut_iterations == 0:
        return refined, kept
    if s.grabcut_context <= s.grabcut_pad:
        raise ValueError(
            f"config masks: grabcut_context {s.grabcut_context} leaves no background beyond "
            f"grabcut_pad {s.grabcut_pad}; make it larger"
        )
    h, w = masks.shape[1:]
    inner, outer = padded_boxes(boxes, s.grabcut_pad), padded_boxes(boxes, s.grabcut_context)
    for i in np.flatnonzero(np.isfinite(boxes).all(1)):
        x0, y0 = np.clip(np.floor(outer[i, :2]).astype(int), 0, None)
        x1, y1 = np.minimum(np.ceil(outer[i, 2:]).astype(int) + 1, (w, h))
        box = box_masks(inner[i : i + 1] - [x0, y0, x0, y0], y1 - y0, x1 - x0)[0]
        prior = np.where(box, cv2.GC_PR_BGD, cv2.GC_BGD).astype(np.uint8)
        prior[masks[i, y0:y1, x0:x1] & box] = cv2.GC_PR_FGD
        cut = _grabcut(np.ascontiguousarray(frames[i, y0:y1, x0:x1]), prior, s.grabcut_iterations)
        if cut is None or not cut.any():
            continue
        refined[i] = False
        refined[i, y0:y1, x0:x1] = ndimage.binary_fill_holes(cut)
        kept[i] = False
    return refined, kept


def groundtruth_person_masks(
    masks: np.ndarray, index: np.ndarray, size: tuple[int, int], source: str
) -> np.ndarray:
    """The generator's masks (all source frames, read from ``source``) of the frames ``index``,
    at the frames' (height, width)."""
    if index.max(initial=-1) >= len(masks):
        raise ValueError(
            f"{source}: frame {index.max()} is beyond its {len(masks)} masks; rerun the "
            "synthesis or the frame extraction"
        )
    chosen = masks[index].astype(np.uint8)
    h, w = size
    if chosen.shape[1:] == (h, w):
        return chosen.astype(bool)
    return np.stack([cv2.resize(m, (w, h), interpolation=cv2.INTER_NEAREST) for m in chosen]) > 0


def mask_crops(
    masks: np.ndarray, boxes: np.ndarray, size: int, margin: float, context: float
) -> np.ndarray:
    """(N, S, S) uint8 masks (0-255, soft at the edges) aligned with ``person_crops``."""
    return person_crops(
        masks.astype(np.uint8) * 255, boxes, size, margin, context, border=cv2.BORDER_CONSTANT
    )


def suppress_background(crops: np.ndarray, masks: np.ndarray) -> np.ndarray:
    """Crops (N, S, S, 3) uint8 with the background outside ``masks`` (N, S, S) made grey."""
    m = masks[..., None].astype(np.float32) / 255
    return (crops * m + GREY * (1 - m) + 0.5).astype(np.uint8)


def open_masks(
    path: str | os.PathLike, crops: np.ndarray, crops_path: str | os.PathLike
) -> np.ndarray:
    """The memory-mapped masks of ``path``, checked to match ``crops`` (from ``crops_path``)."""
    masks = load_crops(path)
    if masks.shape != crops.shape[:3]:
        raise ValueError(
            f"{path}: masks {masks.shape} do not match the crops {crops.shape[:3]} of "
            f"{crops_path}; rerun the person_masks rule"
        )
    return masks


class MaskedCrops:
    """Crops whose background is greyed as they are read, a slice at a time (a whole long
    video or still set in float would not fit in memory); indexed like the crops."""

    def __init__(
        self, crops: np.ndarray, masks_path: str | os.PathLike, crops_path: str | os.PathLike
    ) -> None:
        self.crops, self.masks = crops, open_masks(masks_path, crops, crops_path)
        self.shape, self.dtype = crops.shape, crops.dtype

    def __len__(self) -> int:
        return len(self.crops)

    def __getitem__(self, rows) -> np.ndarray:
        return suppress_background(np.asarray(self.crops[rows]), np.asarray(self.masks[rows]))


class MaskImages:
    """The person masks alone as grey images (the person white, the rest black), indexed like
    the crops they belong to: what the ``silhouette`` baseline sees."""

    def __init__(
        self, crops: np.ndarray, masks_path: str | os.PathLike, crops_path: str | os.PathLike
    ) -> None:
        self.masks = open_masks(masks_path, crops, crops_path)

    def __len__(self) -> int:
        return len(self.masks)

    def __getitem__(self, rows) -> np.ndarray:
        return np.repeat(np.asarray(self.masks[rows])[..., None], 3, axis=-1)


def model_inputs(
    crops: np.ndarray,
    masks_path: str | os.PathLike | None,
    crops_path: str | os.PathLike,
    masks_alone: bool,
) -> np.ndarray | MaskedCrops | MaskImages:
    """What a model sees of ``crops``: the crops as they are (no masks), greyed outside their
    masks, or the masks alone (``masks_alone``)."""
    if masks_path is None:
        return crops
    return (MaskImages if masks_alone else MaskedCrops)(crops, masks_path, crops_path)


def save_masks(path: str | os.PathLike, masks: np.ndarray) -> None:
    """A plain ``.npy`` so that training can memory-map it beside the crops."""
    with atomic_path(path, suffix=".npy") as tmp:
        np.save(tmp, masks)
