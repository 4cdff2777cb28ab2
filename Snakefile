from snakemake.utils import min_version

min_version("9.0")


from poseembed.config import check_yaml

# Snakemake's message for a YAML error names neither the file nor the line.
check_yaml("config.yaml")


configfile: "config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/synthetic.smk"
include: "workflow/rules/frames.smk"
include: "workflow/rules/flow.smk"
include: "workflow/rules/curriculum.smk"
include: "workflow/rules/training.smk"
include: "workflow/rules/embed.smk"
include: "workflow/rules/mining.smk"
include: "workflow/rules/counting.smk"
include: "workflow/rules/baselines.smk"
include: "workflow/rules/stills.smk"
include: "workflow/rules/evaluation.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/render.smk"


rule all:
    """Everything the configured run produces."""
    input:
        PLAN.targets(),
