"""Scoring a workshop (issue 11): per action, the room and the web, on answers whose agreement is known."""

from __future__ import annotations

import random

import pytest

from bie.workshop.scoring import CATEGORIES, SPLIT_SHARE, ParticipantAnswers, score_answers
from bie.workshop.stats import fleiss_kappa


def _simulate(bie: dict[int, str], raters: int, accuracy: float, seed: int) -> list[ParticipantAnswers]:
    """Raters who give bie's category with probability ``accuracy`` and one of the two others otherwise."""
    rng = random.Random(seed)
    out = []
    for r in range(raters):
        cats: dict[int, str | None] = {}
        for n, truth in bie.items():
            if rng.random() < accuracy:
                cats[n] = truth
            else:
                cats[n] = rng.choice([c for c in CATEGORIES if c != truth])
        out.append(ParticipantAnswers(id=f"P{r + 1:02d}", source=f"P{r + 1:02d}.xlsx", categories=cats))
    return out


def _expected_kappas(accuracy: float) -> tuple[float, float]:
    """Population Cohen's kappa (rater vs bie) and Fleiss' kappa (raters together) when bie's categories are
    equally frequent: every rater's margin is then uniform (1/3), so P_e = 1/3 for both; P_o is ``accuracy``
    with bie and ``a² + (1 − a)²/2`` between two raters (both right, or both wrong the same way)."""
    pe = 1 / 3
    cohen = (accuracy - pe) / (1 - pe)
    pairs = accuracy**2 + (1 - accuracy) ** 2 / 2
    return cohen, (pairs - pe) / (1 - pe)


@pytest.mark.parametrize("accuracy", [0.9, 0.6])
def test_simulated_rooms_give_the_known_agreement(accuracy: float) -> None:
    bie = {n: CATEGORIES[n % 3] for n in range(1, 601)}
    answers = _simulate(bie, 8, accuracy, seed=11)
    result = score_answers(bie, answers)
    cohen, fleiss = _expected_kappas(accuracy)
    assert result.fleiss is not None and result.fleiss_actions == 600
    assert result.fleiss.kappa == pytest.approx(fleiss, abs=0.03)
    assert result.fleiss.ci_low is not None and result.fleiss.ci_high is not None
    assert result.fleiss.ci_low <= fleiss <= result.fleiss.ci_high
    for p in result.participants:
        assert p.with_bie is not None and p.with_bie.kappa == pytest.approx(cohen, abs=0.08)
    assert result.fleiss.band == ("substantial" if accuracy == 0.9 else "slight")


def test_the_room_kappa_is_fleiss_on_the_count_table() -> None:
    bie = {1: "specific", 2: "transversal", 3: "not_integrated", 4: "specific", 5: "not_integrated"}
    answers = _simulate(bie, 6, 0.7, seed=3)
    result = score_answers(bie, answers)
    table = [[sum(1 for a in answers if a.categories[n] == c) for c in CATEGORIES] for n in sorted(bie)]
    assert result.fleiss == fleiss_kappa(table)


def _room(rows: dict[int, list[str | None]]) -> list[ParticipantAnswers]:
    width = len(next(iter(rows.values())))
    return [
        ParticipantAnswers(
            id=f"P{i + 1}", source=f"p{i + 1}.xlsx", categories={n: v[i] for n, v in rows.items()}
        )
        for i in range(width)
    ]


def test_per_action_majority_split_agenda_and_blanks() -> None:
    bie = {1: "specific", 2: "transversal", 3: "not_integrated", 4: "to_review"}
    rows: dict[int, list[str | None]] = {
        1: ["specific"] * 6 + ["transversal"] * 2,  # 75 %: not split, agrees
        2: ["transversal"] * 4 + ["not_integrated"] * 4,  # tie: no majority, split
        3: ["specific"] * 5
        + ["not_integrated"] * 2
        + ["dont_know"],  # 5/7 ≥ 2/3, majority disagrees with bie
        4: [None, "dont_know", "not_integrated", "not_integrated", "specific", "not_integrated", None, None],
    }
    result = score_answers(bie, _room(rows))
    a1, a2, a3, a4 = (result.action(n) for n in (1, 2, 3, 4))
    assert (a1.majority, a1.agrees, a1.split, a1.majority_share) == ("specific", True, False, 0.75)
    assert (a2.majority, a2.agrees, a2.split) == (None, None, True)
    assert (a3.majority, a3.agrees, a3.split, a3.dont_know, a3.answered) == ("specific", False, False, 1, 7)
    assert SPLIT_SHARE <= 5 / 7
    assert (a4.missing, a4.dont_know, a4.answered, a4.bie_share) == (3, 1, 4, 0.0)
    assert a1.counts == {"specific": 6, "transversal": 2, "not_integrated": 0, "dont_know": 0}
    # Least agreement first: the tie (P_i = 3/7), then 4 (3 vs 1: 1/2), 3 (11/21), 1 (15/28).
    assert result.agenda == (2, 4, 3, 1)
    # Only actions every participant classified enter Fleiss' kappa: 1 and 2.
    assert result.fleiss_actions == 2
    # Cohen with bie leaves out bie's « à examiner » (action 4) and the participant's blanks.
    p8 = result.participants[7]
    assert (p8.answered, p8.dont_know, p8.same_as_bie) == (2, 1, 0)


def test_web_diagnosis_weak_elements_broken_links_and_suggestions() -> None:
    bie = {1: "specific", 2: "not_integrated"}
    web_a = {"commitment": 3, "policy": 1, "staff": 0, "experience": 2}
    web_b = {"commitment": 2, "policy": 0, "staff": 1, "experience": None}
    answers = [
        ParticipantAnswers("T1", "t1.xlsx", {1: "specific", 2: "not_integrated"}, web=web_a),
        ParticipantAnswers("T2", "t2.xlsx", {1: "specific", 2: "specific"}, web=web_b),
    ]
    result = score_answers(bie, answers, web_scores={"commitment": 0, "policy": 2, "staff": None})
    row = {w.element: w for w in result.web}
    assert (row["commitment"].group, row["commitment"].answers, row["commitment"].gap) == (2, 2, 2)
    assert (row["policy"].group, row["policy"].gap) == (0, -2)
    assert (row["experience"].group, row["experience"].answers) == (2, 1)
    assert row["staff"].gap is None and row["research"].group is None
    assert set(result.weak) == {"policy", "staff"}
    assert ("commitment", "policy") in result.broken and ("experience", "policy") in result.broken
    targets = [s.element or s.link for s in result.suggestions]
    assert "policy" in targets and ("commitment", "policy") in targets
    assert all(s.practices for s in result.suggestions)


def test_bad_inputs() -> None:
    with pytest.raises(ValueError, match="no answers"):
        score_answers({1: "specific"}, [])
    with pytest.raises(ValueError, match="action 9 is not in the key"):
        score_answers({1: "specific"}, [ParticipantAnswers("P1", "p1.xlsx", {9: "specific"})])
