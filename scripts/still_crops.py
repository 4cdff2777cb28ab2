"""Rule still_crops: the people of the still-image set and their crops, as the videos' crops."""

from poseembed.crops import save_crops
from poseembed.formats.mpii import read_people, write_mpii_json
from poseembed.logs import setup_job_logging
from poseembed.stills import choose_people, people_crops

log = setup_job_logging(snakemake)
p = snakemake.params
everyone = read_people(snakemake.input.annotations)
people = choose_people(everyone, p.max_people, p.seed)
crops = people_crops(people, snakemake.input.images, p.size, p.margin, p.context)
save_crops(snakemake.output.crops, crops)
write_mpii_json(snakemake.output.people, people)
log.info(
    "%d of %d people, %d images; crops of %d px",
    len(people),
    len(everyone),
    len(set(people.images)),
    crops.shape[1],
)
