"""Repetition mining inside one video from the self-similarity of its frame embeddings.

A frame j is a repetition of a query frame i when it is far in time (|i - j| > ``min_gap``),
similar (cosine >= ``threshold``), and a mutual peak of the self-similarity matrix: S[i, j] is the
largest of S[i, j-w..j+w] and of S[i-w..i+w, j]. A peak per row and per column finds one frame
per repetition of the pose (every cycle of a periodic motion), where a single nearest neighbour
would find only one. The matrix is computed in tiles of rows, so memory stays bounded.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


@dataclass(frozen=True)
class MiningSettings:
    min_gap: int = 16
    threshold: float = 0.9
    window: int = 8
    tile: int = 2048


def _window_max(s: torch.Tensor, w: int) -> torch.Tensor:
    """Max over j-w..j+w along the last dimension; -inf beyond the edges."""
    return F.max_pool1d(s[None], 2 * w + 1, stride=1, padding=w)[0]


@torch.no_grad()
def mine_pairs(
    embeddings: np.ndarray, settings: MiningSettings, device: torch.device | None = None
) -> pd.DataFrame:
    """(query, frame, similarity) of every mined repetition; both orders of a pair appear."""
    device = device or torch.device("cpu")
    e = torch.as_tensor(np.asarray(embeddings, np.float32), device=device)
    n, w, gap = len(e), settings.window, settings.min_gap
    cols = torch.arange(n, device=device)
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for a in range(0, n, settings.tile):
        b = min(a + settings.tile, n)
        lo, hi = max(a - w, 0), min(b + w, n)
        s = e[lo:hi] @ e.T
        rows = torch.arange(lo, hi, device=device)
        s[(rows[:, None] - cols[None]).abs() <= gap] = -torch.inf
        peak = (s == _window_max(s, w)) & (s == _window_max(s.T.contiguous(), w).T)
        peak &= s >= settings.threshold
        peak = peak[a - lo : a - lo + (b - a)]
        q, f = torch.nonzero(peak, as_tuple=True)
        sim = s[a - lo + q, f]
        found.append(((q + a).cpu().numpy(), f.cpu().numpy(), sim.float().cpu().numpy()))
    if not found:
        return pd.DataFrame(
            {"query": np.zeros(0, np.int64), "frame": np.zeros(0, np.int64), "similarity": []}
        )
    query, frame, sims = (np.concatenate(c) for c in zip(*found, strict=True))
    return pd.DataFrame({"query": query, "frame": frame, "similarity": sims})


def repetition_groups(pairs: pd.DataFrame, n_frames: int) -> np.ndarray:
    """Group id of every frame (-1 for frames in no pair): connected components of the pairs."""
    graph = coo_matrix(
        (np.ones(len(pairs)), (pairs["query"].to_numpy(), pairs["frame"].to_numpy())),
        shape=(n_frames, n_frames),
    )
    _, labels = connected_components(graph, directed=False)
    paired = np.zeros(n_frames, bool)
    paired[pairs["query"].to_numpy()] = True
    return np.where(paired, labels, -1)
