"""Rule task_shortcuts_table: each model's held-out task accuracies with its own crops, the
person only and the background only (synthetic data: the generator's masks)."""

from pathlib import Path

import pandas as pd
import torch

from poseembed.curriculum import load_samples, split_stage
from poseembed.device import resolve_device
from poseembed.evaluation.shortcuts import task_shortcuts
from poseembed.logs import setup_job_logging
from poseembed.tables import write_table

log = setup_job_logging(snakemake)
torch.set_num_threads(snakemake.threads)
p = snakemake.params
samples = load_samples(snakemake.input.samples)
crops = {Path(c).stem: c for c in snakemake.input.crops}
true_masks = {Path(m).stem: m for m in snakemake.input.groundtruth_masks}
own = {
    "keep": None,
    "groundtruth": true_masks,
    **{
        kind: {Path(m).stem: m for m in snakemake.input[f"{kind}_masks"]}
        for kind in ("motion", "flow")
    },
}
device = resolve_device(p.device)
parts = []
for model, weights, background, fraction in zip(
    p.models, snakemake.input.weights, p.backgrounds, p.heldout_fractions, strict=True
):
    # Each model is measured on the videos its own training held out.
    _, heldout = split_stage(samples, 1, False, fraction)
    if heldout.empty:
        log.warning("%s: no held-out video (training.heldout_fraction 0): not measured", model)
        continue
    rows = task_shortcuts(weights, heldout, crops, own[background], true_masks, device)
    rows = rows.assign(model=model, background=background, videos=heldout["video"].nunique())
    parts.append(rows)
    log.info("%s:\n%s", model, rows.to_string(index=False))
columns = ["model", "background", "videos", "condition", "temporal_acc", "spatial_acc"]
table = pd.concat(parts)[columns] if parts else pd.DataFrame(columns=columns)
write_table(
    table,
    snakemake.output.table,
    snakemake.output.markdown,
    "Where the tasks are solved from: the person or the scene",
    note="Held-out task accuracy (on the videos each model's training held out; chance: "
    "temporal 0.5, spatial 0.125) on the same pairs with the crops the model was trained on (its "
    "background: keep, the label-free mask, the flow's mask or the ground-truth mask), with the "
    "person only and with the background only (the generator's masks). A task solved from the "
    "background only has a shortcut there.",
)
