"""The SLURM profile on a real one-node cluster (``workflow/profiles/slurm/check.sh``).

It installs packages and starts daemons as root and takes minutes, so it runs only on request:
``POSEEMBED_SLURM_CHECK=1 .venv/bin/pytest -m slurm`` (or ``make slurm-check``)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

CHECK = Path(__file__).resolve().parents[1] / "workflow" / "profiles" / "slurm" / "check.sh"
TIMEOUT_S = 1800

pytestmark = [
    pytest.mark.slurm,
    pytest.mark.skipif(
        os.environ.get("POSEEMBED_SLURM_CHECK") != "1",
        reason="starts a SLURM cluster as root (installs slurm-wlm and munge): run it with "
        "POSEEMBED_SLURM_CHECK=1 .venv/bin/pytest -m slurm, or make slurm-check",
    ),
]


def test_the_slurm_profile_runs_rules_on_a_cluster_with_the_numbers_of_a_local_run():
    proc = subprocess.Popen(
        [str(CHECK)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        out, _ = proc.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        # SIGTERM, not the SIGKILL of subprocess.run's timeout: the script's exit trap stops
        # the daemons it started.
        proc.terminate()
        out, _ = proc.communicate()
        pytest.fail(f"{CHECK.name} ran past {TIMEOUT_S} s:\n{out[-4000:]}")
    assert proc.returncode == 0, out[-4000:]
    assert "artifacts equal in both runs" in out and "passed in" in out
