"""Rule random_weights: the network as stage 1 initialises it, untrained."""

from poseembed.logs import setup_job_logging
from poseembed.training import TrainSettings, initial_model, save_weights

log = setup_job_logging(snakemake.log[0])
network = snakemake.params.network
settings = TrainSettings(
    trunk=network["model"]["trunk"],
    embedding_dim=network["model"]["embedding_dim"],
    input_size=snakemake.params.input_size,
    seed=network["seed"],
)
save_weights(snakemake.output.weights, initial_model(settings), settings, stage=0)
log.info("untrained %s network, seed %d", settings.trunk, settings.seed)
