"""Repetition mining inside one video from the self-similarity of its frame embeddings.

A frame j is a repetition of a query frame i when it is far in time (|i - j| > ``min_gap``),
similar (cosine >= ``threshold``), and a mutual peak of the self-similarity matrix: S[i, j] is the
largest of S[i, j-w..j+w] and of S[i-w..i+w, j]. A peak per row and per column finds one frame
per repetition of the pose (every cycle of a periodic motion), where a single nearest neighbour
would find only one. The matrix is computed in tiles of rows, so memory stays bounded.
Pairs sharing a frame are merged into repetition groups (connected components): one group holds
the frames that show one pose, one per repetition.

Two tests keep what a repetition means. With ``centre``, frames are compared less their video's
mean (``counting.centred``): what every frame of a video shares (the scene, the person's looks)
otherwise lifts the cosine of any two frames near 1, and the threshold stops telling poses
apart. With ``period_tolerance``, both frames must lie in a periodic run of the counter
(``counting.count_repetitions`` on the same embeddings) and a whole number of its local period
apart (``whole_periods_apart``): a pose held still, or met again outside any cycle, is not a
repetition.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from poseembed.counting import CountSettings, centred, count_repetitions, frame_step
from poseembed.formats.embeddings import (
    Embeddings,
    in_time_order,
    rows_of,
    videos_by_category,
)
from poseembed.runs import run_ids

COLUMNS = ("category", "video", "query", "frame", "similarity", "group")
CROSS_COLUMNS = ("category", "video", "frame", "other_video", "other_frame", "similarity")


@dataclass(frozen=True)
class MiningSettings:
    """The miner's keys of the config's ``mining`` section (``min_gap`` resolved to a number)."""

    min_gap: int
    threshold: float
    window: int
    centre: bool
    period_tolerance: float | None
    tile: int


def _mask_band(s: torch.Tensor, first_row: int, first_col: int, gap: int) -> None:
    """Set S[i, j] = -inf where |i - j| <= gap; the rows and columns of ``s`` start at frames
    ``first_row`` and ``first_col``."""
    rows = torch.arange(s.shape[0], device=s.device)[:, None]
    cols = rows + first_row - first_col + torch.arange(-gap, gap + 1, device=s.device)[None]
    inside = (cols >= 0) & (cols < s.shape[1])
    s[rows.expand_as(cols)[inside], cols[inside]] = -torch.inf


def _row_window_max(s: torch.Tensor, w: int) -> torch.Tensor:
    """Max of S[i, j-w..j+w] (-inf beyond the edges), by max-pooling along the rows."""
    return F.max_pool1d(s[None], 2 * w + 1, stride=1, padding=w)[0]


@torch.no_grad()
def mine_pairs(
    embeddings: np.ndarray, settings: MiningSettings, device: torch.device | None = None
) -> pd.DataFrame:
    """(query, frame, similarity) of every mined repetition; both orders of a pair appear.
    Frames and ``settings``' gap and window in rows of ``embeddings`` (``in_rows``).

    S is symmetric and so is a mutual peak, so only the pairs with j > i are searched: a tile
    of rows against the columns right of its band, with ``window`` rows of halo above and
    below. Row peaks above the threshold are found on the whole tile; the column test is made
    at those few only, on their 2w+1 column neighbours. Half the matrix, one product.
    """
    device = device or torch.device("cpu")
    e = torch.as_tensor(np.asarray(embeddings, np.float32), device=device)
    n, w, gap = len(e), settings.window, settings.min_gap
    offsets = torch.arange(-w, w + 1, device=device)
    found = [(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32))]
    for a in range(0, n, settings.tile):
        b = min(a + settings.tile, n)
        # A peak (i, j) has j > i + gap, and its row window reaches back w columns.
        c0 = max(a + gap + 1 - w, 0)
        if c0 >= n:
            break
        r0, r1 = max(a - w, 0), min(b + w, n)
        s = e[r0:r1] @ e[c0:].T
        _mask_band(s, r0, c0, gap)
        inner = s[a - r0 : b - r0]
        # A row peak above the threshold equals max(threshold, its row window's max).
        q, f = torch.nonzero(
            inner == _row_window_max(inner, w).clamp_(min=settings.threshold), as_tuple=True
        )
        upper = f + c0 > q + a + gap
        q, f = q[upper], f[upper]
        rows = q[:, None] + (a - r0) + offsets
        column = s[rows.clamp(0, len(s) - 1), f[:, None]]
        column[(rows < 0) | (rows >= len(s))] = -torch.inf
        sims = inner[q, f]
        mutual = sims >= column.amax(1)
        q, f, sims = q[mutual], f[mutual], sims[mutual]
        found.append(((q + a).cpu().numpy(), (f + c0).cpu().numpy(), sims.float().cpu().numpy()))
    query, frame, sims = (np.concatenate(c) for c in zip(*found, strict=True))
    return pd.DataFrame(
        {
            "query": np.r_[query, frame].astype(np.int64),
            "frame": np.r_[frame, query].astype(np.int64),
            "similarity": np.r_[sims, sims],
        }
    )


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


def whole_periods_apart(
    query: np.ndarray, frame: np.ndarray, period: np.ndarray, tolerance: float
) -> np.ndarray:
    """Whether frames ``query`` and ``frame`` are both periodic (``period`` per frame, NaN
    where not) with periods within ``tolerance`` of each other, or of an octave apart in one
    run of periodic frames (one motion), and one or more of their period apart, within
    ``tolerance`` of a period.

    Periods alike give their mean. An octave apart, one of the two is the counter's slip on
    its stretch of the motion: half the period where the mirror pose half a cycle on looks
    alike, or twice it where a weak peak at the period lost to the next. The one nearer the
    run's median period (what most of the motion holds) is the motion's. Doubling the shorter
    always, a quarter of the true pairs the test dropped on the synthetic set were such pairs,
    nearly all with the period right and its double beside them. Frames of two runs need one
    period: periods an octave apart there are as likely two motions."""
    a, b = period[query], period[frame]
    run = run_ids(np.isfinite(period))
    median = pd.Series(period).groupby(run).transform("median").to_numpy()
    with np.errstate(invalid="ignore"):
        short, long = np.minimum(a, b), np.maximum(a, b)
        alike = long - short <= tolerance * short
        double = 2 * short
        octave = (
            ~alike
            & (run[query] == run[frame])
            & (np.abs(long - double) <= tolerance * np.minimum(double, long))
        )
        prevailing = median[query]
        shorter_prevails = np.abs(np.log(short / prevailing)) < np.abs(np.log(long / prevailing))
        unit = np.where(octave, np.where(shorter_prevails, short, long), (short + long) / 2)
        cycles = np.abs(frame - query) / unit
        whole = np.round(cycles)
        return (alike | octave) & (whole >= 1) & (np.abs(cycles - whole) <= tolerance)


def in_rows(settings: MiningSettings, step: float) -> MiningSettings:
    """``settings`` with ``min_gap`` and ``window``, given in source frames, in rows of
    embeddings ``step`` source frames apart (``frames.step``); the window keeps one row."""
    return replace(
        settings,
        min_gap=int(settings.min_gap // step),
        window=max(1, int(settings.window // step)),
    )


# A video's (category, video), its source frame numbers in time order and the counter's period
# of each (NaN where not periodic) -> the periods the miner is to use instead; all periods in
# rows of the video's embeddings, as the counter gives them.
PeriodOverride = Callable[[tuple[str, str], np.ndarray, np.ndarray], np.ndarray]


def mine_embeddings(
    emb: Embeddings,
    settings: MiningSettings,
    counting: CountSettings | None = None,
    device: torch.device | None = None,
    periods: PeriodOverride | None = None,
) -> pd.DataFrame:
    """Mined pairs of every video: ``COLUMNS``, frames as source frame numbers, ``group`` the
    pair's repetition group within its video. ``counting``: the counter's settings, needed
    when ``settings.period_tolerance`` is set; ``periods`` replaces the counter's periods (a
    diagnosis: ``evaluation.repetitions.true_period_bound``)."""
    if settings.period_tolerance is not None and counting is None:
        raise ValueError("mining.period_tolerance needs the counter's settings (counting)")
    tables = []
    for (category, video), (index, rows) in sorted(emb.videos.items()):
        frames, ordered = in_time_order(index, rows)
        e = centred(ordered) if settings.centre else ordered
        pairs = mine_pairs(e, in_rows(settings, frame_step(frames)), device)
        if settings.period_tolerance is not None:
            period = count_repetitions(ordered, counting).period
            if periods is not None:
                period = periods((category, video), frames, period)
            keep = whole_periods_apart(
                pairs["query"].to_numpy(),
                pairs["frame"].to_numpy(),
                period,
                settings.period_tolerance,
            )
            pairs = pairs[keep].reset_index(drop=True)
        groups = repetition_groups(pairs, len(frames))
        tables.append(
            pd.DataFrame(
                {
                    "category": category,
                    "video": video,
                    "query": frames[pairs["query"].to_numpy()],
                    "frame": frames[pairs["frame"].to_numpy()],
                    "similarity": pairs["similarity"].to_numpy(np.float32),
                    "group": groups[pairs["query"].to_numpy()],
                }
            )
        )
    if not tables:
        return pd.DataFrame({c: [] for c in COLUMNS})
    return pd.concat(tables, ignore_index=True)


@torch.no_grad()
def cross_video_pairs(
    emb: Embeddings, threshold: float, tile: int, device: torch.device | None = None
) -> pd.DataFrame:
    """Frames of two videos of one category that are each other's nearest neighbour among the
    frames of the other videos, with cosine similarity >= ``threshold``: the same pose shown by
    two actors in two scenes (CliqueCNN's cross-video relation, not the paper's). ``CROSS_COLUMNS``,
    both orders of a pair; frames as source frame numbers. Rows in tiles of ``tile``."""
    device = device or torch.device("cpu")
    tables = []
    for category, videos in videos_by_category(emb.videos).items():
        if len(videos) < 2:
            continue
        parts = [emb.videos[(category, v)] for v in videos]
        e = torch.as_tensor(np.concatenate([p[1] for p in parts]), device=device).float()
        owner = np.repeat(np.arange(len(videos)), [len(p[0]) for p in parts])
        frame = np.concatenate([np.asarray(p[0]) for p in parts])
        own = torch.as_tensor(owner, device=device)
        best = np.empty(len(e), np.float32)
        nearest = np.empty(len(e), np.int64)
        for a in range(0, len(e), tile):
            s = e[a : a + tile] @ e.T
            s[own[a : a + tile, None] == own[None]] = -torch.inf
            value, index = s.max(1)
            best[a : a + tile] = value.cpu().numpy()
            nearest[a : a + tile] = index.cpu().numpy()
        i = np.flatnonzero(
            (nearest[nearest] == np.arange(len(e))) & (best >= threshold) & np.isfinite(best)
        )
        j = nearest[i]
        tables.append(
            pd.DataFrame(
                {
                    "category": category,
                    "video": np.asarray(videos)[owner[i]],
                    "frame": frame[i],
                    "other_video": np.asarray(videos)[owner[j]],
                    "other_frame": frame[j],
                    "similarity": best[i],
                }
            )
        )
    if not tables:
        return pd.DataFrame({c: [] for c in CROSS_COLUMNS})
    return pd.concat(tables, ignore_index=True)


def artifact_rows(
    table: pd.DataFrame, index: dict[str, np.ndarray], columns: tuple[tuple[str, str], ...]
) -> pd.DataFrame:
    """``table`` with the source frame numbers of each (video column, frame column) replaced by
    the frames' rows in their videos' artifacts (``index``: each video's source frame numbers,
    see ``formats.embeddings.load_frame_indices``); the two differ when frames.step skips
    frames."""
    out = table.copy()
    for video_column, frame_column in columns:
        rows = np.empty(len(out), np.int64)
        frames = out[frame_column].to_numpy(np.int64)
        for video, at in out.groupby(video_column).indices.items():
            rows[at] = rows_of(index[video], frames[at], str(video))
        out[frame_column] = rows
    return out


def cross_video_rows(
    videos: np.ndarray, frames: np.ndarray, pairs: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray]:
    """The cross-video pairs (frames as artifact rows) whose two frames are both among the
    (video, frame) sample rows, as indices of those rows."""
    rows = pd.DataFrame(
        {"video": np.asarray(videos).astype(str), "frame": frames, "row": np.arange(len(frames))}
    )
    a = pairs[["video", "frame", "other_video", "other_frame"]].astype({"video": str})
    a = a.merge(rows, on=["video", "frame"])
    b = a.merge(
        rows.rename(columns={"video": "other_video", "frame": "other_frame", "row": "other"}),
        on=["other_video", "other_frame"],
    )
    return b["row"].to_numpy(np.int64), b["other"].to_numpy(np.int64)


def frame_groups(repetitions: pd.DataFrame) -> pd.DataFrame:
    """(video, frame, group) of every mined frame; groups numbered across videos."""
    both = pd.concat(
        [
            repetitions[["video", "query", "group"]].rename(columns={"query": "frame"}),
            repetitions[["video", "frame", "group"]],
        ]
    ).drop_duplicates(["video", "frame"])
    key = both["video"].astype(str) + "/" + both["group"].astype(str)
    return both.assign(group=pd.factorize(key)[0].astype(np.int64))[["video", "frame", "group"]]


def row_groups(videos: np.ndarray, frames: np.ndarray, repetitions: pd.DataFrame) -> np.ndarray:
    """The repetition group of each (video, frame) row; -1 for frames in no group."""
    rows = pd.DataFrame({"video": np.asarray(videos).astype(str), "frame": frames})
    merged = rows.merge(frame_groups(repetitions), on=["video", "frame"], how="left")
    return merged["group"].fillna(-1).to_numpy(np.int64)
