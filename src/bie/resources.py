"""Access to the data files shipped inside the package (YAML vocabularies, rules, templates)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from bie.errors import ConfigError, FileTooLarge, Text
from bie.io.limits import DEFAULT_LIMITS, Limits


class _Refused(yaml.YAMLError):
    """A YAML document refused by bie's own bounds (depth, aliases, impossible values), in both languages."""

    def __init__(self, text: Text, mark: yaml.Mark | None) -> None:
        super().__init__(text.en)
        self.text = text
        self.problem_mark = mark


class _UniqueKeyLoader(yaml.SafeLoader):
    """The one YAML loader for every file bie reads: safe (no Python tags), refuses duplicate keys (a silent
    source of wrong rules), nesting deeper than ``Limits.max_config_depth`` (PyYAML recurses once per level:
    50,000 ``[`` would exhaust the interpreter stack) and impossible values (``2026-02-30``), naming the
    line."""

    max_depth = DEFAULT_LIMITS.max_config_depth

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > self.max_depth:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise _Refused(
                    Text(
                        f"imbrication trop profonde (plus de {self.max_depth} niveaux)",
                        f"nesting too deep (more than {self.max_depth} levels)",
                    ),
                    mark,
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, OverflowError) as exc:
            value = str(node.value)[:40] if isinstance(node, yaml.ScalarNode) else "?"
            if node.tag == "tag:yaml.org,2002:timestamp":
                text = Text(
                    f"date impossible « {value} » : écrire une date réelle AAAA-MM-JJ",
                    f"impossible date “{value}”: write a real date YYYY-MM-DD",
                )
            else:
                text = Text(f"valeur illisible « {value} » ({exc})", f"unreadable value “{value}” ({exc})")
            raise _Refused(text, node.start_mark) from exc


def _construct_mapping(
    loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False
) -> dict[Any, Any]:
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            duplicate = key in mapping
        except TypeError as exc:  # a list or a mapping used as a key
            raise _Refused(
                Text("clé qui n'est pas un texte", "key that is not a text"), key_node.start_mark
            ) from exc
        if duplicate:
            raise yaml.constructor.ConstructorError(
                None, None, f"clé en double « {key} »", key_node.start_mark
            )
        mapping[key] = loader.construct_object(value_node, deep=deep)
    return mapping


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _check_expansion(root: yaml.Node, limit: int) -> None:
    """Refuse a document whose aliases expand to more than ``limit`` nodes (« billion laughs »: ten anchors
    of ten aliases each are 10^10 nodes for any code that walks the data) or that refers to itself."""
    sizes: dict[int, int] = {}
    open_: set[int] = set()

    def size(node: yaml.Node) -> int:
        known = sizes.get(id(node))
        if known is not None:
            return known
        if id(node) in open_:
            raise _Refused(
                Text(
                    "référence circulaire (une ancre se contient elle-même)",
                    "circular reference (an anchor contains itself)",
                ),
                node.start_mark,
            )
        open_.add(id(node))
        total = 1
        if isinstance(node, yaml.SequenceNode):
            children: list[yaml.Node] = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        else:
            children = []
        for child in children:
            total += size(child)
            if total > limit:
                raise _Refused(
                    Text(
                        f"les alias (*nom) se développent en plus de {limit:,} éléments".replace(",", " "),
                        f"the aliases (*name) expand to more than {limit:,} items",
                    ),
                    node.start_mark,
                )
        open_.discard(id(node))
        sizes[id(node)] = total
        return total

    size(root)


def _compose(text: str, limits: Limits) -> tuple[_UniqueKeyLoader, yaml.Node | None]:
    loader = _UniqueKeyLoader(text)
    loader.max_depth = limits.max_config_depth
    node = loader.get_single_node()
    if node is not None:
        _check_expansion(node, limits.max_config_nodes)
    return loader, node


def bounded_compose(text: str) -> yaml.Node | None:
    """The node tree of a document already loaded by :func:`load_yaml_text` (for line numbers)."""
    loader, node = _compose(text, DEFAULT_LIMITS)
    loader.dispose()
    return node


def _yaml_error(exc: yaml.YAMLError) -> Text:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    fr, en = (f" ligne {mark.line + 1}", f" line {mark.line + 1}") if mark is not None else ("", "")
    if isinstance(exc, _Refused):
        return Text(f"YAML refusé{fr} : {exc.text.fr}", f"YAML refused{en}: {exc.text.en}")
    problem = getattr(exc, "problem", None) or str(exc)
    return Text(f"YAML illisible{fr} : {problem}", f"unreadable YAML{en}: {problem}")


