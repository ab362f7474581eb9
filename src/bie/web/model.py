"""The web of institutionalisation as data: spheres, elements, links, scale and thresholds.

The model lives in ``bie/data/web.yaml`` (documented in ``docs/toile.md``); :func:`load_model` reads and
validates it strictly. Every mistake raises :class:`bie.errors.ConfigError` naming the file and the entry
(« élément staff : … »). The model is immutable and hashable, so compiled forms can be cached.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bie.errors import ConfigError, Text
from bie.resources import data_path, key_problem, load_yaml_file

__all__ = [
    "CRITERIA",
    "EVIDENCE_LEVELS",
    "LANGS",
    "Carriers",
    "Element",
    "Level",
    "Link",
    "ScaleLevel",
    "Source",
    "Sphere",
    "Thresholds",
    "WebModel",
    "load_model",
    "parse_sources",
]

LANGS: tuple[str, ...] = ("fr", "en")

CRITERIA: dict[str, str] = {
    "actions": "nombre d'actions spécifiques ou transversales qui renforcent l'élément",
    "equality_action_share": "part des actions de la programmation qui sont spécifiques ou transversales",
    "equality_money_share": "part de l'argent de la programmation qui va aux actions spécifiques ou "
    "transversales",
    "element_share": "part des actions de la programmation qui renforcent l'élément",
    "weighted_money_share": "dépense égalité pondérée (100 % spécifique, 40 % transversale) rapportée à "
    "l'argent de la programmation",
}
"""The criteria a threshold level may use. An action that strengthens an element never lowers that
element's count nor its share of the programme (see ``docs/toile.md``)."""

EVIDENCE_LEVELS: tuple[str, ...] = ("action", "institution")
"""What can score an element: an action's text (``action``) or only the institution (``institution``:
the questionnaire, the money and the actions carried by the local authority, the EPCI or the State)."""

_VERSION_RE = re.compile(r"^\d{4}\.\d+$")
_ID_RE = re.compile(r"^[a-z][a-z_]*$")
_SOURCE_KEYS = frozenset({"title", "href", "file", "date", "section"})
_TOP_REQUIRED = frozenset(
    {
        "name",
        "version",
        "description",
        "sources",
        "scale",
        "unknown",
        "thresholds",
        "spheres",
        "elements",
        "links",
    }
)
_TOP_OPTIONAL = frozenset({"valid_from", "last_reviewed", "layout", "carriers"})
_SPHERE_KEYS = frozenset(
    {"id", "label_fr", "label_en", "title_fr", "title_en", "description_fr", "description_en", "sources"}
)
_ELEMENT_REQUIRED = frozenset(
    {
        "id",
        "sphere",
        "label_fr",
        "label_en",
        "description_fr",
        "description_en",
        "questions_fr",
        "questions_en",
        "funding_evidence",
        "sources",
    }
)
_ELEMENT_OPTIONAL = frozenset({"thresholds", "notes", "evidence"})
_LINK_REQUIRED = frozenset({"from", "to", "message_fr", "message_en", "sources"})
_LINK_OPTIONAL = frozenset({"kind", "notes"})
_LINK_KINDS = frozenset({"default", "diagnostic", "local"})
_SCALE_KEYS = frozenset({"score", "fr", "en", "description_fr", "description_en"})
_THRESHOLD_KEYS = frozenset({"levels", "description_fr", "description_en", "sources"})


@dataclass(frozen=True)
class Source:
    """Where an entry comes from: a public page (``href``) or a file of the project's reference folder."""

    title: str
    href: str | None = None
    file: str | None = None
    date: str | None = None
    section: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {
            "title": self.title,
            "href": self.href,
            "file": self.file,
            "date": self.date,
            "section": self.section,
        }


@dataclass(frozen=True)
class ScaleLevel:
    """One step of the 0–3 scale."""

    score: int
    fr: str
    en: str
    description_fr: str
    description_en: str

    def label(self, lang: str) -> str:
        return self.fr if lang == "fr" else self.en


