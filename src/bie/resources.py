"""Access to the data files shipped inside the package (YAML vocabularies, rules, templates)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from bie.errors import ConfigError, Text


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses duplicate keys (a silent source of wrong rules)."""


def _construct_mapping(
    loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False
) -> dict[Any, Any]:
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                None, None, f"clé en double « {key} »", key_node.start_mark
            )
        mapping[key] = loader.construct_object(value_node, deep=deep)
    return mapping


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml_text(text: str, source: str, error: type[ConfigError] = ConfigError) -> Any:
    """Parse YAML strictly; errors name the source and the line."""
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        fr, en = (f" ligne {mark.line + 1}", f" line {mark.line + 1}") if mark is not None else ("", "")
        problem = getattr(exc, "problem", None) or str(exc)
        detail = Text(f"YAML illisible{fr} : {problem}", f"unreadable YAML{en}: {problem}")
        raise error(source, detail=detail) from exc


def key_problem(
    raw: Mapping[Any, Any], required: AbstractSet[str], optional: AbstractSet[str] = frozenset()
) -> Text | None:
    """What is wrong with a YAML object's keys: unknown ones first, then missing ones; ``None`` if nothing."""
    unknown = set(raw) - set(required) - set(optional)
    if unknown:
        keys = ", ".join(sorted(map(str, unknown)))
        return Text(f"clé(s) inconnue(s) : {keys}", f"unknown key(s): {keys}")
    missing = set(required) - set(raw)
    if missing:
        keys = ", ".join(sorted(missing))
        return Text(f"clé(s) manquante(s) : {keys}", f"missing key(s): {keys}")
    return None


def sequence_lines(text: str) -> list[int]:
    """The 1-based line of each item of a YAML document that is a sequence (for messages naming a case)."""
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    if isinstance(node, yaml.SequenceNode):
        return [item.start_mark.line + 1 for item in node.value]
    return []


def load_yaml_file(path: str | Path, error: type[ConfigError] = ConfigError) -> Any:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise error(p, detail=Text("fichier introuvable", "file not found")) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise error(
            p,
            detail=Text(
                f"lecture impossible ({exc.__class__.__name__})", f"cannot read it ({exc.__class__.__name__})"
            ),
        ) from exc
    return load_yaml_text(text, str(p), error)


def data_path(*parts: str) -> Path:
    """Path of a file shipped in ``bie/data``."""
    return Path(str(resources.files("bie").joinpath("data", *parts)))


@functools.cache
def load_data(name: str) -> Any:
    """Load (once) a YAML file shipped in ``bie/data``."""
    path = data_path(name)
    return load_yaml_text(path.read_text(encoding="utf-8"), f"bie/data/{name}")


def templates_dir() -> Path:
    """The report templates: inside the installed package, or the repository's ``templates/``."""
    installed = Path(str(resources.files("bie").joinpath("templates")))
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parents[2] / "templates"


def demo_workbook() -> Path:
    """The demonstration programmation workbook shipped with bie (fictitious data)."""
    installed = data_path("demo", "programmation_cdv_2024.xlsx")
    if installed.is_file():
        return installed
    return Path(__file__).resolve().parents[2] / "fixtures" / "programmation_cdv_2024.xlsx"