_CSafeLoader: type[Any] | None = getattr(yaml, "CSafeLoader", None)

if _CSafeLoader is not None:

    class _ShippedLoader(_CSafeLoader):  # type: ignore[misc,valid-type]
        """For the files shipped inside the package only (written and tested with the code): libyaml's parser,
        about ten times faster than PyYAML's; duplicate keys are still refused. A file from the user always
        goes through :class:`_UniqueKeyLoader` and its bounds."""

    _ShippedLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _shipped(source: str | Path) -> bool:
    """Whether ``source`` is a file shipped in ``bie/data`` (not a file of the user's)."""
    try:
        return Path(source).resolve().is_relative_to(data_path().resolve())
    except (OSError, ValueError):
        return False


def load_yaml_text(
    text: str,
    source: str,
    error: type[ConfigError] = ConfigError,
    limits: Limits = DEFAULT_LIMITS,
    *,
    shipped: bool = False,
) -> Any:
    """Parse YAML strictly and within bounds; errors name the source and the line. ``shipped``: a file of
    ``bie/data`` (parsed with libyaml when it is installed)."""
    if len(text) > limits.max_config_bytes:
        raise FileTooLarge(
            source, size_mb=round(len(text) / 2**20), limit_mb=round(limits.max_config_bytes / 2**20)
        )
    if shipped and _CSafeLoader is not None:
        try:
            return yaml.load(text, Loader=_ShippedLoader)  # noqa: S506 (a safe loader)
        except yaml.YAMLError as exc:
            raise error(source, detail=_yaml_error(exc)) from exc
    loader: _UniqueKeyLoader | None = None
    try:
        loader, node = _compose(text, limits)
        return None if node is None else loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise error(source, detail=_yaml_error(exc)) from exc
    except RecursionError as exc:  # a guard: the depth bound above keeps PyYAML far from the stack limit
        raise error(
            source, detail=Text("YAML refusé : imbrication trop profonde", "YAML refused: nesting too deep")
        ) from exc
    finally:
        if loader is not None:
            loader.dispose()


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
    node = bounded_compose(text)
    if isinstance(node, yaml.SequenceNode):
        return [item.start_mark.line + 1 for item in node.value]
    return []


def read_config_text(
    path: str | Path, error: type[ConfigError] = ConfigError, limits: Limits = DEFAULT_LIMITS
) -> str:
    """The text of a configuration file (rules, decisions, mapping…), within the size limit every such file
    shares; UTF-8 with or without BOM. Errors name the file."""
    p = Path(path)
    try:
        if not p.is_file():
            raise error(p, detail=Text("fichier introuvable", "file not found"))
        size = p.stat().st_size
        if size > limits.max_config_bytes:
            raise FileTooLarge(
                p, size_mb=round(size / 2**20), limit_mb=max(1, round(limits.max_config_bytes / 2**20))
            )
        with p.open("rb") as fh:
            data = fh.read(limits.max_config_bytes + 1)
    except OSError as exc:
        raise error(
            p,
            detail=Text(
                f"lecture impossible ({exc.__class__.__name__})", f"cannot read it ({exc.__class__.__name__})"
            ),
        ) from exc
    if len(data) > limits.max_config_bytes:  # grew while being read
        raise FileTooLarge(
            p, size_mb=round(len(data) / 2**20), limit_mb=max(1, round(limits.max_config_bytes / 2**20))
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise error(
            p,
            detail=Text(
                f"ligne {line} : le fichier n'est pas en UTF-8 (enregistrez-le en UTF-8)",
                f"line {line}: the file is not UTF-8 (save it as UTF-8)",
            ),
        ) from exc


def load_yaml_file(
    path: str | Path, error: type[ConfigError] = ConfigError, limits: Limits = DEFAULT_LIMITS
) -> Any:
    text = read_config_text(path, error, limits)
    return load_yaml_text(text, str(Path(path)), error, limits, shipped=_shipped(path))


def data_path(*parts: str) -> Path:
    """Path of a file shipped in ``bie/data``."""
    return Path(str(resources.files("bie").joinpath("data", *parts)))


@functools.cache
def load_data(name: str) -> Any:
    """Load (once) a YAML file shipped in ``bie/data``."""
    path = data_path(name)
    return load_yaml_text(path.read_text(encoding="utf-8"), f"bie/data/{name}", shipped=True)


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
