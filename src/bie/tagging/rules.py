"""Rule packs: loading, strict validation, local overlays.

A pack is a folder with an ``index.yaml`` (name, version, validity, categories and their marker/weight
scale, settings) and one YAML file per theme, each a list of rules. The built-in pack lives in
``bie/data/rules``. Overlays (``load_rules(extra=[...])``) add rules, replace rules with the same id and
disable rules by id; the pack version then reads ``2026.2+local``.

Everything is validated on load: unknown keys, missing sources, malformed dates, bad or empty-matching
regexes, duplicate ids all raise :class:`bie.errors.RulesError` naming the file and the rule id.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import polars as pl

from bie.errors import RulesError, Text
from bie.resources import data_path, key_problem, load_yaml_file
from bie.tagging.normalize import ascii_boundaries, fold_pattern_text

__all__ = [
    "CATEGORIES",
    "EVIDENCE_KINDS",
    "FIELDS",
    "STRENGTHS",
    "ZONES",
    "Category",
    "ChangelogEntry",
    "Overlay",
    "PackSettings",
    "Rule",
    "RulePack",
    "Source",
    "compile_pattern",
    "load_rules",
]

CATEGORIES: tuple[str, ...] = ("specific", "transversal", "not_integrated", "to_review")
"""The four tags, from the strongest integration of equality to « a person must look »."""

ZONES: tuple[str, ...] = ("title", "objective_main", "objective_rest", "description")
"""Where evidence is read: the title, the first sentence of the objectives, the other sentences, the
description. Position matters: an aim in ``title`` or ``objective_main`` makes an action specific."""

FIELDS: tuple[str, ...] = ("title", "objectives", "description")
"""Whole source fields, read by the kinds that act on a field (trap, negation, vague)."""

EVIDENCE_KINDS: dict[str, str] = {
    "aim": "objectif d'égalité (spécifique s'il est dans le titre ou l'objectif principal)",
    "measure": "mesure concrète d'égalité (transversale)",
    "audience_women": "public féminin explicite",
    "audience_men": "public masculin explicite",
    "audience_mixed": "public mixte explicite",
    "trap": "piège lexical : neutralise le passage avant la recherche des preuves",
    "negation": "négation explicite : neutralise le passage et compte comme preuve contraire",
    "ambiguous": "mention d'égalité ou de mixité sans dire entre qui",
    "clause": "marqueur d'incise : ce qui suit est secondaire",
    "vague": "intitulé générique ou texte de remplissage",
    "declaration": "lecture de l'égalité déclarée par le porteur",
}
"""Evidence kinds and what they mean (French, shown in the documentation)."""

FIELD_KINDS = frozenset({"trap", "negation", "vague"})
ZONE_KINDS = frozenset({"aim", "measure", "audience_women", "audience_men", "audience_mixed", "ambiguous"})
LEAD_ZONES: tuple[str, ...] = ("title", "objective_main")

STRENGTHS: dict[str, int] = {"weak": 1, "medium": 2, "strong": 3}

DECLARED_CATEGORIES: tuple[str, ...] = ("specific", "transversal", "not_integrated", "unknown")
"""What a declaration rule may read: a category, or ``unknown`` (« non renseigné »: nothing declared)."""

_RULE_KEYS_REQUIRED = frozenset(
    {"id", "title", "evidence", "patterns", "rationale", "sources", "valid_from", "last_reviewed"}
)
_RULE_KEYS_OPTIONAL = frozenset(
    {
        "title_en",
        "exclusions",
        "zones",
        "strength",
        "valid_until",
        "category",
        "accepts",
        "notes",
        "examples",
        "open_public_only",
    }
)
_SOURCE_KEYS = frozenset({"title", "href", "file", "date", "section"})
_ID_RE = re.compile(r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+$")
_INDEX_KEYS_REQUIRED = frozenset({"name", "version", "valid_from", "description", "categories"})
_INDEX_KEYS_OPTIONAL = frozenset(
    {"last_reviewed", "settings", "sources", "files", "evidence_kinds", "changelog"}
)
_CHANGELOG_KEYS = frozenset({"version", "date", "changes"})
_CATEGORY_KEYS = frozenset({"fr", "en", "dac_marker", "eu_weight", "description"})
_SETTINGS_KEYS = frozenset(
    {"objective_heading", "bare_title_max_words", "empty_min_letters", "lead_women", "confidence"}
)
_OVERLAY_KEYS = frozenset({"overlay", "disable", "rules"})
_OVERLAY_META_KEYS = frozenset({"name", "version", "description", "valid_from", "author"})


@dataclass(frozen=True)
class Source:
    """Where a rule comes from: a public page (``href``) or a file of the project's reference folder."""

    title: str
    href: str | None = None
    file: str | None = None
    date: str | None = None
    section: str | None = None


