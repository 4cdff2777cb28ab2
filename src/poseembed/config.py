"""Checking a configuration against the workflow's JSON Schema, with every error named by key."""

from __future__ import annotations

import os
import sys
from dataclasses import fields
from pathlib import Path
from typing import TypeVar

import jsonschema
import yaml

from poseembed.atomic import atomic_path


class ConfigError(ValueError):
    pass


# The config sections an experiment overrides.
SECTIONS = ("model", "training", "mining")


# The package is installed editable from src/, so the repository's schema lies beside it.
SCHEMA_PATH = Path(__file__).resolve().parents[2] / "workflow" / "schemas" / "config.schema.yaml"


Settings = TypeVar("Settings")


def strict_settings(cls: type[Settings], params: dict, where: str) -> Settings:
    """``cls`` built from ``params``, every field given and nothing else; a missing or unknown
    key raises, naming ``where`` (the config section) and the keys."""
    names = {f.name for f in fields(cls)}
    missing, unknown = sorted(names - set(params)), sorted(set(params) - names)
    if missing or unknown:
        raise ConfigError(f"{where}: missing keys {missing}, unknown keys {unknown}")
    return cls(**params)


def check_yaml(path: str | os.PathLike) -> None:
    """Raise ConfigError naming the file, line and column of a YAML syntax error in ``path``
    (Snakemake's own message names neither); an absent file is left to Snakemake."""
    path = Path(path)
    if not path.is_file():
        return
    try:
        yaml.safe_load(path.read_text())
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise ConfigError(f"{where}: not valid YAML: {err.problem or err.context}") from None


def load_schema(path: str | os.PathLike) -> dict:
    return yaml.safe_load(Path(path).read_text())


def _defaults(node: dict, where: str) -> object:
    """A schema node's default; an object with properties gets each property's, recursively."""
    if "properties" in node:
        return {k: _defaults(v, f"{where}.{k}") for k, v in node["properties"].items()}
    if "default" not in node:
        raise ConfigError(f"{where}: the schema gives no default")
    return node["default"]


def schema_defaults(section: str, schema_path: str | os.PathLike = SCHEMA_PATH) -> dict:
    """The schema's defaults of a config section (dotted for a nested one, e.g.
    ``evaluation.retrieval``): what the workflow runs with when the config says nothing."""
    path = Path(schema_path)
    if not path.is_file():
        raise FileNotFoundError(
            f"{path}: the config schema is absent; schema_defaults reads it from the repository "
            "(poseembed installed editable from a clone)"
        )
    node = load_schema(path)
    for key in section.split("."):
        properties = node.get("properties", {})
        if key not in properties:
            raise ConfigError(f"{section}: no such config section (known: {sorted(properties)})")
        node = properties[key]
    defaults = _defaults(node, section)
    if not isinstance(defaults, dict):
        raise ConfigError(f"{section}: a config key, not a section")
    return defaults


def config_errors(config: dict, schema: dict) -> list[str]:
    """One line per violation: the dotted key path, then what is wrong with it."""
    validator = jsonschema.Draft202012Validator(schema)
    lines = []
    for err in sorted(validator.iter_errors(config), key=lambda e: list(map(str, e.absolute_path))):
        key = ".".join(str(p) for p in err.absolute_path) or "(top level)"
        lines.append(f"{key}: {err.message}")
    return lines


def coerce_strings(config: dict, schema: dict) -> dict:
    """``config`` with every string that the schema wants as a number, a boolean, a list or an
    object read as YAML: Snakemake hands the values nested in ``--config key={a: 96}`` over as
    text. Experiments' overrides are read against their section's schema."""
    return _coerce(config, schema, schema)


def _node(node: dict, root: dict) -> dict:
    ref = node.get("$ref", "")
    return root["$defs"][ref.rsplit("/", 1)[-1]] if ref.startswith("#/$defs/") else node


def _coerce(value: object, node: dict, root: dict) -> object:
    node = _node(node, root)
    types = node.get("type", [])
    types = [types] if isinstance(types, str) else types
    if isinstance(value, str) and types and "string" not in types:
        try:
            parsed = yaml.safe_load(value)
        except yaml.YAMLError:
            return value
        return _coerce(parsed, node, root) if not isinstance(parsed, str) else value
    if isinstance(value, list) and isinstance(node.get("items"), dict):
        return [_coerce(v, node["items"], root) for v in value]
    if isinstance(value, dict):
        properties = node.get("properties", {})
        extra = node.get("additionalProperties")
        out = {}
        for key, v in value.items():
            child = properties.get(key, extra if isinstance(extra, dict) else None)
            # An experiment's sections are read against the base sections' schema.
            if isinstance(child, dict) and not child.get("properties") and key in SECTIONS:
                child = root["properties"][key]
            out[key] = _coerce(v, child, root) if isinstance(child, dict) else v
        return out
    return value


def check_config(config: dict, schema_path: str | os.PathLike) -> None:
    """Raise ConfigError listing every invalid key before any job runs."""
    errors = config_errors(config, load_schema(schema_path))
    if errors:
        raise ConfigError(
            f"invalid configuration ({len(errors)} problem(s); keys and defaults are described "
            f"in {schema_path}):\n  " + "\n  ".join(errors)
        )


def write_without_experiments(source: str | os.PathLike, dest: str | os.PathLike) -> None:
    """Write config file ``source`` to ``dest`` with no experiment: a run that trains nothing
    and compares the baselines (with ``baselines.saved_weights``, a network trained before)."""
    if not Path(source).is_file():
        raise ConfigError(f"{source}: no such config file")
    check_yaml(source)
    config = yaml.safe_load(Path(source).read_text()) or {}
    config["experiments"] = {}
    with atomic_path(dest, suffix=".yaml") as tmp:
        Path(tmp).write_text(
            f"# {source} without its experiments: nothing is trained.\n"
            + yaml.safe_dump(config, sort_keys=False)
        )


def main(argv: list[str] | None = None) -> int:
    """``python -m poseembed.config FILE...``: check config files' YAML before they reach
    ``snakemake --configfile``, whose message for an error names neither the file nor the line
    (it reads them before any workflow code runs). ``make run CONFIGFILE=...`` calls it.
    ``--without-experiments SOURCE DEST``: ``write_without_experiments`` (``make folder
    TRAIN=no``)."""
    paths = sys.argv[1:] if argv is None else argv
    if paths[:1] == ["--without-experiments"]:
        try:
            if len(paths) != 3:
                raise ConfigError("usage: --without-experiments SOURCE DEST")
            write_without_experiments(paths[1], paths[2])
        except ConfigError as err:
            print(err, file=sys.stderr)
            return 1
        return 0
    failed = 0
    for path in paths:
        try:
            if not Path(path).is_file():
                raise ConfigError(f"{path}: no such config file")
            check_yaml(path)
        except ConfigError as err:
            print(err, file=sys.stderr)
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
