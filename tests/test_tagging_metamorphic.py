"""Metamorphic properties of the tagger (issue 9, point 2): the category follows what the text says, not
which column holds it.

Moving the same text between the title, objectives and description columns, splitting it across them at
sentence boundaries, or renaming the columns (the same CSV read with other header names that map to the same
fields) never moves an action between specific, transversal and not integrated (nor to or from « à examiner »).

Deliberate exception, written down in docs/regles.md (« Zones ») and tested below: when the *first sentence*
is moved into the title and is a real heading (not a label), the first sentence of the objectives or the
description is read as a main objective too (the guide reads « le titre ou l'objectif »): an equality aim in
the second sentence then makes the action specific, where it is secondary when the whole text sits in one
column. When the first sentence is a label (« Allez les filles ! »), nothing changes.

Texts come from the *dev* part only: the real corpus entries marked ``partie: dev`` and the hand-written cases
that ``tests/corpus/split.yaml`` does not list as ``test``. Hypothesis runs with the profiles registered in
``tests/conftest.py`` (``ci``: fixed seed, bounded).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import polars as pl
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import bie
from bie.tagging import tag
from bie.tagging.cases import load_cases
from bie.tagging.rules import RulePack, load_rules
from tests.conftest import ROOT, examples

CORPUS = ROOT / "tests" / "corpus"
CASES = ROOT / "tests" / "rules"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[«\"A-ZÀ-ÖØ-Þ0-9])")


@cache
def pack() -> RulePack:
    return load_rules()


@cache
def pool() -> tuple[tuple[str, str | None], ...]:
    """(text, carrier) of every dev text: real corpus (dev part) and hand-written cases (dev part)."""
    out: list[tuple[str, str | None]] = []
    real = yaml.load((CORPUS / "real.yaml").read_text(encoding="utf-8"), Loader=_LOADER)
    for entry in real["textes"]:
        if entry.get("partie") != "dev":
            continue
        parts = [str(entry[k]).strip() for k in ("titre", "objet", "description") if entry.get(k)]
        out.append((_join(parts), entry.get("porteur")))
    split = yaml.load((CORPUS / "split.yaml").read_text(encoding="utf-8"), Loader=_LOADER)["fichiers"]
    for path in sorted(CASES.glob("*.yaml")):
        entry = split.get(path.name) or {}
        test_names = set(entry.get("test") or []) if isinstance(entry, dict) else set()
        for case in load_cases(path):
            if case.name in test_names or case.decisions or case.overlays:
                continue
            action = case.action
            parts = [str(action[k]).strip() for k in ("titre", "objectifs", "description") if action.get(k)]
            if parts:
                carrier = action.get("porteur")
                out.append((_join(parts), None if carrier is None else str(carrier)))
    return tuple(out)


def _join(parts: list[str]) -> str:
    return " ".join(p if p[-1] in ".!?…" else p + "." for p in parts if p)


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text) if s.strip()]


def _categories(rows: list[dict[str, str | None]]) -> list[str]:
    schema = {k: pl.String for k in ("title", "objectives", "description", "carrier")}
    frame = pl.DataFrame([{k: r.get(k) for k in schema} for r in rows], schema=schema)
    return tag(frame, pack()).frame["category"].to_list()


def _in(column: str, text: str, carrier: str | None) -> dict[str, str | None]:
    return {"title": None, "objectives": None, "description": None, column: text, "carrier": carrier}


# ------------------------------------------------------------------------------------------------
# moving the whole text: every dev text, in one batch


def test_pool_is_dev_only_and_large() -> None:
    texts = pool()
    assert len(texts) > 500
    real_test_ids = {
        e["id"]
        for e in yaml.load((CORPUS / "real.yaml").read_text(encoding="utf-8"), Loader=_LOADER)["textes"]
        if e.get("partie") == "test"
    }
    assert real_test_ids  # the corpus has a test part, and it is left out (the pool holds texts, not ids)


def test_moving_the_text_between_columns_never_changes_the_category() -> None:
    texts = pool()
    rows = [
        _in(col, text, carrier) for text, carrier in texts for col in ("title", "objectives", "description")
    ]
    cats = _categories(rows)
    moved = [
        (text, cats[3 * i : 3 * i + 3])
        for i, (text, _c) in enumerate(texts)
        if len(set(cats[3 * i : 3 * i + 3])) > 1
    ]
    assert moved == []


# ------------------------------------------------------------------------------------------------
# splitting the text across columns (hypothesis)


@cache
def _multi_sentence() -> tuple[tuple[str, str | None], ...]:
    return tuple((t, c) for t, c in pool() if len(_sentences(t)) >= 2)


_multi = st.deferred(lambda: st.sampled_from(_multi_sentence()))
_any_text = st.deferred(lambda: st.sampled_from(pool()))


# Tagging has a fixed cost per call (the rule pack is one large polars plan): each example draws a batch of
# texts and tags them in one call, so that the CI profile stays well under 30 s.
_cuts = st.lists(st.tuples(_multi, st.integers(min_value=1, max_value=50)), min_size=1, max_size=40)


@settings(max_examples=examples(4))
@given(draws=_cuts)
def test_splitting_the_text_across_objectives_and_description(
    draws: list[tuple[tuple[str, str | None], int]],
) -> None:
    rows: list[dict[str, str | None]] = []
    for (text, carrier), k in draws:
        sentences = _sentences(text)
        cut = 1 + k % (len(sentences) - 1)
        first, rest = " ".join(sentences[:cut]), " ".join(sentences[cut:])
        rows += [
            _in("objectives", text, carrier),
            _in("description", text, carrier),
            {"title": None, "objectives": first, "description": rest, "carrier": carrier},
            # a cell broken into lines at a sentence end reads like the same sentences on one line
            _in("objectives", first + "\n" + rest, carrier),
        ]
    cats = _categories(rows)
    changed = [
        (draws[i][0][0], cats[4 * i : 4 * i + 4])
        for i in range(len(draws))
        if len(set(cats[4 * i : 4 * i + 4])) > 1
    ]
    assert changed == []


# ------------------------------------------------------------------------------------------------
# renaming the columns, through the reader (hypothesis)

HEADERS = (
    ("Intitulé", "Objectifs", "Description", "Porteur", "Montant accordé"),
    ("Titre de l'action", "Objectifs de l'action", "Descriptif", "Structure porteuse", "Montant attribué"),
    ("Libellé du projet", "Finalités", "Présentation de l'action", "Organisme porteur", "Montant accordé"),
)


@settings(max_examples=examples(2))
@given(
    items=st.lists(_any_text, min_size=1, max_size=30),
    columns=st.lists(st.sampled_from(("title", "objectives", "description")), min_size=30, max_size=30),
    names=st.permutations(range(len(HEADERS))),
)
def test_renaming_the_columns_through_the_reader(
    tmp_path_factory: pytest.TempPathFactory,
    items: list[tuple[str, str | None]],
    columns: list[str],
    names: list[int],
) -> None:
    folder = tmp_path_factory.mktemp("renamed")
    rows = [_in(col, text, carrier) for (text, carrier), col in zip(items, columns, strict=False)]
    got = []
    for variant in names[:2]:
        header = HEADERS[variant]
        frame = pl.DataFrame(
            {
                header[0]: [r["title"] for r in rows],
                header[1]: [r["objectives"] for r in rows],
                header[2]: [r["description"] for r in rows],
                header[3]: [r["carrier"] or "Association" for r in rows],
                header[4]: [1000 + i for i in range(len(rows))],
            },
            schema={h: (pl.Int64 if i == 4 else pl.String) for i, h in enumerate(header)},
        )
        path = Path(folder) / f"v{variant}.csv"
        frame.write_csv(path, separator=";")
        read = bie.read(path)
        assert {"title", "objectives", "description", "carrier"} <= set(read.actions.columns)
        got.append(tag(read.actions, pack()).frame["category"].to_list())
    assert got[0] == got[1]
    assert len(got[0]) == len(rows)


# ------------------------------------------------------------------------------------------------
# the deliberate exception, and what is *not* an exception

BRAND = "Allez les filles !"
AIM = "Encourager la pratique du basket par les adolescentes du quartier."
SECOND = "Lutter contre les stéréotypes de sexe dans le sport."


def test_brand_title_is_no_exception() -> None:
    """A brand-name title is not the main objective: the aim read after it is, whichever column holds it."""
    text = f"{BRAND} {AIM} Deux séances par semaine au gymnase."
    rows = [
        _in("objectives", text, None),
        _in("description", text, None),
        {
            "title": BRAND,
            "objectives": None,
            "description": f"{AIM} Deux séances par semaine.",
            "carrier": None,
        },
        {
            "title": BRAND,
            "objectives": f"{AIM} Deux séances par semaine.",
            "description": None,
            "carrier": None,
        },
    ]
    assert _categories(rows) == ["specific"] * 4


def test_exception_heading_and_first_objective_are_both_main() -> None:
    """Moving a (non-label) first sentence into the title promotes the next sentence to main objective."""
    heading = "Tournoi de basket au gymnase."
    whole = f"{heading} {SECOND}"
    split = {"title": heading, "objectives": SECOND, "description": None, "carrier": None}
    split_desc = {"title": heading, "objectives": None, "description": SECOND, "carrier": None}
    cats = _categories([_in("objectives", whole, None), _in("title", whole, None), split, split_desc])
    assert cats[0] == cats[1] == "transversal"  # one column: the aim is in a secondary sentence
    assert cats[2] == cats[3] == "specific"  # title + first objective: both main (guide, question 2a)
