"""Scoring a workshop: where the room agrees, where it is split, where it disagrees with bie.

:func:`score_answers` works on plain mappings (the answer key and each participant's answers), so that a
training platform can call it with answers it collected itself; :func:`bie.workshop.score` reads the files
and calls it.

**Per action.** The distribution of answers over the four choices (« je ne sais pas » counted apart, blanks
counted as missing); the *majority* (the most frequent category, none when two tie); whether it is bie's
category; the share of participants who gave bie's category; the *agreement* of the action, Fleiss'
``P_i`` (the share of pairs of participants who gave the same category, Fleiss 1971 eq. 2); the action is
**split** when its majority holds less than :data:`SPLIT_SHARE` of the categories given. The *discussion
agenda* lists the actions from the least agreement to the most (ties: more « je ne sais pas », then the
action's number): the actions that most divide the room first.

**The room.** Fleiss' kappa over the actions every participant classified (« je ne sais pas » and blanks
leave an action out of the kappa, never out of the per-action figures; how many actions entered is given);
for each participant, Cohen's kappa with bie over the actions they classified and bie did (an action « à
examiner » has no category of bie to agree with). Both read with the Landis &
Koch (1977) scale, named as such (:mod:`bie.workshop.stats`).

**The web.** The group's score of each element is the median (the lower one for an even count) of the
scores given in the workbooks that filled the questionnaire; bie's is the score the programmation shows
(:attr:`bie.workshop.kit.Kit.web_scores`). Weak elements and broken links of the group's web follow the
thresholds of :mod:`bie.web.profile` (weak: score ≤ 1; a broken link starts at ≥ 2 and ends at ≤ 1), and
each gets its « pistes d'actions » (:mod:`bie.workshop.practices`).
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from bie.web.model import WebModel, load_model
from bie.workshop.practices import Suggestion, suggest
from bie.workshop.stats import KappaResult, cohen_kappa, fleiss_kappa

__all__ = [
    "CATEGORIES",
    "DONT_KNOW",
    "SPLIT_SHARE",
    "ActionResult",
    "AnswerSheet",
    "ParticipantAnswers",
    "ParticipantResult",
    "ScoreResult",
    "WebRow",
    "score_answers",
]

CATEGORIES: tuple[str, ...] = ("specific", "transversal", "not_integrated")
"""The categories a participant can give (bie's fourth, « à examiner », is an answer of bie only)."""

DONT_KNOW = "dont_know"

SPLIT_SHARE = 2 / 3
"""An action is split when its majority holds less than two thirds of the categories given (a convention of
bie, stated in the readout): with 8 participants, 5 against 3 is split, 6 against 2 is not."""


class AnswerSheet(Protocol):
    """What scoring reads of one participant's answers (:class:`ParticipantAnswers` here, or
    :class:`bie.workshop.answers.ParticipantAnswers` read from a workbook or a form export)."""

    @property
    def id(self) -> str: ...

    @property
    def source(self) -> str: ...

    @property
    def categories(self) -> Mapping[int, str | None]: ...

    @property
    def elements(self) -> Mapping[int, tuple[str, ...]]: ...

    @property
    def comments(self) -> Mapping[int, str]: ...

    @property
    def web(self) -> Mapping[str, int | None]: ...


@dataclass(frozen=True)
class ParticipantAnswers:
    """One workbook (a participant or a table): its id, the file it came from, its answer per action number
    (a category id, ``dont_know``, or None when blank), the web elements it named per action, its comments,
    and its web questionnaire scores (element id → 0–3, None for « ne sait pas »; empty when not filled)."""

    id: str
    source: str
    categories: Mapping[int, str | None]
    elements: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    comments: Mapping[int, str] = field(default_factory=dict)
    web: Mapping[str, int | None] = field(default_factory=dict)


@dataclass(frozen=True)
class ActionResult:
    number: int
    bie: str
    counts: Mapping[str, int]
    answered: int
    dont_know: int
    missing: int
    majority: str | None
    majority_share: float | None
    agrees: bool | None
    bie_share: float | None
    agreement: float | None
    split: bool
    #: Web element → how many participants named it for this action; bie's own elements beside.
    elements: Mapping[str, int]
    bie_elements: tuple[str, ...]
    comments: tuple[str, ...]


@dataclass(frozen=True)
class ParticipantResult:
    id: str
    source: str
    answered: int
    dont_know: int
    same_as_bie: int
    with_bie: KappaResult | None


@dataclass(frozen=True)
class WebRow:
    element: str
    group: int | None
    answers: int
    bie: int | None

    @property
    def gap(self) -> int | None:
        """The group's score minus bie's: positive when the group believes more than the file shows."""
        return None if self.group is None or self.bie is None else self.group - self.bie


@dataclass(frozen=True)
class ScoreResult:
    participants: tuple[ParticipantResult, ...]
    actions: tuple[ActionResult, ...]
    agenda: tuple[int, ...]
    fleiss: KappaResult | None
    fleiss_actions: int
    web: tuple[WebRow, ...]
    weak: tuple[str, ...]
    broken: tuple[tuple[str, str], ...]
    suggestions: tuple[Suggestion, ...]

    def action(self, number: int) -> ActionResult:
        for a in self.actions:
            if a.number == number:
                return a
        raise KeyError(number)


def _pairs_agreement(counts: Mapping[str, int]) -> float | None:
    """Fleiss' P_i: the share of ordered pairs of raters who agree (None below 2 ratings)."""
    n = sum(counts.values())
    if n < 2:
        return None
    return sum(c * (c - 1) for c in counts.values()) / (n * (n - 1))


def score_answers(
    bie: Mapping[int, str],
    answers: Sequence[AnswerSheet],
    *,
    bie_elements: Mapping[int, Sequence[str]] | None = None,
    web_scores: Mapping[str, int | None] | None = None,
    model: WebModel | None = None,
) -> ScoreResult:
    """Score ``answers`` against the key ``bie`` (action number → bie's category). Raises ValueError when
    there is no participant or an answer names an action the key does not have."""
    if not answers:
        raise ValueError("no answers to score")
    model = model or load_model()
    numbers = sorted(bie)
    for a in answers:
        extra = sorted(set(a.categories) - set(bie))
        if extra:
            raise ValueError(f"{a.source}: action {extra[0]} is not in the key")
    actions = []
    for number in numbers:
        given = [a.categories.get(number) for a in answers]
        counts = Counter(g for g in given if g is not None)
        cats = {c: counts.get(c, 0) for c in CATEGORIES}
        answered = sum(cats.values())
        ranked = sorted(cats.items(), key=lambda kv: (-kv[1], CATEGORIES.index(kv[0])))
        top, second = ranked[0], ranked[1]
        majority = top[0] if top[1] > 0 and top[1] > second[1] else None
        share = top[1] / answered if answered else None
        named: Counter[str] = Counter()
        for a in answers:
            named.update(dict.fromkeys(a.elements.get(number, ()), 1))
        actions.append(
            ActionResult(
                number=number,
                bie=bie[number],
                counts={**cats, DONT_KNOW: counts.get(DONT_KNOW, 0)},
                answered=answered,
                dont_know=counts.get(DONT_KNOW, 0),
                missing=sum(1 for g in given if g is None),
                majority=majority,
                majority_share=share,
                agrees=None if majority is None else majority == bie[number],
                bie_share=cats.get(bie[number], 0) / answered if answered else None,
                agreement=_pairs_agreement(cats),
                split=answered >= 2 and (share is None or share < SPLIT_SHARE - 1e-12),
                elements={e: named[e] for e in model.ids if named[e]},
                bie_elements=tuple((bie_elements or {}).get(number, ())),
                comments=tuple(c for a in answers if (c := a.comments.get(number, "").strip())),
            )
        )
    agenda = tuple(
        a.number
        for a in sorted(
            actions,
            key=lambda a: (1.0 if a.agreement is None else a.agreement, -a.dont_know, a.number),
        )
    )
    complete = [n for n in numbers if all(a.categories.get(n) in CATEGORIES for a in answers)]
    fleiss = None
    if len(answers) >= 2 and len(complete) >= 2:
        table = [[sum(1 for a in answers if a.categories.get(n) == c) for c in CATEGORIES] for n in complete]
        fleiss = fleiss_kappa(table)
    participants = []
    for a in answers:
        mine = [n for n in numbers if a.categories.get(n) in CATEGORIES]
        # Cohen's kappa with bie over the actions bie classified (« à examiner » is no category).
        judged = [n for n in mine if bie[n] in CATEGORIES]
        theirs = [str(a.categories[n]) for n in judged]
        key = [bie[n] for n in judged]
        with_bie = None
        if len(judged) >= 2:
            with_bie = cohen_kappa(theirs, key, CATEGORIES)
        participants.append(
            ParticipantResult(
                id=a.id,
                source=a.source,
                answered=len(mine),
                dont_know=sum(1 for n in numbers if a.categories.get(n) == DONT_KNOW),
                same_as_bie=sum(1 for t, k in zip(theirs, key, strict=True) if t == k),
                with_bie=with_bie,
            )
        )
    scores = web_scores or {}
    web = []
    for element in model.ids:
        given_scores = [v for a in answers if (v := a.web.get(element)) is not None]
        group = statistics.median_low(given_scores) if given_scores else None
        web.append(
            WebRow(element, None if group is None else int(group), len(given_scores), scores.get(element))
        )
    group_of = {w.element: w.group for w in web}
    weak = tuple(w.element for w in web if w.group is not None and w.group <= 1)
    broken = tuple(
        (link.source, link.target)
        for link in model.links
        if (s := group_of.get(link.source)) is not None
        and (t := group_of.get(link.target)) is not None
        and s >= 2
        and t <= 1
    )
    return ScoreResult(
        participants=tuple(participants),
        actions=tuple(actions),
        agenda=agenda,
        fleiss=fleiss,
        fleiss_actions=len(complete) if fleiss is not None else 0,
        web=tuple(web),
        weak=weak,
        broken=broken,
        suggestions=suggest(weak, broken, model),
    )