@dataclass(frozen=True)
class Level:
    """A score reached when one of the alternatives holds; an alternative is a set of criteria, all needed."""

    score: int
    alternatives: tuple[tuple[tuple[str, float], ...], ...]


@dataclass(frozen=True)
class Thresholds:
    """How action evidence becomes a score (named set, shared by several elements)."""

    id: str
    levels: tuple[Level, ...]
    description_fr: str
    description_en: str
    sources: tuple[Source, ...] = ()

    @property
    def criteria(self) -> frozenset[str]:
        """Every criterion the levels use."""
        return frozenset(k for lv in self.levels for alt in lv.alternatives for k, _ in alt)

    def description(self, lang: str) -> str:
        return self.description_fr if lang == "fr" else self.description_en


@dataclass(frozen=True)
class Sphere:
    """One of the four spheres."""

    id: str
    label_fr: str
    label_en: str
    title_fr: str
    title_en: str
    description_fr: str
    description_en: str
    sources: tuple[Source, ...]

    def label(self, lang: str) -> str:
        return self.label_fr if lang == "fr" else self.label_en

    def title(self, lang: str) -> str:
        return self.title_fr if lang == "fr" else self.title_en


@dataclass(frozen=True)
class Element:
    """One element of the web."""

    id: str
    sphere: str
    label_fr: str
    label_en: str
    description_fr: str
    description_en: str
    questions_fr: tuple[str, ...]
    questions_en: tuple[str, ...]
    funding_evidence: bool
    thresholds: Thresholds
    sources: tuple[Source, ...]
    notes: str | None = None
    #: ``action`` or ``institution`` (see :data:`EVIDENCE_LEVELS`).
    evidence: str = "action"

    @property
    def institutional(self) -> bool:
        return self.evidence == "institution"

    def label(self, lang: str) -> str:
        return self.label_fr if lang == "fr" else self.label_en

    def description(self, lang: str) -> str:
        return self.description_fr if lang == "fr" else self.description_en

    def questions(self, lang: str) -> tuple[str, ...]:
        return self.questions_fr if lang == "fr" else self.questions_en


@dataclass(frozen=True)
class Link:
    """A directed link: ``source`` strengthens ``target``; the message says what it means when broken."""

    source: str
    target: str
    kind: str
    message_fr: str
    message_en: str
    sources: tuple[Source, ...]

    def message(self, lang: str) -> str:
        return self.message_fr if lang == "fr" else self.message_en


@dataclass(frozen=True)
class Carriers:
    """Name patterns (normalised text) telling an institution's action or core support to an organisation."""

    institution_patterns: tuple[str, ...] = ()
    #: (element id or ``all``, patterns): text showing an action commissioned by the institution.
    commissioned_patterns: tuple[tuple[str, tuple[str, ...]], ...] = ()
    women_organisation_columns: tuple[str, ...] = ()
    #: (field, rule prefix) of the carrier reader's reason naming a women's rights organisation.
    women_organisation_reason: tuple[str, str] | None = None
    core_support_patterns: tuple[str, ...] = ()

    @property
    def institution_regex(self) -> str | None:
        return "|".join(f"(?:{p})" for p in self.institution_patterns) or None

    def commissioned_regex(self, element_id: str) -> str | None:
        """The patterns that make an action commissioned for ``element_id`` (its own and ``all``)."""
        patterns = [p for key, ps in self.commissioned_patterns if key in (element_id, "all") for p in ps]
        return "|".join(f"(?:{p})" for p in patterns) or None

    @property
    def core_support_regex(self) -> str | None:
        return "|".join(f"(?:{p})" for p in self.core_support_patterns) or None


