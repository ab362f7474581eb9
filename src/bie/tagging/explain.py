"""Why did the tagger decide this? (for ``bie explain`` and for trainers writing rules)

:func:`explain` tags one action with the same engine as :func:`bie.tagging.tag` and lists: the zones
(original and normalised text, the head before any secondary-clause marker), every rule that fired with
its field, words matched, evidence kind and position, the rules that *would* have fired but were
neutralised by a trap, and each decision step in order with whether its condition holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import polars as pl

from bie.i18n import Numbers, fmt
from bie.resources import load_data
from bie.tagging.engine import (
    INPUT_INT_COLUMNS,
    INPUT_TEXT_COLUMNS,
    STEPS,
    P,
    _compile,
    _x,
    _y,
    run,
    trap_hits,
)
from bie.tagging.rules import LEAD_ZONES, ZONES, RulePack, load_rules

__all__ = [
    "ActionKeyError",
    "DecisionStep",
    "Explanation",
    "RuleHit",
    "ZoneText",
    "explain",
    "explain_words",
    "row_from_mapping",
    "zone_label",
]

ROW_ALIASES: dict[str, str] = {
    "titre": "title",
    "intitule": "title",
    "objectifs": "objectives",
    "objectif": "objectives",
    "description": "description",
    "theme": "theme",
    "pilier": "pillar",
    "porteur": "carrier",
    "egalite_declaree": "declared_equality",
    "declaration": "declared_equality",
    "femmes": "women",
    "hommes": "men",
    "total": "beneficiaries_total",
    "beneficiaires": "beneficiaries_total",
    "identifiant": "action_id",
    "ligne": "_row",
    "feuille": "_sheet",
}
_INT_KEYS = frozenset(INPUT_INT_COLUMNS)
_TEXT_KEYS = frozenset(INPUT_TEXT_COLUMNS)


def zone_label(zone: str, lang: str = "fr") -> str:
    """Where the tagger read, in ``lang`` (``bie/data/labels.yaml``, ``zones``); an unknown zone as it is."""
    entry = load_data("labels.yaml")["zones"].get(zone)
    return str(entry["en" if lang == "en" else "fr"]) if entry else zone


def explain_words(key: str, lang: str, **params: Any) -> str:
    """One line of :meth:`Explanation.to_text` in ``lang`` (``labels.yaml``, ``explain``; ``params`` fill
    its ``{…}``): for the command line too, so that both say the same thing."""
    lang = "en" if lang == "en" else "fr"
    return fmt(str(load_data("labels.yaml")["explain"][key][lang]), **params)


@dataclass(frozen=True)
class ZoneText:
    """One zone: where it comes from, its source text, its normalised (and neutralised) text."""

    zone: str
    field: str
    text: str
    normalized: str
    head: str | None = None


@dataclass(frozen=True)
class RuleHit:
    """A rule that matched (or would have, before a trap neutralised the words)."""

    rule: str
    title: str
    evidence: str
    strength: str
    zone: str
    field: str
    match: str
    position: str | None = None
    neutralised: bool = False
    title_en: str = ""

    def title_in(self, lang: str = "fr") -> str:
        """The rule's title in ``lang`` (the French one when the rule has no English title)."""
        return self.title_en if lang == "en" and self.title_en else self.title

    def kind(self, lang: str = "fr") -> str:
        """What the hit is evidence of, in words: « mesure, forte, dans une incise »."""
        labels = load_data("labels.yaml")
        lang = "en" if lang == "en" else "fr"
        parts = [labels["evidence"][self.evidence][lang]]
        if self.evidence in ("aim", "measure"):
            parts.append(labels["strength"][self.strength][lang])
        if self.position:
            parts.append(labels["position"][self.position][lang])
        return ", ".join(parts)


