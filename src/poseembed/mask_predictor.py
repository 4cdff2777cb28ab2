"""A small person-mask predictor trained on the label-free motion masks.

Still images have no flow, so no motion mask: a network trained to reproduce the label-free
masks of the video crops from the crops' pixels gives them one, and a model that was trained on
crops with a grey background then sees stills as it saw frames. It also fills in the frames of
the videos where no frame showed the scene behind the person (``person_masks.filled_masks``):
it learns only from the pixels whose mask the scene gave (``seen``), so the flow's blob that
stands in elsewhere does not teach it. Fully convolutional (an encoder-decoder with skips, sized
for the CPU), trained with a per-pixel binary cross-entropy over the seen pixels on seeded
batches of (crop, mask).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn

from poseembed.atomic import save_torch
from poseembed.batches import CropStore, to_tensor
from poseembed.device import resolve_device
from poseembed.logs import progress


@dataclass(frozen=True)
class PredictorSettings:
    iterations: int
    batch_size: int
    lr: float
    seed: int
    device: str


def _block(cin: int, cout: int, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class MaskNet(nn.Module):
    """Crops (N, 3, H, W) to person logits (N, 1, H, W), any H and W."""

    def __init__(self) -> None:
        super().__init__()
        self.enc1 = _block(3, 16)
        self.enc2 = _block(16, 32, 2)
        self.enc3 = nn.Sequential(_block(32, 64, 2), _block(64, 64))
        self.dec2 = _block(64 + 32, 32)
        self.dec1 = _block(32 + 16, 16)
        self.out = nn.Conv2d(16, 1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        e1 = self.enc1(x)
        e2 = self.enc2(e1)
        e3 = self.enc3(e2)
        up = F.interpolate(e3, size=e2.shape[2:], mode="bilinear", align_corners=False)
        d2 = self.dec2(torch.cat([up, e2], 1))
        up = F.interpolate(d2, size=e1.shape[2:], mode="bilinear", align_corners=False)
        return self.out(self.dec1(torch.cat([up, e1], 1)))


def train_mask_predictor(
    crop_paths: dict[str, str | os.PathLike],
    mask_paths: dict[str, str | os.PathLike],
    seen_paths: dict[str, str | os.PathLike],
    s: PredictorSettings,
) -> tuple[MaskNet, pd.DataFrame]:
    """The predictor trained on every frame of the videos (crop, label-free mask and the
    pixels it holds for, ``seen``), with a horizontal flip of all three; per-iteration loss and
    pixel accuracy over the seen pixels."""
    device = resolve_device(s.device)
    torch.manual_seed(s.seed)
    model = MaskNet().to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=s.lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, s.iterations)
    crops = CropStore(crop_paths)
    masks = CropStore(mask_paths)
    seen = CropStore(seen_paths)
    names = np.array(sorted(crop_paths))
    lengths = np.array([len(crops[v]) for v in names])
    rows = []
    model.train()
    for it in progress(range(s.iterations), "mask predictor", total=s.iterations):
        rng = np.random.default_rng([s.seed, it])
        videos = names[rng.integers(0, len(names), s.batch_size)]
        frames = (rng.random(s.batch_size) * lengths[np.searchsorted(names, videos)]).astype(int)
        x, y = crops.gather(videos, frames), masks.gather(videos, frames)
        w = seen.gather(videos, frames)
        flip = rng.random(s.batch_size) < 0.5
        x[flip], y[flip], w[flip] = x[flip, :, ::-1], y[flip, :, ::-1], w[flip, :, ::-1]
        target = torch.from_numpy(y.astype(np.float32) / 255)[:, None].to(device)
        weight = torch.from_numpy((w > 127).astype(np.float32))[:, None].to(device)
        total = weight.sum().clamp(min=1)
        logits = model(to_tensor(x, device))
        loss = (
            F.binary_cross_entropy_with_logits(logits, target, reduction="none") * weight
        ).sum() / total
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        acc = (((logits > 0) == (target > 0.5)).float() * weight).sum() / total
        rows.append({"iteration": it + 1, "loss": float(loss.detach()), "pixel_acc": float(acc)})
    return model.eval(), pd.DataFrame(rows)


@torch.inference_mode()
def predict_masks(
    model: MaskNet, crops: np.ndarray, batch_size: int, device: torch.device
) -> np.ndarray:
    """(N, S, S) uint8 person masks (0-255) of (N, S, S, 3) uint8 crops."""
    out = [
        torch.sigmoid(model(to_tensor(np.asarray(crops[i : i + batch_size]), device)))[:, 0]
        for i in range(0, len(crops), batch_size)
    ]
    if not out:
        return np.zeros(crops.shape[:3], np.uint8)
    return (torch.cat(out).cpu().numpy() * 255 + 0.5).astype(np.uint8)


def save_predictor(path: str | os.PathLike, model: MaskNet) -> None:
    save_torch({"model": model.state_dict()}, path)


def load_predictor(path: str | os.PathLike, device: torch.device) -> MaskNet:
    model = MaskNet()
    model.load_state_dict(torch.load(path, map_location=device, weights_only=True)["model"])
    return model.to(device).eval()