@dataclass(frozen=True)
class WebModel:
    """The validated model (immutable, hashable)."""

    name: str
    version: str
    description: str
    sources: tuple[Source, ...]
    scale: tuple[ScaleLevel, ...]
    unknown_fr: str
    unknown_en: str
    unknown_description_fr: str
    unknown_description_en: str
    thresholds: tuple[Thresholds, ...]
    spheres: tuple[Sphere, ...]
    elements: tuple[Element, ...]
    links: tuple[Link, ...]
    ring: tuple[str, ...]
    carriers: Carriers = Carriers()
    valid_from: str | None = None
    last_reviewed: str | None = None
    path: str = ""

    @property
    def ids(self) -> tuple[str, ...]:
        """Element ids in model order."""
        return tuple(e.id for e in self.elements)

    @property
    def order(self) -> dict[str, int]:
        """Element id → position in model order."""
        return {e.id: i for i, e in enumerate(self.elements)}

    def element(self, element_id: str) -> Element:
        for e in self.elements:
            if e.id == element_id:
                return e
        raise KeyError(element_id)

    def sphere(self, sphere_id: str) -> Sphere:
        for s in self.spheres:
            if s.id == sphere_id:
                return s
        raise KeyError(sphere_id)

    def sphere_elements(self, sphere_id: str) -> tuple[Element, ...]:
        return tuple(e for e in self.elements if e.sphere == sphere_id)

    def scale_label(self, score: int | None, lang: str) -> str:
        """« fort », « faible »… or « ne sait pas » for ``None``."""
        if score is None:
            return self.unknown_fr if lang == "fr" else self.unknown_en
        for s in self.scale:
            if s.score == score:
                return s.label(lang)
        raise KeyError(score)


# --------------------------------------------------------------------------------------------------
# validation helpers


def _err(path: str | Path, where: str | Text | None, detail: Text) -> ConfigError:
    """A model-file error naming the file and, when known, the entry (``where``: a key of the file, the same
    in both languages, or a :class:`Text` such as « élément staff »); ``detail`` in French and English."""
    if not where:
        return ConfigError(path, detail=detail)
    place = where if isinstance(where, Text) else Text(where, where)
    return ConfigError(path, detail=Text(f"{place.fr} : {detail.fr}", f"{place.en}: {detail.en}"))


_BAD_ID = Text("identifiant invalide (minuscules ASCII)", "invalid id (lower-case ASCII)")


def _bad_pattern(pattern: str, exc: re.error) -> Text:
    return Text(f"motif invalide « {pattern} » : {exc}", f'invalid pattern "{pattern}": {exc}')


def _str(raw: Mapping[str, Any], key: str, path: str | Path, where: str | Text | None) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _err(
            path, where, Text(f"« {key} » doit être un texte non vide", f'"{key}" must be a non-empty text')
        )
    return " ".join(value.split())


def _str_list(
    raw: Mapping[str, Any], key: str, path: str | Path, where: str | Text | None
) -> tuple[str, ...]:
    value = raw.get(key)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise _err(
            path,
            where,
            Text(
                f"« {key} » doit être une liste de textes non vide",
                f'"{key}" must be a non-empty list of texts',
            ),
        )
    return tuple(" ".join(v.split()) for v in value)


def _keys(
    raw: Any, required: frozenset[str], optional: frozenset[str], path: str | Path, where: str | Text | None
) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise _err(
            path, where, Text("un objet (clé: valeur) est attendu", "an object (key: value) is expected")
        )
    problem = key_problem(raw, required, optional)
    if problem is not None:
        raise _err(path, where, problem)
    return raw


def _date(value: Any, path: str | Path, where: str | Text | None, key: str) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    raise _err(
        path,
        where,
        Text(
            f"« {key} » doit être une date AAAA-MM-JJ (trouvé {value!r})",
            f'"{key}" must be a YYYY-MM-DD date (found {value!r})',
        ),
    )


