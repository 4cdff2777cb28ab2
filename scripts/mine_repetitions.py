"""Rule mine_repetitions: repetition groups of every video from its frame embeddings."""

from poseembed.atomic import atomic_path
from poseembed.device import resolve_device
from poseembed.formats.embeddings import load_embeddings
from poseembed.logs import setup_job_logging
from poseembed.mining import MiningSettings, mine_embeddings

log = setup_job_logging(snakemake.log[0])
s = snakemake.params.settings
settings = MiningSettings(
    min_gap=s["min_gap"], threshold=s["threshold"], window=s["window"], tile=s["tile"]
)
device = resolve_device(s["device"])
emb = load_embeddings(snakemake.input.embeddings)
repetitions = mine_embeddings(emb, settings, device)
with atomic_path(snakemake.output.repetitions, suffix=".parquet") as tmp:
    repetitions.to_parquet(tmp, index=False)
log.info(
    "%s on %s: %d pairs in %d of %d videos",
    settings,
    device,
    len(repetitions),
    repetitions["video"].nunique(),
    len(emb.videos),
)
