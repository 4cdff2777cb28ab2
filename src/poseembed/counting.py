"""Repetition counting from the self-similarity of a video's frame embeddings.

The similarity of frames i and i + k, averaged over the pairs centred within a few periods of a
frame, peaks at lags that are multiples of the motion's period there. Per frame, the period is the
shortest lag whose peak rises nearly as far above the trough before it as the best one does; a
frame is periodic when its best peak rises at least ``min_periodicity`` and its period agrees with
its neighbours' (a one-off move and noise fail one of these). A periodic run's period is doubled,
stretch by stretch of one period, where, in the video's ``whitened`` embeddings, the peak one
period apart rises less than ``harmonic`` of the peak two periods apart (the rule that picks the
period among the peaks, asked again): the mirror pose half a cycle on (the other leg forward) can
look nearly alike in an embedding's main directions, peaking at half the period, while the small
directions that tell the two apart weigh as much as the main ones once whitened; whitening alone
would also lift the noise of those directions into every peak, so it decides the octave only. A gap
of at most ``bridge`` periods between two periodic runs is the motion going on under a weak or
wavering estimate (a box that slips, a peak at twice the period), not a stop: its frames take the
period interpolated across it. A run of frames that barely change, lasting at least ``min_pause``
of the period or not between two periodic frames, is a pause: it adds nothing to the phase of the
run it interrupts or borders. A shorter one inside the motion is the slow turn of a cycle (a lift
at its top), part of the period, and adds to the phase like any other frame: taken for pauses, a
learned embedding's slow turns dropped a cycle from two of the real QUVA clips. Each run of
periodic frames counts the cycles its phase (the sum of 1 / period over its frames) passes, so a
tempo change changes the period, not the count; cycles start where the phase passes a whole number,
each start moved to the frame nearby most like the run's first moving frame. Runs whose phase
rounds to fewer than two cycles are not repetitions. Chance peaks of noise shrink with the
embedding's dimension D (cosine spread 1 / sqrt(D)): with D >= 64 (HOG, pixels, the default 128)
they stay below the default ``min_periodicity``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from poseembed.formats.embeddings import in_time_order
from poseembed.runs import true_runs


@dataclass(frozen=True)
class CountSettings:
    """The config's ``counting`` keys: periods in frames from ``min_period`` up to
    ``max_period`` of the video's length (at most 0.5: two cycles seen); the window around a
    frame in periods of the lag tried; the rise a periodic frame's peak needs; the share of
    the best peak's rise at which a shorter lag (the period, not a multiple) is taken; how
    far a periodic frame's period may stray from its neighbours'; the longest gap, in
    periods, bridged between two runs of one period; the share of the frame-to-frame change
    of the video's moving frames below which a frame is held still, and the length,
    in periods, from which a run of such frames is a pause; and how many principal directions
    the octave test whitens (None: no test)."""

    min_period: int
    max_period: float
    window_periods: float
    min_periodicity: float
    harmonic: float
    period_change: float
    bridge: float
    min_motion: float
    min_pause: float
    octave_components: int | None


@dataclass
class Count:
    """A video's count; frames as rows of its embeddings. ``period`` per frame (NaN where not
    periodic); ``starts`` and ``ends`` of each cycle."""

    count: int
    period: np.ndarray
    starts: np.ndarray
    ends: np.ndarray

    @property
    def median_period(self) -> float:
        """The median period of the periodic frames; NaN when none is periodic."""
        p = self.period[np.isfinite(self.period)]
        return float(np.median(p)) if len(p) else float("nan")


def centred(embeddings: np.ndarray) -> np.ndarray:
    """A video's embeddings less their mean, which the frames share (the scene, the person's
    looks) and which would hide how the poses differ, scaled to unit length (float64)."""
    e = np.asarray(embeddings, np.float64)
    e = e - e.mean(0)
    return e / np.maximum(np.linalg.norm(e, axis=1, keepdims=True), 1e-12)


def self_similarity(embeddings: np.ndarray) -> np.ndarray:
    """(N, N) cosine similarity of the ``centred`` embeddings."""
    e = centred(embeddings)
    return e @ e.T


# Frames per whitened direction at least: a direction fitted to fewer frames is fitted to their
# noise, and on a short video it alone can make two periods look more alike than one.
FRAMES_PER_COMPONENT = 8


def whitened(embeddings: np.ndarray, components: int) -> np.ndarray:
    """A video's mean-free embeddings on their first ``components`` principal directions (at
    most one per ``FRAMES_PER_COMPONENT`` frames; none without variance), all of equal
    weight."""
    e = np.asarray(embeddings, np.float64)
    u, s, _ = np.linalg.svd(e - e.mean(0), full_matrices=False)
    rank = int((s > 1e-9 * max(s[0], 1e-300)).sum())
    return u[:, : min(components, rank, len(e) // FRAMES_PER_COMPONENT)]


def lag_similarity(s: np.ndarray, max_lag: int, window_periods: float) -> np.ndarray:
    """(N, max_lag + 1): A[t, k] the mean of S[i, i + k] over the pairs whose centre lies
    within ``window_periods`` * k / 2 of frame t (at least one frame); NaN where no pair does."""
    n = len(s)
    lags = np.arange(max_lag + 1)
    first = np.arange(n)[:, None]
    second = first + lags[None]
    valid = second < n
    diag = np.where(valid, s[first, np.minimum(second, n - 1)], 0.0)
    total = np.vstack([np.zeros((1, max_lag + 1)), np.cumsum(diag, 0)])
    pairs = np.vstack([np.zeros((1, max_lag + 1)), np.cumsum(valid, 0)])
    half = np.maximum(1, np.round(window_periods * lags / 2)).astype(np.int64)
    t = np.arange(n)[:, None]
    lo = np.clip(t - lags // 2 - half, 0, n)
    hi = np.clip(t - lags // 2 + half + 1, 0, n)
    columns = np.broadcast_to(lags, lo.shape)
    number = pairs[hi, columns] - pairs[lo, columns]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(number > 0, (total[hi, columns] - total[lo, columns]) / number, np.nan)


def _rise(a: np.ndarray) -> np.ndarray:
    """How far A[t, k] rises above its lowest value at lags up to k (-inf where A is NaN)."""
    filled = np.where(np.isfinite(a), a, np.inf)
    return np.where(np.isfinite(a), a - np.minimum.accumulate(filled, axis=1), -np.inf)


def local_periods(a: np.ndarray, min_period: int, harmonic: float) -> tuple[np.ndarray, np.ndarray]:
    """Per frame the period (the shortest peak lag of ``A`` rising at least ``harmonic`` of
    the best rise above the trough before it) and that best rise (the periodicity). ``A``'s
    last lag is no peak: it only tells whether the lag before it is one."""
    filled = np.where(np.isfinite(a), a, np.inf)
    rise = _rise(a)
    left = np.pad(filled, ((0, 0), (1, 0)), constant_values=-np.inf)[:, :-1]
    # A similarity still climbing at the last lag has not peaked (a one-off move whose end
    # looks like its start): past the last lag, the curve is taken to climb on.
    right = np.pad(filled, ((0, 0), (0, 1)), constant_values=np.inf)[:, 1:]
    lags = np.arange(a.shape[1])
    peak = np.isfinite(a) & (a >= left) & (a >= right) & (lags >= max(min_period, 1))
    rise = np.where(peak, rise, -np.inf)
    best = rise.max(1)
    chosen = np.argmax(rise >= harmonic * np.maximum(best, 0)[:, None], axis=1)
    has_peak = np.isfinite(best)
    return np.where(has_peak, chosen, 0), np.where(has_peak, best, 0.0)


# The percentile of a video's frame-to-frame changes that stands for its moving frames: it
# holds while a tenth of the video moves (a video held still for more than half its frames
# has the noise of its still frames as its median change).
MOVING_PERCENTILE = 90


def _still(s: np.ndarray, min_motion: float) -> np.ndarray:
    """Frames that change from the frame before or after less than ``min_motion`` of the
    change of the video's moving frames (``MOVING_PERCENTILE``): held still (their
    embeddings differ by noise alone)."""
    step = np.sqrt(np.maximum(2 - 2 * np.diagonal(s, 1), 0))
    change = np.minimum(np.r_[step[:1], step], np.r_[step, step[-1:]])
    return change < min_motion * np.percentile(step, MOVING_PERCENTILE)


def _pauses(
    still: np.ndarray, periodic: np.ndarray, period: np.ndarray, min_pause: float
) -> np.ndarray:
    """The ``still`` frames in runs lasting at least ``min_pause`` of the median period of
    their ``periodic`` frames, in runs with none, and in runs not between two periodic frames
    (the motion has not begun or has stopped: no cycle turns there)."""
    out = np.zeros_like(still)
    n = len(still)
    for first, stop in true_runs(still):
        found = period[first:stop][periodic[first:stop]]
        inside = first > 0 and stop < n and periodic[first - 1] and periodic[stop]
        long = not len(found) or stop - first >= min_pause * np.median(found)
        out[first:stop] = long or not inside
    return out


def _steady(period: np.ndarray, change: float) -> np.ndarray:
    """Frames whose period differs by at most ``change`` of it from the median period of the
    frames within half a period around them: a period found by chance wanders."""
    n = len(period)
    half = np.maximum(period // 2, 1)
    t = np.arange(n)
    offsets = np.arange(-int(half.max()), int(half.max()) + 1)
    around = t[:, None] + offsets[None]
    inside = (np.abs(offsets)[None] <= half[:, None]) & (around >= 0) & (around < n)
    values = np.where(inside, period[np.clip(around, 0, n - 1)], np.nan)
    median = np.nanmedian(values, axis=1)
    return np.abs(period - median) <= change * period


def _near_lag(a: np.ndarray, lag: np.ndarray, tolerance: float) -> np.ndarray:
    """Per row the largest value of ``a`` over the lags within ``tolerance`` of ``lag`` (one per
    row); NaN where that window reaches past ``a``'s last lag or holds no finite value."""
    k = np.arange(a.shape[1])
    lo, hi = np.floor(lag * (1 - tolerance)), np.ceil(lag * (1 + tolerance))
    near = (k >= lo[:, None]) & (k <= hi[:, None])
    best = np.where(near & np.isfinite(a), a, -np.inf).max(1)
    return np.where(np.isfinite(best) & (hi < a.shape[1]), best, np.nan)