def parse_sources(raw: Any, path: str | Path, where: str | Text | None) -> tuple[Source, ...]:
    """Validate a non-empty list of sources (``title`` and ``href`` or ``file``; ``date``, ``section``)."""
    if not isinstance(raw, list) or not raw:
        raise _err(
            path,
            where,
            Text("« sources » doit être une liste non vide", '"sources" must be a non-empty list'),
        )
    out: list[Source] = []
    for item in raw:
        if not isinstance(item, dict):
            raise _err(
                path,
                where,
                Text(
                    "chaque source est un objet {title, href ou file, date, section}",
                    "each source is an object {title, href or file, date, section}",
                ),
            )
        unknown = set(item) - _SOURCE_KEYS
        if unknown:
            keys = ", ".join(sorted(map(str, unknown)))
            raise _err(
                path, where, Text(f"clé(s) de source inconnue(s) : {keys}", f"unknown source key(s): {keys}")
            )
        title = _str(item, "title", path, where)
        href, file = item.get("href"), item.get("file")
        if not href and not file:
            raise _err(
                path,
                where,
                Text(
                    f"la source « {title} » n'a ni « href » ni « file »",
                    f'source "{title}" has neither "href" nor "file"',
                ),
            )
        if href is not None and (not isinstance(href, str) or not re.match(r"^https?://", href)):
            raise _err(
                path,
                where,
                Text(
                    f"la source « {title} » a un « href » qui n'est pas une adresse http(s)",
                    f'source "{title}" has an "href" that is not an http(s) address',
                ),
            )
        if file is not None and not isinstance(file, str):
            raise _err(
                path,
                where,
                Text(
                    f"la source « {title} » a un « file » invalide", f'source "{title}" has an invalid "file"'
                ),
            )
        date = item.get("date")
        section = item.get("section")
        out.append(
            Source(
                title=title,
                href=href,
                file=file,
                date=_date(date, path, where, "sources.date") if date is not None else None,
                section=str(section) if section is not None else None,
            )
        )
    return tuple(out)


def _parse_scale(raw: Any, path: Path) -> tuple[ScaleLevel, ...]:
    if not isinstance(raw, list):
        raise _err(
            path,
            "scale",
            Text("une liste de 4 niveaux (0 à 3) est attendue", "a list of 4 levels (0 to 3) is expected"),
        )
    levels = []
    for item in raw:
        entry = _keys(item, _SCALE_KEYS, frozenset(), path, "scale")
        levels.append(
            ScaleLevel(
                score=entry["score"],
                fr=_str(entry, "fr", path, "scale"),
                en=_str(entry, "en", path, "scale"),
                description_fr=_str(entry, "description_fr", path, "scale"),
                description_en=_str(entry, "description_en", path, "scale"),
            )
        )
    if [lv.score for lv in levels] != [0, 1, 2, 3]:
        raise _err(
            path,
            "scale",
            Text(
                "les niveaux doivent être exactement 0, 1, 2, 3, dans cet ordre",
                "the levels must be exactly 0, 1, 2, 3, in this order",
            ),
        )
    return tuple(levels)


