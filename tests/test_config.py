"""The config schema as the one home of defaults, and settings built strictly from it."""

from __future__ import annotations

from dataclasses import dataclass, fields

import pytest
import yaml

from poseembed.config import (
    SCHEMA_PATH,
    ConfigError,
    check_yaml,
    coerce_strings,
    load_schema,
    main,
    schema_defaults,
    strict_settings,
)
from poseembed.flow.backends import FlowSettings
from poseembed.flow.motion_boxes import MotionBoxParams
from poseembed.flow.person_boxes import PersonBoxParams
from poseembed.flow.tvl1_params import TVL1Params


@dataclass(frozen=True)
class _Settings:
    lam: float
    warps: int


def test_defaults_of_a_section_resolve_nested_objects():
    flow = schema_defaults("flow")
    assert flow["backend"] == "auto" and flow["tvl1"]["warps"] == 3
    assert flow["motion_boxes"]["smooth_frames"] == 5
    assert schema_defaults("flow.tvl1") == flow["tvl1"]
    assert schema_defaults("evaluation.retrieval")["ks"] == [1, 5, 10]


def test_defaults_of_an_unknown_section_or_a_key_raise_naming_it(tmp_path):
    with pytest.raises(ConfigError, match=r"flow\.tvl2: no such config section"):
        schema_defaults("flow.tvl2")
    with pytest.raises(ConfigError, match=r"seed: a config key, not a section"):
        schema_defaults("seed")
    with pytest.raises(FileNotFoundError, match="config schema is absent"):
        schema_defaults("flow", tmp_path / "none.yaml")


def test_a_key_without_a_default_is_named(tmp_path):
    schema = {"properties": {"a": {"type": "object", "properties": {"b": {"type": "integer"}}}}}
    path = tmp_path / "schema.yaml"
    path.write_text(yaml.safe_dump(schema))
    with pytest.raises(ConfigError, match=r"a\.b: the schema gives no default"):
        schema_defaults("a", path)


def test_strict_settings_name_missing_and_unknown_keys():
    assert strict_settings(_Settings, {"lam": 0.1, "warps": 2}, "flow.tvl1") == _Settings(0.1, 2)
    with pytest.raises(ConfigError, match=r"tvl1: missing keys \['warps'\], unknown keys \[\]"):
        strict_settings(_Settings, {"lam": 0.1}, "flow.tvl1")
    with pytest.raises(ConfigError, match=r"missing keys \[\], unknown keys \['warp'\]"):
        strict_settings(_Settings, {"lam": 0.1, "warps": 2, "warp": 2}, "flow.tvl1")


def test_the_flow_settings_take_exactly_the_flow_sections_keys():
    """As scripts/optical_flow.py builds them: eps and inspect_side are the analysis's."""
    flow = schema_defaults("flow")
    strict_settings(TVL1Params, flow.pop("tvl1"), "config flow.tvl1")
    strict_settings(MotionBoxParams, flow.pop("motion_boxes"), "config flow.motion_boxes")
    strict_settings(PersonBoxParams, flow.pop("person_boxes"), "config flow.person_boxes")
    backend = set(flow) - {"eps", "inspect_side"}
    assert backend | {"tvl1", "threads"} == {f.name for f in fields(FlowSettings)}


def test_nested_command_line_values_are_read_as_the_schema_wants():
    schema = load_schema(SCHEMA_PATH)
    given = {
        "crops": {"size": "96", "margin": "0.2"},
        "training": {"amp": "false", "tau_neg": ["6", "12"]},
        "dataset": {"categories": ["long_jump"], "stills": "mpii/a.json"},
        "experiments": {"x": {"training": {"lr": "0.01"}, "replicates": "2"}},
    }
    out = coerce_strings(given, schema)
    assert out["crops"] == {"size": 96, "margin": 0.2}
    assert out["training"] == {"amp": False, "tau_neg": [6, 12]}
    assert out["dataset"] == given["dataset"]
    assert out["experiments"]["x"] == {"training": {"lr": 0.01}, "replicates": 2}
    assert coerce_strings({"crops": {"size": "big"}}, schema) == {"crops": {"size": "big"}}


def test_a_yaml_syntax_error_names_the_file_line_and_column(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("seed: 0\ncrops:\n  size: [96\n")
    with pytest.raises(ConfigError, match=r"bad\.yaml:4:1: not valid YAML: expected ','"):
        check_yaml(bad)
    check_yaml(tmp_path / "absent.yaml")


def test_a_config_without_experiments_keeps_every_other_key(tmp_path):
    source = tmp_path / "folder.yaml"
    source.write_text("seed: 3\nexperiments:\n  full: {mining: {enabled: true}}\nfigures: {a: 1}\n")
    dest = tmp_path / "run" / "config.yaml"
    dest.parent.mkdir()
    assert main(["--without-experiments", str(source), str(dest)]) == 0
    assert yaml.safe_load(dest.read_text()) == {"seed": 3, "experiments": {}, "figures": {"a": 1}}
    assert main(["--without-experiments", str(tmp_path / "none.yaml"), str(dest)]) == 1
