"""Choosing the actions of the workshop exercise (issue 11): the teaching roles filled on a real-looking
programmation, a spread of categories, reproducible with a seed and independent of the order of rows."""

from __future__ import annotations

from collections import Counter

import polars as pl
import pytest

import bie
from bie.workshop.kit import build_kit, participant_ids
from bie.workshop.select import ROLES, select
from tests.conftest import FIXTURES

PROG = FIXTURES / "programmation_cdv_2024.xlsx"
SCDL = FIXTURES / "subventions_scdl_2024.csv"


@pytest.fixture(scope="module")
def prog() -> bie.Audit:
    return bie.audit([PROG])


def test_every_teaching_role_is_filled_on_the_demo(prog: bie.Audit) -> None:
    assert prog.pack is not None
    chosen = select(prog.actions, prog.pack, n=12, seed=0)
    assert len(chosen.picks) == 12
    assert chosen.missing == ()
    roles = {r for p in chosen.picks for r in p.roles}
    assert set(ROLES) <= roles
    cats = Counter(p.category for p in chosen.picks)
    assert all(cats[c] >= 2 for c in ("specific", "transversal", "not_integrated")), cats
    assert cats["to_review"] <= 2, cats
    assert [p.number for p in chosen.picks] == list(range(1, 13))
    assert len({p.index for p in chosen.picks}) == 12


def test_same_seed_same_exercise_whatever_the_row_order(prog: bie.Audit) -> None:
    assert prog.pack is not None
    first = select(prog.actions, prog.pack, n=10, seed=7)
    again = select(prog.actions, prog.pack, n=10, seed=7)
    assert first == again
    shuffled = prog.actions.sample(fraction=1.0, shuffle=True, seed=3)
    other = select(shuffled, prog.pack, n=10, seed=7)
    assert [(p.file, p.row, p.roles) for p in other.picks] == [(p.file, p.row, p.roles) for p in first.picks]
    different = select(prog.actions, prog.pack, n=10, seed=8)
    assert {(p.file, p.row) for p in different.picks} != {(p.file, p.row) for p in first.picks}


def test_a_role_no_action_fills_is_reported_not_faked() -> None:
    scdl = bie.audit([SCDL])
    assert scdl.pack is not None
    chosen = select(scdl.actions, scdl.pack, n=12, seed=0)
    # The SCDL file has no declaration column and no transversal action.
    assert set(chosen.missing) == {"unsupported_declaration", "secondary_measure"}
    assert all("unsupported_declaration" not in p.roles for p in chosen.picks)
    kit = build_kit(scdl, n=12, seed=0, lang="en")
    assert len(kit.missing) == 2 and all(
        m.startswith("No action in the file fits this role:") for m in kit.missing
    )


def test_small_files_and_bad_counts(prog: bie.Audit) -> None:
    assert prog.pack is not None
    few = prog.actions.head(5)
    chosen = select(few, prog.pack, n=12, seed=0)
    assert len(chosen.picks) <= 5
    with pytest.raises(ValueError, match="at least 1"):
        select(prog.actions, prog.pack, n=0)
    empty = select(prog.actions.clear(), prog.pack, n=4)
    assert empty.picks == () and set(empty.missing) == set(ROLES)
    with pytest.raises(ValueError, match="between 1 and 60"):
        participant_ids(0)
    assert participant_ids(3) == ("P01", "P02", "P03") and participant_ids(None) == ("",)


def test_the_kit_never_shows_bies_answer_in_what_participants_read(prog: bie.Audit) -> None:
    kit = build_kit(prog, n=12, seed=1, participants=4)
    assert len(kit.actions) == 12 and kit.participants == ("P01", "P02", "P03", "P04")
    # The applicant's own declaration is shown (« Oui – action spécifique »: part of the exercise); bie's
    # words and rule ids never are.
    declared = "Égalité F/H déclarée par le porteur"
    assert any(label == declared for a in kit.actions for label, _ in a.fields)
    read = " ".join(text for a in kit.actions for label, text in a.fields if label != declared)
    for word in (
        "action spécifique",
        "égalité intégrée",
        "non prise en compte",
        "à examiner",
        "DECL-",
        "SPEC-",
    ):
        assert word not in read
    for a in kit.actions:
        assert a.fields and a.category_label and a.definition and a.question
        assert a.reasons or a.category == "not_integrated"
    again = build_kit(prog, n=12, seed=1, participants=4)
    assert again.id == kit.id
    assert build_kit(prog, n=12, seed=2).id != kit.id
    frame = prog.actions
    assert isinstance(frame, pl.DataFrame)
