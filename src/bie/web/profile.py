"""A territory's profile on the web: a score per element, sphere summaries, weak elements, broken links.

Method (documented for users in ``docs/toile.md`` § 3):

1. **Action score.** Only ``specific`` and ``transversal`` actions count. For each element, the criteria
   of its thresholds (``bie/data/web.yaml``) are measured: the number of actions that strengthen it,
   the share of the programme's actions that integrate equality, the share of the programme's money
   that goes to them. The score is the highest level whose conditions hold, 0 otherwise. For an element
   whose absence funding data cannot show (``funding_evidence: false``), 0 becomes *unknown*: it can be
   proved present by an action, never absent.
2. **Questionnaire score.** 0–3, or unknown (blank, « ne sait pas »).
3. **Combination.** When both are known, the higher: an action proves that a practice exists; the
   questionnaire knows what is funded elsewhere or not funded at all. ``source`` says which.
4. **Weak** elements: known and scoring ≤ 1. A **broken link**: its start scores ≥ 2 and its end ≤ 1,
   both known.

Money is counted in whole cents (integers), so sums do not depend on row order; negative or non-finite
amounts count as 0 (a cancellation is not money for equality). Nothing here loops over rows in Python
except to list the evidence of each element.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from bie.errors import QuestionnaireError, Text
from bie.i18n import Numbers, fmt_in
from bie.resources import load_data
from bie.tagging.normalize import normalize_expr
from bie.web.model import Carriers, Element, Level, Link, WebModel, load_model
from bie.web.questionnaire import Answer, Questionnaire
from bie.web.rules import ELIGIBLE, WebRules
from bie.web.tags import element_tags

__all__ = ["ActionRef", "ElementScore", "SphereSummary", "WebProfile", "profile"]

SOURCES: tuple[str, ...] = ("actions", "questionnaire", "both", "none")


#: Actions listed as evidence per element (the counts and amounts always cover every action).
EVIDENCE_LIMIT = 25

#: The European Union's weights for the weighted equality spend (EIGE): specific 100 %, transversal 40 %.
EU_WEIGHTS: dict[str, float] = {"specific": 1.0, "transversal": 0.4}

#: The element that funding a women's rights organisation strengthens, and the reason shown for it.
COMMITMENT_ELEMENT = "commitment"
WOMEN_ORG_RULE = "PORTEUR-DROITS-FEMMES"

CRITERIA_ORDER: tuple[str, ...] = (
    "actions",
    "element_share",
    "equality_action_share",
    "equality_money_share",
    "weighted_money_share",
)


@dataclass(frozen=True)
class ActionRef:
    """An action that strengthens an element: where it is, its title, category, amount and rules."""

    id: str | None
    file: str | None
    sheet: str | None
    row: int | None
    title: str | None
    category: str
    cents: int | None
    rules: tuple[str, ...]

    @property
    def amount(self) -> float | None:
        return None if self.cents is None else self.cents / 100

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id}
        if self.file is not None:
            out["file"] = self.file
        out.update(
            {
                "sheet": self.sheet,
                "row": self.row,
                "title": self.title,
                "category": self.category,
                "amount": self.amount,
                "rules": list(self.rules),
            }
        )
        return out

    def key(self) -> tuple[Any, ...]:
        """A total order on every field: the listing does not depend on row order."""
        return (
            self.file or "",
            self.sheet or "",
            -1 if self.row is None else self.row,
            self.id or "",
            self.title or "",
            self.category,
            -1 if self.cents is None else self.cents,
            self.rules,
        )


@dataclass(frozen=True)
class ElementScore:
    """One element's score, where it comes from and why."""

    element: Element
    score: int | None
    source: str
    action_score: int | None
    questionnaire_score: int | None
    answer: Answer | None
    #: The actions listed as evidence: at most EVIDENCE_LIMIT, those with the most money first.
    actions: tuple[ActionRef, ...]
    #: How many actions strengthen the element (all of them, not only those listed).
    n_actions: int
    #: The rules that tied those actions to the element (all of them).
    rules: tuple[str, ...]
    cents: int
    criteria: tuple[tuple[str, float | None], ...]
    reached: tuple[tuple[str, float], ...]
    explanation_fr: str
    explanation_en: str
    #: Association practices tied to an institution-level element: shown as hints, never scored.
    hints: tuple[ActionRef, ...] = ()
    n_hints: int = 0

    @property
    def id(self) -> str:
        return self.element.id

    @property
    def amount(self) -> float:
        return self.cents / 100

    @property
    def weak(self) -> bool:
        return self.score is not None and self.score <= 1

    def explanation(self, lang: str = "fr") -> str:
        return self.explanation_fr if lang == "fr" else self.explanation_en