@dataclass(frozen=True)
class Rule:
    """One rule: patterns for normalised text, the evidence it gives, where it reads, why, and sources."""

    id: str
    title: str
    evidence: str
    patterns: tuple[str, ...]
    zones: tuple[str, ...]
    strength: str
    rationale: str
    sources: tuple[Source, ...]
    valid_from: dt.date
    last_reviewed: dt.date
    exclusions: tuple[str, ...] = ()
    valid_until: dt.date | None = None
    category: str | None = None
    accepts: tuple[str, ...] = ()
    notes: str | None = None
    origin: str = ""
    open_public_only: bool = False
    title_en: str = ""
    """The title in English (``title_en``): required in the built-in pack, optional in a local overlay,
    where the French title stands in for it."""
    """Measure that only counts in an action open to both sexes: ignored when the title names women
    (« Café des mamans »: going to fetch mothers is then the public, not a measure)."""

    def title_in(self, lang: str = "fr") -> str:
        """The title in ``lang`` (``fr`` or ``en``); the French one when the rule has no English title."""
        return self.title_en if lang == "en" and self.title_en else self.title

    @property
    def regex(self) -> str:
        """The compiled pattern (all patterns as one alternation), for normalised text."""
        return _alternation(self.patterns)

    @property
    def exclusion_regex(self) -> str | None:
        return _alternation(self.exclusions) if self.exclusions else None

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


@dataclass(frozen=True)
class ChangelogEntry:
    """One version of the pack and what changed (French), from ``changelog`` in ``index.yaml``."""

    version: str
    date: dt.date
    changes: tuple[str, ...]


@dataclass(frozen=True)
class Category:
    """A tag with its labels and its value on the OECD-DAC marker and EU weight scales."""

    id: str
    fr: str
    en: str
    dac_marker: int | None
    eu_weight: float | None
    description: str = ""


@dataclass(frozen=True)
class PackSettings:
    """Settings of the decision that are data, not code (see ``index.yaml``)."""

    objective_heading: str = r"^\W*objectifs?(?:[ \t]+[a-z]+){0,3}[^a-z\n]*\n"
    bare_title_max_words: int = 2
    empty_min_letters: int = 3
    lead_women: str | None = None
    confidence_items: tuple[tuple[str, float], ...] = ()

    @property
    def confidence(self) -> dict[str, float]:
        """The coefficients of the confidence formula (``settings.confidence`` in ``index.yaml``)."""
        return dict(self.confidence_items)


@dataclass(frozen=True)
class Overlay:
    """A local file merged over the pack."""

    name: str
    version: str
    path: str
    description: str = ""
    disabled: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    replaced: tuple[str, ...] = ()


@dataclass(frozen=True)
class RulePack:
    """A validated, versioned set of rules (immutable; hashable, so compiled forms can be cached)."""

    name: str
    version: str
    base_version: str
    valid_from: dt.date
    description: str
    categories: tuple[Category, ...]
    rules: tuple[Rule, ...]
    settings: PackSettings = field(default_factory=PackSettings)
    overlays: tuple[Overlay, ...] = ()
    path: str = ""
    changelog: tuple[ChangelogEntry, ...] = ()

    @property
    def full_version(self) -> str:
        """The version with the overlays' names and versions, e.g. ``2026.2+local (poitiers 3)``."""
        if not self.overlays:
            return self.version
        names = ", ".join(f"{o.name} {o.version}" for o in self.overlays)
        return f"{self.version} ({names})"

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    def rule_title(self, rule_id: str, lang: str = "fr") -> str:
        """What a reason id means, in ``lang``: a rule's title, or the words of a reason the engine adds
        itself (``REVIEW-…``: why the action is to review; ``PORTEUR-…``: the carrier organisation;
        ``override``: a manual decision). An unknown id is returned as it is."""
        return _rule_titles(self, lang).get(rule_id, rule_id)

    def rule_titles(self, lang: str = "fr") -> dict[str, str]:
        """:meth:`rule_title` for every id a ``reasons`` column may hold (e.g. for ``pl.Expr.replace``)."""
        return dict(_rule_titles(self, lang))

    def by_kind(self, *kinds: str) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.evidence in kinds)

    def category(self, cat_id: str) -> Category:
        for c in self.categories:
            if c.id == cat_id:
                return c
        raise KeyError(cat_id)


