"""The tagger's shortcuts for large tables give exactly the result of the plain computation.

- chunks: tagging by chunks (bounded memory) gives the same frame and issues as one pass;
- content words: the "at least N" count agrees with the exact count on the gate;
- ``on_rows``: an expression evaluated on some rows only equals ``when/then`` on every row.
"""

from __future__ import annotations

import functools
from pathlib import Path

import polars as pl
import pytest

from bie.tagging import load_rules, tag
from bie.tagging.cases import frame_of_cases, load_cases
from bie.tagging.engine import P, on_rows, run, run_chunks
from bie.tagging.information import content_words, load_information
from bie.tagging.overrides import OverrideEntry, Overrides

RULES = Path(__file__).parent / "rules"


@functools.lru_cache(maxsize=1)
def _cases_frame() -> pl.DataFrame:
    frames = [frame_of_cases(load_cases(p)) for p in sorted(RULES.glob("*.yaml"))]
    return pl.concat(frames, how="diagonal_relaxed")


def test_chunks_give_the_same_frame_and_issues_as_one_pass() -> None:
    actions = (
        _cases_frame()
        .head(120)
        .with_columns(
            pl.int_range(2, pl.len() + 2).alias("_row"),
            pl.lit("Feuil1").alias("_sheet"),
            pl.format("A{}", pl.int_range(pl.len())).alias("action_id"),
            pl.when(pl.int_range(pl.len()) % 7 == 0).then(pl.lit("oui")).alias("declared_equality"),
        )
    )
    overrides = Overrides(
        entries=(
            OverrideEntry(
                line=2, action_id="A5", sheet=None, row=None, category="specific", justification="vu"
            ),
            OverrideEntry(
                line=3, action_id=None, sheet=None, row=100, category="not_integrated", justification="x"
            ),
            OverrideEntry(
                line=4, action_id="nope", sheet=None, row=None, category="specific", justification="y"
            ),
        ),
        source="decisions.csv",
    )
    pack = load_rules()
    whole, _internal, issues = run(actions, pack, overrides)
    seen: list[tuple[int, int]] = []
    chunked, chunk_issues = run_chunks(
        actions, pack, overrides, chunk_rows=37, progress=lambda d, t: seen.append((d, t))
    )
    assert chunked.equals(whole)
    assert [repr(i) for i in chunk_issues] == [repr(i) for i in issues]
    assert {i.code for i in issues} >= {"override-unmatched"}
    assert chunked.filter(pl.col("action_id") == "A5")["category"].to_list() == ["specific"]
    assert seen == [(min(k + 37, 120), 120) for k in range(0, 120, 37)]
    # the public entry point tags by chunks too
    assert tag(actions, pack, overrides).frame.equals(whole)


def test_an_empty_table_is_tagged_by_chunks() -> None:
    empty = pl.DataFrame(schema={"title": pl.String})
    frame, issues = run_chunks(empty, load_rules(), chunk_rows=10)
    assert frame.height == 0 and issues == []
    assert "category" in frame.columns


def test_at_least_count_agrees_with_the_exact_count_on_the_gate() -> None:
    frame = _cases_frame()
    info = load_information()
    long_text = "NC. " * 60 + "Atelier cuisine"  # the only content word lies beyond the first characters
    text = pl.concat(
        [
            frame.select(
                pl.concat_str(
                    [pl.col(c).fill_null("") for c in ("title", "objectives", "description")], separator="\n"
                ).alias("text"),
                pl.col("carrier").cast(pl.String).fill_null("").alias("carrier"),
            ),
            pl.DataFrame({"text": [long_text, "NC " * 80, "CAF CPAM " * 30 + "et"], "carrier": ["", "", ""]}),
        ]
    ).with_columns(pl.int_range(pl.len(), dtype=pl.UInt32).alias("i"))
    for k in (1, 2, 4):
        exact = content_words(text, "i", "text", "carrier", info)["content_words"]
        quick = content_words(text, "i", "text", "carrier", info, at_least=k)["content_words"]
        assert ((exact >= k) == (quick >= k)).all(), k
    last = content_words(text, "i", "text", "carrier", info, at_least=1)["content_words"][-3:]
    assert last.to_list() == [2, 0, 0]  # « atelier cuisine » read past the fillers; fillers and acronyms only


def test_on_rows_equals_when_then() -> None:
    frame = pl.DataFrame({"a": ["x1", None, "y22", "x333", ""], "b": [1, 2, 3, None, 5]})
    cond = pl.col("a").str.starts_with("x")
    exprs = [pl.col("a").str.len_chars().alias("n"), (pl.col("b") * 2).alias("b2")]
    got = on_rows(frame, cond, exprs)
    want = frame.with_columns(
        pl.when(cond).then(e).otherwise(None).alias(e.meta.output_name()) for e in exprs
    )
    assert got.equals(want)
    none = on_rows(frame, pl.lit(False), exprs)
    assert none["n"].null_count() == 5 and none["n"].dtype == pl.UInt32


def test_a_row_is_tagged_the_same_whatever_the_other_rows_need() -> None:
    # « Å » written as the Ångström sign changes under NFC; a row of decomposed text elsewhere in the table
    # used to switch the whole table to NFC: each row now decides for itself.
    angstrom = {"title": ["Atelier \u212bge et égalité entre les femmes et les hommes"]}
    decomposed = {"title": ["Atelier d'e\u0301galite\u0301 femmes-hommes"]}
    pack = load_rules()
    alone = tag(pl.DataFrame(angstrom), pack).frame
    both = tag(pl.concat([pl.DataFrame(angstrom), pl.DataFrame(decomposed)]), pack).frame.head(1)
    assert alone.select("category", "reasons").equals(both.select("category", "reasons"))
    internal = run(pl.DataFrame(angstrom), pack)[1]
    assert internal[f"{P}src"][0].startswith("Atelier \u00c5ge")


def test_shipped_data_is_parsed_like_a_users_file(tmp_path: Path) -> None:
    # the package's own files take libyaml's fast parser; a user's file the bounded one: same data
    from bie.resources import data_path, load_yaml_file, load_yaml_text

    for name in ("labels.yaml", "information.yaml", "rules/index.yaml"):
        text = data_path(name).read_text(encoding="utf-8")
        assert load_yaml_text(text, name, shipped=True) == load_yaml_text(text, name)
        copy = tmp_path / name.replace("/", "_")
        copy.write_text(text, encoding="utf-8")
        assert load_yaml_file(copy) == load_yaml_file(data_path(name))


def test_a_duplicate_key_is_refused_in_shipped_data_too() -> None:
    from bie.errors import ConfigError
    from bie.resources import load_yaml_text

    with pytest.raises(ConfigError):
        load_yaml_text("a: 1\na: 2\n", "x.yaml", shipped=True)


def test_web_tags_by_chunks_equal_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    import bie.web.tags as web_tags

    tagged = tag(_cases_frame().head(150), load_rules()).frame
    whole = web_tags.element_tags(tagged)
    monkeypatch.setattr(web_tags, "CHUNK_ROWS", 40)
    assert web_tags.element_tags(tagged).equals(whole)
    assert whole["web_elements"].list.len().sum() > 0
