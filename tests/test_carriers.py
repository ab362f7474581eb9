"""The carrier as evidence (issue 9, point 4): ``bie/data/carriers.yaml`` and ``bie.tagging.carriers``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import polars as pl
import pytest
import yaml

from bie.errors import RulesError
from bie.export import reasons_text
from bie.resources import data_path
from bie.tagging import explain, tag
from bie.tagging.carriers import (
    CARRIER_FIELD,
    load_carriers,
    match_carriers,
    parse_carriers,
)
from bie.tagging.engine import P, run
from bie.tagging.rules import RulePack, load_rules


@pytest.fixture(scope="module")
def pack() -> RulePack:
    return load_rules()


def _tag(pack: RulePack, **columns: Sequence[str | None]) -> pl.DataFrame:
    n = max(len(v) for v in columns.values())
    data = {k: (list(v) if len(v) == n else list(v) * n) for k, v in columns.items()}
    return tag(pl.DataFrame(data, schema={k: pl.String for k in data}), pack).frame


def _scores(pack: RulePack, **columns: Sequence[str | None]) -> list[float]:
    """The evidence scores before calibration (bie.tagging.calibration): what the carrier raises or lowers."""
    n = max(len(v) for v in columns.values())
    data = {k: (list(v) if len(v) == n else list(v) * n) for k, v in columns.items()}
    _out, internal, _issues = run(pl.DataFrame(data, schema={k: pl.String for k in data}), pack)
    return [float(x) for x in internal.get_column(f"{P}score").to_list()]


def _org(names: list[str | None]) -> list[str | None]:
    frame = pl.DataFrame({"c": names}, schema={"c": pl.String})
    return frame.select(match_carriers(pl.col("c")).struct.field("id")).to_series().to_list()


def test_every_organisation_has_patterns_and_sources() -> None:
    carriers = load_carriers()
    raw = yaml.safe_load(data_path("carriers.yaml").read_text(encoding="utf-8"))
    assert len(carriers.organisations) == len(raw["organisations"]) >= 8
    for entry in raw["organisations"]:
        assert entry["id"].startswith("PORTEUR-")
        assert entry["sources"], entry["id"]
        assert entry["rationale"].strip(), entry["id"]
    cidff = next(o for o in carriers.organisations if o.id == "PORTEUR-CIDFF")
    assert cidff.sirens == ("313499105",)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("CIDFF de la Somme", "PORTEUR-CIDFF"),
        ("C.I.D.F.F. du Lot", "PORTEUR-CIDFF"),
        (
            "CENTRE D'INFORMATION SUR LES DROITS DES FEMMES ET DES FAMILLES DE LA HAUTE GARONNE",
            "PORTEUR-CIDFF",
        ),
        ("Fédération nationale des CIDFF", "PORTEUR-CIDFF"),
        ("Mouvement Français pour le Planning Familial", "PORTEUR-PLANNING"),
        ("Planning familial des Deux-Sèvres", "PORTEUR-PLANNING"),
        ("MFPF 79", "PORTEUR-PLANNING"),
        ("Solidarité Femmes 13", "PORTEUR-SOLIDARITE-FEMMES"),
        ("FNSF", "PORTEUR-SOLIDARITE-FEMMES"),
        ("Femmes solidaires du Val", "PORTEUR-FEMMES-SOLIDAIRES"),
        ("La Maison des femmes de Saint-Denis", "PORTEUR-MAISON-FEMMES"),
        ("Ni Putes Ni Soumises", "PORTEUR-NPNS"),
        ("MOUVEMENT DU NID", "PORTEUR-NID"),
        ("Amicale du Nid 34", "PORTEUR-NID"),
        ("Osez le féminisme ! 31", "PORTEUR-FEMINISTE"),
        ("Du côté des femmes", "PORTEUR-FEMINISTE"),
        ("Association pour les droits des femmes du Gard", "PORTEUR-MISSION"),
        ("Collectif contre les violences faites aux femmes", "PORTEUR-MISSION"),
        # a feminine-sounding name is not a mission (docs/etiquetage.md)
        ("BAGAT'ELLES COMITE DE QUARTIER BAGATELLE", None),
        ("Atelier Théâtr'elles - Espace la Jetée", None),
        ("Elles bougent en Brenne", None),
        ("Comité féminin de basket", None),
        ("Foyer de la Jeune Fille", None),
        ("Association des femmes relais de Montbéliard", None),
        ("UDAF des Deux-Sèvres", None),
        ("France Victimes 34", None),
        ("Football club Petit Bard", None),
        ("", None),
        (None, None),
    ],
)
def test_carrier_names(name: str | None, expected: str | None) -> None:
    assert _org([name]) == [expected]


def test_generic_object_to_a_womens_rights_organisation_is_specific(pack: RulePack) -> None:
    out = _tag(
        pack,
        title=["Subvention de fonctionnement"],
        carrier=["CIDFF de la Somme", "Football club Petit Bard"],
    )
    assert out["category"].to_list() == ["specific", "to_review"]
    assert out["dac_marker"][0] == 2
    reasons = out["reasons"][0].to_list()
    assert {"rule": "PORTEUR-CIDFF", "field": CARRIER_FIELD, "match": "CIDFF"} in reasons
    assert reasons_text(reasons).startswith("PORTEUR-CIDFF — carrier — « CIDFF »")
    assert all(r["rule"] != "PORTEUR-CIDFF" for r in out["reasons"][1].to_list())


def test_the_carriers_name_stays_masked_in_the_text(pack: RulePack) -> None:
    # « Maison des femmes » in the text is the carrier's name: it does not make « femmes » match
    out = _tag(
        pack,
        title=["Repair café à la Maison des femmes"],
        objectives=[
            "Réparer les petits appareils électriques avec tous les habitants du quartier, chaque mois."
        ],
        carrier=["Maison des femmes"],
    )
    rules = [r["rule"] for r in out["reasons"][0].to_list()]
    assert rules == ["PORTEUR-MAISON-FEMMES"]
    assert out["category"][0] == "not_integrated"
    assert out["audience"][0] == "unknown"


def test_explicit_object_keeps_its_category_and_moves_the_evidence_score(pack: RulePack) -> None:
    aim = "Accompagner les femmes victimes de violences conjugales vers leurs droits, chaque semaine."
    clear = "Organiser un repair café mensuel ouvert à tous les habitants pour réparer les petits appareils."
    with_carrier = _tag(
        pack, title=["Permanence", "Repair café"], objectives=[aim, clear], carrier=["CIDFF 79"]
    )
    without = _tag(pack, title=["Permanence", "Repair café"], objectives=[aim, clear], carrier=[None])
    assert (
        with_carrier["category"].to_list() == without["category"].to_list() == ["specific", "not_integrated"]
    )
    cols = {"title": ["Permanence", "Repair café"], "objectives": [aim, clear]}
    raised, lowered = _scores(pack, **cols, carrier=["CIDFF 79"])
    plain = _scores(pack, **cols, carrier=[None])
    assert raised > plain[0]
    assert lowered < plain[1]


def test_vague_object_foreign_to_equality_is_contradictory(pack: RulePack) -> None:
    out = _tag(
        pack,
        description=["Mise en œuvre d'actions autour de la thématique « vivre ensemble »"],
        carrier=["Centre d'information sur les droits des femmes et des familles"],
    )
    assert out["category"][0] == "to_review"
    assert "PORTEUR-CIDFF" in [r["rule"] for r in out["reasons"][0].to_list()]


def test_core_mission_object(pack: RulePack) -> None:
    out = _tag(
        pack,
        description=["Permanence d'écoute et d'accueil", "Permanence d'écoute et d'accueil"],
        carrier=["Mouvement Français pour le Planning Familial", "Centre social des Quatre-Vents"],
    )
    assert out["category"].to_list()[0] == "specific"
    assert out["category"].to_list()[1] != "specific"


def test_result_does_not_depend_on_row_order(pack: RulePack) -> None:
    titles = ["Subvention de fonctionnement", "Repair café", "Subvention", "Permanence d'écoute"]
    carriers = ["CIDFF", "Femmes solidaires", "Football club", "Planning familial 13"]
    a = _tag(pack, title=titles, carrier=carriers)
    b = _tag(pack, title=titles[::-1], carrier=carriers[::-1])
    cols = ["category", "confidence", "reasons"]
    assert a.select(cols).to_dicts() == b.select(cols).reverse().to_dicts()


def test_explain_shows_the_carrier_reason(pack: RulePack) -> None:
    e = explain(row={"titre": "Subvention de fonctionnement", "porteur": "Solidarité Femmes 13"}, pack=pack)
    assert e.category == "specific"
    assert {
        "rule": "PORTEUR-SOLIDARITE-FEMMES",
        "field": "carrier",
        "match": "Solidarité Femmes",
    } in e.reasons


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["organisations"][0].update(patterns=["(?i)cidff"]), "drapeau"),
        (lambda d: d["organisations"][0].update(patterns=["CIDFF"]), "minuscules"),
        (lambda d: d["organisations"][0].update(color="red"), "inconnue"),
        (lambda d: d["organisations"][0].update(sources=[]), "sources"),
        (lambda d: d["organisations"][1].update(id="PORTEUR-CIDFF"), "double"),
        (lambda d: d["organisations"][0].update(siren=[{"siren": "12345"}]), "SIREN"),
        (lambda d: d["settings"].update(generic_words="Subvention"), "generic_words"),
        (lambda d: d["settings"].update(threshold=3), "inconnues"),
    ],
)
def test_invalid_carrier_lists_are_refused(change: object, message: str, tmp_path: Path) -> None:
    raw = yaml.safe_load(data_path("carriers.yaml").read_text(encoding="utf-8"))
    assert callable(change)
    change(raw)
    with pytest.raises(RulesError, match=message):
        parse_carriers(raw, tmp_path / "carriers.yaml")
