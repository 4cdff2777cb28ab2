"""Rule random_weights: the network as stage 1 initialises it, untrained."""

from poseembed.logs import setup_job_logging
from poseembed.training import initial_model, save_weights

log = setup_job_logging(snakemake)
network = snakemake.params.network
settings = {
    "trunk": network["trunk"],
    "embedding_dim": network["embedding_dim"],
    "seed": network["seed"],
    "input_size": snakemake.params.input_size,
    "background": "keep",
}
model = initial_model(settings["trunk"], settings["embedding_dim"], settings["seed"])
save_weights(snakemake.output.weights, model, settings, stage=0)
log.info("untrained %s network, seed %d", settings["trunk"], settings["seed"])