@functools.lru_cache(maxsize=16)
def _rule_titles(pack: RulePack, lang: str) -> dict[str, str]:
    from bie.resources import load_data
    from bie.tagging.carriers import load_carriers
    from bie.tagging.engine import REVIEW_REASONS

    labels = load_data("labels.yaml")
    lang = "en" if lang == "en" else "fr"
    out = {r.id: r.title_in(lang) for r in pack.rules}
    for step, reason_id in REVIEW_REASONS.items():
        out.setdefault(reason_id, str(labels["review_reasons"][step][lang]))
    for org in load_carriers().organisations:
        out.setdefault(org.id, org.name_in(lang))
    for reason_id, words in labels["reason_titles"].items():
        out.setdefault(str(reason_id), str(words[lang]))
    return out


def _alternation(patterns: Sequence[str]) -> str:
    compiled = [compile_pattern(p) for p in patterns]
    return compiled[0] if len(compiled) == 1 else "|".join(f"(?:{p})" for p in compiled)


@functools.lru_cache(maxsize=4096)
def compile_pattern(pattern: str) -> str:
    """Turn a pattern as written in a rule file into the regex run on normalised text.

    Accented letters are folded (:func:`fold_pattern_text`); outside character classes, a run of spaces,
    hyphens or apostrophes becomes ``[\\s,]+`` (punctuation is a space in normalised text, commas are kept,
    and several spaces may follow each other).
    """
    folded = fold_pattern_text(pattern)
    out: list[str] = []
    in_class = False
    escaped = False
    i = 0
    while i < len(folded):
        ch = folded[i]
        if escaped:
            out.append(ch)
            escaped = False
        elif ch == "\\":
            out.append(ch)
            escaped = True
        elif in_class:
            out.append(ch)
            if ch == "]":
                in_class = False
        elif ch == "[":
            out.append(ch)
            in_class = True
            # a ']' right after '[' or '[^' is a literal
            if folded[i + 1 : i + 2] == "^":
                out.append("^")
                i += 1
            if folded[i + 1 : i + 2] == "]":
                out.append("]")
                i += 1
        elif ch in " -'’":
            while i + 1 < len(folded) and folded[i + 1] in " -'’":
                i += 1
            # « x ?y » means an optional space: keep its meaning (\s*), not « \s+? » (lazy, not optional)
            nxt = folded[i + 1 : i + 2]
            if nxt in ("?", "*"):
                out.append(r"[\s,]*")
                i += 1
            else:
                out.append(r"[\s,]+")
                if nxt == "+":
                    i += 1
        else:
            out.append(ch)
        i += 1
    return ascii_boundaries("".join(out))


# --------------------------------------------------------------------------------------------------
# validation helpers


def rule_error(path: str | Path, rule_id: str | None, detail: Text) -> RulesError:
    """A rule-file error (rule pack or web rules) naming the file and, when known, the rule; ``detail`` in
    French and English."""
    if not rule_id:
        return RulesError(path, detail=detail)
    return RulesError(path, detail=Text(f"règle {rule_id} : {detail.fr}", f"rule {rule_id}: {detail.en}"))