def _stretches(periodic: np.ndarray, period: np.ndarray, change: float) -> list[tuple[int, int]]:
    """(first, stop) of each stretch of one period: the runs of ``periodic`` frames, split
    where the period jumps from one frame to the next by more than ``change`` of the shorter."""
    p = period.astype(np.float64)
    jump = np.r_[False, np.abs(np.diff(p)) > change * np.minimum(p[1:], p[:-1])]
    out = []
    for first, stop in true_runs(periodic):
        bounds = np.r_[first, first + 1 + np.flatnonzero(jump[first + 1 : stop]), stop]
        out += list(zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True))
    return out


def _octave(
    embeddings: np.ndarray,
    periodic: np.ndarray,
    period: np.ndarray,
    settings: CountSettings,
    max_lag: int,
) -> np.ndarray:
    """``period`` doubled on each stretch of one period (``_stretches``) whose median over
    its frames of ``harmonic`` times the ``whitened`` similarity's rise two periods apart, less
    its rise one period apart, is positive (each rise the largest within ``period_change`` of
    its lag; frames whose double period reaches past ``max_lag`` have no say). A run may hold
    two moves, one whose mirror half looks alike and one whose does not: asked of the whole
    run, the answer of the longer was given to both."""
    if settings.octave_components is None or not periodic.any():
        return period
    white = whitened(embeddings, settings.octave_components)
    rise = _rise(lag_similarity(self_similarity(white), max_lag, settings.window_periods))
    lag = period.astype(np.float64)
    tolerance = settings.period_change
    margin = np.full(len(period), np.nan)
    margin[periodic] = settings.harmonic * _near_lag(
        rise[periodic], 2 * lag[periodic], tolerance
    ) - _near_lag(rise[periodic], lag[periodic], tolerance)
    out = period.copy()
    for first, stop in _stretches(periodic, period, tolerance):
        stretch = margin[first:stop]
        stretch = stretch[np.isfinite(stretch)]
        if len(stretch) and np.median(stretch) > 0:
            out[first:stop] *= 2
    return out


