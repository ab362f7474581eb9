"""The carrier as evidence: women's-rights and equality organisations (issue 9, point 4).

The carrier's name (column ``carrier``) is never read as action text: the engine masks it in the title,
objectives and description, so that « Maison des femmes » in the carrier does not make every word match.
It is read here instead, against the list in ``bie/data/carriers.yaml`` (name patterns written like rule
patterns, SIREN when known, each entry with its sources). Everything is a polars expression over whole
columns; the only loop is over the (few) organisations of the list.

What the carrier changes (called at the end of the engine's decision stage, see :func:`carrier_decision`):

- **Generic object** (« Subvention de fonctionnement », « fonctionnement 2017 ») or an object in the core
  mission of these organisations (« Permanence d'écoute et d'accueil »), no other evidence: core support to
  a women's-rights organisation is **specific** (OECD-DAC handbook: marked « principal »), with the reason
  ``PORTEUR-…`` / field ``carrier`` / the carrier's own words.
- **Explicit object with equality evidence**: the text decides and the carrier raises the confidence;
  an equality *aim* read in a secondary position (« le porteur confirme : objet dans sa mission »,
  docs/etiquetage.md) makes the action specific. An activity reserved to women is also in the mission.
- **Explicit object without equality evidence**: vague (fewer than ``explicit_min_words`` words of 4 letters
  or more once the generic words are set aside: « actions autour de la thématique vivre ensemble ») →
  ``to_review`` (contradictory evidence); longer → the text decides (not integrated), with a lower confidence.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from bie.errors import RulesError, Text
from bie.resources import data_path, load_yaml_file
from bie.tagging.normalize import normalize_expr

__all__ = [
    "CARRIER_FIELD",
    "CarrierList",
    "Organisation",
    "carrier_decision",
    "carrier_reason_frames",
    "load_carriers",
    "match_carriers",
]

CARRIER_FIELD = "carrier"
"""The ``field`` of a carrier reason (``reasons`` column)."""

P = "__bie_"  # the engine's prefix of internal columns (bie.tagging.engine.P)

_ORG_KEYS = frozenset({"id", "name", "name_en", "patterns", "siren", "rationale", "sources"})
_SETTINGS_KEYS = frozenset(
    {"core_confidence", "agree_bonus", "mismatch_penalty", "explicit_min_words", "generic_words", "mission"}
)


@dataclass(frozen=True)
class Organisation:
    """One entry of the list: an id (the rule id shown in the reasons), a name, name patterns, SIRENs."""

    id: str
    name: str
    patterns: tuple[str, ...]
    sirens: tuple[str, ...] = ()
    rationale: str = ""
    name_en: str = ""
    """The name in English words (``name_en``), shown to an English reader; the French name if absent."""

    def name_in(self, lang: str = "fr") -> str:
        """The organisation's name (what its ``PORTEUR-…`` reason means) in ``lang``."""
        return self.name_en if lang == "en" and self.name_en else self.name

    @property
    def regex(self) -> str:
        from bie.tagging.rules import compile_pattern

        compiled = [compile_pattern(p) for p in self.patterns]
        return "|".join(f"(?:{c})" for c in compiled)


@dataclass(frozen=True)
class CarrierList:
    """The validated list (``bie/data/carriers.yaml``)."""

    version: str
    organisations: tuple[Organisation, ...]
    generic_words: tuple[str, ...]
    mission: tuple[str, ...]
    core_confidence: float = 0.8
    agree_bonus: float = 0.1
    mismatch_penalty: float = 0.15
    explicit_min_words: int = 5

    @property
    def generic_regex(self) -> str:
        return r"\b(?:" + "|".join(sorted(self.generic_words, key=len, reverse=True)) + r")\b"

    @property
    def mission_regex(self) -> str:
        from bie.tagging.rules import compile_pattern

        return "|".join(f"(?:{compile_pattern(p)})" for p in self.mission)