def _as_date(value: Any, path: str | Path, rule_id: str | None, key: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise rule_error(
        path,
        rule_id,
        Text(
            f"« {key} » doit être une date AAAA-MM-JJ (trouvé {value!r})",
            f'"{key}" must be a YYYY-MM-DD date (found {value!r})',
        ),
    )


def _as_str(value: Any, path: str | Path, rule_id: str | None, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise rule_error(
            path, rule_id, Text(f"« {key} » doit être un texte non vide", f'"{key}" must be a non-empty text')
        )
    return value.strip()


def str_list(value: Any, path: str | Path, rule_id: str | None, key: str) -> tuple[str, ...]:
    """A non-empty list of non-blank texts (one text stands for a list of one), or a rule-file error."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise rule_error(
            path,
            rule_id,
            Text(
                f"« {key} » doit être une liste de textes non vide",
                f'"{key}" must be a non-empty list of texts',
            ),
        )
    return tuple(value)


_PROBES = ("", "a", " a b ", "x\ny", "egalite femmes hommes")


def check_pattern(pattern: str, path: str | Path, rule_id: str | None) -> str:
    """Validate one pattern as written in a rule file; return its compiled form."""
    stripped = re.sub(r"\\.", "", pattern)
    if "(?i" in pattern or re.search(r"\(\?[a-z]*i", pattern):
        raise rule_error(
            path,
            rule_id,
            Text(
                f"motif « {pattern} » : pas de drapeau (?i), le texte est déjà en minuscules",
                f'pattern "{pattern}": no (?i) flag, the text is already in lower case',
            ),
        )
    if re.search(r"[A-Z]", stripped):
        raise rule_error(
            path,
            rule_id,
            Text(
                f"motif « {pattern} » : écrire en minuscules (le texte normalisé est en minuscules ; "
                "les majuscules y marquent les passages neutralisés)",
                f'pattern "{pattern}": write it in lower case (the normalised text is in lower case; '
                "capitals mark the neutralised passages there)",
            ),
        )
    compiled = compile_pattern(pattern)
    try:
        probe = pl.Series("p", _PROBES, dtype=pl.String)
        empty = probe.str.extract_all(compiled)
    except (pl.exceptions.ComputeError, pl.exceptions.PolarsError) as exc:
        first = str(exc).strip().splitlines()
        detail = " ".join(line.strip() for line in first[:6] if line.strip())
        raise rule_error(
            path,
            rule_id,
            Text(f"motif « {pattern} » invalide ({detail})", f'invalid pattern "{pattern}" ({detail})'),
        ) from exc
    for matches in empty.to_list():
        if matches and any(m == "" for m in matches):
            raise rule_error(
                path,
                rule_id,
                Text(
                    f"motif « {pattern} » : il peut correspondre à un texte vide",
                    f'pattern "{pattern}": it can match an empty text',
                ),
            )
    return compiled


def _parse_source(raw: Any, path: str | Path, rule_id: str | None) -> Source:
    if not isinstance(raw, dict):
        raise rule_error(
            path,
            rule_id,
            Text(
                "chaque source doit être un objet {title, href ou file, date}",
                "each source must be an object {title, href or file, date}",
            ),
        )
    unknown = set(raw) - _SOURCE_KEYS
    if unknown:
        keys = ", ".join(sorted(map(str, unknown)))
        raise rule_error(
            path, rule_id, Text(f"clé(s) de source inconnue(s) : {keys}", f"unknown source key(s): {keys}")
        )
    title = _as_str(raw.get("title"), path, rule_id, "sources.title")
    href = raw.get("href")
    file = raw.get("file")
    if not href and not file:
        raise rule_error(
            path,
            rule_id,
            Text(
                f"la source « {title} » n'a ni « href » ni « file »",
                f'source "{title}" has neither "href" nor "file"',
            ),
        )
    if href is not None and (not isinstance(href, str) or not re.match(r"^https?://", href)):
        raise rule_error(
            path,
            rule_id,
            Text(
                f"la source « {title} » a un « href » qui n'est pas une adresse http(s)",
                f'source "{title}" has an "href" that is not an http(s) address',
            ),
        )
    if file is not None and not isinstance(file, str):
        raise rule_error(
            path,
            rule_id,
            Text(f"la source « {title} » a un « file » invalide", f'source "{title}" has an invalid "file"'),
        )
    date = raw.get("date")
    date_s = _as_date(date, path, rule_id, "sources.date").isoformat() if date is not None else None
    section = raw.get("section")
    return Source(
        title=title,
        href=href,
        file=file,
        date=date_s,
        section=str(section) if section is not None else None,
    )


def parse_rule(raw: Any, path: str | Path, *, require_en: bool = False) -> Rule:
    """Validate one rule mapping read from ``path`` (``require_en``: ``title_en`` is compulsory, as in the
    built-in pack)."""
    if not isinstance(raw, dict):
        raise rule_error(
            path,
            None,
            Text(
                "chaque règle doit être un objet (id, title, evidence, patterns…)",
                "each rule must be an object (id, title, evidence, patterns…)",
            ),
        )
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not _ID_RE.match(rule_id):
        raise rule_error(
            path,
            None,
            Text(
                f"identifiant de règle invalide {rule_id!r} (ex. SPEC-VSS-01)",
                f"invalid rule id {rule_id!r} (e.g. SPEC-VSS-01)",
            ),
        )
    problem = key_problem(raw, _RULE_KEYS_REQUIRED, _RULE_KEYS_OPTIONAL)
    if problem is not None:
        raise rule_error(path, rule_id, problem)
    evidence = raw["evidence"]
    if evidence not in EVIDENCE_KINDS:
        kinds = ", ".join(EVIDENCE_KINDS)
        raise rule_error(
            path,
            rule_id,
            Text(
                f"« evidence » inconnue {evidence!r} ; valeurs : {kinds}",
                f'unknown "evidence" {evidence!r}; values: {kinds}',
            ),
        )
    title = _as_str(raw["title"], path, rule_id, "title")
    if require_en and "title_en" not in raw:
        raise rule_error(
            path,
            rule_id,
            Text(
                "« title_en » (le titre en anglais) est obligatoire dans le jeu fourni avec bie",
                '"title_en" (the English title) is required in the pack shipped with bie',
            ),
        )
    title_en = _as_str(raw["title_en"], path, rule_id, "title_en") if "title_en" in raw else ""
    rationale = _as_str(raw["rationale"], path, rule_id, "rationale")
    patterns = str_list(raw["patterns"], path, rule_id, "patterns")
    for p in patterns:
        check_pattern(p, path, rule_id)
    exclusions: tuple[str, ...] = ()
    if raw.get("exclusions") is not None:
        exclusions = str_list(raw["exclusions"], path, rule_id, "exclusions")
        for p in exclusions:
            check_pattern(p, path, rule_id)
    # zones
    if evidence in FIELD_KINDS:
        allowed: tuple[str, ...] = FIELDS
    elif evidence == "clause":
        allowed = LEAD_ZONES
    elif evidence == "declaration":
        allowed = ("declared_equality",)
    else:
        allowed = ZONES
    zones_raw = raw.get("zones")
    zones = allowed if zones_raw is None else str_list(zones_raw, path, rule_id, "zones")
    bad = [z for z in zones if z not in allowed]
    if bad:
        bad_s, allowed_s = ", ".join(bad), ", ".join(allowed)
        raise rule_error(
            path,
            rule_id,
            Text(
                f"zone(s) {bad_s} impossible(s) pour « {evidence} » ; valeurs : {allowed_s}",
                f'zone(s) {bad_s} not possible for "{evidence}"; values: {allowed_s}',
            ),
        )
    if len(set(zones)) != len(zones):
        raise rule_error(path, rule_id, Text("zone en double", "zone given twice"))
    zones = tuple(z for z in allowed if z in zones)  # canonical order
    strength = raw.get("strength", "medium")
    if strength not in STRENGTHS:
        raise rule_error(
            path,
            rule_id,
            Text(
                f"« strength » doit valoir strong, medium ou weak (trouvé {strength!r})",
                f'"strength" must be strong, medium or weak (found {strength!r})',
            ),
        )
    if evidence in ("aim", "measure") and "strength" not in raw:
        raise rule_error(
            path,
            rule_id,
            Text(
                "« strength » est obligatoire pour une preuve aim ou measure",
                '"strength" is required for aim or measure evidence',
            ),
        )
    sources_raw = raw["sources"]
    if not isinstance(sources_raw, list) or not sources_raw:
        raise rule_error(
            path,
            rule_id,
            Text("« sources » doit être une liste non vide", '"sources" must be a non-empty list'),
        )
    sources = tuple(_parse_source(s, path, rule_id) for s in sources_raw)
    valid_from = _as_date(raw["valid_from"], path, rule_id, "valid_from")
    last_reviewed = _as_date(raw["last_reviewed"], path, rule_id, "last_reviewed")
    valid_until = (
        _as_date(raw["valid_until"], path, rule_id, "valid_until")
        if raw.get("valid_until") is not None
        else None
    )
    if valid_until is not None and valid_until < valid_from:
        raise rule_error(
            path,
            rule_id,
            Text("« valid_until » précède « valid_from »", '"valid_until" is before "valid_from"'),
        )
    category = raw.get("category")
    accepts: tuple[str, ...] = ()
    if evidence == "declaration":
        if category not in DECLARED_CATEGORIES:
            values = ", ".join(DECLARED_CATEGORIES)
            raise rule_error(
                path,
                rule_id,
                Text(
                    f"une règle de déclaration doit avoir « category » : {values}",
                    f'a declaration rule must have a "category": {values}',
                ),
            )
        if category == "unknown":
            accepts = ()
        elif "accepts" in raw:
            accepts = str_list(raw["accepts"], path, rule_id, "accepts")
        else:
            accepts = (category,)
        bad = [a for a in accepts if a not in CATEGORIES or a == "to_review"]
        if bad:
            bad_s = ", ".join(bad)
            raise rule_error(
                path,
                rule_id,
                Text(
                    f"« accepts » : catégorie(s) inconnue(s) {bad_s}",
                    f'"accepts": unknown category(ies) {bad_s}',
                ),
            )
    elif category is not None or "accepts" in raw:
        raise rule_error(
            path,
            rule_id,
            Text(
                "« category » et « accepts » ne valent que pour les règles de déclaration",
                '"category" and "accepts" only apply to declaration rules',
            ),
        )
    notes = raw.get("notes")
    open_public_only = raw.get("open_public_only", False)
    if not isinstance(open_public_only, bool):
        raise rule_error(
            path,
            rule_id,
            Text("« open_public_only » vaut true ou false", '"open_public_only" is true or false'),
        )
    if open_public_only and evidence != "measure":
        raise rule_error(
            path,
            rule_id,
            Text(
                "« open_public_only » ne vaut que pour les règles measure",
                '"open_public_only" only applies to measure rules',
            ),
        )
    return Rule(
        id=rule_id,
        title=title,
        evidence=evidence,
        patterns=patterns,
        zones=zones,
        strength=strength,
        rationale=rationale,
        sources=sources,
        valid_from=valid_from,
        last_reviewed=last_reviewed,
        exclusions=exclusions,
        valid_until=valid_until,
        category=category,
        accepts=accepts,
        notes=str(notes) if notes is not None else None,
        origin=str(path),
        open_public_only=open_public_only,
        title_en=title_en,
    )


def _parse_rule_list(raw: Any, path: str | Path, *, require_en: bool = False) -> list[Rule]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise rule_error(
            path,
            None,
            Text("le fichier doit contenir une liste de règles", "the file must hold a list of rules"),
        )
    return [parse_rule(item, path, require_en=require_en) for item in raw]


def _check_unique(rules: Iterable[Rule]) -> None:
    seen: dict[str, str] = {}
    for r in rules:
        if r.id in seen:
            raise rule_error(
                r.origin,
                r.id,
                Text(f"identifiant déjà utilisé dans {seen[r.id]}", f"id already used in {seen[r.id]}"),
            )
        seen[r.id] = r.origin


def _parse_categories(raw: Any, path: Path) -> tuple[Category, ...]:
    if not isinstance(raw, dict) or set(raw) != set(CATEGORIES):
        cats_s = ", ".join(CATEGORIES)
        raise rule_error(
            path,
            None,
            Text(
                f"« categories » doit décrire exactement : {cats_s}",
                f'"categories" must describe exactly: {cats_s}',
            ),
        )
    cats = []
    for cat_id in CATEGORIES:
        entry = raw[cat_id]
        if not isinstance(entry, dict) or set(entry) - _CATEGORY_KEYS or not {"fr", "en"} <= set(entry):
            raise rule_error(
                path,
                None,
                Text(
                    f"catégorie {cat_id} : clés attendues fr, en, dac_marker, eu_weight, description",
                    f"category {cat_id}: expected keys fr, en, dac_marker, eu_weight, description",
                ),
            )
        marker = entry.get("dac_marker")
        weight = entry.get("eu_weight")
        if marker is not None and marker not in (0, 1, 2):
            raise rule_error(
                path,
                None,
                Text(
                    f"catégorie {cat_id} : dac_marker doit valoir 0, 1, 2 ou null",
                    f"category {cat_id}: dac_marker must be 0, 1, 2 or null",
                ),
            )
        if weight is not None and not (isinstance(weight, int | float) and 0 <= weight <= 1):
            raise rule_error(
                path,
                None,
                Text(
                    f"catégorie {cat_id} : eu_weight doit être entre 0 et 1 ou null",
                    f"category {cat_id}: eu_weight must be between 0 and 1 or null",
                ),
            )
        cats.append(
            Category(
                id=cat_id,
                fr=str(entry["fr"]),
                en=str(entry["en"]),
                dac_marker=marker,
                eu_weight=float(weight) if weight is not None else None,
                description=str(entry.get("description", "")),
            )
        )
    return tuple(cats)


def _parse_settings(raw: Any, path: Path) -> PackSettings:
    if raw is None:
        return PackSettings()
    if not isinstance(raw, dict) or set(raw) - _SETTINGS_KEYS:
        keys = ", ".join(sorted(_SETTINGS_KEYS))
        raise rule_error(
            path, None, Text(f"« settings » : clés possibles {keys}", f'"settings": possible keys {keys}')
        )
    base = PackSettings()
    heading = raw.get("objective_heading", base.objective_heading)
    check_pattern(heading, path, "settings.objective_heading")
    lead_women = raw.get("lead_women")
    if lead_women is not None:
        check_pattern(lead_women, path, "settings.lead_women")
    words = raw.get("bare_title_max_words", base.bare_title_max_words)
    letters = raw.get("empty_min_letters", base.empty_min_letters)
    if not isinstance(words, int) or not isinstance(letters, int) or words < 0 or letters < 0:
        raise rule_error(
            path,
            None,
            Text(
                "« settings » : bare_title_max_words et empty_min_letters sont des entiers positifs",
                '"settings": bare_title_max_words and empty_min_letters are positive integers',
            ),
        )
    conf = raw.get("confidence", {})
    if not isinstance(conf, dict) or not all(isinstance(v, int | float) for v in conf.values()):
        raise rule_error(
            path, None, Text("« settings.confidence » : des nombres", '"settings.confidence": numbers')
        )
    return PackSettings(
        objective_heading=heading,
        bare_title_max_words=words,
        empty_min_letters=letters,
        lead_women=lead_women,
        confidence_items=tuple(sorted((str(k), float(v)) for k, v in conf.items())),
    )


def _parse_changelog(raw: Any, path: Path, version: str) -> tuple[ChangelogEntry, ...]:
    """``changelog``: a list of ``{version, date, changes}``, newest first; the first is the pack version."""
    if raw is None:
        return ()
    if not isinstance(raw, list) or not raw:
        raise rule_error(
            path,
            None,
            Text(
                "« changelog » est une liste de {version, date, changes}",
                '"changelog" is a list of {version, date, changes}',
            ),
        )
    entries: list[ChangelogEntry] = []
    for item in raw:
        if not isinstance(item, dict):
            raise rule_error(
                path,
                None,
                Text(
                    "« changelog » : chaque entrée est un objet {version, date, changes}",
                    '"changelog": each entry is an object {version, date, changes}',
                ),
            )
        unknown = set(item) - _CHANGELOG_KEYS
        missing = _CHANGELOG_KEYS - set(item)
        if unknown or missing:
            detail = ", ".join(sorted(map(str, unknown | missing)))
            raise rule_error(
                path,
                None,
                Text(
                    f"« changelog » : clé(s) inconnue(s) ou manquante(s) : {detail}",
                    f'"changelog": unknown or missing key(s): {detail}',
                ),
            )
        entries.append(
            ChangelogEntry(
                version=_as_str(item["version"], path, None, "changelog.version"),
                date=_as_date(item["date"], path, None, "changelog.date"),
                changes=str_list(item["changes"], path, None, "changelog.changes"),
            )
        )
    if entries[0].version != version:
        raise rule_error(
            path,
            None,
            Text(
                f"« changelog » : la première entrée ({entries[0].version}) doit être la version du jeu "
                f"({version})",
                f'"changelog": the first entry ({entries[0].version}) must be the pack version ({version})',
            ),
        )
    return tuple(entries)


def load_pack_dir(folder: Path, *, require_en: bool = False) -> RulePack:
    """Load and validate the pack in ``folder`` (``index.yaml`` plus every other ``*.yaml``, sorted).
    ``require_en``: every rule must have its English title (the built-in pack)."""
    index_path = folder / "index.yaml"
    index = load_yaml_file(index_path, RulesError)
    if not isinstance(index, dict):
        raise rule_error(
            index_path, None, Text("index.yaml doit être un objet", "index.yaml must be an object")
        )
    problem = key_problem(index, _INDEX_KEYS_REQUIRED, _INDEX_KEYS_OPTIONAL)
    if problem is not None:
        raise rule_error(index_path, None, problem)
    version = index["version"]
    if not isinstance(version, str) or not re.match(r"^\d{4}\.\d+$", version):
        raise rule_error(
            index_path,
            None,
            Text(
                f"« version » doit s'écrire AAAA.N entre guillemets (trouvé {version!r})",
                f'"version" must be written YYYY.N in quotes (found {version!r})',
            ),
        )
    files_raw = index.get("files")
    if files_raw is None:
        files = sorted(p for p in folder.glob("*.yaml") if p.name != "index.yaml")
    else:
        files = [folder / str(name) for name in str_list(files_raw, index_path, None, "files")]
    rules: list[Rule] = []
    for f in files:
        rules.extend(_parse_rule_list(load_yaml_file(f, RulesError), f, require_en=require_en))
    _check_unique(rules)
    if not any(r.evidence in ("aim", "measure") for r in rules):
        raise rule_error(
            index_path,
            None,
            Text("le jeu ne contient aucune règle aim ou measure", "the pack holds no aim or measure rule"),
        )
    return RulePack(
        name=_as_str(index["name"], index_path, None, "name"),
        version=version,
        base_version=version,
        valid_from=_as_date(index["valid_from"], index_path, None, "valid_from"),
        description=_as_str(index["description"], index_path, None, "description"),
        categories=_parse_categories(index["categories"], index_path),
        rules=tuple(rules),
        settings=_parse_settings(index.get("settings"), index_path),
        path=str(folder),
        changelog=_parse_changelog(index.get("changelog"), index_path, version),
    )


def apply_overlay(pack: RulePack, path: Path) -> RulePack:
    """Merge one local overlay file into ``pack``: add, replace (same id) and disable rules."""
    raw = load_yaml_file(path, RulesError)
    if isinstance(raw, list):  # a bare list of rules is accepted: an anonymous overlay
        raw = {"rules": raw}
    if not isinstance(raw, dict):
        raise rule_error(
            path,
            None,
            Text(
                "une surcouche est un objet {overlay, disable, rules} ou une liste de règles",
                "an overlay is an object {overlay, disable, rules} or a list of rules",
            ),
        )
    problem = key_problem(raw, frozenset(), _OVERLAY_KEYS)
    if problem is not None:
        raise rule_error(path, None, problem)
    meta = raw.get("overlay") or {}
    if not isinstance(meta, dict) or set(meta) - _OVERLAY_META_KEYS:
        keys = ", ".join(sorted(_OVERLAY_META_KEYS))
        raise rule_error(
            path, None, Text(f"« overlay » : clés possibles {keys}", f'"overlay": possible keys {keys}')
        )
    name = str(meta.get("name") or path.stem)
    over_version = str(meta.get("version") or "0")
    disable = raw.get("disable") or []
    if not isinstance(disable, list) or not all(isinstance(d, str) for d in disable):
        raise rule_error(
            path,
            None,
            Text(
                "« disable » doit être une liste d'identifiants de règles",
                '"disable" must be a list of rule ids',
            ),
        )
    known = {r.id for r in pack.rules}
    for d in disable:
        if d not in known:
            raise rule_error(
                path,
                d,
                Text("règle à désactiver introuvable dans le jeu", "rule to disable not found in the pack"),
            )
    new_rules = _parse_rule_list(raw.get("rules"), path)
    _check_unique(new_rules)
    by_id = {r.id: r for r in new_rules}
    replaced = tuple(r.id for r in new_rules if r.id in known)
    added = tuple(r.id for r in new_rules if r.id not in known)
    merged: list[Rule] = []
    for r in pack.rules:
        if r.id in disable:
            continue
        merged.append(by_id.get(r.id, r))
    merged.extend(r for r in new_rules if r.id not in known)
    overlay = Overlay(
        name=name,
        version=over_version,
        path=str(path),
        description=str(meta.get("description", "")),
        disabled=tuple(disable),
        added=added,
        replaced=replaced,
    )
    return replace(
        pack,
        rules=tuple(merged),
        version=f"{pack.base_version}+local",
        overlays=(*pack.overlays, overlay),
    )


@functools.cache
def _builtin_pack() -> RulePack:
    return load_pack_dir(data_path("rules"), require_en=True)


def load_rules(
    extra: Sequence[str | Path] = (),
    *,
    folder: str | Path | None = None,
    on: dt.date | None = None,
) -> RulePack:
    """Load the rule pack (the built-in one, or the one in ``folder``) and merge the ``extra`` overlays.

    ``on``: keep only the rules valid on that day (``valid_from``/``valid_until``), e.g. the first day of
    the budget year audited.
    """
    pack = _builtin_pack() if folder is None else load_pack_dir(Path(folder))
    for p in extra:
        pack = apply_overlay(pack, Path(p))
    if on is not None:
        pack = replace(pack, rules=tuple(r for r in pack.rules if r.valid_on(on)))
    return pack
