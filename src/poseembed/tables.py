"""Result tables written side by side as CSV (every digit) and Markdown (for reading)."""

from __future__ import annotations

import os

import pandas as pd

from poseembed.atomic import atomic_path


def write_table(
    table: pd.DataFrame,
    csv_path: str | os.PathLike,
    md_path: str | os.PathLike,
    title: str,
    floatfmt: str = ".3f",
    markdown: pd.DataFrame | None = None,
    note: str = "",
) -> None:
    """``table`` as CSV; ``markdown`` (or ``table``) as Markdown under ``title`` and ``note``."""
    with atomic_path(csv_path, suffix=".csv") as tmp:
        table.to_csv(tmp, index=False)
    shown = table if markdown is None else markdown
    text = f"# {title}\n\n"
    if note:
        text += f"{note}\n\n"
    text += f"{shown.to_markdown(index=False, floatfmt=floatfmt)}\n"
    with atomic_path(md_path, suffix=".md") as tmp, open(tmp, "w") as f:
        f.write(text)
