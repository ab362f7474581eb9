"""Findings: thresholds kept as data, each reading a metric the audit really computes."""

from __future__ import annotations

import pytest

import bie
from bie import analysis
from bie.resources import load_data
from tests.conftest import FIXTURES, REAL

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
    }
    ids = [f["id"] for f in analysis.findings(metrics, "fr", 40)]
    assert ids == ["to-review-high"]


def test_shares_are_commented_when_actions_could_be_judged() -> None:
    metrics = {
        "summary.share_amount.specific": 0.02,
        "summary.share_amount.not_integrated": 0.7,
        "summary.share_count.to_review": 0.1,
    }
    found = {f["id"]: f for f in analysis.findings(metrics, "fr", 40)}
    assert set(found) == {"specific-share-low", "not-integrated-majority"}
    assert found["specific-share-low"]["text"].startswith(
        "Les actions spécifiques reçoivent 2\u00a0% des crédits"
    )
    english = analysis.findings(metrics, "en", 40)
    assert english[0]["text"].startswith("Specific actions receive 2% of the money")


def test_a_titles_only_file_gets_no_verdict_on_its_shares() -> None:
    audit = bie.audit(REAL / "lot_subventions_2017.csv")
    ids = {f["id"] for f in audit.to_dict(rows=False)["findings"]}
    assert "to-review-high" in ids
    assert not ids & {"specific-share-low", "not-integrated-majority"}
