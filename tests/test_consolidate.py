"""Consolidation of many contracts (issue 12, part 2): 20 generated contracts with their exact figures."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import bie
from bie.consolidate import BASIS_ORDER, Consolidation, consolidate, table_files
from tests.contracts import GRANTORS, Contract, generate

N = 20


@pytest.fixture(scope="module")
def contracts(tmp_path_factory: pytest.TempPathFactory) -> list[Contract]:
    return generate(tmp_path_factory.mktemp("contracts"), N)


@pytest.fixture(scope="module")
def by_file(contracts: list[Contract]) -> Consolidation:
    return consolidate([c.path for c in contracts], by="file")


@pytest.fixture(scope="module")
def by_grantor(contracts: list[Contract]) -> Consolidation:
    return consolidate([c.path for c in contracts], by="grantor")


@pytest.fixture(scope="module")
def by_territory(contracts: list[Contract]) -> Consolidation:
    return consolidate([c.path for c in contracts], by="territory", lang="en")


def most_common(bases: list[str]) -> str:
    counts = Counter(bases)
    return min(counts, key=lambda b: (-counts[b], BASIS_ORDER.index(b)))


def test_generator_varies_layouts_bases_and_sizes(contracts: list[Contract]) -> None:
    assert {c.layout for c in contracts} >= {"programmation", "titled", "platform", "scdl", "cofunders"}
    assert {c.basis for c in contracts} == {"granted", "requested", "funders"}
    assert {c.path.suffix for c in contracts} == {".csv", ".xlsx"}
    assert len({len(c.actions) for c in contracts}) > 10


def test_by_file_exact_totals(contracts: list[Contract], by_file: Consolidation) -> None:
    chosen = most_common([c.basis for c in contracts])
    assert by_file.basis == chosen and not by_file.basis_given
    assert len(by_file.groups) == N
    for c in contracts:
        g = by_file.group(c.name)
        assert g.files == (c.name,)
        assert g.basis == c.basis
        assert g.counted == (c.basis == chosen)
        assert g.figures.actions == len(c.actions)
        assert g.figures.amount_cents == c.cents
        assert sum(v.cents for v in g.figures.by_category.values()) == c.cents
    totals = by_file.totals
    assert totals.actions == sum(len(c.actions) for c in contracts)
    assert totals.amount_cents == sum(c.cents for c in contracts if c.basis == chosen)
    assert sum(v.cents for v in totals.by_category.values()) == totals.amount_cents
    assert totals.actions_without_amount == sum(len(c.actions) for c in contracts if c.basis != chosen)
    assert sorted(x.file for x in by_file.lacking) == sorted(c.name for c in contracts if c.basis != chosen)
    assert {x.file: x.actions for x in by_file.lacking} == {
        c.name: len(c.actions) for c in contracts if c.basis != chosen
    }


def test_by_file_reconciliation(contracts: list[Contract], by_file: Consolidation) -> None:
    rec = by_file.reconciliation
    assert rec.balanced
    files = {f.file: f for f in rec.files}
    for c in contracts:
        f = files[c.name]
        assert f.basis == c.basis and f.balanced
        assert f.actions == len(c.actions)
        assert f.actions_cents == c.cents
        assert f.input_cents == c.input_cents
        for reason, cents in c.excluded:
            assert f.excluded[reason] == (1, cents)
    assert rec.actions == sum(len(c.actions) for c in contracts)
    assert rec.rows == sum(f.rows for f in rec.files)
    assert rec.excluded_rows["total"] == sum(len(c.excluded) for c in contracts)
    for basis, money in rec.by_basis.items():
        mine = [c for c in contracts if c.basis == basis]
        assert money.files == len(mine)
        assert money.input_cents == sum(c.input_cents for c in mine)
        assert money.actions_cents == sum(c.cents for c in mine)
        assert money.input_cents == money.actions_cents + money.excluded_cents
    assert set(rec.by_basis) == {c.basis for c in contracts}


def test_a_group_of_one_file_has_that_files_audit_figures(
    contracts: list[Contract], by_file: Consolidation
) -> None:
    for c in contracts[:2]:
        alone = bie.audit(c.path)
        g = by_file.group(c.name)
        s = alone.summary
        assert g.figures.weighted_cents == round(s["weighted_equality_spend"]["amount"] * 100)
        assert g.figures.to_review == s["by_category"]["to_review"]["count"]
        assert g.figures.declaration_gap == alone.data_quality["declaration_overstated_share"]
        assert {e.id: e.score for e in g.web} == {e["id"]: e["score"] for e in alone.web["elements"]}


def expected_money(consolidation: Consolidation, actions: list[tuple[Contract, int]]) -> int:
    """A group's money: on its files' basis when they share one, else only its files on the consolidated
    basis."""
    bases = {c.basis for c, _ in actions}
    if len(bases) == 1:
        return sum(cents for _, cents in actions)
    return sum(cents for c, cents in actions if c.basis == consolidation.basis)


def test_by_grantor(contracts: list[Contract], by_grantor: Consolidation) -> None:
    members: dict[str | None, list[tuple[Contract, int]]] = {}
    for c in contracts:
        for a in c.actions:
            key = None if a.grantor is None else GRANTORS[a.grantor][1]
            members.setdefault(key, []).append((c, a.cents))
    # a grantor named without its SIRET in one file is found by the SIRET written beside its name in another
    assert {g.key for g in by_grantor.groups} == set(members)
    for key, acts in members.items():
        g = by_grantor.group(key, None if key else "not_given")
        assert g.figures.actions == len(acts)
        assert g.figures.amount_cents == expected_money(by_grantor, acts)
        assert set(g.files) == {c.name for c, _ in acts}
        if key is not None:
            assert g.label("fr") == next(n for n, s in GRANTORS if s == key)
    assert by_grantor.group(None, "not_given").label("fr") == "(non renseigné)"
    # the money totals do not depend on the grouping: every action once, one basis
    assert by_grantor.totals.actions == sum(len(c.actions) for c in contracts)
    assert by_grantor.totals.amount_cents == sum(c.cents for c in contracts if c.basis == by_grantor.basis)


def test_by_territory(contracts: list[Contract], by_territory: Consolidation) -> None:
    counts: Counter[str] = Counter()
    shared: Counter[str] = Counter()
    for c in contracts:
        for a in c.actions:
            if c.layout == "scdl":
                counts["not_given"] += 1
            elif not a.qpv:
                counts["whole_contract"] += 1
            for code in a.qpv:
                counts[code] += 1
                shared[code] += len(a.qpv) > 1
    found = {(g.special or str(g.key).split()[0]): g for g in by_territory.groups}
    assert {k: g.figures.actions for k, g in found.items()} == dict(counts)
    assert {k: g.shared for k, g in found.items() if g.shared} == {k: n for k, n in shared.items() if n}
    assert found["QN07632M"].key == "QN07632M La Sablière"
    assert found["whole_contract"].label("en") == "(whole contract)"
    # an action naming two quartiers counts in both groups, once in the totals
    assert by_territory.totals.actions == sum(len(c.actions) for c in contracts)
    two = sum(1 for c in contracts for a in c.actions if len(a.qpv) == 2)
    assert sum(g.figures.actions for g in by_territory.groups) == by_territory.totals.actions + two


def test_basis_rule(contracts: list[Contract]) -> None:
    granted = [c for c in contracts if c.basis == "granted"][:1]
    requested = [c for c in contracts if c.basis == "requested"][:2]
    funders = [c for c in contracts if c.basis == "funders"][:1]
    mixed = [*granted, *requested, *funders]
    result = consolidate([c.path for c in mixed])
    assert result.basis == "requested"
    assert [(x.file, x.basis) for x in result.lacking] == [(c.name, c.basis) for c in [*granted, *funders]]
    assert {g.key for g in result.lacking_groups} == {c.name for c in [*granted, *funders]}
    # never a sum across bases: the money total is the requested files' alone, every action counted
    assert result.totals.amount_cents == sum(c.cents for c in requested)
    assert result.totals.actions == sum(len(c.actions) for c in mixed)
    by_basis = result.reconciliation.by_basis
    assert {b: m.actions_cents for b, m in by_basis.items()} == {
        b: sum(c.cents for c in mixed if c.basis == b) for b in ("granted", "requested", "funders")
    }
    assert list(by_basis) == ["granted", "requested", "funders"]
    # a tie goes to granted; a given basis wins
    tie = consolidate([granted[0].path, requested[0].path])
    assert tie.basis == "granted" and [x.file for x in tie.lacking] == [requested[0].name]
    given = consolidate([c.path for c in mixed], basis="funders")
    assert given.basis == "funders" and given.basis_given
    assert given.totals.amount_cents == funders[0].cents
    assert sorted(x.file for x in given.lacking) == sorted(c.name for c in [*granted, *requested])
    with pytest.raises(ValueError, match="basis"):
        consolidate([granted[0].path], basis="dreamt")
    with pytest.raises(ValueError, match="grouping"):
        consolidate([granted[0].path], by="year")


def test_folder_as_input(contracts: list[Contract], tmp_path: Path) -> None:
    folder = tmp_path / "contrats"
    (folder / "2024" / ".cache").mkdir(parents=True)
    chosen = contracts[:3]
    shutil.copy(chosen[0].path, folder / chosen[0].name)
    shutil.copy(chosen[1].path, folder / "2024" / chosen[1].name)
    shutil.copy(chosen[2].path, folder / chosen[2].name)
    # skipped: hidden files and folders, Office lock files, bie's own outputs, other files
    shutil.copy(chosen[0].path, folder / ".hidden.xlsx")
    shutil.copy(chosen[0].path, folder / "2024" / ".cache" / "copy.xlsx")
    shutil.copy(chosen[0].path, folder / "~$contrat_001.xlsx")
    shutil.copy(chosen[0].path, folder / "contrat_001.bie.xlsx")
    (folder / "notes.txt").write_text("à lire", encoding="utf-8")
    found = table_files(folder)
    assert [p.relative_to(folder).as_posix() for p in found] == [
        f"2024/{chosen[1].name}",
        chosen[0].name,
        chosen[2].name,
    ]
    calls: list[tuple[int, int, str]] = []
    result = consolidate([folder], progress=lambda done, total, name: calls.append((done, total, name)))
    assert sorted(result.files) == sorted(c.name for c in chosen)
    # progress: once per file, in order
    assert calls == [(k + 1, 3, name) for k, name in enumerate(result.files)]
    (folder / "vide").mkdir()
    (folder / "vide" / "notes.txt").write_text("rien", encoding="utf-8")
    with pytest.raises(ValueError, match="no table"):
        consolidate([folder / "vide"])


def test_the_same_file_twice_is_counted_once(contracts: list[Contract]) -> None:
    calls: list[int] = []
    result = consolidate(
        [contracts[0].path, contracts[0].path, contracts[1].path], progress=lambda d, n, _: calls.append(d)
    )
    assert calls == [1, 2, 3]
    assert result.totals.actions == len(contracts[0].actions) + len(contracts[1].actions)
    assert len(result.duplicates) == 1


def test_ranking_order(by_file: Consolidation, by_territory: Consolidation) -> None:
    for result in (by_file, by_territory):
        assert [g.rank for g in result.groups] == list(range(1, len(result.groups) + 1))
        shares = [g.figures.weighted_share for g in result.groups]
        known = [s for s in shares if s is not None]
        assert known == sorted(known, reverse=True)
        assert shares[: len(known)] == known  # groups without a share come last
        ranking = result.to_dict()["ranking"]
        assert [r["key"] for r in ranking] == [g.key for g in result.groups]


def key_paths(value: Any, prefix: str = "") -> set[str]:
    """Every key path of a JSON value (list items share the path of their list)."""
    out: set[str] = set()
    if isinstance(value, dict):
        for k, v in value.items():
            out.add(f"{prefix}/{k}")
            out |= key_paths(v, f"{prefix}/{k}")
    elif isinstance(value, list):
        for item in value:
            out |= key_paths(item, f"{prefix}[]")
    return out


def test_json_keys_stable_across_languages(by_grantor: Consolidation, tmp_path: Path) -> None:
    fr, en = by_grantor.to_dict("fr"), by_grantor.to_dict("en")
    assert key_paths(fr) == key_paths(en)
    assert fr["basis"]["label"] != en["basis"]["label"]
    assert json.loads(json.dumps(fr)) == fr
    for k in ("ranking", "totals", "lacking", "reconciliation", "basis"):
        assert k in fr
    row = fr["ranking"][0]
    for k in ("weighted_equality_spend", "to_review", "beneficiaries", "declaration", "amount", "web"):
        assert k in row
    assert len(row["web"]["elements"]) == len(by_grantor.web_elements)
    written = by_grantor.write(tmp_path, formats=("json",), lang="en")
    assert [p.name for p in written] == ["consolidation.bie.json"]
    assert json.loads(written[0].read_text(encoding="utf-8")) == en
    with pytest.raises(ValueError, match="format"):
        by_grantor.write(tmp_path, formats=("pdf",))


def test_an_unreadable_file_is_listed_not_fatal(tmp_path: Path) -> None:
    """One damaged file among many does not stop the consolidation: it is left out, named with why in the
    JSON, the page and the command's summary; its actions are not counted."""
    from click.testing import CliRunner

    from bie_cli.main import cli

    folder = tmp_path / "contrats"
    folder.mkdir()
    (folder / "a.csv").write_text(
        "Intitulé;Montant accordé\nAtelier vélo pour les femmes;1200\n", encoding="utf-8"
    )
    (folder / "b.csv").write_text("Intitulé;Montant accordé\nFête de quartier;800\n", encoding="utf-8")
    (folder / "abime.xlsx").write_bytes(b"not a workbook at all")
    c = bie.consolidate([folder])
    assert [f for f, _, _ in c.skipped] == ["abime.xlsx"]
    assert c.totals.actions == 2
    data = c.to_dict("en")
    assert data["skipped"][0]["file"] == "abime.xlsx" and data["skipped"][0]["why"]
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["consolidate", str(folder), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "1 fichier n'a pas pu être lu et n'est pas compté" in result.output
    assert "abime.xlsx" in (out / "consolidation.bie.html").read_text(encoding="utf-8")


def test_bie_audit_by_consolidates(tmp_path: Path) -> None:
    """``bie.audit(paths, by=…)`` is the consolidation (issue 12's API), with the audit's progress words."""
    folder = tmp_path / "contrats"
    folder.mkdir()
    (folder / "a.csv").write_text(
        "Intitulé;Montant accordé\nAtelier vélo pour les femmes;1200\n", encoding="utf-8"
    )
    (folder / "b.csv").write_text("Intitulé;Montant accordé\nFête de quartier;800\n", encoding="utf-8")
    steps: list[str] = []
    got = bie.audit([folder], by="file", progress=steps.append)
    assert isinstance(got, Consolidation)
    assert got.to_dict("fr") == bie.consolidate([folder]).to_dict("fr") | {
        "generated_at": got.meta["generated_at"]
    }
    assert steps == ["read:a.csv", "read:b.csv"]
    with pytest.raises(ValueError, match="describes one contract"):
        bie.audit([folder], by="file", title="Contrat")


def test_lacking_files_sentence_agrees_with_its_number() -> None:
    from bie.i18n import fmt_in
    from bie.resources import load_data

    entry = load_data("labels_consolidate.yaml")["words"]["lacking_title"]
    one, three = fmt_in("fr", entry["fr"], n="1"), fmt_in("fr", entry["fr"], n="3")
    assert one.startswith("1 fichier n'a pas") and "ses actions" in one and "leurs" not in one
    assert three.startswith("3 fichiers n'ont pas") and "leurs actions" in three