def _bridge(
    periodic: np.ndarray, period: np.ndarray, bridge: float
) -> tuple[np.ndarray, np.ndarray]:
    """``periodic`` and ``period`` with each gap between two periodic frames filled when it
    lasts at most ``bridge`` of the shorter of their periods, its periods interpolated
    between theirs."""
    periodic, period = periodic.copy(), period.astype(np.float64)
    for first, stop in true_runs(~periodic):
        if first == 0 or stop == len(periodic):
            continue
        before, after = period[first - 1], period[stop]
        if stop - first <= bridge * min(before, after):
            periodic[first:stop] = True
            period[first:stop] = np.interp(
                np.arange(first, stop), [first - 1, stop], [before, after]
            )
    return periodic, period


def _run_cycles(
    s: np.ndarray, rate: np.ndarray, first: int, stop: int
) -> tuple[np.ndarray, np.ndarray]:
    """Starts and ends of the whole cycles of one periodic run."""
    # The first cycle starts on the run's first moving frame (a pause before it adds nothing).
    first += int(np.argmax(rate[first:stop] > 0))
    phase = np.cumsum(rate[first:stop])
    cycles = int(np.floor(phase[-1] + 0.5))
    if cycles < 2:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    # Frame first + m ends with phase[m]; a cycle starts on the frame in which the phase
    # passes c.
    starts = first + np.searchsorted(phase, np.arange(cycles) + 1e-9)
    starts[0] = first
    for c in range(1, cycles):
        reach = max(1, round(0.25 / rate[starts[c]]))
        lo = max(starts[c] - reach, starts[c - 1] + 1)
        hi = min(starts[c] + reach + 1, stop)
        if lo >= hi:
            # The tempo quickened: the start before, moved within its own wider reach, already
            # lies past this one's.
            starts[c] = min(lo, stop - 1)
            continue
        starts[c] = lo + int(np.argmax(s[first, lo:hi]))
    ends = np.r_[starts[1:] - 1, min(first + np.searchsorted(phase, cycles - 1e-9), stop - 1)]
    return starts, ends


