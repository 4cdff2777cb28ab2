"""Rule embedding_diagnostics: what every model's embedding encodes, pose or video (synthetic
data): correlation with the ground-truth pose within and across videos, pose neighbours and a
linear pose read-out across videos, how well it tells the videos apart, and whether a frame's
nearest frame of another cycle is at its phase, and how it follows the person mask instead."""

from pathlib import Path

import pandas as pd

from poseembed.evaluation.mask_correlation import mask_correlation, sampled_overlaps
from poseembed.evaluation.pose_correlation import pose_correlation
from poseembed.evaluation.probes import embedding_probes
from poseembed.evaluation.repetitions import cycle_neighbours
from poseembed.formats.embeddings import load_embeddings
from poseembed.formats.groundtruth import read_groundtruth
from poseembed.logs import setup_job_logging
from poseembed.tables import write_table

log = setup_job_logging(snakemake)
p = snakemake.params
poses, cycles = {}, {}
for path in snakemake.input.groundtruth:
    table, joints, visible = read_groundtruth(path)
    key = (Path(path).parent.name, Path(path).stem)
    poses[key] = (table["frame"].to_numpy(), joints, visible)
    cycles[key] = table
masks = {(Path(m).parent.name, Path(m).stem): m for m in snakemake.input.masks}
embeddings = {
    model: load_embeddings(path)
    for model, path in zip(p.models, snakemake.input.embeddings, strict=True)
}
# Every model is embedded from the same frames: their masks' overlaps are computed once.
overlaps = sampled_overlaps(
    next(iter(embeddings.values())), poses, masks, p.frames, p.seed, p.input_size
)
table = pd.DataFrame(
    [
        {
            "model": model,
            **pose_correlation(emb, poses, p.frames, p.seed),
            **mask_correlation(emb, overlaps),
            **embedding_probes(emb, poses, p.frames, p.seed),
            **cycle_neighbours(emb, cycles, p.phase_tolerance, p.min_gap),
        }
        for model, emb in embeddings.items()
    ]
)
write_table(
    table,
    snakemake.output.table,
    snakemake.output.markdown,
    "What each embedding encodes: the pose, or the video",
    note=f"{p.frames} frames per video. within/across_video_rho: Spearman rho between embedding "
    "similarity and ground-truth pose similarity over pairs of one video / of two videos of a "
    "category. within_video_mask_rho: the same over pairs of one video against the overlap "
    "(IoU) of the two frames' label-free person masks on the network's input square, the "
    "outline a masked crop shows. "
    "pose_knn_distance: ground-truth pose distance of the nearest frame of another "
    "video (half the videos of a category query the other half), between pose_knn_chance and "
    "pose_knn_oracle. pose_linear_r2: ridge read-out of the pose fitted on those videos, scored "
    "on the others. video_identity_accuracy: which video a frame comes from, by a linear "
    "classifier trained on the first half of each video (chance video_identity_chance): high "
    "means the embedding carries the actor and the scene. cycle_match / cycle_mirror: of every "
    "frame of a periodic segment and every other cycle of it, the share whose most similar "
    f"frame of that cycle (more than {p.min_gap} frames away) is at its phase / half a cycle "
    f"off (within {p.phase_tolerance} of a cycle): what one-frame-per-cycle mining is bounded "
    "by, and the mirror pose it confuses.",
)
log.info("\n%s", table.to_string(index=False))