@dataclass(frozen=True)
class DecisionStep:
    """A step of the decision: its condition on this action, and whether it decided."""

    name: str
    label: str
    category: str | None
    holds: bool
    chosen: bool
    label_en: str = ""

    def label_in(self, lang: str = "fr") -> str:
        """What the step tests, in ``lang``."""
        return self.label_en if lang == "en" and self.label_en else self.label


@dataclass(frozen=True)
class Explanation:
    """Everything the tagger saw and did for one action."""

    rules_version: str
    zones: tuple[ZoneText, ...]
    hits: tuple[RuleHit, ...]
    neutralised: tuple[RuleHit, ...]
    steps: tuple[DecisionStep, ...]
    category: str
    dac_marker: int | None
    eu_weight: float | None
    confidence: float
    audience: str
    declared_category: str | None
    declaration_mismatch: bool | None
    override: str | None
    reasons: tuple[dict[str, str], ...]
    review_reason: str | None = None
    content_words: int = 0
    first_sentence_is_label: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def review_reason_label(self, lang: str = "fr") -> str | None:
        """Why the action is « à examiner », in words (``None`` when it is not to review)."""
        if self.review_reason is None:
            return None
        return str(
            load_data("labels.yaml")["review_reasons"][self.review_reason]["en" if lang == "en" else "fr"]
        )

    def to_text(self, lang: str = "fr") -> str:
        """A human-readable account, step by step, in ``lang`` (``fr`` or ``en``; words from
        ``bie/data/labels.yaml``, numbers written the reader's way: « 0,87 » in French, 0.87 in English)."""
        lang = "en" if lang == "en" else "fr"
        labels = load_data("labels.yaml")
        numbers = Numbers(lang)

        def w(key: str, **params: Any) -> str:
            return explain_words(key, lang, **params)

        def category(cat: str | None) -> str:
            entry = labels["categories"].get(cat or "")
            return str(entry[lang]) if entry else str(cat)

        lines = [w("rules", version=self.rules_version), "", w("zones_read")]
        for z in self.zones:
            shown = _tidy(z.text)
            if not shown:
                continue
            origin = (
                "" if _zone_field(z.zone) == z.field else w("taken_from", field=zone_label(z.field, lang))
            )
            lines.append(w("zone", zone=zone_label(z.zone, lang), origin=origin, text=shown))
            if z.head is not None and _tidy(z.head) != shown:
                lines.append(w("head", text=_tidy(z.head)))
        if self.first_sentence_is_label:
            lines.append(w("first_is_label"))
        lines += ["", w("rules_fired")]
        if not self.hits:
            lines.append(w("none"))
        for h in self.hits:
            lines.append(
                w(
                    "hit",
                    rule=h.rule,
                    kind=h.kind(lang),
                    zone=zone_label(h.zone, lang),
                    match=h.match,
                    title=h.title_in(lang),
                )
            )
        if self.neutralised:
            lines += ["", w("neutralised")]
            for h in self.neutralised:
                lines.append(w("neutralised_hit", rule=h.rule, zone=zone_label(h.zone, lang), match=h.match))
        lines += ["", w("steps")]
        for s in self.steps:
            mark = "→" if s.chosen else ("✓" if s.holds else "✗")
            outcome = f" ⇒ {category(s.category)}" if s.category else ""
            lines.append(f"  {mark} {s.label_in(lang)}{outcome}")
            if s.chosen:
                break
        marker = "—" if self.dac_marker is None else str(self.dac_marker)
        lines += [
            "",
            w(
                "result",
                category=category(self.category),
                marker=marker,
                weight=numbers.pct(self.eu_weight),
                confidence=numbers.decimal(self.confidence, 2),
            ),
            w("audience", audience=str(labels["audience"].get(self.audience, {}).get(lang, self.audience))),
        ]
        if self.declared_category is not None:
            agreement = {True: "disagrees", False: "agrees", None: "not_compared"}[self.declaration_mismatch]
            declared = (
                w("declared_unknown")
                if self.declared_category not in labels["categories"]
                else category(self.declared_category)
            )
            lines.append(w("declared", category=declared, agreement=w(agreement)))
        if self.override:
            lines.append(w("override", text=self.override))
        if self.review_reason is not None:
            lines.append(w("review_reason", reason=self.review_reason_label(lang)))
        lines.append(w("content_words", n=self.content_words))
        return "\n".join(lines)


