"""Rule mine_repetitions: repetition groups of every video from its frame embeddings."""

from dataclasses import fields

import pandas as pd

from poseembed.atomic import atomic_path
from poseembed.config import strict_settings
from poseembed.device import resolve_device
from poseembed.formats.embeddings import load_embeddings
from poseembed.logs import setup_job_logging
from poseembed.mining import CROSS_COLUMNS, MiningSettings, cross_video_pairs, mine_embeddings

log = setup_job_logging(snakemake)
s = snakemake.params.settings
# The params hold the cross-video and device keys too: the miner's are taken by name.
names = {f.name for f in fields(MiningSettings)}
settings = strict_settings(
    MiningSettings, {k: v for k, v in s.items() if k in names}, "config mining"
)
device = resolve_device(s["device"])
emb = load_embeddings(snakemake.input.embeddings)
repetitions = mine_embeddings(emb, settings, device)
with atomic_path(snakemake.output.repetitions, suffix=".parquet") as tmp:
    repetitions.to_parquet(tmp, index=False)
if s["cross_video_share"] > 0:
    cross = cross_video_pairs(emb, s["cross_video_threshold"], settings.tile, device)
else:
    cross = pd.DataFrame({c: [] for c in CROSS_COLUMNS})
with atomic_path(snakemake.output.cross_video, suffix=".parquet") as tmp:
    cross.to_parquet(tmp, index=False)
log.info(
    "%s on %s: %d pairs in %d of %d videos",
    settings,
    device,
    len(repetitions),
    repetitions["video"].nunique(),
    len(emb.videos),
)
if s["cross_video_share"] > 0:
    log.info(
        "%d cross-video pairs of mutual nearest neighbours (similarity >= %s), mean %.3f",
        len(cross) // 2,
        s["cross_video_threshold"],
        float(cross["similarity"].mean()) if len(cross) else float("nan"),
    )
