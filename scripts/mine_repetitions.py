"""Rule mine_repetitions: repetition groups of every video from its frame embeddings."""

import pandas as pd

from poseembed.atomic import atomic_path
from poseembed.config import strict_settings
from poseembed.counting import CountSettings
from poseembed.device import resolve_device
from poseembed.formats.embeddings import load_embeddings
from poseembed.logs import setup_job_logging
from poseembed.mining import CROSS_COLUMNS, MiningSettings, cross_video_pairs, mine_embeddings

log = setup_job_logging(snakemake)
settings = strict_settings(MiningSettings, snakemake.params.settings, "config mining")
counting = snakemake.params.counting
if counting is not None:
    counting = strict_settings(CountSettings, counting, "config counting")
threshold = snakemake.params.cross_video_threshold
device = resolve_device(snakemake.params.device)
emb = load_embeddings(snakemake.input.embeddings)
repetitions = mine_embeddings(emb, settings, counting, device)
with atomic_path(snakemake.output.repetitions, suffix=".parquet") as tmp:
    repetitions.to_parquet(tmp, index=False)
if threshold is not None:
    cross = cross_video_pairs(emb, threshold, settings.tile, device)
else:
    cross = pd.DataFrame({c: [] for c in CROSS_COLUMNS})
with atomic_path(snakemake.output.cross_video, suffix=".parquet") as tmp:
    cross.to_parquet(tmp, index=False)
log.info(
    "%s on %s, embeddings %s: %d pairs in %d of %d videos",
    settings,
    device,
    snakemake.input.embeddings,
    len(repetitions),
    repetitions["video"].nunique(),
    len(emb.videos),
)
if threshold is not None:
    log.info(
        "%d cross-video pairs of mutual nearest neighbours (similarity >= %s), mean %.3f",
        len(cross) // 2,
        threshold,
        float(cross["similarity"].mean()) if len(cross) else float("nan"),
    )
