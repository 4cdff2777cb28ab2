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
    """Send log records (and uncaught exceptions) of a Snakemake job to its ``log:`` file."""
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_path:
        os.makedirs(os.path.dirname(os.fspath(log_path)) or ".", exist_ok=True)
        handlers = [logging.FileHandler(log_path, mode="w")]
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
