"""Rule evaluate_retrieval: pose retrieval on the still images by one model's embeddings."""

from poseembed.atomic import atomic_path
from poseembed.evaluation.retrieval import RetrievalSettings, retrieval_metrics
from poseembed.formats.embeddings import load_still_embeddings
from poseembed.formats.mpii import read_mpii_json
from poseembed.logs import setup_job_logging

log = setup_job_logging(snakemake)
settings = RetrievalSettings.from_params(snakemake.params.retrieval)
people = read_mpii_json(snakemake.input.people)
embeddings, mirrored = load_still_embeddings(snakemake.input.embeddings)
table = retrieval_metrics(embeddings, mirrored, people.joints, people.visible, settings)
with atomic_path(snakemake.output.table, suffix=".csv") as tmp:
    table.to_csv(tmp, index=False)
log.info("%s\n%s", settings, table.to_string(index=False))