def _fail(path: Path, fr: str, en: str) -> RulesError:
    return RulesError(path, detail=Text(fr, en))


def _str_list(value: Any, path: Path, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise _fail(
            path,
            f"« {what} » doit être une liste de textes non vide",
            f'"{what}" must be a non-empty list of texts',
        )
    return tuple(value)


def _words(value: Any, path: Path) -> tuple[str, ...]:
    words = tuple(value.split()) if isinstance(value, str) else ()
    if not words or not all(w.isascii() and (w.isalnum()) and w == w.lower() for w in words):
        raise _fail(
            path,
            "« settings.generic_words » : des mots en minuscules sans accents, séparés par des espaces",
            '"settings.generic_words": lower-case words without accents, separated by spaces',
        )
    return words


def parse_carriers(raw: Any, path: Path, *, require_en: bool = False) -> CarrierList:
    """Validate the YAML of a carrier list (unknown keys, patterns, sources) and build it (``require_en``:
    every organisation has its ``name_en``, as in the built-in list)."""
    from bie.tagging.rules import check_pattern

    if not isinstance(raw, Mapping) or not isinstance(raw.get("organisations"), list):
        raise _fail(
            path,
            "la liste des porteurs doit contenir « organisations »",
            'the carrier list must hold "organisations"',
        )
    settings = raw.get("settings") or {}
    if not isinstance(settings, Mapping) or set(settings) - _SETTINGS_KEYS:
        keys = sorted(map(str, set(settings) - _SETTINGS_KEYS)) if isinstance(settings, Mapping) else []
        raise _fail(path, f"clés de « settings » inconnues : {keys}", f'unknown "settings" keys: {keys}')
    orgs: list[Organisation] = []
    seen: set[str] = set()
    for entry in raw["organisations"]:
        if not isinstance(entry, Mapping):
            raise _fail(path, "chaque organisation doit être un objet", "each organisation must be an object")
        unknown = set(entry) - _ORG_KEYS
        org_id = str(entry.get("id") or "")
        if unknown:
            keys = sorted(map(str, unknown))
            raise _fail(path, f"{org_id} : clé(s) inconnue(s) {keys}", f"{org_id}: unknown key(s) {keys}")
        if not org_id or org_id in seen:
            raise _fail(
                path, f"identifiant manquant ou en double : {org_id!r}", f"missing or repeated id: {org_id!r}"
            )
        seen.add(org_id)
        if not entry.get("sources"):
            raise _fail(path, f"{org_id} : « sources » manquantes", f'{org_id}: "sources" missing')
        name_en = entry.get("name_en")
        if require_en and name_en is None:
            raise _fail(
                path,
                f"{org_id} : « name_en » (le nom en anglais) est obligatoire dans la liste fournie avec bie",
                f'{org_id}: "name_en" (the English name) is required in the list shipped with bie',
            )
        if name_en is not None and (not isinstance(name_en, str) or not name_en.strip()):
            raise _fail(
                path,
                f"{org_id} : « name_en » doit être un texte non vide",
                f'{org_id}: "name_en" must be a non-empty text',
            )
        patterns = _str_list(entry.get("patterns"), path, f"{org_id}.patterns")
        for p in patterns:
            check_pattern(p, path, org_id)
        sirens = tuple(str(s["siren"]) for s in entry.get("siren") or [] if isinstance(s, Mapping))
        if any(not (len(s) == 9 and s.isdigit()) for s in sirens):
            raise _fail(path, f"{org_id} : un SIREN a 9 chiffres", f"{org_id}: a SIREN has 9 digits")
        orgs.append(
            Organisation(
                id=org_id,
                name=str(entry.get("name") or org_id),
                patterns=patterns,
                sirens=sirens,
                rationale=str(entry.get("rationale") or "").strip(),
                name_en=name_en.strip() if isinstance(name_en, str) else "",
            )
        )
    mission = _str_list(settings.get("mission"), path, "settings.mission")
    for p in mission:
        check_pattern(p, path, "mission")
    return CarrierList(
        version=str(raw.get("version") or ""),
        organisations=tuple(orgs),
        generic_words=_words(settings.get("generic_words"), path),
        mission=mission,
        core_confidence=float(settings.get("core_confidence", 0.8)),
        agree_bonus=float(settings.get("agree_bonus", 0.1)),
        mismatch_penalty=float(settings.get("mismatch_penalty", 0.15)),
        explicit_min_words=int(settings.get("explicit_min_words", 5)),
    )


@functools.lru_cache(maxsize=4)
def load_carriers(path: str | None = None) -> CarrierList:
    """The carrier list (the built-in ``bie/data/carriers.yaml`` by default), validated and cached."""
    p = Path(path) if path is not None else data_path("carriers.yaml")
    return parse_carriers(load_yaml_file(p), p, require_en=path is None)


def match_carriers(carrier: pl.Expr, carriers: CarrierList | None = None) -> pl.Expr:
    """A struct ``{id, offset, length}`` of the first organisation whose pattern matches ``carrier`` (the
    carrier's name as written: NFC text), null when none. Offsets are characters of ``carrier``."""
    carriers = carriers or load_carriers()
    norm = normalize_expr(carrier)
    ids: pl.Expr = pl.lit(None, pl.String)
    offs: pl.Expr = pl.lit(None, pl.Int64)
    lens: pl.Expr = pl.lit(None, pl.Int64)
    for org in reversed(carriers.organisations):  # the first of the list wins
        found = norm.str.find(org.regex).cast(pl.Int64)
        length = norm.str.extract(org.regex, 0).str.len_chars().cast(pl.Int64)
        hit = found.is_not_null()
        ids = pl.when(hit).then(pl.lit(org.id)).otherwise(ids)
        offs = pl.when(hit).then(found).otherwise(offs)
        lens = pl.when(hit).then(length).otherwise(lens)
    return pl.struct(ids.alias("id"), offs.alias("offset"), lens.alias("length"))


def carrier_decision(frame: pl.DataFrame, base_conf: pl.Expr) -> tuple[pl.DataFrame, pl.Expr]:
    """Add the carrier evidence to the engine's frame after its decision chain; return the frame (with the
    step and condition columns updated) and the confidence expression to use instead of ``base_conf``.

    Reads the engine's columns ``__bie_carrier_src``, ``__bie_m`` (masked normalised text: the carrier's
    name and the traps are in UPPER CASE there), ``__bie_step`` and ``__bie_cond_*``.
    """
    from bie.tagging.engine import on_rows

    carriers = load_carriers()
    col = pl.col
    # carriers' names repeat (the same associations across many actions): each distinct name is matched once
    names = frame.select(col(f"{P}carrier_src").unique().drop_nulls())
    hits = names.select(
        col(f"{P}carrier_src"), match_carriers(col(f"{P}carrier_src"), carriers).alias("hit")
    ).select(
        col(f"{P}carrier_src"),
        col("hit").struct.field("id").alias(f"{P}carrier_org"),
        col("hit").struct.field("offset").alias(f"{P}carrier_off"),
        col("hit").struct.field("length").alias(f"{P}carrier_len"),
    )
    frame = frame.join(hits, on=f"{P}carrier_src", how="left", maintain_order="left", nulls_equal=False)
    org = col(f"{P}carrier_org").is_not_null()
    # the action's own words: masked passages (carrier's name, traps) are upper case, set them aside
    own = col(f"{P}m").str.replace_all(r"[A-Z]+", " ")
    rest = own.str.replace_all(carriers.generic_regex, " ")
    step = col(f"{P}step")
    positive = col(f"{P}cond_aim_lead") | col(f"{P}cond_secondary")
    # read only for the actions of a listed organisation (every use below requires ``org``)
    frame = on_rows(
        frame,
        org,
        [
            (~rest.str.contains(r"[a-z]{3,}").fill_null(False)).alias(f"{P}carrier_generic"),
            own.str.contains(carriers.mission_regex).fill_null(False).alias(f"{P}carrier_mission"),
            rest.str.count_matches(r"[a-z]{4,}").cast(pl.Int64).fill_null(0).alias(f"{P}carrier_words"),
        ],
    )
    frame = frame.with_columns(
        col(f"{P}carrier_generic").fill_null(False),
        col(f"{P}carrier_mission").fill_null(False),
        col(f"{P}carrier_words").fill_null(0),
    )
    # an activity reserved to women (audience read by the AUD-F rules) is in these organisations' mission
    women_only = col(f"{P}aud_w") & ~col(f"{P}aud_m") & ~col(f"{P}aud_x")
    core = (
        org
        & ~positive
        & ~col(f"{P}cond_contradiction")
        & (col(f"{P}carrier_generic") | col(f"{P}carrier_mission") | women_only)
    )
    # the carrier confirms an equality aim read in a secondary position: the object is in its mission
    confirms = (
        org
        & (step == "secondary")
        & (col(f"{P}aim_other") | col(f"{P}aim_tail_title") | col(f"{P}aim_tail_objective_main"))
    )
    core = core | confirms
    # an explicit, short object foreign to equality from a women's-rights organisation: contradictory
    contradicts = (
        org
        & ~core
        & step.is_in(["none", "ambiguous"])
        & (col(f"{P}carrier_words") < carriers.explicit_min_words)
    )
    frame = frame.with_columns(core.alias(f"{P}carrier_core"), contradicts.alias(f"{P}carrier_contra"))
    core_c, contra_c = col(f"{P}carrier_core"), col(f"{P}carrier_contra")
    frame = frame.with_columns(
        pl.when(core_c)
        .then(pl.lit("aim_lead"))
        .when(contra_c)
        .then(pl.lit("contradiction"))
        .otherwise(step)
        .alias(f"{P}step"),
        (col(f"{P}cond_aim_lead") | core_c).alias(f"{P}cond_aim_lead"),
        (col(f"{P}cond_contradiction") | contra_c).alias(f"{P}cond_contradiction"),
        (col(f"{P}cond_little_text") & ~core_c).alias(f"{P}cond_little_text"),
    )
    new_step = col(f"{P}step")
    conf = (
        pl.when(core_c)
        .then(pl.lit(carriers.core_confidence))
        .when(org & new_step.is_in(["aim_lead", "secondary"]))
        .then(base_conf + carriers.agree_bonus)
        .when(org & (new_step == "none"))
        .then(base_conf - carriers.mismatch_penalty)
        .otherwise(base_conf)
    )
    return frame, conf


def carrier_reason_frames(frame: pl.DataFrame) -> Sequence[pl.DataFrame]:
    """The carrier reasons in the engine's long reason format (``idx, k1, k2, k3, rule, field, match,
    offset``): one per action whose carrier is on the list, quoting the carrier's own words."""
    if f"{P}carrier_org" not in frame.columns:
        return []
    hits = frame.filter(pl.col(f"{P}carrier_org").is_not_null())
    if hits.height == 0:
        return []
    return [
        hits.select(
            pl.col(f"{P}idx"),
            pl.lit(0, pl.Int32).alias("k1"),
            pl.lit(4, pl.Int32).alias("k2"),
            pl.lit(0, pl.Int32).alias("k3"),
            pl.col(f"{P}carrier_org").alias("rule"),
            pl.lit(CARRIER_FIELD).alias("field"),
            pl.col(f"{P}carrier_src")
            .str.slice(pl.col(f"{P}carrier_off"), pl.col(f"{P}carrier_len"))
            .alias("match"),
            pl.lit(0, pl.Int64).alias("offset"),
        )
    ]
