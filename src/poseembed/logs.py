"""Logging of a workflow job to its log file, progress bars included."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

from tqdm import tqdm

T = TypeVar("T")


def setup_job_logging(job: object) -> logging.Logger:
    """Send log records, progress bars and uncaught exceptions of a Snakemake ``job`` (the
    ``snakemake`` object of a script) to its ``log:`` file; a failure also says, on the
    console, which inputs the job read and, for a job of one video, how to leave it out."""
    log_path = job.log[0] if job.log else None
    if log_path:
        os.makedirs(os.path.dirname(os.fspath(log_path)) or ".", exist_ok=True)
        # Progress bars and library warnings write to stderr: send them to the log too.
        sys.stderr = open(log_path, "w", buffering=1)  # noqa: SIM115
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    logging.basicConfig(
        level=logging.INFO,
        handlers=handlers,
        force=True,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logger = logging.getLogger("poseembed")

    def excepthook(kind, value, tb):
        summary = failure_summary(job.rule, list(job.input), dict(job.wildcards.items()), value)
        logger.error("%s", summary, exc_info=(kind, value, tb))
        print(summary, file=sys.__stderr__)

    sys.excepthook = excepthook
    return logger


def failure_summary(
    rule: str, inputs: list[str], wildcards: dict[str, str], error: BaseException
) -> str:
    """What a failed job tells the user: the rule, its inputs, the error, and for a job of one
    video, how to leave that video out of the run."""
    shown = ", ".join(inputs[:4]) + (f" and {len(inputs) - 4} more" if len(inputs) > 4 else "")
    lines = [f"{rule} failed on {shown or 'no input'}: {type(error).__name__}: {error}"]
    if "video" in wildcards:
        lines.append(
            f"To run without this video, add {wildcards['video']!r} to dataset.exclude in the "
            "config (the jobs of the other videos are not affected)."
        )
    return "\n".join(lines)


def progress(items: Iterable[T], desc: str, total: int | None = None) -> Iterator[T]:
    """A tqdm bar; refreshed every second on a terminal, every 30 s in a log file."""
    yield from tqdm(
        items,
        desc=desc,
        total=total,
        mininterval=1.0 if sys.stderr.isatty() else 30,
        file=sys.stderr,
        dynamic_ncols=True,
    )
