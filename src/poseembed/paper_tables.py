"""The result tables: the paper's Table 1 (temporal ranges) and the comparison of our models,
ablations and baselines, as mean and standard deviation over the replicates of each row."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

# Avg. AUC on Olympic Sports of the temporal ordering task alone (the paper's supplementary
# Table 1), by (tau+, tau- range).
PAPER_TEMPORAL_RANGES: dict[tuple[int, tuple[int, int]], float] = {
    (3, (8, 16)): 0.768,
    (4, (8, 16)): 0.781,
    (5, (8, 16)): 0.769,
    (4, (6, 12)): 0.776,
    (4, (10, 18)): 0.778,
}


@dataclass(frozen=True)
class Row:
    """One row of a table: an experiment (its replicates' models) or a baseline."""

    name: str
    kind: str
    models: tuple[str, ...]
    what: str = ""
    tau_pos: int | None = None
    tau_neg: tuple[int, int] | None = None
    temporal_only: bool = False
    note: str = ""
    aliases: tuple[str, ...] = field(default_factory=tuple)


def avg_auc(posture: pd.DataFrame) -> float:
    return float(posture["auc"].mean())


def _spread(values: list[float]) -> tuple[float, float]:
    """Mean and sample standard deviation (NaN for a single value)."""
    a = np.asarray(values, float)
    return float(a.mean()), float(a.std(ddof=1)) if len(a) > 1 else float("nan")


def temporal_ranges_table(rows: list[Row], posture: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The paper's Table 1: one row per (tau+, tau- range) of the temporal-only experiments,
    ours beside the paper's, in the paper's order (other ranges after it)."""
    found: dict[tuple[int, tuple[int, int]], dict] = {}
    for r in rows:
        if not r.temporal_only or r.tau_neg is None or r.tau_pos is None:
            continue
        key = (r.tau_pos, (r.tau_neg[0], r.tau_neg[1]))
        if key in found:
            found[key]["experiment"] += f" = {r.name}"
            continue
        mean, std = _spread([avg_auc(posture[m]) for m in r.models])
        found[key] = {
            "tau_pos": r.tau_pos,
            "tau_neg": f"[{key[1][0]}, {key[1][1]}]",
            "experiment": r.name,
            "seeds": len(r.models),
            "avg_auc": mean,
            "avg_auc_std": std,
            "paper_avg_auc": PAPER_TEMPORAL_RANGES.get(key, float("nan")),
        }
    paper = list(PAPER_TEMPORAL_RANGES)
    keys = sorted(found, key=lambda k: (paper.index(k) if k in paper else len(paper), k))
    return pd.DataFrame([found[k] for k in keys])


def comparison_table(
    rows: list[Row],
    posture: dict[str, pd.DataFrame],
    retrieval: dict[str, pd.DataFrame],
) -> pd.DataFrame:
    """One row per experiment and baseline: Avg. AUC (mean, std over replicates; per category
    in ``auc_<category>``) and every retrieval metric (mean, std); then the random and oracle
    rankings of the retrieval, which bound its metrics. Rows whose models were not run (a
    baseline without its weights) keep their note and no numbers."""
    out = []
    for r in rows:
        row: dict = {"name": r.name, "kind": r.kind, "what": r.what, "seeds": len(r.models)}
        if r.aliases:
            row["what"] = "; ".join(filter(None, [r.what, f"same model as {', '.join(r.aliases)}"]))
        if r.note:
            row["what"] = "; ".join(filter(None, [row["what"], r.note]))
        if r.models and posture:
            row["avg_auc"], row["avg_auc_std"] = _spread([avg_auc(posture[m]) for m in r.models])
            per_category = pd.concat(
                [posture[m].set_index("category")["auc"] for m in r.models], axis=1
            )
            row.update({f"auc_{c}": v for c, v in per_category.mean(axis=1).items()})
        if r.models and retrieval:
            metrics = [retrieval[m].set_index("ranking").loc["model"] for m in r.models]
            for col in _metric_columns(retrieval):
                row[col], row[f"{col}_std"] = _spread([float(m[col]) for m in metrics])
        if not r.models:
            row["seeds"] = 0
        out.append(row)
    if retrieval:
        reference = next(iter(retrieval.values())).set_index("ranking")
        for ranking in ("random", "oracle"):
            row = {"name": f"{ranking} ranking", "kind": "retrieval bound", "what": "", "seeds": 0}
            row.update({c: float(reference.loc[ranking, c]) for c in _metric_columns(retrieval)})
            out.append(row)
    return pd.DataFrame(out)


def _metric_columns(retrieval: dict[str, pd.DataFrame]) -> list[str]:
    first = next(iter(retrieval.values()))
    return [c for c in first.columns if "@" in c]


def readable(table: pd.DataFrame, digits: int = 3) -> pd.DataFrame:
    """For Markdown: each ``x`` with an ``x_std`` column as 'mean ± std', per-category AUCs
    left to the CSV, missing numbers blank."""
    out = table.drop(columns=[c for c in table.columns if c.startswith("auc_")])
    for col in [c for c in out.columns if f"{c}_std" in out.columns]:
        mean, std = out[col], out.pop(f"{col}_std")
        out[col] = [
            ""
            if pd.isna(m)
            else f"{m:.{digits}f}"
            if pd.isna(s)
            else f"{m:.{digits}f} ± {s:.{digits}f}"
            for m, s in zip(mean, std, strict=True)
        ]
    for col in out.columns:
        if out[col].dtype.kind == "f":
            out[col] = [("" if pd.isna(v) else f"{v:.{digits}f}") for v in out[col]]
    return out.fillna("")