def _parse_thresholds(raw: Any, path: Path) -> tuple[Thresholds, ...]:
    if not isinstance(raw, dict) or not raw:
        raise _err(
            path,
            "thresholds",
            Text(
                "un objet {nom: {levels, description_fr, description_en}} est attendu",
                "an object {name: {levels, description_fr, description_en}} is expected",
            ),
        )
    out = []
    for name, body in raw.items():
        where = Text(f"seuils {name}", f"thresholds {name}")
        entry = _keys(
            body, frozenset({"levels", "description_fr", "description_en"}), _THRESHOLD_KEYS, path, where
        )
        levels_raw = entry["levels"]
        if not isinstance(levels_raw, list) or not levels_raw:
            raise _err(
                path,
                where,
                Text("« levels » doit être une liste non vide", '"levels" must be a non-empty list'),
            )
        levels: list[Level] = []
        for lv in levels_raw:
            lv_entry = _keys(lv, frozenset({"score", "any"}), frozenset(), path, where)
            score = lv_entry["score"]
            if score not in (1, 2, 3) or isinstance(score, bool):
                raise _err(
                    path,
                    where,
                    Text(
                        f"« score » doit valoir 1, 2 ou 3 (trouvé {score!r})",
                        f'"score" must be 1, 2 or 3 (found {score!r})',
                    ),
                )
            alts_raw = lv_entry["any"]
            if not isinstance(alts_raw, list) or not alts_raw:
                raise _err(
                    path,
                    where,
                    Text(
                        f"niveau {score} : « any » doit être une liste non vide",
                        f'level {score}: "any" must be a non-empty list',
                    ),
                )
            alts: list[tuple[tuple[str, float], ...]] = []
            for alt in alts_raw:
                if not isinstance(alt, dict) or not alt:
                    raise _err(
                        path,
                        where,
                        Text(
                            f"niveau {score} : chaque alternative est un objet {{critère: seuil}}",
                            f"level {score}: each alternative is an object {{criterion: threshold}}",
                        ),
                    )
                crits: list[tuple[str, float]] = []
                for key, value in sorted(alt.items()):
                    if key not in CRITERIA:
                        values = ", ".join(CRITERIA)
                        raise _err(
                            path,
                            where,
                            Text(
                                f"niveau {score} : critère inconnu « {key} » ; valeurs : {values}",
                                f'level {score}: unknown criterion "{key}"; values: {values}',
                            ),
                        )
                    if isinstance(value, bool) or not isinstance(value, int | float):
                        raise _err(
                            path,
                            where,
                            Text(
                                f"niveau {score} : « {key} » doit être un nombre",
                                f'level {score}: "{key}" must be a number',
                            ),
                        )
                    if key == "actions" and (not isinstance(value, int) or value < 1):
                        raise _err(
                            path,
                            where,
                            Text(
                                f"niveau {score} : « actions » doit être un entier ≥ 1",
                                f'level {score}: "actions" must be an integer ≥ 1',
                            ),
                        )
                    if key != "actions" and not 0 < value <= 1:
                        raise _err(
                            path,
                            where,
                            Text(
                                f"niveau {score} : « {key} » doit être une part entre 0 (exclu) et 1",
                                f'level {score}: "{key}" must be a share between 0 (excluded) and 1',
                            ),
                        )
                    crits.append((str(key), float(value)))
                alts.append(tuple(crits))
            levels.append(Level(score=score, alternatives=tuple(alts)))
        if len({lv.score for lv in levels}) != len(levels):
            raise _err(path, where, Text("deux niveaux ont le même score", "two levels have the same score"))
        sources = parse_sources(entry["sources"], path, where) if "sources" in entry else ()
        out.append(
            Thresholds(
                id=str(name),
                levels=tuple(sorted(levels, key=lambda lv: lv.score)),
                description_fr=_str(entry, "description_fr", path, where),
                description_en=_str(entry, "description_en", path, where),
                sources=sources,
            )
        )
    return tuple(out)


def _parse_spheres(raw: Any, path: Path) -> tuple[Sphere, ...]:
    if not isinstance(raw, list) or not raw:
        raise _err(
            path, "spheres", Text("une liste de sphères est attendue", "a list of spheres is expected")
        )
    spheres = []
    for item in raw:
        sid = item.get("id") if isinstance(item, dict) else None
        where = Text(f"sphère {sid}", f"sphere {sid}")
        entry = _keys(item, _SPHERE_KEYS, frozenset(), path, where)
        if not isinstance(sid, str) or not _ID_RE.match(sid):
            raise _err(path, where, _BAD_ID)
        spheres.append(
            Sphere(
                id=sid,
                label_fr=_str(entry, "label_fr", path, where),
                label_en=_str(entry, "label_en", path, where),
                title_fr=_str(entry, "title_fr", path, where),
                title_en=_str(entry, "title_en", path, where),
                description_fr=_str(entry, "description_fr", path, where),
                description_en=_str(entry, "description_en", path, where),
                sources=parse_sources(entry["sources"], path, where),
            )
        )
    ids = [s.id for s in spheres]
    if len(set(ids)) != len(ids):
        raise _err(path, "spheres", Text("identifiant de sphère en double", "sphere id given twice"))
    return tuple(spheres)


