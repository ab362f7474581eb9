"""Rules that say which elements of the web an action strengthens (``bie/data/web_rules.yaml``).

Each rule names the elements it strengthens, the categories it applies to (``specific`` and
``transversal`` only: an action that does not integrate equality strengthens nothing), the fields it
reads and regex patterns written for the normalised text of :mod:`bie.tagging.normalize`. Validation is
strict: an unknown element id, a bad or empty-matching regex, a missing source, an example the patterns
do not recognise… raise :class:`bie.errors.RulesError` naming the file and the rule.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from bie.errors import BieError, RulesError, Text
from bie.resources import data_path, key_problem, load_yaml_file
from bie.tagging.normalize import normalize_text
from bie.tagging.rules import check_pattern, rule_error, str_list
from bie.web.model import Source, WebModel, load_model, parse_sources

__all__ = ["ELIGIBLE", "FIELDS", "WebRule", "WebRules", "load_web_rules"]

ELIGIBLE: tuple[str, ...] = ("specific", "transversal")
"""The categories that can strengthen an element."""

FIELDS: tuple[str, ...] = ("title", "objectives", "description", "theme", "carrier")
"""The fields a rule may read (``fields``)."""

TEXT_FIELDS: tuple[str, ...] = ("title", "objectives", "description")
"""The default fields, also where ``requires`` patterns are looked for."""

_ID_RE = re.compile(r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+$")
_FRAGMENT_RE = re.compile(r"<([a-z_]+)>")
_TOP_REQUIRED = frozenset({"name", "version", "model", "description", "rules"})
_TOP_OPTIONAL = frozenset({"valid_from", "last_reviewed", "fragments"})
_RULE_REQUIRED = frozenset({"id", "title", "elements", "rationale", "sources"})
_RULE_OPTIONAL = frozenset(
    {
        "categories",
        "fields",
        "patterns",
        "specific_patterns",
        "requires",
        "exclusions",
        "examples",
        "counter_examples",
        "last_reviewed",
        "notes",
    }
)


def _alternation(patterns: Sequence[str]) -> str:
    return patterns[0] if len(patterns) == 1 else "|".join(f"(?:{p})" for p in patterns)


@dataclass(frozen=True)
class WebRule:
    """One rule; ``patterns`` etc. hold the compiled regexes (fragments expanded, for normalised text)."""

    id: str
    title: str
    elements: tuple[str, ...]
    categories: tuple[str, ...]
    fields: tuple[str, ...]
    patterns: tuple[str, ...]
    specific_patterns: tuple[str, ...]
    requires: tuple[str, ...]
    exclusions: tuple[str, ...]
    examples: tuple[str, ...]
    counter_examples: tuple[str, ...]
    rationale: str
    sources: tuple[Source, ...]
    written: tuple[str, ...] = ()
    last_reviewed: str | None = None
    origin: str = ""

    @property
    def every_action(self) -> bool:
        """A rule without pattern strengthens every action of its categories."""
        return not self.patterns and not self.specific_patterns

    @property
    def regex(self) -> str | None:
        """All ``patterns`` as one regex (``None`` when there are none)."""
        return _alternation(self.patterns) if self.patterns else None

    @property
    def specific_regex(self) -> str | None:
        return _alternation(self.specific_patterns) if self.specific_patterns else None

    @property
    def exclusion_regex(self) -> str | None:
        return _alternation(self.exclusions) if self.exclusions else None


@dataclass(frozen=True)
class WebRules:
    """A validated set of rules for one model version (immutable, hashable)."""

    name: str
    version: str
    model_version: str
    description: str
    rules: tuple[WebRule, ...]
    element_order: tuple[str, ...]
    fragments: tuple[tuple[str, str], ...] = ()
    path: str = ""

    def rule(self, rule_id: str) -> WebRule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    def for_element(self, element_id: str) -> tuple[WebRule, ...]:
        """The rules that can strengthen ``element_id``."""
        return tuple(r for r in self.rules if element_id in r.elements)


# --------------------------------------------------------------------------------------------------
# validation


#: (French singular, French plural, English singular, English plural) of what a web rule lists.
_ELEMENT_WORDS = ("élément inconnu", "éléments inconnus", "unknown element", "unknown elements")
_FIELD_WORDS = ("champ inconnu", "champs inconnus", "unknown field", "unknown fields")


def _known_once(
    given: Sequence[str],
    allowed: Sequence[str],
    path: str | Path,
    rule_id: str | None,
    words: tuple[str, ...],
) -> None:
    """Every value of ``given`` is one of ``allowed`` and appears once; else one rule-file error that names
    the unknown values (the words agreeing with their number) and the accepted ones."""
    bad = [v for v in given if v not in allowed]
    if bad:
        fr = words[0] if len(bad) == 1 else words[1]
        en = words[2] if len(bad) == 1 else words[3]
        bad_s, values = ", ".join(bad), ", ".join(allowed)
        raise rule_error(
            path, rule_id, Text(f"{fr} {bad_s} ; valeurs : {values}", f"{en} {bad_s}; values: {values}")
        )
    twice = sorted({v for v in given if list(given).count(v) > 1})
    if twice:
        raise rule_error(
            path,
            rule_id,
            Text(f"cité deux fois : {', '.join(twice)}", f"given twice: {', '.join(twice)}"),
        )


def _detail(exc: BieError) -> Text:
    """The ``detail`` of a configuration error raised by a shared validator, in both languages."""
    detail = exc.params.get("detail")
    if isinstance(detail, Text):
        return detail
    text = str(detail if detail is not None else exc)
    return Text(text, text)


def _expand(pattern: str, fragments: Mapping[str, str], path: str | Path, rule_id: str) -> str:
    out = pattern
    for _ in range(5):
        names = _FRAGMENT_RE.findall(out)
        if not names:
            return out
        for name in names:
            if name not in fragments:
                raise rule_error(
                    path,
                    rule_id,
                    Text(
                        f"motif « {pattern} » : fragment inconnu <{name}>",
                        f'pattern "{pattern}": unknown fragment <{name}>',
                    ),
                )
        out = _FRAGMENT_RE.sub(lambda m: fragments[m.group(1)], out)
    raise rule_error(
        path,
        rule_id,
        Text(
            f"motif « {pattern} » : fragments imbriqués trop profondément",
            f'pattern "{pattern}": fragments nested too deeply',
        ),
    )


def _patterns(
    raw: Mapping[str, Any], key: str, fragments: Mapping[str, str], path: str | Path, rule_id: str
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(written, compiled) patterns of ``raw[key]``; each compiled pattern is checked."""
    if raw.get(key) is None:
        return (), ()
    written = str_list(raw[key], path, rule_id, key)
    compiled = []
    for p in written:
        expanded = _expand(p, fragments, path, rule_id)
        try:
            compiled.append(check_pattern(expanded, path, rule_id))
        except RulesError as exc:
            detail = _detail(exc)
            if expanded != p:  # show the pattern as written, with its <fragments>
                detail = Text(detail.fr.replace(expanded, p), detail.en.replace(expanded, p))
            raise rule_error(path, None, detail) from exc
    return written, tuple(compiled)


