"""The conda environment and pyproject pin the same versions; CI runs the README's command."""

from __future__ import annotations

import re
import tomllib

import yaml

from tests.conftest import ROOT


def _pins(lines: list[str]) -> dict[str, str]:
    pins = {}
    for line in lines:
        m = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s;]+)", line.strip())
        if m:
            pins[m[1].lower()] = m[2]
    return pins


def test_conda_environment_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = _pins(project["dependencies"])
    env = yaml.safe_load((ROOT / "envs" / "poseembed.yaml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    runtime = {k: v for k, v in wanted.items() if not k.startswith("snakemake")}
    assert _pins(pip) == runtime
    assert "python=3.11" in env["dependencies"]


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text().strip().splitlines()[-1]
    assert ci in (ROOT / "README.md").read_text()