def _parse_elements(
    raw: Any, path: Path, spheres: Sequence[Sphere], thresholds: Sequence[Thresholds]
) -> tuple[Element, ...]:
    if not isinstance(raw, list) or not raw:
        raise _err(
            path, "elements", Text("une liste d'éléments est attendue", "a list of elements is expected")
        )
    sphere_ids = {s.id for s in spheres}
    by_name = {t.id: t for t in thresholds}
    elements = []
    for item in raw:
        eid = item.get("id") if isinstance(item, dict) else None
        where = Text(f"élément {eid}", f"element {eid}")
        entry = _keys(item, _ELEMENT_REQUIRED, _ELEMENT_OPTIONAL, path, where)
        if not isinstance(eid, str) or not _ID_RE.match(eid):
            raise _err(path, where, _BAD_ID)
        if entry["sphere"] not in sphere_ids:
            values = ", ".join(sorted(sphere_ids))
            raise _err(
                path,
                where,
                Text(
                    f"sphère inconnue « {entry['sphere']} » ; valeurs : {values}",
                    f'unknown sphere "{entry["sphere"]}"; values: {values}',
                ),
            )
        if not isinstance(entry["funding_evidence"], bool):
            raise _err(
                path,
                where,
                Text(
                    "« funding_evidence » doit valoir true ou false",
                    '"funding_evidence" must be true or false',
                ),
            )
        t_name = entry.get("thresholds", "default")
        if t_name not in by_name:
            values = ", ".join(sorted(by_name))
            raise _err(
                path,
                where,
                Text(
                    f"seuils inconnus « {t_name} » ; valeurs : {values}",
                    f'unknown thresholds "{t_name}"; values: {values}',
                ),
            )
        questions_fr = _str_list(entry, "questions_fr", path, where)
        questions_en = _str_list(entry, "questions_en", path, where)
        notes = entry.get("notes")
        evidence = entry.get("evidence", "action")
        if evidence not in EVIDENCE_LEVELS:
            values = ", ".join(EVIDENCE_LEVELS)
            raise _err(
                path,
                where,
                Text(
                    f"« evidence » inconnu {evidence!r} ; valeurs : {values}",
                    f'unknown "evidence" {evidence!r}; values: {values}',
                ),
            )
        elements.append(
            Element(
                id=eid,
                sphere=str(entry["sphere"]),
                label_fr=_str(entry, "label_fr", path, where),
                label_en=_str(entry, "label_en", path, where),
                description_fr=_str(entry, "description_fr", path, where),
                description_en=_str(entry, "description_en", path, where),
                questions_fr=questions_fr,
                questions_en=questions_en,
                funding_evidence=entry["funding_evidence"],
                thresholds=by_name[t_name],
                sources=parse_sources(entry["sources"], path, where),
                notes=str(notes) if notes is not None else None,
                evidence=str(evidence),
            )
        )
    ids = [e.id for e in elements]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        ids_text = ", ".join(dup)
        raise _err(
            path,
            "elements",
            Text(
                f"identifiant(s) d'élément en double : {ids_text}", f"element id(s) given twice: {ids_text}"
            ),
        )
    empty = [s.id for s in spheres if not any(e.sphere == s.id for e in elements)]
    if empty:
        names = ", ".join(empty)
        raise _err(
            path,
            "elements",
            Text(f"sphère(s) sans élément : {names}", f"sphere(s) without any element: {names}"),
        )
    return tuple(elements)