def _matches(text: str, regex: str, exclusion: str | None) -> bool:
    """Whether ``regex`` finds ``text`` once normalised, the ``exclusion`` spans being masked first."""
    from bie.tagging.engine import mask_series

    series = pl.Series("t", [normalize_text(text) or ""], dtype=pl.String)
    if exclusion is not None:
        series = mask_series(series, exclusion)
    return bool(series.str.contains(regex).item())


def _parse_rule(raw: Any, path: str | Path, fragments: Mapping[str, str], elements: Sequence[str]) -> WebRule:
    if not isinstance(raw, dict):
        raise rule_error(
            path,
            None,
            Text(
                "chaque règle est un objet (id, title, elements, patterns…)",
                "each rule is an object (id, title, elements, patterns…)",
            ),
        )
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not _ID_RE.match(rule_id):
        raise rule_error(
            path,
            None,
            Text(
                f"identifiant de règle invalide {rule_id!r} (ex. TOILE-STAFF-01)",
                f"invalid rule id {rule_id!r} (e.g. TOILE-STAFF-01)",
            ),
        )
    problem = key_problem(raw, _RULE_REQUIRED, _RULE_OPTIONAL)
    if problem is not None:
        raise rule_error(path, rule_id, problem)
    title = raw["title"]
    if not isinstance(title, str) or not title.strip():
        raise rule_error(
            path, rule_id, Text("« title » doit être un texte non vide", '"title" must be a non-empty text')
        )
    rationale = raw["rationale"]
    if not isinstance(rationale, str) or not rationale.strip():
        raise rule_error(
            path,
            rule_id,
            Text("« rationale » doit être un texte non vide", '"rationale" must be a non-empty text'),
        )
    rule_elements = str_list(raw["elements"], path, rule_id, "elements")
    _known_once(rule_elements, elements, path, rule_id, _ELEMENT_WORDS)
    categories = str_list(raw.get("categories", list(ELIGIBLE)), path, rule_id, "categories")
    bad = [c for c in categories if c not in ELIGIBLE]
    if bad:
        raise rule_error(
            path,
            rule_id,
            Text(
                f"catégorie(s) {', '.join(bad)} impossible(s) : seule une action spécifique ou transversale "
                "renforce un élément",
                f"category(ies) {', '.join(bad)} not possible: only a specific or mainstreamed action "
                "strengthens an element",
            ),
        )
    written, patterns = _patterns(raw, "patterns", fragments, path, rule_id)
    written_spec, specific = _patterns(raw, "specific_patterns", fragments, path, rule_id)
    if specific and "specific" not in categories:
        raise rule_error(
            path,
            rule_id,
            Text(
                "« specific_patterns » demande la catégorie specific",
                '"specific_patterns" requires the category specific',
            ),
        )
    _, requires = _patterns(raw, "requires", fragments, path, rule_id)
    _, exclusions = _patterns(raw, "exclusions", fragments, path, rule_id)
    has_patterns = bool(patterns or specific)
    fields_raw = raw.get("fields")
    fields = TEXT_FIELDS if fields_raw is None else str_list(fields_raw, path, rule_id, "fields")
    _known_once(fields, FIELDS, path, rule_id, _FIELD_WORDS)
    if not has_patterns:
        extra = [k for k in ("fields", "requires", "exclusions", "examples", "counter_examples") if k in raw]
        if extra:
            keys = ", ".join(extra)
            raise rule_error(
                path,
                rule_id,
                Text(f"une règle sans motif n'a pas de {keys}", f"a rule without patterns has no {keys}"),
            )
        if "categories" not in raw:
            raise rule_error(
                path,
                rule_id,
                Text(
                    "une règle sans motif doit dire ses « categories »",
                    'a rule without patterns must state its "categories"',
                ),
            )
    examples: tuple[str, ...] = ()
    counter: tuple[str, ...] = ()
    if has_patterns:
        if raw.get("examples") is None:
            raise rule_error(
                path,
                rule_id,
                Text(
                    "« examples » : au moins un texte que les motifs reconnaissent",
                    '"examples": at least one text the patterns recognise',
                ),
            )
        examples = str_list(raw["examples"], path, rule_id, "examples")
        if raw.get("counter_examples") is not None:
            counter = str_list(raw["counter_examples"], path, rule_id, "counter_examples")
        every = _alternation(patterns + specific)
        excl = _alternation(exclusions) if exclusions else None
        for ex in examples:
            if not _matches(ex, every, excl):
                raise rule_error(
                    path,
                    rule_id,
                    Text(
                        f"l'exemple « {ex} » n'est reconnu par aucun motif",
                        f'the example "{ex}" is recognised by no pattern',
                    ),
                )
        for ex in counter:
            if patterns and _matches(ex, _alternation(patterns), excl):
                raise rule_error(
                    path,
                    rule_id,
                    Text(
                        f"le contre-exemple « {ex} » est reconnu par un motif",
                        f'the counter-example "{ex}" is recognised by a pattern',
                    ),
                )
    sources = _rule_sources(raw["sources"], path, rule_id)
    last = raw.get("last_reviewed")
    return WebRule(
        id=rule_id,
        title=" ".join(title.split()),
        elements=tuple(e for e in elements if e in rule_elements),
        categories=tuple(c for c in ELIGIBLE if c in categories),
        fields=tuple(f for f in FIELDS if f in fields),
        patterns=patterns,
        specific_patterns=specific,
        requires=requires,
        exclusions=exclusions,
        examples=examples,
        counter_examples=counter,
        rationale=" ".join(rationale.split()),
        sources=sources,
        written=written + written_spec,
        last_reviewed=str(last) if last is not None else None,
        origin=str(path),
    )