def count_repetitions(embeddings: np.ndarray, settings: CountSettings) -> Count:
    """The cycles of the periodic runs of a video (frames as embedding rows, in time order)."""
    n = len(embeddings)
    empty = np.zeros(0, np.int64)
    max_lag = int(settings.max_period * n)
    if max_lag < max(settings.min_period, 1) + 1:
        return Count(0, np.full(n, np.nan), empty, empty)
    s = self_similarity(embeddings)
    # One lag past the longest period: the last period tried is a peak only if it falls after.
    a = lag_similarity(s, max_lag + 1, settings.window_periods)
    period, periodicity = local_periods(a, settings.min_period, settings.harmonic)
    periodic = (periodicity >= settings.min_periodicity) & (period > 0)
    periodic &= _steady(period, settings.period_change)
    period = _octave(embeddings, periodic, period, settings, max_lag)
    periodic, period = _bridge(periodic, period, settings.bridge)
    still = _still(s, settings.min_motion)
    periodic &= ~_pauses(still, periodic, period, settings.min_pause)
    rate = np.where(periodic, 1.0 / np.maximum(period, 1), 0.0)
    starts, ends = [empty], [empty]
    # A pause joins the run it interrupts or borders, adding nothing to its phase.
    for first, stop in true_runs(periodic | still):
        run_starts, run_ends = _run_cycles(s, rate, first, stop)
        starts.append(run_starts)
        ends.append(run_ends)
    starts_all, ends_all = np.concatenate(starts), np.concatenate(ends)
    return Count(len(starts_all), np.where(periodic, period, np.nan), starts_all, ends_all)


COLUMNS = ("category", "video", "frames", "count", "period", "periodic_share", "starts", "ends")
PERIOD_COLUMNS = ("category", "video", "frame", "period")


def _frame_list(frames: np.ndarray) -> str:
    return " ".join(str(int(f)) for f in frames)


def parse_frame_list(text: str) -> np.ndarray:
    """The frame numbers of a ``starts`` or ``ends`` cell."""
    return np.array(str(text).split(), np.int64) if isinstance(text, str) else np.zeros(0, np.int64)


def frame_step(frames: np.ndarray) -> float:
    """Source frames between consecutive rows of a video's embeddings (``frames.step``): periods
    in rows times it are periods in source frames."""
    return float(np.median(np.diff(frames))) if len(frames) > 1 else 1.0


def _end_frames(frames: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """The source frame that ends each cycle whose last row is in ``ends``: a row stands for
    the source frames up to the next row's (``frames.step`` > 1), the last row for itself."""
    following = np.minimum(ends + 1, len(frames) - 1)
    return np.where(ends + 1 < len(frames), frames[following] - 1, frames[ends])


def count_videos(
    videos: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]], settings: CountSettings
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``COLUMNS`` for every video of an embeddings file (``Embeddings.videos``): the count,
    the median period and the cycles' first and last frames in source frame numbers, and the
    share of frames found periodic; and ``PERIOD_COLUMNS``, every frame's period (NaN where
    not periodic). Periods in source frames."""
    rows, periods = [], []
    for (category, video), (index, embeddings) in sorted(videos.items()):
        frames, ordered = in_time_order(index, embeddings)
        found = count_repetitions(ordered, settings)
        step = frame_step(frames)
        rows.append(
            {
                "category": category,
                "video": video,
                "frames": len(frames),
                "count": found.count,
                "period": found.median_period * step,
                "periodic_share": float(np.isfinite(found.period).mean()),
                "starts": _frame_list(frames[found.starts]),
                "ends": _frame_list(_end_frames(frames, found.ends)),
            }
        )
        periods.append(
            pd.DataFrame(
                {
                    "category": category,
                    "video": video,
                    "frame": frames.astype(np.int64),
                    "period": found.period * step,
                }
            )
        )
    per_frame = (
        pd.concat(periods, ignore_index=True)
        if periods
        else pd.DataFrame({c: [] for c in PERIOD_COLUMNS})
    )
    return pd.DataFrame(rows, columns=list(COLUMNS)), per_frame