def _parse_links(raw: Any, path: Path, ids: Sequence[str]) -> tuple[Link, ...]:
    if not isinstance(raw, list):
        raise _err(
            path,
            "links",
            Text(
                "une liste de liens {from, to, message_fr, message_en, sources} est attendue",
                "a list of links {from, to, message_fr, message_en, sources} is expected",
            ),
        )
    known = set(ids)
    links: list[Link] = []
    seen: set[tuple[str, str]] = set()
    for item in raw:
        ends = f" {item.get('from')} → {item.get('to')}" if isinstance(item, dict) else ""
        where = Text(f"lien{ends}", f"link{ends}")
        entry = _keys(item, _LINK_REQUIRED, _LINK_OPTIONAL, path, where)
        src, dst = entry["from"], entry["to"]
        for end in (src, dst):
            if end not in known:
                raise _err(path, where, Text(f"élément inconnu « {end} »", f'unknown element "{end}"'))
        if src == dst:
            raise _err(
                path,
                where,
                Text("un lien relie deux éléments différents", "a link joins two different elements"),
            )
        if (src, dst) in seen:
            raise _err(path, where, Text("lien en double", "link given twice"))
        seen.add((src, dst))
        kind = entry.get("kind", "default")
        if kind not in _LINK_KINDS:
            values = ", ".join(sorted(_LINK_KINDS))
            raise _err(
                path,
                where,
                Text(
                    f"« kind » inconnu {kind!r} ; valeurs : {values}",
                    f'unknown "kind" {kind!r}; values: {values}',
                ),
            )
        links.append(
            Link(
                source=str(src),
                target=str(dst),
                kind=str(kind),
                message_fr=_str(entry, "message_fr", path, where),
                message_en=_str(entry, "message_en", path, where),
                sources=parse_sources(entry["sources"], path, where),
            )
        )
    return tuple(links)


def _parse_layout(raw: Any, path: Path, ids: Sequence[str], elements: Sequence[Element]) -> tuple[str, ...]:
    if raw is None:
        return tuple(ids)
    if not isinstance(raw, dict) or set(raw) != {"ring"}:
        raise _err(
            path,
            "layout",
            Text("un objet {ring: [identifiants]} est attendu", "an object {ring: [ids]} is expected"),
        )
    ring = raw["ring"]
    if not isinstance(ring, list) or sorted(map(str, ring)) != sorted(ids) or len(ring) != len(ids):
        raise _err(
            path,
            "layout",
            Text(
                "« ring » doit citer chaque élément exactement une fois",
                '"ring" must name every element exactly once',
            ),
        )
    sphere_of = {e.id: e.sphere for e in elements}
    runs = [sphere_of[str(r)] for r in ring]
    changes = sum(1 for a, b in zip(runs, runs[1:] + runs[:1], strict=True) if a != b)
    if changes > len({e.sphere for e in elements}):
        raise _err(
            path,
            "layout",
            Text(
                "« ring » doit garder ensemble les éléments d'une même sphère",
                '"ring" must keep the elements of one sphere together',
            ),
        )
    return tuple(str(r) for r in ring)


def _parse_carriers(raw: Any, path: Path) -> Carriers:
    if raw is None:
        return Carriers()
    entry = _keys(
        raw,
        frozenset({"institution_patterns", "sources"}),
        frozenset(
            {
                "women_organisation_columns",
                "core_support_patterns",
                "commissioned_patterns",
                "women_organisation_reason",
                "commitment_rationale_fr",
            }
        ),
        path,
        "carriers",
    )
    parse_sources(entry["sources"], path, "carriers")
    lists: dict[str, tuple[str, ...]] = {}
    commissioned: list[tuple[str, tuple[str, ...]]] = []
    raw_commissioned = entry.get("commissioned_patterns") or {}
    if not isinstance(raw_commissioned, dict):
        raise _err(
            path,
            "carriers",
            Text(
                "« commissioned_patterns » : un objet {élément ou all: [motifs]}",
                '"commissioned_patterns": an object {element or all: [patterns]}',
            ),
        )
    for key in raw_commissioned:
        patterns = _str_list(raw_commissioned, key, path, "carriers")
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise _err(path, "carriers", _bad_pattern(pattern, exc)) from exc
        commissioned.append((str(key), patterns))
    for key in (
        "institution_patterns",
        "women_organisation_columns",
        "core_support_patterns",
    ):
        if key not in entry:
            lists[key] = ()
            continue
        lists[key] = _str_list(entry, key, path, "carriers")
        if key.endswith("patterns"):
            for pattern in lists[key]:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise _err(path, "carriers", _bad_pattern(pattern, exc)) from exc
    reason = entry.get("women_organisation_reason")
    women_reason: tuple[str, str] | None = None
    if reason is not None:
        reason_entry = _keys(reason, frozenset({"field", "rule_prefix"}), frozenset(), path, "carriers")
        women_reason = (
            _str(reason_entry, "field", path, "carriers"),
            _str(reason_entry, "rule_prefix", path, "carriers"),
        )
    return Carriers(
        commissioned_patterns=tuple(commissioned), women_organisation_reason=women_reason, **lists
    )


