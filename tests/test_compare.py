"""The comparison of periods (issue 12): matching of actions, the comparison model, its findings.

Small hand-made CSV pairs written in tmp_path; each pair is audited once per module (an audit takes about a
second). The matching properties run on polars frames directly.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bie.comparison import Comparison, compare, default_labels, match_actions
from bie.comparison.match import fold_expr, keys, title_tokens
from bie.comparison.match import settings as match_settings
from bie.comparison.model import findings
from bie.report.model import CATEGORY_ORDER
from bie.vocabulary import fold
from tests.conftest import TITLES_ONLY, examples

HEADER = (
    "Numéro de dossier;Exercice;Porteur;Intitulé de l'action;Description;Pilier;Thématique;Quartiers;"
    "{amount};Financement État;Financement Ville;Prise en compte de l'égalité F/H"
)
PLAIN = "Atelier hebdomadaire de couture ouvert à tous les habitants du quartier."
MAINSTREAMED = (
    "Atelier hebdomadaire de couture. Une garde d'enfants est proposée pendant l'atelier pour permettre aux "
    "mères de participer, et la fréquentation est suivie par sexe."
)
SPECIFIC = (
    "Accompagnement vers l'emploi des femmes éloignées de l'emploi, lutte contre les stéréotypes de genre "
    "et égalité femmes-hommes."
)
FOOT = "Entraînements de football pour les jeunes."
COOK = "Cours de cuisine collective pour les familles du quartier."
THEATRE = "Spectacles de théâtre dans le quartier."

Row = tuple[str, str, str, str, str, str, str, str, float, str]


def write(path: Path, rows: Sequence[Row], amount: str = "Montant accordé") -> Path:
    """A programmation: (id, year, carrier, title, description, pillar, theme, quartier, amount, declared);
    the State pays 60 %, the city the rest."""
    lines = [HEADER.format(amount=amount)]
    for rid, year, carrier, title, text, pillar, theme, qpv, money, declared in rows:
        state = round(money * 0.6, 2)
        lines.append(
            f"{rid};{year};{carrier};{title};{text};{pillar};{theme};{qpv};{money};{state};"
            f"{round(money - state, 2)};{declared}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


SABLIERE = "QN07632M La Sablière"
VAL = "QN07634M Le Val-Fleuri"

ROWS_2023: list[Row] = [
    ("D-001", "2023", "Association Alpha", "Atelier couture pour les habitants", PLAIN, "Cohésion sociale",
     "Lien social", SABLIERE, 1000, "Non"),
    ("D-002", "2023", "Association Beta", "Permanence emploi des femmes", SPECIFIC, "Emploi", "Insertion",
     SABLIERE, 2000, "Oui"),
    ("D-003", "2023", "Club Gamma", "Football des quartiers", FOOT, "Cohésion sociale", "Sport", VAL, 3000,
     "Non"),
    ("D-005", "2023", "Association Alpha", "Atelier cuisine", COOK, "Cohésion sociale", "Lien social",
     SABLIERE, 800, ""),
]  # fmt: skip
ROWS_2024: list[Row] = [
    ("D-005", "2024", "Association Alpha", "Atelier cuisine", COOK, "Cohésion sociale", "Lien social",
     SABLIERE, 900, ""),
    ("D-001", "2024", "Association Alpha", "Atelier de couture pour les habitantes et habitants",
     MAINSTREAMED, "Cohésion sociale", "Lien social", SABLIERE, 1500, "Oui"),
    ("D-003", "2024", "Club Gamma", "Football des quartiers", FOOT, "Cohésion sociale", "Sport", VAL, 3000,
     "Non"),
    ("D-004", "2024", "Compagnie Delta", "Théâtre forum", THEATRE, "Cohésion sociale", "Culture", VAL, 500,
     ""),
]  # fmt: skip


def renumbered(rows: Sequence[Row]) -> list[Row]:
    """The 2024 rows under another numbering scheme, titles in capitals or reworded."""
    titles = {
        "Atelier cuisine": "Atelier  Cuisine",
        "Atelier de couture pour les habitantes et habitants": "ATELIER DE COUTURE POUR LES HABITANTES",
        "Football des quartiers": "Football des Quartiers !",
    }
    return [(f"2024-{k:03d}", r[1], r[2].upper(), titles.get(r[3], r[3]), *r[4:]) for k, r in enumerate(rows)]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("compare")


@pytest.fixture(scope="module")
def stable(folder: Path) -> Comparison:
    a = write(folder / "prog_2023.csv", ROWS_2023)
    b = write(folder / "prog_2024.csv", ROWS_2024)
    return compare([a, b])


@pytest.fixture(scope="module")
def scheme_change(folder: Path) -> Comparison:
    a = write(folder / "old_2023.csv", ROWS_2023)
    b = write(folder / "new_2024.csv", renumbered(ROWS_2024))
    return compare([a, b], labels=["comité 1", "comité 2"])


def by_id(comparison: Comparison) -> dict[str | None, tuple[str | None, str, float]]:
    """A's id → (B's id, method, score) for every match of the first pair."""
    return {m.before.action_id: (m.after.action_id, m.method, m.score) for m in comparison.pairs[0].matches}


# ------------------------------------------------------------------------------------------- matching


def test_stable_ids_match_by_id(stable: Comparison) -> None:
    pair = stable.pairs[0]
    assert pair.matching.ids_stable and pair.matching.id_share == 0.75
    assert by_id(stable) == {
        "D-001": ("D-001", "id", 1.0),
        "D-003": ("D-003", "id", 1.0),
        "D-005": ("D-005", "id", 1.0),
    }
    assert [x.action_id for x in pair.new] == ["D-004"]
    assert [x.action_id for x in pair.discontinued] == ["D-002"]
    assert (pair.matching.by_id, pair.matching.by_title, pair.matching.new, pair.matching.discontinued) == (
        3,
        0,
        1,
        1,
    )
    assert "par identifiant" in pair.matching.note


def test_id_scheme_change_falls_back_to_titles(scheme_change: Comparison) -> None:
    pair = scheme_change.pairs[0]
    assert not pair.matching.ids_stable and pair.matching.id_share == 0.0
    found = by_id(scheme_change)
    assert {a: (b, m) for a, (b, m, _s) in found.items()} == {
        "D-005": ("2024-000", "title"),  # « Atelier  Cuisine »: case and spaces
        "D-001": ("2024-001", "title"),  # capitals, accents, « de » and one word added, a plural
        "D-003": ("2024-002", "title"),  # punctuation
    }
    assert found["D-005"][2] == 1.0 and found["D-003"][2] == 1.0
    # {atelier, couture, habitant} and {atelier, couture, habitante}: 2·2/(3+3)
    assert found["D-001"][2] == pytest.approx(0.666667)
    assert [x.title for x in pair.new] == ["Théâtre forum"]
    assert [x.title for x in pair.discontinued] == ["Permanence emploi des femmes"]
    assert scheme_change.labels == ("comité 1", "comité 2")


def frame(rows: Sequence[tuple[str | None, str | None, str | None]], file: str = "f") -> pl.DataFrame:
    """Actions (id, carrier, title) of one file, rows 2, 3…"""
    return pl.DataFrame(
        {
            "_file": [file] * len(rows),
            "_row": list(range(2, len(rows) + 2)),
            "action_id": [r[0] for r in rows],
            "carrier": [r[1] for r in rows],
            "title": [r[2] for r in rows],
        },
        schema={"_file": pl.String, "_row": pl.Int64, "action_id": pl.String, "carrier": pl.String,
                "title": pl.String},
    )  # fmt: skip


def pairs(a: pl.DataFrame, b: pl.DataFrame) -> set[tuple[tuple[str, int], tuple[str, int], str, float]]:
    m = match_actions(a, b)
    return {(keys(a, [x.a_index])[0], keys(b, [x.b_index])[0], x.method, x.score) for x in m.pairs}


def test_two_actions_of_one_carrier_are_told_apart() -> None:
    a = frame([(None, "MJC", "Atelier couture"), (None, "MJC", "Atelier cuisine"), (None, "MJC", "Atelier")])
    b = frame(
        [
            (None, "mjc", "Atelier de cuisine du soir"),
            (None, "M.J.C.", "atelier COUTURE"),
            (None, "MJC", "x"),
        ],
        "g",
    )
    m = match_actions(a, b)
    got = {(x.a_index, x.b_index): x.score for x in m.pairs}
    # « atelier cuisine » / « atelier cuisine soir »: 2·2/(2+3) = 0.8; « Atelier » alone is closer to neither
    # (2·1/(1+2) = 0.67 with each, but each is taken by a better pair first)
    assert got == {(0, 1): 1.0, (1, 0): 0.8}
    assert m.discontinued == (2,) and m.new == (2,)


def test_other_carrier_or_unlike_title_is_not_a_match() -> None:
    a = frame([(None, "MJC", "Atelier couture"), (None, "Club", "Football")])
    b = frame([(None, "Centre social", "Atelier couture"), (None, "Club", "Atelier cuisine")], "g")
    m = match_actions(a, b)
    assert m.pairs == () and m.discontinued == (0, 1) and m.new == (0, 1)


def test_ids_shared_by_chance_are_not_kept() -> None:
    """Row numbers as identifiers: a pair is kept by id when its carrier or its title agrees."""
    a = frame([("1", "MJC", "Atelier couture"), ("2", "Club", "Football"), ("3", "Ville", "Fête")])
    b = frame(
        [("1", "Théâtre", "Spectacle"), ("2", "Club", "Tournoi de printemps"), ("3", "Mairie", "Fête")], "g"
    )
    m = match_actions(a, b)
    assert m.ids_stable and {(x.a_index, x.b_index, x.method) for x in m.pairs} == {
        (1, 1, "id"),
        (2, 2, "id"),
    }
    assert m.discontinued == (0,) and m.new == (0,)


def test_duplicated_ids_go_to_titles() -> None:
    a = frame([("7", "MJC", "Atelier couture"), ("7", "MJC", "Atelier cuisine"), ("8", "MJC", "Sortie")])
    b = frame([("7", "MJC", "Atelier cuisine"), ("7", "MJC", "Atelier couture"), ("8", "MJC", "Autre")], "g")
    m = match_actions(a, b)
    assert m.ids_stable
    assert {(x.a_index, x.b_index, x.method) for x in m.pairs} == {
        (2, 2, "id"),
        (0, 1, "title"),
        (1, 0, "title"),
    }


def test_title_tokens() -> None:
    tokens = pl.select(
        title_tokens(pl.lit("Les Ateliers d'ÉCRITURE, écriture et lecture"), match_settings().stop_words)
    )
    assert tokens.item().to_list() == ["atelier", "ecriture", "lecture"]


@given(st.text(alphabet="aAbBéÉèœŒæß’ʼ -_.,;:!?'0123456789%€çÇñÑzZ\u00a0\t", max_size=30))
@settings(max_examples=examples(100))
def test_fold_expr_is_fold(text: str) -> None:
    assert pl.select(fold_expr(pl.lit(text, pl.String))).item() == fold(text)


CARRIERS = st.sampled_from(["MJC", "mjc", "Club", None])
TITLES = st.lists(st.sampled_from(["atelier", "couture", "cuisine", "sport", "des", "femmes"]), max_size=4)
IDS = st.one_of(st.none(), st.sampled_from(["1", "2", "3", "A1", " a1 "]))
ACTIONS = st.lists(st.tuples(IDS, CARRIERS, TITLES.map(" ".join)), max_size=8)


@given(ACTIONS, ACTIONS, st.randoms(use_true_random=False))
@settings(max_examples=examples(60))
def test_matching_does_not_depend_on_row_order(
    rows_a: list[tuple[str | None, str | None, str]],
    rows_b: list[tuple[str | None, str | None, str]],
    rnd: object,
) -> None:
    import random

    assert isinstance(rnd, random.Random)
    a, b = frame(rows_a, "a"), frame(rows_b, "b")
    expected = pairs(a, b)
    shuffled_a = a.sample(fraction=1.0, shuffle=True, seed=rnd.randrange(1000))
    shuffled_b = b.sample(fraction=1.0, shuffle=True, seed=rnd.randrange(1000))
    assert pairs(shuffled_a, shuffled_b) == expected
    m = match_actions(a, b)
    # one-to-one, and every action is matched, new or discontinued exactly once
    assert sorted([x.a_index for x in m.pairs] + list(m.discontinued)) == list(range(a.height))
    assert sorted([x.b_index for x in m.pairs] + list(m.new)) == list(range(b.height))
    assert all(x.score >= m.settings.title_threshold for x in m.pairs)


# ---------------------------------------------------------------------------------------------- model


def test_category_amount_and_declaration_changes(stable: Comparison) -> None:
    matches = {m.before.action_id: m for m in stable.pairs[0].matches}
    couture = matches["D-001"]
    assert (couture.before.category, couture.after.category) == ("not_integrated", "transversal")
    assert couture.category_changed and couture.direction == "better"
    assert couture.change_label == "égalité non prise en compte → égalité intégrée"
    assert (couture.amount.before, couture.amount.after, couture.amount.change) == (1000.0, 1500.0, 500.0)
    assert couture.amount.relative == 0.5 and couture.amount_changed
    assert couture.declaration_changed
    assert couture.declaration_label == "égalité non prise en compte → égalité intégrée"
    cook = matches["D-005"]
    assert not cook.category_changed and cook.direction == "same" and cook.amount.change == 100.0
    assert not cook.declaration_changed and cook.declaration_label == "(aucune déclaration)"
    foot = matches["D-003"]
    assert foot.amount_changed is False and not foot.category_changed and not foot.declaration_changed
    assert [m.before.action_id for m in stable.pairs[0].changed] == ["D-001"]


def test_headline_side_by_side(stable: Comparison) -> None:
    h = stable.pairs[0].headline
    before, after = stable.periods[0].report, stable.periods[1].report
    assert stable.labels == ("2023", "2024") and h.title == "2023 → 2024"
    assert (h.actions.before, h.actions.after, h.actions.change) == (4, 4, 0)
    assert (h.amount_total.before, h.amount_total.after) == (before.amount_total, after.amount_total)
    assert h.amount_total.change == pytest.approx(after.amount_total - before.amount_total)
    assert h.weighted_amount.before == before.headline.weighted_amount
    assert h.weighted_share.points == pytest.approx(
        after.headline.weighted_share - before.headline.weighted_share
    )
    assert h.same_basis and h.basis_caveat == "" and not h.judged_low
    spec = h.category("specific")
    assert (spec.count.before, spec.count.after, spec.amount.change) == (1, 0, -2000.0)
    assert [c.category for c in h.categories] == list(CATEGORY_ORDER)
    assert stable.overall == h


def test_breakdowns_joined_by_key(stable: Comparison) -> None:
    pair = stable.pairs[0]
    dims = [b.dimension for b in pair.breakdowns]
    assert dims == ["pillar", "theme", "territory", "funder"]
    theme = {g.label: g for g in next(b for b in pair.breakdowns if b.dimension == "theme").groups}
    assert not theme["Insertion"].after and theme["Insertion"].count.change == -1
    assert not theme["Culture"].before and theme["Culture"].amount.after == 500.0
    assert theme["Lien social"].amount.change == 600.0
    funder = {g.label: g for g in next(b for b in pair.breakdowns if b.dimension == "funder").groups}
    assert funder["État"].amount.before == pytest.approx(0.6 * 6800)


def test_flows_add_up_to_each_period(stable: Comparison, scheme_change: Comparison) -> None:
    for comparison in (stable, scheme_change):
        pair = comparison.pairs[0]
        flows = pair.flows
        a, b = comparison.periods[0].report, comparison.periods[1].report
        assert sum(c.amount_before for c in flows.cells) == pytest.approx(a.amount_total)
        assert sum(c.amount_after for c in flows.cells) == pytest.approx(b.amount_total)
        assert (flows.total_before, flows.total_after) == (a.amount_total, b.amount_total)
        assert sum(c.count for c in flows.cells if c.source != "new") == a.actions == flows.count_before
        assert sum(c.count for c in flows.cells if c.target != "discontinued") == b.actions
        for cat in CATEGORY_ORDER:  # each category's money leaves A and reaches B whole
            assert sum(c.amount_before for c in flows.cells if c.source == cat) == pytest.approx(
                a.category(cat).amount
            )
            assert sum(c.amount_after for c in flows.cells if c.target == cat) == pytest.approx(
                b.category(cat).amount
            )
        assert len(flows.cells) == len(flows.sources) * len(flows.targets) - 1
    flows = stable.pairs[0].flows
    moved = flows.cell("not_integrated", "transversal")
    assert (moved.count, moved.amount_before, moved.amount_after) == (1, 1000.0, 1500.0)
    assert flows.cell("specific", "discontinued").amount_before == 2000.0
    assert flows.cell("new", "not_integrated").amount_after == 500.0
    assert flows.labels["new"] == "nouvelle action"


def test_web_and_declarations(stable: Comparison) -> None:
    pair = stable.pairs[0]
    ids = [e.id for e in stable.periods[1].report.web.elements]
    assert [w.id for w in pair.web] == ids
    for w in pair.web:
        if w.before is not None and w.after is not None:
            assert w.change == w.after - w.before
        else:
            assert w.change is None and w.direction == "unknown"
    gap_a, gap_b = pair.declarations.before, pair.declarations.after
    # 2023: « Oui » on the specific action only; 2024: « Oui » on the mainstreamed couture workshop
    assert (gap_a.declared, gap_a.overstated, gap_b.declared, gap_b.overstated) == (1, 0, 1, 0)
    assert pair.declarations.share.points == 0.0
    assert stable.periods[0].declarations == gap_a
    for period in stable.periods:  # one definition: the audit's own
        quality = period.report.quality
        assert period.declarations.overstated == quality.declaration_overstated
        assert period.declarations.share == quality.declaration_overstated_share


def test_findings_in_both_languages(stable: Comparison) -> None:
    fr = {f.id: f.text for f in stable.pairs[0].findings}
    assert fr["renewed-gained-equality"] == (
        "1 action reconduite intègre désormais l'égalité (1\u00a0500,00\u00a0€ en 2024) : elle ne la prenait "
        "pas en compte en 2023."
    ).replace("1\u00a0500", "1\u202f500")
    assert fr["discontinued-equality"].startswith("1 action qui intégrait l'égalité en 2023")
    assert "n'est pas reconduite en 2024" in fr["discontinued-equality"]
    assert "weighted-share-down" in fr and "basis-differs" not in fr and "judged-low" not in fr
    en = {f.id: f.text for f in stable.in_lang("en").pairs[0].findings}
    assert en["renewed-gained-equality"] == (
        "1 renewed action now takes equality into account (€1,500.00 in 2024): it did not in 2023."
    )
    assert set(en) == set(fr)
    severities = [f.severity for f in stable.pairs[0].findings]
    assert severities == sorted(severities, key=lambda s: s != "warning")


def test_findings_plurals() -> None:
    metrics = {"renewed.gained_equality": 5.0, "renewed.gained_amount": 12000.0, "judged.low": 0.0}
    fr = findings(metrics, "2023", "2024", "fr")
    assert fr[0].text.startswith("5 actions reconduites intègrent désormais l'égalité (12\u202f000,00\u00a0€")
    assert "elles ne la prenaient pas en compte en 2023" in fr[0].text
    en = findings(metrics, "2023", "2024", "en")
    assert en[0].text.startswith("5 renewed actions now take equality into account (€12,000.00 in 2024)")
    silenced = findings({**metrics, "judged.low": 1.0}, "2023", "2024", "fr")
    assert [f.id for f in silenced] == ["judged-low"]


def test_to_dict_is_json_with_stable_keys(stable: Comparison) -> None:
    fr, en = stable.to_dict("fr"), stable.to_dict("en")
    json.dumps(fr, allow_nan=False)
    json.dumps(en, allow_nan=False)

    def shape(value: object) -> object:
        if isinstance(value, dict):
            return {k: shape(v) for k, v in value.items()}
        if isinstance(value, list):
            return [shape(v) for v in value[:1]]
        return None

    assert shape(fr) == shape(en)
    assert fr["lang"] == "fr" and en["lang"] == "en"
    flow_fr = fr["pairs"][0]["flows"]
    assert flow_fr["labels"]["discontinued"] == "action arrêtée"
    assert en["pairs"][0]["flows"]["labels"]["discontinued"] == "discontinued action"
    assert fr["pairs"][0]["matches"][0]["before"]["file"] == "prog_2023.csv"
    assert fr["periods"][1]["label"] == "2024" and fr["periods"][1]["headline"]["weighted_amount"] >= 0


# ------------------------------------------------------------------------------ bases, caveats, periods


@pytest.fixture(scope="module")
def three(folder: Path) -> Comparison:
    a = write(folder / "p1.csv", ROWS_2023)
    b = write(folder / "p2.csv", ROWS_2024)
    requested = [(r[0], "2025", *r[2:]) for r in ROWS_2024]
    c = write(folder / "p3.csv", requested, amount="Montant demandé")
    return compare([a, b, c])


def test_three_periods_and_different_bases(three: Comparison) -> None:
    assert three.labels == ("2023", "2024", "2025")
    assert [p.title for p in three.pairs] == ["2023 → 2024", "2024 → 2025"]
    assert three.overall.before == "2023" and three.overall.after == "2025"
    assert "ensemble de la période" in three.overall.title
    last = three.pairs[1]
    h = last.headline
    assert not h.same_basis and not three.same_basis and three.pairs[0].headline.same_basis
    assert "montants accordés en 2024, montants demandés en 2025" in h.basis_caveat
    assert h.basis_short == "bases de montant différentes"
    assert h.amount_total.change is None and h.weighted_amount.change is None
    assert h.amount_total.before is not None and h.amount_total.after is not None
    assert all(c.amount.change is None for c in h.categories)
    assert h.weighted_share.points is not None  # shares still compare
    assert all(m.amount.change is None and m.amount_changed is None for m in last.matches)
    assert not last.flows.same_basis
    assert sum(c.amount_after for c in last.flows.cells) == pytest.approx(
        three.periods[2].report.amount_total
    )
    assert "basis-differs" in {f.id for f in last.findings}
    assert last.metrics["amounts.basis_differs"] == 1


def test_too_much_to_review_silences_findings(folder: Path, stable: Comparison) -> None:
    a = write(folder / "judged_2023.csv", ROWS_2023)
    b = folder / "titles_only.csv"
    b.write_text(TITLES_ONLY, encoding="utf-8")
    comparison = compare([a, b])
    assert comparison.labels == ("2023", "titles_only")  # the second file has no year
    assert comparison.judged_low and comparison.caveats
    assert comparison.caveats[0].startswith("titles_only : ")
    pair = comparison.pairs[0]
    assert pair.headline.judged_low and pair.headline.caveats == comparison.caveats
    ids = {f.id for f in pair.findings}
    assert "judged-low" in ids
    assert not ids & {
        "renewed-gained-equality",
        "discontinued-equality",
        "weighted-share-down",
        "new-equality",
    }


def test_labels_checked(folder: Path, stable: Comparison) -> None:
    with pytest.raises(ValueError, match="labels"):
        compare([folder / "prog_2023.csv", folder / "prog_2024.csv"], labels=["one"])
    with pytest.raises(ValueError, match="two periods"):
        compare([folder / "prog_2023.csv"])


def test_default_labels_fall_back_to_file_names(folder: Path) -> None:
    class Fake:
        def __init__(self, years: list[int | None]) -> None:
            self.actions = pl.DataFrame({"year": years}, schema={"year": pl.Int32})

    paths = [folder / "a_2024.csv", folder / "b_2024.csv", folder / "c.csv"]
    assert default_labels([Fake([2023]), Fake([2024]), Fake([2025, 2025])], paths) == ["2023", "2024", "2025"]
    # two periods of one year (two committees): named by their files
    assert default_labels([Fake([2024]), Fake([2024]), Fake([None])], paths) == ["a_2024", "b_2024", "c"]
    # no single year in the actions: the year of the file name, else the file name
    assert default_labels([Fake([2023, 2024]), Fake([])], [folder / "p_2023.csv", folder / "p2024.xlsx"]) == [
        "2023",
        "2024",
    ]
    assert default_labels([Fake([None]), Fake([None])], [folder / "p_12023.csv", folder / "q.csv"]) == [
        "p_12023",
        "q",
    ]
    assert default_labels([Fake([]), Fake([])], [folder / "x.csv", folder / "sub" / "x.csv"]) == [
        "x",
        "x (2)",
    ]


def test_words_in_both_languages_with_the_same_placeholders() -> None:
    import re
    import string

    from bie.resources import load_data

    def placeholders(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    entries: list[tuple[str, object]] = []

    def walk(prefix: str, node: object) -> None:
        """Every entry (an object with « fr »), however deep its group is nested."""
        if isinstance(node, dict) and "fr" in node:
            entries.append((prefix, node))
        elif isinstance(node, dict):
            for key, value in node.items():
                walk(f"{prefix}.{key}" if prefix else str(key), value)

    for group, words in load_data("labels_compare.yaml").items():
        if isinstance(words, dict):
            walk(str(group), words)
    entries.extend((str(f["id"]), f) for f in load_data("findings_compare.yaml")["findings"])
    assert entries
    for name, entry in entries:
        assert isinstance(entry, dict) and set(entry) >= {"fr", "en"}, name
        assert placeholders(str(entry["fr"])) == placeholders(str(entry["en"])), name
        for lang in ("fr", "en"):
            assert not re.search(r"[a-zé]\(s\)", str(entry[lang])), name


def test_empty_periods_match_nothing() -> None:
    empty = pl.DataFrame()
    m = match_actions(empty, frame([(None, "MJC", "Atelier")]))
    assert (m.pairs, m.discontinued, m.new, m.id_share) == ((), (), (0,), None)
    m = match_actions(frame([("1", "MJC", "Atelier")]), empty)
    assert (m.pairs, m.discontinued, m.new) == ((), (0,), ())
