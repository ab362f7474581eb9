"""Findings: thresholds kept as data, each reading a metric the audit really computes."""

from __future__ import annotations

from pathlib import Path

import pytest

import bie
from bie import analysis
from bie.resources import load_data
from tests.conftest import FIXTURES, TITLES_ONLY

SPEC = load_data("findings.yaml")["findings"]


@pytest.fixture(scope="module")
def metric_names() -> set[str]:
    return set(bie.audit(FIXTURES / "programmation_cdv_2024.xlsx").metrics)


@pytest.mark.parametrize("finding", SPEC, ids=lambda f: f["id"])
def test_every_finding_reads_a_metric_the_audit_computes(finding: dict, metric_names: set[str]) -> None:  # type: ignore[type-arg]
    names = [finding["metric"], *(c["metric"] for c in finding.get("unless", []))]
    assert set(names) <= metric_names
    assert finding["op"] in {"lt", "le", "gt", "ge"}
    assert finding["sources"], "every finding cites a source"
    assert "{value}" in finding["fr"] and "{value}" in finding["en"]


def test_shares_are_not_commented_when_most_actions_cannot_be_judged() -> None:
    metrics = {
        "summary.share_amount.specific": 0.0,
        "summary.share_amount.not_integrated": 0.0,
        "summary.share_count.to_review": 1.0,
        "summary.judged_low": 1,
        "quality.declaration_overstated_share": 0.5,
        "stages.equality_gap": -0.2,
    }
    ids = [f["id"] for f in analysis.findings(metrics, "fr", 40)]
    assert ids == ["to-review-high"]
    judged = [f["id"] for f in analysis.findings({**metrics, "summary.judged_low": 0}, "fr", 40)]
    assert {"declarations-overstated", "instruction-penalises-equality", "to-review-high"} <= set(judged)


def test_shares_are_commented_when_actions_could_be_judged() -> None:
    metrics = {
        "summary.share_amount.specific": 0.02,
        "summary.share_amount.not_integrated": 0.7,
        "summary.share_count.to_review": 0.1,
        "summary.judged_low": 0,
    }
    found = {f["id"]: f for f in analysis.findings(metrics, "fr", 40)}
    assert set(found) == {"specific-share-low", "not-integrated-majority"}
    assert found["specific-share-low"]["text"].startswith(
        "Les actions spécifiques reçoivent 2\u00a0% des crédits"
    )
    english = analysis.findings(metrics, "en", 40)
    assert english[0]["text"].startswith("Specific actions receive 2% of the money")
    assert found["not-integrated-majority"]["text"] == (
        "Plus de la moitié des crédits (70\u00a0%) va à des actions dont le dossier ne montre pas de prise "
        "en compte de l'égalité."
    )


def test_no_finding_says_actions_do_not_take_equality_into_account() -> None:
    for f in SPEC:
        assert "ne prennent pas l'égalité en compte" not in f["fr"], f["id"]


@pytest.mark.parametrize(
    ("to_review", "actions", "low"), [(0, 0, False), (5, 10, False), (6, 10, True), (10, 10, True)]
)
def test_judged_share_against_the_limit_kept_in_data(to_review: int, actions: int, low: bool) -> None:
    j = analysis.judged(to_review, actions)
    assert j["max_to_review_share"] == load_data("method.yaml")["judged"]["max_to_review_share"] == 0.5
    assert j["low"] is low
    assert (j["caveat"] is None) is not low
    if low:
        assert j["caveat"]["fr"].startswith(
            f"{round(to_review * 100 / actions)}\u00a0% des actions n'ont pas"
        )
        assert "could not be judged" in j["caveat"]["en"]


@pytest.mark.parametrize(
    ("to_review", "actions", "money", "low"),
    [(3, 10, 0.5, False), (3, 10, 0.71, True), (6, 10, 0.2, True), (0, 10, None, False)],
)
def test_judged_also_counts_the_money_left_unread(
    to_review: int, actions: int, money: float | None, low: bool
) -> None:
    """A third of the actions holding 71 % of the money « à examiner » is no ground for a conclusion either."""
    j = analysis.judged(to_review, actions, money)
    assert j["low"] is low
    assert j["to_review_amount_share"] == money
    if low and to_review * 2 <= actions:
        assert j["caveat"]["fr"] == (
            f"{round(money * 100)}\u00a0% des crédits vont à des actions qui n'ont pas pu être jugées "
            f"(« à examiner », {round(to_review * 100 / actions)}\u00a0% des actions) : ces chiffres ne décrivent au "
            "mieux qu'une partie de la programmation et ne permettent pas de conclure."
        )
        assert j["caveat"]["en"].startswith(
            f"{round(money * 100)}% of the money goes to actions that could not"
        )


def test_a_titles_only_file_gets_no_verdict_on_its_shares(tmp_path: Path) -> None:
    path = tmp_path / "titres.csv"
    path.write_text(TITLES_ONLY, encoding="utf-8")
    audit = bie.audit(path)
    assert audit.summary["judged"]["low"] is True
    assert audit.metrics["summary.judged_low"] == 1
    ids = {f["id"] for f in audit.to_dict(rows=False)["findings"]}
    assert "to-review-high" in ids
    assert not ids & {"specific-share-low", "not-integrated-majority", "declarations-overstated"}
    web = audit.web_dict("fr")
    assert web["coverage"]["low"] is True
    assert all(e["score"] != 0 for e in web["elements"])