def _checked_carriers(carriers: Carriers, path: Path, elements: Sequence[Element]) -> Carriers:
    known = {e.id for e in elements if e.institutional} | {"all"}
    bad = sorted(k for k, _ in carriers.commissioned_patterns if k not in known)
    if bad:
        names = ", ".join(bad)
        raise _err(
            path,
            "carriers",
            Text(
                f"« commissioned_patterns » : {names} n'est pas un élément de niveau institution ni « all »",
                f'"commissioned_patterns": {names} is neither an institution-level element nor "all"',
            ),
        )
    return carriers


def _load(path: Path) -> WebModel:
    raw = load_yaml_file(path, ConfigError)
    top = _keys(raw, _TOP_REQUIRED, _TOP_OPTIONAL, path, None)
    version = top["version"]
    if not isinstance(version, str) or not _VERSION_RE.match(version):
        raise _err(
            path,
            None,
            Text(
                f"« version » doit s'écrire AAAA.N entre guillemets (trouvé {version!r})",
                f'"version" must be written YYYY.N in quotes (found {version!r})',
            ),
        )
    unknown = _keys(
        top["unknown"],
        frozenset({"fr", "en", "description_fr", "description_en"}),
        frozenset(),
        path,
        "unknown",
    )
    thresholds = _parse_thresholds(top["thresholds"], path)
    spheres = _parse_spheres(top["spheres"], path)
    elements = _parse_elements(top["elements"], path, spheres, thresholds)
    ids = [e.id for e in elements]
    return WebModel(
        name=_str(top, "name", path, None),
        version=version,
        description=_str(top, "description", path, None),
        sources=parse_sources(top["sources"], path, None),
        scale=_parse_scale(top["scale"], path),
        unknown_fr=_str(unknown, "fr", path, "unknown"),
        unknown_en=_str(unknown, "en", path, "unknown"),
        unknown_description_fr=_str(unknown, "description_fr", path, "unknown"),
        unknown_description_en=_str(unknown, "description_en", path, "unknown"),
        thresholds=thresholds,
        spheres=spheres,
        elements=elements,
        links=_parse_links(top["links"], path, ids),
        ring=_parse_layout(top.get("layout"), path, ids, elements),
        carriers=_checked_carriers(_parse_carriers(top.get("carriers"), path), path, elements),
        valid_from=_date(top["valid_from"], path, None, "valid_from") if "valid_from" in top else None,
        last_reviewed=_date(top["last_reviewed"], path, None, "last_reviewed")
        if "last_reviewed" in top
        else None,
        path=str(path),
    )


@functools.cache
def _builtin() -> WebModel:
    return _load(data_path("web.yaml"))


def load_model(path: str | Path | None = None) -> WebModel:
    """Load and validate the model: the built-in ``bie/data/web.yaml`` (cached), or the file at ``path``.

    >>> model = load_model()
    >>> len(model.elements), [s.id for s in model.spheres]
    (13, ['citizens', 'policy', 'organisation', 'delivery'])
    """
    if path is None:
        return _builtin()
    return _load(Path(path))
