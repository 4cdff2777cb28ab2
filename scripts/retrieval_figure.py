"""Rule retrieval_figure: nearest people by ground truth, a baseline and our embedding."""

from poseembed.crops import load_crops
from poseembed.formats.embeddings import load_still_embeddings
from poseembed.formats.mpii import read_mpii_json
from poseembed.logs import setup_job_logging
from poseembed.plots.retrievals import default_queries, retrieval_figure

log = setup_job_logging(snakemake)
p = snakemake.params
people = read_mpii_json(snakemake.input.people)
queries = p.queries if p.queries is not None else default_queries(len(people))
retrieval_figure(
    load_crops(snakemake.input.crops),
    p.input_size,
    people.joints,
    people.visible,
    {
        p.baseline: load_still_embeddings(snakemake.input.baseline),
        p.model: load_still_embeddings(snakemake.input.model),
    },
    queries,
    p.neighbours,
    p.flip_invariant,
    p.min_common_joints,
    snakemake.output.figure,
)
log.info("queries %s", queries)
