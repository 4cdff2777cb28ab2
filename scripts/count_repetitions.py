"""Rule count_repetitions: every video's repetition count and every frame's period from one
model's frame embeddings."""

from poseembed.atomic import atomic_path
from poseembed.config import strict_settings
from poseembed.counting import CountSettings, count_videos
from poseembed.formats.embeddings import load_embeddings
from poseembed.logs import setup_job_logging

log = setup_job_logging(snakemake)
settings = strict_settings(CountSettings, snakemake.params.settings, "config counting")
counts, periods = count_videos(load_embeddings(snakemake.input.embeddings).videos, settings)
with atomic_path(snakemake.output.counts, suffix=".csv") as tmp:
    counts.to_csv(tmp, index=False)
with atomic_path(snakemake.output.periods, suffix=".parquet") as tmp:
    periods.to_parquet(tmp, index=False)
log.info(
    "%s: %d videos, %d with repetitions, %d cycles in all",
    snakemake.wildcards.model,
    len(counts),
    int((counts["count"] > 0).sum()),
    int(counts["count"].sum()),
)