@dataclass(frozen=True)
class SphereSummary:
    """The elements of a sphere rolled up: known and unknown counts, mean, lowest score, weak ones."""

    id: str
    elements: tuple[str, ...]
    known: int
    mean: float | None
    minimum: int | None
    maximum: int | None
    weak: tuple[str, ...]
    explanation_fr: str
    explanation_en: str


@dataclass(frozen=True)
class WebProfile:
    """A territory on the web of institutionalisation (see the module docstring for the method)."""

    model: WebModel
    elements: tuple[ElementScore, ...]
    spheres: tuple[SphereSummary, ...]
    weak: tuple[str, ...]
    broken_links: tuple[Link, ...]
    n_actions: int
    n_equality: int
    total_cents: int | None
    equality_cents: int | None
    questionnaire: Questionnaire | None = None
    #: EU-weighted equality spend (specific 100 %, transversal 40 %), in cents.
    weighted_cents: int | None = None
    #: Actions not judged (« à examiner » or no category) and their share of the programme.
    n_to_review: int = 0
    to_review_share: float | None = None
    max_to_review_share: float = 0.5

    @property
    def coverage_low(self) -> bool:
        """Most actions could not be judged: no element is absent from the actions, figures carry a caveat."""
        return self.to_review_share is not None and self.to_review_share > self.max_to_review_share + 1e-12

    def element(self, element_id: str) -> ElementScore:
        for e in self.elements:
            if e.id == element_id:
                return e
        raise KeyError(element_id)

    def score(self, element_id: str) -> int | None:
        return self.element(element_id).score

    @property
    def scores(self) -> dict[str, int | None]:
        """Element id → score, in model order."""
        return {e.id: e.score for e in self.elements}

    def to_dict(self, lang: str = "fr") -> dict[str, Any]:
        """JSON-safe: ``{"version", "elements", "spheres", "links", "weak", "broken_links"}``."""
        if lang not in ("fr", "en"):
            raise ValueError(f"unsupported language {lang!r}; use one of ('fr', 'en')")
        model = self.model
        elements = []
        for e in self.elements:
            answer = e.answer
            evidence: dict[str, Any] = {
                "funding_evidence": e.element.funding_evidence,
                "action_score": e.action_score,
                "questionnaire_score": e.questionnaire_score,
                "questionnaire": None
                if answer is None
                else {"answer": answer.text, "comment": answer.comment, "cell": answer.cell},
                "thresholds": e.element.thresholds.id,
                "criteria": {k: _round(v) for k, v in e.criteria},
                "reached": {k: _round(v) for k, v in e.reached},
                "rules": list(e.rules),
                "level": e.element.evidence,
                "hint_count": e.n_hints,
                "hints": [a.to_dict() for a in e.hints],
            }
            elements.append(
                {
                    "id": e.id,
                    "sphere": e.element.sphere,
                    "label_fr": e.element.label_fr,
                    "label_en": e.element.label_en,
                    "score": e.score,
                    "source": e.source,
                    "actions": [a.to_dict() for a in e.actions],
                    "action_count": e.n_actions,
                    "amount": e.amount,
                    "evidence": evidence,
                    "explanation": e.explanation(lang),
                }
            )
        spheres = []
        for s in self.spheres:
            sphere = model.sphere(s.id)
            spheres.append(
                {
                    "id": s.id,
                    "label_fr": sphere.label_fr,
                    "label_en": sphere.label_en,
                    "title_fr": sphere.title_fr,
                    "title_en": sphere.title_en,
                    "elements": list(s.elements),
                    "known": s.known,
                    "unknown": len(s.elements) - s.known,
                    "mean": s.mean,
                    "min": s.minimum,
                    "max": s.maximum,
                    "weak": list(s.weak),
                    "explanation": s.explanation_fr if lang == "fr" else s.explanation_en,
                }
            )
        return {
            "version": model.version,
            "coverage": {
                "actions": self.n_actions,
                "to_review": self.n_to_review,
                "to_review_share": _round(self.to_review_share),
                "max_to_review_share": self.max_to_review_share,
                "low": self.coverage_low,
            },
            "elements": elements,
            "spheres": spheres,
            "links": [{"from": link.source, "to": link.target} for link in model.links],
            "weak": list(self.weak),
            "broken_links": [
                {"from": link.source, "to": link.target, "message": link.message(lang)}
                for link in self.broken_links
            ],
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


# --------------------------------------------------------------------------------------------------
# formatting: every word comes from ``bie/data/web_words.yaml``, every number from :class:`bie.i18n.Numbers`


def _say(lang: str, key: str, **params: Any) -> str:
    """The entry ``key`` of ``web_words.yaml`` in ``lang``, filled with ``params`` (plural forms agree)."""
    return fmt_in(lang, load_data("web_words.yaml")["words"][key][lang], **params)


def _money(cents: int, lang: str) -> str:
    return Numbers(lang).money(cents / 100)


def _pct(share: float, lang: str) -> str:
    """A share to one decimal, none when that is a whole percentage (« 12,5 % », « 40 % », « 1 % » for
    0.996 %)."""
    shown = float(f"{share * 100:.1f}")
    return Numbers(lang).pct(shown / 100, 0 if shown.is_integer() else 1)


def _count(n: int, lang: str) -> str:
    return Numbers(lang).integer(n)


def _criterion(key: str, value: float, lang: str) -> str:
    if key == "actions":
        n = int(value)
        return (
            _say(lang, "criterion_actions", n=_count(n, lang))
            if n > 1
            else _say(lang, "criterion_one_action")
        )
    return _say(lang, f"criterion_{key}", share=_pct(value, lang))


def _explain_actions(
    element: Element,
    action_score: int | None,
    n: int,
    cents: int,
    criteria: Mapping[str, float | None],
    reached: Sequence[tuple[str, float]],
    has_money: bool,
    model: WebModel,
    lang: str,
) -> str:
    """The action part of the explanation (no final full stop)."""
    amount = _say(lang, "amount", amount=_money(cents, lang)) if has_money and n else ""
    count = _count(n, lang)
    clause = _say(lang, "clause")
    shares = ""
    used = element.thresholds.criteria
    parts = []
    a_share, m_share = criteria.get("equality_action_share"), criteria.get("equality_money_share")
    if a_share is not None and "equality_action_share" in used:
        parts.append(_say(lang, "share_actions", share=_pct(a_share, lang)))
    if m_share is not None and "equality_money_share" in used:
        parts.append(_say(lang, "share_money", share=_pct(m_share, lang)))
    if parts:
        shares = clause + _say(lang, "shares", shares=_say(lang, "and").join(parts))
    w_share = criteria.get("weighted_money_share")
    if "weighted_money_share" in used:
        if w_share is not None:
            shares += clause + _say(lang, "weighted_share", share=_pct(w_share, lang))
        else:
            shares += clause + _say(lang, "no_amounts")
    if element.institutional and n and element.id == COMMITMENT_ELEMENT:
        head = _say(lang, "head_institution_commitment", n=count, amount=amount)
    elif element.institutional and n:
        head = _say(lang, "head_institution", n=count, amount=amount)
    elif element.institutional and "weighted_money_share" not in used:
        head = _say(lang, "head_institution_none_unknown")
    elif element.institutional:
        head = _say(lang, "head_institution_none_weighted")
    elif n:
        head = _say(lang, "head_actions", n=count, amount=amount)
    elif parts:
        head = _say(lang, "head_none_direct")
    elif element.funding_evidence:
        head = _say(lang, "head_none")
    else:
        head = _say(lang, "head_none_unknown")
    head += shares
    if action_score is None:
        return head
    label = model.scale_label(action_score, lang)
    if action_score == 0:
        return _say(lang, "action_score_zero", head=head, label=label)
    why = _say(lang, "and").join(_criterion(k, v, lang) for k, v in reached)
    return _say(lang, "action_score", head=head, score=action_score, label=label, reached=why)


def _explain_hints(
    element: Element,
    n_hints: int,
    level: int,
    coverage_low: bool,
    to_review_share: float | None,
    lang: str,
) -> str:
    """Hints (association practices, never scored) and the caveat of a file mostly not judged."""
    clause = _say(lang, "clause")
    out = ""
    if n_hints:
        out += clause + _say(lang, "hints", n=_count(n_hints, lang))
    if coverage_low and level == 0 and to_review_share is not None:
        out += clause + _say(lang, "coverage_low", share=_pct(to_review_share, lang))
    return out


def _explain(
    element: Element,
    score: int | None,
    action_part: str,
    action_score: int | None,
    answer: Answer | None,
    model: WebModel,
    lang: str,
) -> str:
    """One sentence: the action part, the questionnaire part, and how they combine."""
    q = answer.score if answer is not None else None
    q_text = ""
    if answer is not None and q is not None:
        comment = _say(lang, "answer_comment", comment=answer.comment) if answer.comment else ""
        q_text = _say(lang, "answer", score=q, label=model.scale_label(q, lang), comment=comment)
    elif answer is not None:
        q_text = _say(lang, "answer_unknown")
    sep = _say(lang, "clause")
    if score is None:
        tail = _say(lang, "unknown")
        return _sentence(_capital(sep.join(p for p in (action_part, q_text, tail) if p)))
    if action_score is not None and q is not None:
        rule = _say(lang, "kept", score=score, label=model.scale_label(score, lang))
        return _sentence(_capital(sep.join((action_part, q_text, rule))))
    if q is not None:
        if not element.funding_evidence:
            q_text = _say(lang, "answer_only_unseen", answer=q_text)
        return _sentence(_capital(q_text))
    return _sentence(_capital(sep.join(p for p in (action_part, q_text) if p)))


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


# --------------------------------------------------------------------------------------------------
# computation


def _level(
    levels: Sequence[Level], criteria: Mapping[str, float | None]
) -> tuple[int, tuple[tuple[str, float], ...]]:
    """The highest level whose conditions hold, with the alternative that made it (``(0, ())`` if none)."""
    best: tuple[int, tuple[tuple[str, float], ...]] = (0, ())
    for level in levels:
        for alt in level.alternatives:
            ok = all((v := criteria.get(k)) is not None and v + 1e-12 >= t for k, t in alt)
            if ok and level.score > best[0]:
                best = (level.score, alt)
                break
    return best


def _column(frame: pl.DataFrame, name: str, dtype: Any) -> pl.Expr:
    if name in frame.columns:
        return pl.col(name).cast(dtype, strict=False)
    return pl.lit(None, dtype)


def _cents(frame: pl.DataFrame, amount: str | None) -> pl.Expr:
    if amount is None or amount not in frame.columns:
        return pl.lit(None, pl.Int64)
    value = pl.col(amount).cast(pl.Float64, strict=False)
    value = pl.when(value.is_finite()).then(value).otherwise(None)
    return (value.clip(lower_bound=0.0) * 100).round(0).cast(pl.Int64)


def profile(
    frame: pl.DataFrame,
    model: WebModel | None = None,
    questionnaire: Questionnaire | None = None,
    amount: str | None = "_amount",
    *,
    rules: WebRules | None = None,
    max_to_review_share: float | None = None,
) -> WebProfile:
    """The territory's profile from its tagged actions and, optionally, a filled questionnaire.

    ``frame``: a tagged frame (``category``…); ``web_elements`` is computed with :func:`element_tags`
    when absent. ``amount``: the column holding each action's money (absent or null: shares of money are
    unknown and amounts read 0). ``max_to_review_share``: above this share of actions « à examiner », no
    element is scored 0 from the actions (``bie/data/method.yaml``, ``judged``, by default). The result
    does not depend on row order.
    """
    model = model or load_model()
    if questionnaire is not None and questionnaire.version != model.version:
        raise QuestionnaireError(
            questionnaire.path,
            detail=Text(
                f"questionnaire de la version {questionnaire.version} du modèle, bie utilise la version "
                f"{model.version}",
                f"questionnaire for version {questionnaire.version} of the model, "
                f"bie uses version {model.version}",
            ),
        )
    limit = judged_limit() if max_to_review_share is None else max_to_review_share
    if "web_elements" not in frame.columns:
        frame = element_tags(frame, rules if rules is not None else model)
    n_actions = frame.height
    carriers = model.carriers
    fields = [c for c in ("title", "objectives", "description") if c in frame.columns]
    if fields:  # the action's text, normalised once for every element's « commissioned » test
        frame = frame.with_columns(
            pl.concat_str(
                [normalize_expr(pl.col(c).cast(pl.String, strict=False)).fill_null("") for c in fields],
                separator="\n",
            ).alias(_TEXT)
        )
    base = frame.select(
        _column(frame, "category", pl.String).alias("category"),
        _cents(frame, amount).alias("cents"),
        _column(frame, "action_id", pl.String).alias("id"),
        _column(frame, "_file", pl.String).alias("file"),
        _column(frame, "_sheet", pl.String).alias("sheet"),
        _column(frame, "_row", pl.Int64).alias("row"),
        _column(frame, "title", pl.String).alias("title"),
        pl.col("web_elements").cast(pl.List(pl.String)),
        (
            pl.col("web_reasons").list.eval(
                pl.element().struct.field("element") + "\t" + pl.element().struct.field("rule")
            )
            if "web_reasons" in frame.columns
            else pl.lit([], dtype=pl.List(pl.String))
        ).alias("pairs"),
        _institution_carrier(frame, carriers.institution_regex).alias("institution"),
        *(
            _commissioned(frame, carriers.commissioned_regex(e.id)).alias(f"commissioned:{e.id}")
            for e in model.elements
            if e.institutional
        ),
        _women_organisation(frame, carriers).alias("women_org"),
    ).with_row_index("idx")
    n_to_review = base.filter(
        pl.col("category").is_null() | ~pl.col("category").is_in([*ELIGIBLE, "not_integrated"])
    ).height
    to_review_share = n_to_review / n_actions if n_actions else None
    coverage_low = to_review_share is not None and to_review_share > limit + 1e-12
    equality = base.filter(pl.col("category").is_in(list(ELIGIBLE)))
    n_equality = equality.height
    has_money = bool(base.select(pl.col("cents").is_not_null().any()).item())
    total_cents = int(base.select(pl.col("cents").sum()).item() or 0) if has_money else None
    equality_cents = int(equality.select(pl.col("cents").sum()).item() or 0) if has_money else None
    weighted_cents: int | None = None
    if has_money:
        weighted_cents = sum(
            round(
                int(equality.filter(pl.col("category") == cat).select(pl.col("cents").sum()).item() or 0) * w
            )
            for cat, w in EU_WEIGHTS.items()
        )
    programme: dict[str, float | None] = {
        "equality_action_share": n_equality / n_actions if n_actions else None,
        "equality_money_share": (equality_cents / total_cents)
        if total_cents and equality_cents is not None
        else None,
        "weighted_money_share": (weighted_cents / total_cents)
        if total_cents and weighted_cents is not None
        else None,
    }

    long = (
        equality.explode("web_elements")
        .filter(pl.col("web_elements").is_not_null())
        .unique(subset=["idx", "web_elements"])
    )
    rules_of = (
        equality.select("idx", "pairs")
        .explode("pairs")
        .filter(pl.col("pairs").is_not_null())
        .select(
            "idx",
            pl.col("pairs").str.split_exact("\t", 1).struct.rename_fields(["element", "rule"]).alias("p"),
        )
        .unnest("p")
        .unique()
        .group_by("idx", "element")
        .agg(pl.col("rule").sort())
    )
    long = long.join(
        rules_of, left_on=["idx", "web_elements"], right_on=["idx", "element"], how="left"
    ).with_columns(pl.col("rule").fill_null(pl.lit([], dtype=pl.List(pl.String))))
    # Funding a women's rights organisation (a specific action) is a sign of political commitment.
    funded = equality.filter((pl.col("category") == "specific") & pl.col("women_org")).with_columns(
        pl.lit(COMMITMENT_ELEMENT).alias("web_elements"),
        pl.lit([WOMEN_ORG_RULE], dtype=pl.List(pl.String)).alias("rule"),
    )
    if funded.height and COMMITMENT_ELEMENT in model.ids:
        long = (
            pl.concat([long, funded.select(long.columns)], how="vertical_relaxed")
            .group_by("idx", "web_elements", maintain_order=True)
            .agg(
                pl.exclude("rule", "women_org").first(),
                pl.col("women_org").any(),
                pl.col("rule").list.explode(keep_nulls=False, empty_as_null=False).unique().sort(),
            )
            .select(long.columns)
        )
    institutional = {e.id for e in model.elements if e.institutional}
    counted_expr = (
        ~pl.col("web_elements").is_in(list(institutional))
        | pl.col("institution")
        | pl.any_horizontal(
            pl.lit(False),
            *((pl.col("web_elements") == e) & pl.col(f"commissioned:{e}") for e in sorted(institutional)),
        )
        | ((pl.col("web_elements") == COMMITMENT_ELEMENT) & pl.col("women_org"))
    )
    long = long.with_columns(counted_expr.fill_null(False).alias("counted"))
    # Counts and money per element, exact and independent of row order.
    totals: dict[tuple[str, bool], tuple[int, int]] = {
        (element_id, bool(counted)): (int(n), int(c or 0))
        for element_id, counted, n, c in long.group_by("web_elements", "counted")
        .agg(pl.len(), pl.col("cents").sum())
        .iter_rows()
    }
    rules_by_element = {
        element_id: tuple(r for r in rules if r is not None)
        for element_id, rules in long.filter(pl.col("counted"))
        .select("web_elements", "rule")
        .explode("rule")
        .group_by("web_elements")
        .agg(pl.col("rule").unique().sort())
        .iter_rows()
    }
    refs_of = {
        True: _refs(long.filter(pl.col("counted")), model),
        False: _refs(long.filter(~pl.col("counted")), model),
    }

    scores: list[ElementScore] = []
    for element in model.elements:
        n, cents = totals.get((element.id, True), (0, 0))
        n_hints = totals.get((element.id, False), (0, 0))[0]
        criteria: dict[str, float | None] = {
            "actions": float(n),
            "element_share": n / n_actions if n_actions else None,
            **programme,
        }
        level, alt = _level(element.thresholds.levels, criteria)
        action_score: int | None = level
        if level == 0 and (
            not element.funding_evidence
            or coverage_low
            or ("weighted_money_share" in element.thresholds.criteria and not has_money)
        ):
            action_score = None
        answer = questionnaire.answer(element.id) if questionnaire is not None else None
        q = answer.score if answer is not None else None
        known = [s for s in (action_score, q) if s is not None]
        score = max(known) if known else None
        if action_score is not None and q is not None:
            source = "both"
        elif action_score is not None:
            source = "actions"
        elif q is not None:
            source = "questionnaire"
        else:
            source = "none"
        used = tuple(
            (k, criteria[k]) for k in CRITERIA_ORDER if k in element.thresholds.criteria or k == "actions"
        )
        explanations = {}
        for lang in ("fr", "en"):
            action_part = _explain_actions(
                element, action_score, n, cents, criteria, alt, has_money, model, lang
            )
            action_part += _explain_hints(element, n_hints, level, coverage_low, to_review_share, lang)
            explanations[lang] = _explain(element, score, action_part, action_score, answer, model, lang)
        scores.append(
            ElementScore(
                element=element,
                score=score,
                source=source,
                action_score=action_score,
                questionnaire_score=q,
                answer=answer,
                actions=tuple(refs_of[True].get(element.id, ())),
                n_actions=n,
                rules=rules_by_element.get(element.id, ()),
                cents=cents,
                criteria=used,
                reached=alt,
                explanation_fr=explanations["fr"],
                explanation_en=explanations["en"],
                hints=tuple(refs_of[False].get(element.id, ())),
                n_hints=n_hints,
            )
        )
    by_id = {s.id: s for s in scores}
    # A low score is a weakness only where it is a finding: the questionnaire says so, or the funding table
    # can show the element's absence on a file mostly judged. Otherwise it is a minimum (funded elsewhere?).
    weak = tuple(s.id for s in scores if s.weak and _can_be_weak(s, coverage_low))
    broken = tuple(
        link
        for link in model.links
        if (a := by_id[link.source].score) is not None
        and (b := by_id[link.target].score) is not None
        and a >= 2
        and b <= 1
        and _solid(by_id[link.source])
        and _can_be_weak(by_id[link.target], coverage_low)
    )
    spheres = tuple(
        _sphere(model, sphere_id, by_id, frozenset(weak)) for sphere_id in (s.id for s in model.spheres)
    )
    return WebProfile(
        model=model,
        elements=tuple(scores),
        spheres=spheres,
        weak=weak,
        broken_links=broken,
        n_actions=n_actions,
        n_equality=n_equality,
        total_cents=total_cents,
        equality_cents=equality_cents,
        questionnaire=questionnaire,
        weighted_cents=weighted_cents,
        n_to_review=n_to_review,
        to_review_share=to_review_share,
        max_to_review_share=limit,
    )


def _can_be_weak(score: ElementScore, coverage_low: bool) -> bool:
    """Whether a low score is a finding (not just what the table could not show): the questionnaire says
    so, or the element is one a funding table shows, on a file where most actions were judged."""
    if score.questionnaire_score is not None and score.questionnaire_score <= 1:
        return True
    return score.element.funding_evidence and not coverage_low


def _solid(score: ElementScore) -> bool:
    """Whether a score can start a broken link: not resting on a single action or a hint."""
    if score.questionnaire_score is not None and score.questionnaire_score >= 2:
        return True
    if any(k == "weighted_money_share" for k, _ in score.reached):
        return True
    return score.n_actions >= 2


def _refs(long: pl.DataFrame, model: WebModel) -> dict[str, list[ActionRef]]:
    """The evidence listed per element: the EVIDENCE_LIMIT actions with the most money, on a total order of
    every field (so the listing does not depend on row order); a national audit can have tens of thousands."""
    ordered = (
        long.select("web_elements", "id", "file", "sheet", "row", "title", "category", "cents", "rule")
        .with_columns(pl.col("cents").fill_null(-1).alias("_money"))
        .sort(
            ["web_elements", "_money", "file", "sheet", "row", "id", "title", "category"],
            descending=[False, True, False, False, False, False, False, False],
            nulls_last=False,
        )
        .group_by("web_elements", maintain_order=True)
        .head(EVIDENCE_LIMIT)
        .drop("_money")
    )
    by_element: dict[str, list[ActionRef]] = {e.id: [] for e in model.elements}
    for element_id, a_id, a_file, a_sheet, a_row, a_title, a_cat, a_cents, a_rules in ordered.rows():
        if element_id in by_element:
            by_element[element_id].append(
                ActionRef(a_id, a_file, a_sheet, a_row, a_title, a_cat, a_cents, tuple(a_rules))
            )
    return by_element


def _institution_carrier(frame: pl.DataFrame, regex: str | None) -> pl.Expr:
    """Whether the action's carrier is the local authority, the EPCI or the State (by its name)."""
    if regex is None or "carrier" not in frame.columns:
        return pl.lit(False)
    name = normalize_expr(pl.col("carrier").cast(pl.String, strict=False)).str.strip_chars()
    return name.str.contains(regex).fill_null(False)


_TEXT = "__bie_profile_text"


def _commissioned(frame: pl.DataFrame, regex: str | None) -> pl.Expr:
    """Whether the action's text shows it is commissioned by the institution (its agents, elected officials
    or services are the public; the study is of the contrat de ville or its programme). Reads the normalised
    text :func:`profile` adds as ``_TEXT``."""
    if regex is None or _TEXT not in frame.columns:
        return pl.lit(False)
    return pl.col(_TEXT).str.contains(regex).fill_null(False)


def _women_organisation(frame: pl.DataFrame, carriers: Carriers) -> pl.Expr:
    """Whether the carrier is a women's rights organisation: the carrier reader's column when there is
    one; else its reason (``PORTEUR-…`` on the carrier field) or core support named in the title (the
    action must also be specific to count)."""
    present = [c for c in carriers.women_organisation_columns if c in frame.columns]
    if present:
        flags = []
        for c in present:
            if frame.schema[c] == pl.Boolean:
                flags.append(pl.col(c).fill_null(False))
            else:
                text = pl.col(c).cast(pl.String, strict=False).str.strip_chars().str.to_lowercase()
                flags.append(
                    (
                        text.is_not_null() & ~text.is_in(["", "0", "false", "faux", "non", "no", "none"])
                    ).fill_null(False)
                )
        return pl.any_horizontal(flags)
    flag = pl.lit(False)
    reason = carriers.women_organisation_reason
    if reason is not None and "reasons" in frame.columns and isinstance(frame.schema["reasons"], pl.List):
        field, prefix = reason
        try:
            flag = (
                pl.col("reasons")
                .list.eval(
                    (pl.element().struct.field("field") == field)
                    & pl.element().struct.field("rule").cast(pl.String).str.starts_with(prefix)
                )
                .list.any()
                .fill_null(False)
            )
            frame.head(1).select(flag)  # the reasons column may have another shape: then it is not used
        except pl.exceptions.PolarsError:
            flag = pl.lit(False)
    regex = carriers.core_support_regex
    if regex is None or "title" not in frame.columns:
        return flag
    title = normalize_expr(pl.col("title").cast(pl.String, strict=False))
    return flag | title.str.contains(regex).fill_null(False)


def judged_limit() -> float:
    """The share of « à examiner » above which figures carry a caveat (``method.yaml``, ``judged``)."""
    return float(load_data("method.yaml")["judged"]["max_to_review_share"])


def _sphere(
    model: WebModel, sphere_id: str, by_id: Mapping[str, ElementScore], weak_ids: frozenset[str]
) -> SphereSummary:
    ids = tuple(e.id for e in model.sphere_elements(sphere_id))
    known = [by_id[i].score for i in ids if by_id[i].score is not None]
    values = [int(k) for k in known if k is not None]
    mean = round(sum(values) / len(values), 2) if values else None
    weak = tuple(i for i in ids if i in weak_ids)
    sphere = model.sphere(sphere_id)
    texts = {}
    for lang in ("fr", "en"):
        if not values:
            summary = _say(lang, "sphere_none")
        else:
            summary = _say(
                lang,
                "sphere_known",
                known=_count(len(values), lang),
                total=_count(len(ids), lang),
                mean=Numbers(lang).decimal(mean, 1),
            )
            if weak:
                names = ", ".join(by_id[i].element.label(lang) for i in weak)
                summary += _say(lang, "clause") + _say(lang, "sphere_weak", names=names)
        texts[lang] = _sentence(_say(lang, "sphere", title=sphere.title(lang), summary=summary))
    return SphereSummary(
        id=sphere_id,
        elements=ids,
        known=len(values),
        mean=mean,
        minimum=min(values) if values else None,
        maximum=max(values) if values else None,
        weak=weak,
        explanation_fr=texts["fr"],
        explanation_en=texts["en"],
    )
