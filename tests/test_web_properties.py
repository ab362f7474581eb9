"""Properties of the territory profile (hypothesis).

- Adding an equality action (specific or transversal) never lowers the score of an element scored from
  actions' text that it strengthens, nor « Mise en œuvre » (thresholds are shares of the programme, so
  an element the action does not strengthen may fall: its share of the programme fell).
- Removing every action gives every action-based score 0 (unknown for what funding cannot show, and for
  resources, whose money is then unknown), and leaves the questionnaire-only elements as the
  questionnaire says.
- The profile does not depend on row order.
"""

from __future__ import annotations

import math
from typing import Any

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bie.web import Questionnaire, WebModel, element_tags, load_model, profile
from tests.conftest import examples

MODEL: WebModel = load_model()

# Phrases that fire the web rules, and phrases that fire none.
PHRASES = [
    "Marches exploratoires de femmes",
    "Formation des animateur·trices à l'égalité filles-garçons",
    "Formation des élu·es à l'égalité femmes-hommes",
    "Les indicateurs de suivi sont renseignés par sexe.",
    "Diagnostic sexué du quartier",
    "Campagne d'affichage",
    "La composition paritaire du conseil citoyen est maintenue.",
    "Crédits dédiés à l'égalité femmes-hommes",
    "Plan d'action égalité femmes-hommes du contrat de ville",
    "Référent·es égalité dans chaque service",
    "La nouvelle grille comprend des critères égalité.",
    "Capitalisation et échanges de pratiques",
    "Les élu·es s'engagent sur un plan d'action",
    "Formation des animateurs au secourisme",
    "Atelier couture",
    "Tournoi de futsal",
    "",
]
CARRIERS = [None, "CIDFF du Val-de-Brenne", "Association des femmes-relais", "Club de foot"]
CATEGORIES = ["specific", "transversal", "not_integrated", "to_review", None]
AMOUNTS = st.one_of(
    st.none(),
    st.integers(min_value=0, max_value=200_000).map(float),
    st.sampled_from([0.0, -250.0, math.nan, math.inf, 0.005, 1234.565]),
)


@st.composite
def actions(draw: Any, categories: list[str | None] | None = None) -> dict[str, Any]:
    return {
        "title": draw(st.sampled_from(PHRASES)),
        "description": draw(st.sampled_from(PHRASES)),
        "carrier": draw(st.sampled_from(CARRIERS)),
        "category": draw(st.sampled_from(categories or CATEGORIES)),
        "action_id": draw(st.sampled_from([None, "A1", "A2", "DA0042"])),
        "_amount": draw(AMOUNTS),
    }


QUESTIONNAIRES = st.one_of(
    st.none(),
    st.dictionaries(
        st.sampled_from(list(MODEL.ids)), st.one_of(st.none(), st.integers(0, 3)), max_size=13
    ).map(Questionnaire.from_scores),
)


def frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    columns = ["title", "description", "carrier", "category", "action_id", "_amount"]
    schema = {c: (pl.Float64 if c == "_amount" else pl.String) for c in columns}
    return pl.DataFrame({c: [r.get(c) for r in rows] for c in columns}, schema=schema)


SETTINGS = settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(
    rows=st.lists(actions(), max_size=8),
    extra=actions(categories=["specific", "transversal"]),
    questionnaire=QUESTIONNAIRES,
)
def test_adding_an_equality_action_never_lowers_a_score(
    rows: list[dict[str, Any]], extra: dict[str, Any], questionnaire: Questionnaire | None
) -> None:
    before = profile(frame(rows), MODEL, questionnaire)
    after = profile(frame([*rows, extra]), MODEL, questionnaire)
    strengthened = set(element_tags(frame([extra]), MODEL)["web_elements"][0].to_list())
    for b, a in zip(before.elements, after.elements, strict=True):
        if b.element.institutional or (b.id not in strengthened and b.id != "delivery"):
            continue
        if b.score is not None:
            assert a.score is not None and a.score >= b.score, (b.id, b.score, a.score)
        if b.action_score is not None:
            assert a.action_score is not None and a.action_score >= b.action_score, b.id
    assert after.score("delivery") is not None and after.score("delivery") >= 1  # type: ignore[operator]


@SETTINGS
@given(rows=st.lists(actions(), max_size=8), questionnaire=QUESTIONNAIRES)
def test_removing_all_actions(rows: list[dict[str, Any]], questionnaire: Questionnaire | None) -> None:
    empty = profile(frame(rows).clear(), MODEL, questionnaire)
    for e in empty.elements:
        q = questionnaire.score(e.id) if questionnaire is not None else None
        assert e.actions == () and e.amount == 0.0
        if e.id == "resources":
            assert e.action_score is None and e.score == q  # no money: unknown
        elif e.element.funding_evidence:
            assert e.action_score == 0
            assert e.score == max(0, q if q is not None else 0)
        else:
            assert e.action_score is None
            assert e.score == q  # questionnaire-only elements are unaffected
            assert e.source == ("questionnaire" if q is not None else "none")
    full = profile(frame(rows), MODEL, questionnaire)
    for e_full, e_empty in zip(full.elements, empty.elements, strict=True):
        if not e_full.element.funding_evidence and e_full.action_score is None:
            assert e_full.score == e_empty.score


@SETTINGS
@given(rows=st.lists(actions(), min_size=1, max_size=10), questionnaire=QUESTIONNAIRES, data=st.data())
def test_profile_does_not_depend_on_row_order(
    rows: list[dict[str, Any]], questionnaire: Questionnaire | None, data: Any
) -> None:
    shuffled = data.draw(st.permutations(rows))
    a = profile(frame(rows), MODEL, questionnaire)
    b = profile(frame(shuffled), MODEL, questionnaire)
    assert a.to_dict("fr") == b.to_dict("fr")
    assert a.to_dict("en") == b.to_dict("en")