def _rule_sources(raw: Any, path: str | Path, rule_id: str) -> tuple[Source, ...]:
    from bie.errors import ConfigError

    try:
        return parse_sources(raw, path, None)
    except ConfigError as exc:
        raise rule_error(path, rule_id, _detail(exc)) from exc


def _load(path: Path, model: WebModel) -> WebRules:
    raw = load_yaml_file(path, RulesError)
    if not isinstance(raw, dict):
        raise rule_error(
            path,
            None,
            Text(
                "le fichier doit être un objet {name, version, model, rules…}",
                "the file must be an object {name, version, model, rules…}",
            ),
        )
    problem = key_problem(raw, _TOP_REQUIRED, _TOP_OPTIONAL)
    if problem is not None:
        raise rule_error(path, None, problem)
    version = raw["version"]
    if not isinstance(version, str) or not re.match(r"^\d{4}\.\d+$", version):
        raise rule_error(
            path,
            None,
            Text(
                f"« version » doit s'écrire AAAA.N entre guillemets (trouvé {version!r})",
                f'"version" must be written YYYY.N in quotes (found {version!r})',
            ),
        )
    if raw["model"] != model.version:
        raise rule_error(
            path,
            None,
            Text(
                f"règles écrites pour le modèle {raw['model']!r}, modèle chargé {model.version!r}",
                f"rules written for model {raw['model']!r}, model loaded {model.version!r}",
            ),
        )
    fragments_raw = raw.get("fragments") or {}
    if not isinstance(fragments_raw, dict) or not all(
        isinstance(k, str) and re.match(r"^[a-z_]+$", k) and isinstance(v, str) and v.strip()
        for k, v in fragments_raw.items()
    ):
        raise rule_error(
            path,
            None,
            Text(
                "« fragments » : un objet {nom en minuscules: morceau de motif}",
                '"fragments": an object {lower-case name: piece of pattern}',
            ),
        )
    fragments = {k: v.strip() for k, v in fragments_raw.items()}
    rules_raw = raw["rules"]
    if not isinstance(rules_raw, list) or not rules_raw:
        raise rule_error(
            path,
            None,
            Text(
                "« rules » doit être une liste de règles non vide",
                '"rules" must be a non-empty list of rules',
            ),
        )
    ids = model.ids
    rules = [_parse_rule(r, path, fragments, ids) for r in rules_raw]
    seen: set[str] = set()
    for r in rules:
        if r.id in seen:
            raise rule_error(path, r.id, Text("identifiant déjà utilisé", "id already used"))
        seen.add(r.id)
    description = raw["description"]
    return WebRules(
        name=str(raw["name"]),
        version=version,
        model_version=str(raw["model"]),
        description=" ".join(str(description).split()),
        rules=tuple(rules),
        element_order=ids,
        fragments=tuple(sorted(fragments.items())),
        path=str(path),
    )


@functools.lru_cache(maxsize=8)
def _builtin(model: WebModel) -> WebRules:
    return _load(data_path("web_rules.yaml"), model)


def load_web_rules(path: str | Path | None = None, model: WebModel | None = None) -> WebRules:
    """Load and validate the rules: the built-in ``bie/data/web_rules.yaml`` (cached) or ``path``.

    ``model``: the model whose element ids the rules must use (the built-in one by default).
    """
    model = model or load_model()
    if path is None:
        return _builtin(model)
    return _load(Path(path), model)
