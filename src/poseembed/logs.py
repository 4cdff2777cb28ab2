"""Logging of a workflow job to its log file, progress bars included."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

from tqdm import tqdm

T = TypeVar("T")


def setup_job_logging(log_path: str | os.PathLike | None) -> logging.Logger:
    """Send log records, progress bars and uncaught exceptions of a job to its ``log:`` file."""
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
        logger.error("job failed", exc_info=(kind, value, tb))

    sys.excepthook = excepthook
    return logger


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