def _tidy(text: str) -> str:
    """A zone as shown to a person: without the sentence mark that ended the previous zone."""
    return text.strip().lstrip(".!?;…").strip()


def _zone_field(zone: str) -> str:
    return {"objective_main": "objectives", "objective_rest": "objectives"}.get(zone, zone)


class ActionKeyError(ValueError):
    """A key of an action mapping that is neither an input column nor a French alias of one."""

    def __init__(self, key: object) -> None:
        super().__init__(f"unknown action key {key!r}")
        self.key = key


def row_from_mapping(row: Mapping[str, Any]) -> dict[str, Any]:
    """Canonical input keys from a mapping that may use the French keys of the test cases."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        canon = ROW_ALIASES.get(key, key)
        if canon not in _TEXT_KEYS and canon not in _INT_KEYS:
            raise ActionKeyError(key)
        out[canon] = value
    return out


def frame_from_rows(rows: list[Mapping[str, Any]]) -> pl.DataFrame:
    """A typed input frame from mappings (French or canonical keys)."""
    canon = [row_from_mapping(r) for r in rows]
    keys = sorted({k for r in canon for k in r})
    schema = {k: (pl.Int64 if k in _INT_KEYS else pl.String) for k in keys}
    data = {
        k: [(None if r.get(k) is None else (int(r[k]) if k in _INT_KEYS else str(r[k]))) for r in canon]
        for k in keys
    }
    if not keys:
        return pl.DataFrame({"title": [None] * len(rows)}, schema={"title": pl.String})
    return pl.DataFrame(data, schema=schema)


def _match_len(text: str, off: int, end: int, regex: str) -> int:
    out = pl.select(pl.lit(text[off:end]).str.extract("^(?:" + regex + ")", 0).str.len_chars()).item()
    return int(out) if out is not None else 0


def explain(
    text: str | None = None,
    row: Mapping[str, Any] | None = None,
    pack: RulePack | None = None,
    overrides: Any = None,
) -> Explanation:
    """Explain the tag of one action, given as free ``text`` or as a ``row`` mapping.

    ``text``: its first line is read as the title and the following lines as the objectives.
    ``row``: keys as in :func:`bie.tagging.tag`'s input (or the French keys of the test cases).
    """
    if pack is None:
        pack = load_rules()
    if row is None:
        if text is None:
            raise ValueError("explain() needs text or row")
        first, _, rest = text.strip().partition("\n")
        row = {"title": first, "objectives": rest or None}
    frame = frame_from_rows([row])
    out, internal, _issues = run(frame, pack, overrides, debug=True)
    comp = _compile(pack)
    r = internal.row(0, named=True)
    o = out.row(0, named=True)
    src: str = r[f"{P}src"]
    lt, lo = int(r[f"{P}lt"]), int(r[f"{P}lo"])

    def field_at(off: int) -> str:
        return "title" if off < lt else ("objectives" if off <= lt + lo else "description")

    bounds = {z: (int(r[f"{P}s_{z}"]), int(r[f"{P}s_{z}"]) + int(r[f"{P}l_{z}"])) for z in ZONES}

    def zone_at(off: int) -> str:
        for z, (a, b) in bounds.items():
            if a <= off < b:
                return z
        return field_at(off)

    def end_of(zone: str) -> int:
        if zone == "declared_equality":
            return len(r[f"{P}decl"] or "")
        return int(r[f"{P}s_{zone}"]) + int(r[f"{P}l_{zone}"])

    zones: list[ZoneText] = []
    for z in ZONES:
        a, b = bounds[z]
        head = src[a : int(r[f"{P}h_{z}"])] if z in LEAD_ZONES else None
        zones.append(ZoneText(z, field_at(a) if b > a else _zone_field(z), src[a:b], r[f"{P}m"][a:b], head))

    hits: list[RuleHit] = []
    neutralised: list[RuleHit] = []
    for rule, mz in comp.columns:
        off = r.get(_x(rule.id, mz))
        if rule.evidence == "declaration":
            if off is not None and r[f"{P}decl_rule"] == rule.id:
                n = _match_len(r[f"{P}decl"], off, end_of(mz), rule.regex)
                decl = r[f"{P}decl_src"]
                hits.append(
                    RuleHit(
                        rule.id,
                        rule.title,
                        rule.evidence,
                        rule.strength,
                        mz,
                        mz,
                        decl[off : off + n],
                        title_en=rule.title_en,
                    )
                )
            continue
        text_norm = r[f"{P}n"] if rule.evidence == "negation" else r[f"{P}m"]
        if off is not None:
            zone = zone_at(off) if rule.evidence != "vague" else mz[2:]
            position = None
            if rule.evidence == "aim" and mz in LEAD_ZONES:
                position = "tête" if off < r[f"{P}h_{mz}"] else "incise"
            n = _match_len(text_norm, off, end_of(mz), rule.regex)
            hits.append(
                RuleHit(
                    rule.id,
                    rule.title,
                    rule.evidence,
                    rule.strength,
                    zone,
                    field_at(off),
                    src[off : off + n],
                    position,
                    title_en=rule.title_en,
                )
            )
            continue
        off_u = r.get(_y(rule.id, mz))
        if off_u is not None and rule.evidence != "clause":
            n = _match_len(r[f"{P}n"], off_u, end_of(mz), rule.regex)
            neutralised.append(
                RuleHit(
                    rule.id,
                    rule.title,
                    rule.evidence,
                    rule.strength,
                    zone_at(off_u),
                    field_at(off_u),
                    src[off_u : off_u + n],
                    None,
                    True,
                    title_en=rule.title_en,
                )
            )
    for part in trap_hits(internal, comp):
        for rule_id, field, match, off in part.select("rule", "field", "match", "offset").iter_rows():
            rule = pack.rule(rule_id)
            hits.append(
                RuleHit(
                    rule.id,
                    rule.title,
                    rule.evidence,
                    rule.strength,
                    zone_at(off),
                    field,
                    match,
                    title_en=rule.title_en,
                )
            )

    final = r[f"{P}final_step"]
    steps: list[DecisionStep] = []
    for step in STEPS:
        if step.name == "override":
            holds = r[f"{P}ov_category"] is not None
            cat = r[f"{P}ov_category"]
        elif step.name == "none":
            holds, cat = True, step.category
        else:
            holds, cat = bool(r[f"{P}cond_{step.name}"]), step.category
        steps.append(
            DecisionStep(step.name, step.label, cat, holds, step.name == final, label_en=step.label_in("en"))
        )

    order = {x.id: i for i, x in enumerate(pack.rules)}
    zone_rank = {z: i for i, z in enumerate((*ZONES, "objectives", "declared_equality"))}
    hits.sort(key=lambda h: (zone_rank.get(h.zone, 9), order[h.rule]))
    return Explanation(
        rules_version=pack.version,
        zones=tuple(zones),
        hits=tuple(hits),
        neutralised=tuple(neutralised),
        steps=tuple(steps),
        category=o["category"],
        dac_marker=o["dac_marker"],
        eu_weight=o["eu_weight"],
        confidence=o["confidence"],
        audience=o["audience"],
        declared_category=o["declared_category"],
        declaration_mismatch=o["declaration_mismatch"],
        override=o["override"],
        reasons=tuple(dict(x) for x in o["reasons"]),
        review_reason=o["review_reason"],
        content_words=int(r[f"{P}content_words"] or 0),
        first_sentence_is_label=bool(r[f"{P}label_a"]),
    )
