"""The tagger: compile a rule pack to polars expressions and decide each action's category.

Pipeline (no Python loop over rows, no ``map_elements``):

1. **Sources.** ``title``, ``objectives`` and ``description`` are joined with line breaks into one
   "source" text (recomposed in NFC when needed) and normalised (:mod:`bie.tagging.normalize`), one
   character for one character: an offset in the normalised text is an offset in the source text.
2. **Neutralisation.** Trap and negation patterns (and the carrier's own name) are masked by turning
   their span to UPPER CASE in the normalised text: rule patterns are lower case, so nothing matches
   there any more, and offsets are unchanged. The loop runs over *passes* (until no row has an unmasked
   trap left), each pass on the rows that still have one.
3. **Zones, by content** (not by column: :func:`_zone_stage`). ``title`` is the first sentence of the
   whole text (title, else objectives after a heading line such as « Objectifs : », else description);
   ``objective_main`` the body's first sentence after a one-sentence title, or the sentence after a *label*
   (brand name, generic heading, carrier's name: :mod:`bie.tagging.information`); ``other`` the rest. In
   ``title`` and ``objective_main`` the *head* is the text before the first secondary-clause marker
   (« en veillant à », « notamment », « dont »…). The same stage counts the *content words* (the "too
   little text" gate).
4. **Evidence.** One ``str.find`` per rule × matching zone, all in a single ``with_columns``. Rules whose
   position does not matter (measures, audience, ambiguity) read the whole text at once; aims read
   ``title``, ``objective_main`` and the rest (objective_rest + description, contiguous). Offsets are
   stored in the coordinates of the whole text.
5. **Decision.** The ordered :data:`STEPS`, compiled into one ``pl.when/then`` chain.
6. **Reasons.** For each rule × zone with hits (a loop over *rules*, on the matching rows only), the
   match length is read with an anchored ``str.extract`` and the source text is cut at the same offsets
   with ``str.slice``: the reason shows the user's own words.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from bie.issues import Issue
from bie.resources import load_data
from bie.tagging.information import Information, content_words, is_label, load_information
from bie.tagging.normalize import normalize_expr, normalize_series, recompose
from bie.tagging.rules import (
    FIELDS,
    LEAD_ZONES,
    STRENGTHS,
    ZONES,
    Rule,
    RulePack,
    compile_pattern,
)

__all__ = [
    "INPUT_INT_COLUMNS",
    "INPUT_TEXT_COLUMNS",
    "OUTPUT_COLUMNS",
    "REASON_DTYPE",
    "STEPS",
    "P",
    "Step",
    "run",
]

INPUT_TEXT_COLUMNS: tuple[str, ...] = (
    "action_id",
    "_sheet",
    "title",
    "objectives",
    "description",
    "theme",
    "pillar",
    "carrier",
    "declared_equality",
)
INPUT_INT_COLUMNS: tuple[str, ...] = ("_row", "women", "men", "beneficiaries_total")
#: Every column the tagger reads (any may be absent); other columns are carried through untouched.
INPUT_COLUMNS: tuple[str, ...] = INPUT_TEXT_COLUMNS + INPUT_INT_COLUMNS

REASON_DTYPE = pl.List(pl.Struct({"rule": pl.String, "field": pl.String, "match": pl.String}))

OUTPUT_SCHEMA: dict[str, Any] = {
    "category": pl.String,
    "dac_marker": pl.Int8,
    "eu_weight": pl.Float64,
    "confidence": pl.Float64,
    "reasons": REASON_DTYPE,
    "audience": pl.String,
    "declared_category": pl.String,
    "declaration_mismatch": pl.Boolean,
    "override": pl.String,
    "review_reason": pl.String,
}
OUTPUT_COLUMNS: tuple[str, ...] = tuple(OUTPUT_SCHEMA)

P = "__bie_"
"""Prefix of every internal column."""


@dataclass(frozen=True)
class Step:
    """One step of the decision, tried in order; the first whose condition holds gives the category. Its
    words are data: ``bie/data/labels.yaml``, ``steps``."""

    name: str
    category: str

    def label_in(self, lang: str = "fr") -> str:
        """What the step tests, in ``lang`` (``fr`` or ``en``)."""
        return str(load_data("labels.yaml")["steps"][self.name]["en" if lang == "en" else "fr"])

    @property
    def label(self) -> str:
        """The French label (:meth:`label_in` for another language)."""
        return self.label_in("fr")


STEPS: tuple[Step, ...] = (
    Step("override", ""),
    Step("little_text", "to_review"),
    Step("contradiction", "to_review"),
    Step("aim_lead", "specific"),
    Step("secondary", "transversal"),
    Step("ambiguous", "to_review"),
    Step("none", "not_integrated"),
)

REVIEW_REASONS: dict[str, str] = {
    "little_text": "REVIEW-TEXTE",
    "ambiguous": "REVIEW-AMBIGU",
    "contradiction": "REVIEW-CONTRADICTION",
}
"""The three reasons an action is « à examiner », kept apart in every output: the step name is the
``review_reason`` column, the id is the first of its ``reasons`` (labels: ``bie/data/labels.yaml``,
``review_reasons``): too little text (« intitulé seul : rien à examiner »), ambiguous wording (« indice sans
preuve »), contradictory evidence (« preuves contradictoires »)."""

_KIND_ORDER = {
    "aim": 0,
    "measure": 1,
    "negation": 2,
    "ambiguous": 3,
    "clause": 4,
    "audience_women": 5,
    "audience_men": 5,
    "audience_mixed": 5,
    "trap": 6,
    "vague": 7,
    "declaration": 8,
}
_FIELD_ORDER = {"title": 0, "objectives": 1, "description": 2, "declared_equality": 3}
_POSITION_FREE = frozenset({"measure", "audience_women", "audience_men", "audience_mixed", "ambiguous"})
_MASKING = frozenset({"trap", "negation"})

SENTENCE_RE = r"^[^\p{L}]*\p{L}(?:[^\n.!?;…•]|[.!?;…]\S|\n[ \t]*\p{Ll})*"
"""The first sentence, read on the source text (which has capitals): it ends at ``. ! ? ; …`` followed by
a space, at a bullet, or at a line break *unless* the next line starts with a lower-case letter (a cell
wrapped in the middle of a sentence). « C.I.D.F.F » and « habitant.e.s » do not end a sentence. The
length found is also valid in the normalised text (one character for one character)."""


def _x(rule_id: str, zone: str) -> str:
    """Name of the column holding the absolute offset of ``rule_id``'s first match in ``zone``."""
    return f"{P}x__{rule_id}__{zone}"


def _y(rule_id: str, zone: str) -> str:
    """Same on the *unmasked* text (explanations only)."""
    return f"{P}y__{rule_id}__{zone}"


def matching_zones(rule: Rule) -> tuple[str, ...]:
    """The texts a rule is run on (several declared zones may be read at once)."""
    if rule.evidence == "declaration":
        return ("declared_equality",)
    if rule.evidence in _MASKING:
        return ("all",) if set(rule.zones) == set(FIELDS) else tuple(f"f_{f}" for f in rule.zones)
    if rule.evidence == "vague":
        return tuple(f"f_{f}" for f in rule.zones)
    if rule.evidence in _POSITION_FREE and set(rule.zones) == set(ZONES):
        return ("all",)
    zones = list(rule.zones)
    if "objective_rest" in zones and "description" in zones:
        zones = [z for z in zones if z not in ("objective_rest", "description")] + ["other"]
    return tuple(zones)


@dataclass(frozen=True)
class _Compiled:
    pack: RulePack
    columns: tuple[tuple[Rule, str], ...]  # (rule, matching zone) computed in the wide stage
    traps: tuple[tuple[Rule, str], ...]  # (trap rule, matching zone), computed for reasons only
    decl_rules: tuple[Rule, ...]
    mask_by_field: dict[str, str | None]
    rule_order: dict[str, int]


@functools.lru_cache(maxsize=16)
def _compile(pack: RulePack) -> _Compiled:
    columns: list[tuple[Rule, str]] = []
    traps: list[tuple[Rule, str]] = []
    decl_rules: list[Rule] = []
    for r in pack.rules:
        if r.evidence == "declaration":
            decl_rules.append(r)
            columns.append((r, "declared_equality"))
        elif r.evidence == "trap":
            traps.extend((r, z) for z in matching_zones(r))
        else:
            columns.extend((r, z) for z in matching_zones(r))
    mask_by_field: dict[str, str | None] = {}
    for f in FIELDS:
        maskers = [r.regex for r in pack.rules if r.evidence in _MASKING and f in r.zones]
        mask_by_field[f] = "|".join(f"(?:{m})" for m in maskers) if maskers else None
    return _Compiled(
        pack=pack,
        columns=tuple(columns),
        traps=tuple(traps),
        decl_rules=tuple(decl_rules),
        mask_by_field=mask_by_field,
        rule_order={r.id: i for i, r in enumerate(pack.rules)},
    )


# --------------------------------------------------------------------------------------------------
# helpers


def _any(exprs: Sequence[pl.Expr]) -> pl.Expr:
    if not exprs:
        return pl.lit(False)
    return pl.any_horizontal([e.fill_null(False) for e in exprs]).fill_null(False)


def _max(exprs: Sequence[pl.Expr]) -> pl.Expr:
    if not exprs:
        return pl.lit(0, pl.Int32)
    return pl.max_horizontal(exprs).fill_null(0).cast(pl.Int32)


def _find_abs(text: pl.Expr, start: pl.Expr, rule: Rule) -> pl.Expr:
    """Absolute offset (``start`` + offset in ``text``) of the first match, null when none/excluded."""
    found = start + text.str.find(rule.regex).cast(pl.Int64)
    excl = rule.exclusion_regex
    if excl is None:
        return found
    return pl.when(text.str.contains(excl).fill_null(False)).then(pl.lit(None, pl.Int64)).otherwise(found)


def _text_col(df: pl.DataFrame, name: str) -> pl.Expr:
    if name in df.columns:
        return pl.col(name).cast(pl.String)
    return pl.lit(None, pl.String)


def _int_col(df: pl.DataFrame, name: str) -> pl.Expr:
    if name in df.columns:
        return pl.col(name).cast(pl.Int64, strict=False)
    return pl.lit(None, pl.Int64)


def on_rows(frame: pl.DataFrame, cond: pl.Expr, exprs: Sequence[pl.Expr]) -> pl.DataFrame:
    """``frame`` with ``exprs`` added, evaluated only on the rows where ``cond`` holds (null elsewhere).

    Polars evaluates every branch of a ``when/then`` on every row: a costly expression (a regex over the
    whole text) that matters only for a few rows is evaluated on those rows, then scattered back."""
    picked = frame.select(cond.fill_null(False)).to_series().arg_true()
    needed = sorted(set().union(*(e.meta.root_names() for e in exprs)))
    narrow = frame.select(needed) if needed else frame.select(pl.first())
    sub = narrow[picked].select(exprs) if picked.len() else narrow.clear().select(exprs)
    cols = []
    for s in sub.iter_columns():
        full = pl.repeat(None, frame.height, dtype=s.dtype, eager=True).alias(s.name)
        cols.append(full.scatter(picked, s) if picked.len() else full)
    return frame.with_columns(cols)


def _upper_span(text: pl.Expr, off: pl.Expr, length: pl.Expr) -> pl.Expr:
    return pl.concat_str(
        [text.str.slice(0, off), text.str.slice(off, length).str.to_uppercase(), text.str.slice(off + length)]
    )


def mask_series(series: pl.Series, pattern: str, max_passes: int = 50) -> pl.Series:
    """Upper-case every match of ``pattern`` (lower-case patterns then skip it); lengths are unchanged.

    A loop over passes, not rows: each pass masks the first remaining match of the rows that still have
    one, and only those rows are touched.
    """
    out = series
    idx = out.str.contains(pattern).fill_null(False).arg_true()
    for _ in range(max_passes):
        if idx.len() == 0:
            break
        # masking only removes matches: the rows left are among the rows matched at the previous pass
        rows = out.gather(idx)
        still = rows.str.contains(pattern).fill_null(False)
        idx, rows = idx.filter(still), rows.filter(still)
        if idx.len() == 0:
            break
        sub = rows.to_frame("s")
        s = pl.col("s")
        off = s.str.find(pattern).cast(pl.Int64)
        length = s.str.extract(pattern, 0).str.len_chars().cast(pl.Int64)
        out = out.scatter(idx, sub.select(_upper_span(s, off, length)).to_series())
    return out


# --------------------------------------------------------------------------------------------------
# 1-2. sources and neutralisation


def _sources(actions: pl.DataFrame, comp: _Compiled, offset: int = 0) -> pl.DataFrame:
    base = actions.select(
        pl.int_range(offset, offset + pl.len(), dtype=pl.UInt32).alias(f"{P}idx"),
        _text_col(actions, "title").fill_null("").alias(f"{P}t"),
        _text_col(actions, "objectives").fill_null("").alias(f"{P}o"),
        _text_col(actions, "description").fill_null("").alias(f"{P}d"),
        _text_col(actions, "declared_equality").alias(f"{P}decl_src"),
        _text_col(actions, "carrier").alias(f"{P}carrier_src"),
        _text_col(actions, "action_id").alias(f"{P}action_id"),
        _text_col(actions, "_sheet").alias(f"{P}sheet"),
        _int_col(actions, "_row").alias(f"{P}row"),
        _int_col(actions, "women").alias(f"{P}women"),
        _int_col(actions, "men").alias(f"{P}men"),
    )
    base = base.with_columns(
        recompose(base[c]) for c in (f"{P}t", f"{P}o", f"{P}d", f"{P}decl_src", f"{P}carrier_src")
    )
    t, o, d = pl.col(f"{P}t"), pl.col(f"{P}o"), pl.col(f"{P}d")
    base = base.with_columns(
        t.str.len_chars().cast(pl.Int64).alias(f"{P}lt"),
        o.str.len_chars().cast(pl.Int64).alias(f"{P}lo"),
        d.str.len_chars().cast(pl.Int64).alias(f"{P}ld"),
        pl.concat_str([t, o, d], separator="\n").alias(f"{P}src"),
        normalize_expr(pl.col(f"{P}decl_src")).alias(f"{P}decl"),
        normalize_expr(pl.col(f"{P}carrier_src")).str.strip_chars().alias(f"{P}carrier"),
    )
    base = base.with_columns(normalize_series(base[f"{P}src"]).alias(f"{P}n"))
    return _neutralise(base, comp)


def _field_bounds() -> dict[str, tuple[pl.Expr, pl.Expr]]:
    """(start, length) of each source field in the whole text."""
    lt, lo, ld = pl.col(f"{P}lt"), pl.col(f"{P}lo"), pl.col(f"{P}ld")
    return {
        "title": (pl.lit(0, pl.Int64), lt),
        "objectives": (lt + 1, lo),
        "description": (lt + lo + 2, ld),
    }


def _neutralise(base: pl.DataFrame, comp: _Compiled) -> pl.DataFrame:
    bounds = _field_bounds()
    n, carrier = pl.col(f"{P}n"), pl.col(f"{P}carrier")
    clen = carrier.str.len_chars().cast(pl.Int64)
    fields = base.select(
        pl.col(f"{P}carrier"),
        *[n.str.slice(start, length).alias(f) for f, (start, length) in bounds.items()],
    )
    masked: list[pl.Series] = []
    for f in FIELDS:
        u = pl.col(f)
        off = u.str.find(carrier, literal=True).cast(pl.Int64)
        with_carrier = fields.select(
            pl.when(off.is_not_null() & (clen >= 4)).then(_upper_span(u, off, clen)).otherwise(u)
        ).to_series()
        pattern = comp.mask_by_field[f]
        masked.append(mask_series(with_carrier, pattern) if pattern else with_carrier)
    m = pl.DataFrame(masked, schema=list(FIELDS)).select(pl.concat_str(list(FIELDS), separator="\n"))
    return base.with_columns(m.to_series().alias(f"{P}m"))


# --------------------------------------------------------------------------------------------------
# 3. zones


def _sentence_len(text: pl.Expr) -> pl.Expr:
    """Length of the first sentence of ``text`` (leading non-letters included), 0 when none."""
    return text.str.extract(SENTENCE_RE, 0).str.len_chars().cast(pl.Int64).fill_null(0)


def _zone_stage(frame: pl.DataFrame, comp: _Compiled, exact: bool = False) -> pl.DataFrame:
    """Zones by content, not by column (docs/regles.md, « Zones »).

    The action text is one stream: title, objectives, description. Its *first sentence* (zone ``title``:
    the title's first sentence, or the first sentence of the objectives, or failing that of the description)
    is the main objective unless it is a *label* (a brand name, a generic heading, the carrier's name: see
    :mod:`bie.tagging.information`). Zone ``objective_main`` is the next main sentence: the first sentence of
    the objectives/description when the title is a single sentence (the guide reads « le titre ou
    l'objectif »), or the sentence after a label. Everything after is ``other`` (secondary).
    """
    settings = comp.pack.settings
    info = load_information()
    bounds = _field_bounds()
    m, src, n = pl.col(f"{P}m"), pl.col(f"{P}src"), pl.col(f"{P}n")
    frame = frame.with_columns(
        *[s.alias(f"{P}s_f_{f}") for f, (s, _) in bounds.items()],
        *[ln.alias(f"{P}l_f_{f}") for f, (_, ln) in bounds.items()],
        pl.lit(0, pl.Int64).alias(f"{P}s_all"),
        m.str.len_chars().cast(pl.Int64).alias(f"{P}l_all"),
    )

    def field_text(f: str, col: pl.Expr = m) -> pl.Expr:
        return col.str.slice(pl.col(f"{P}s_f_{f}"), pl.col(f"{P}l_f_{f}"))

    exprs: list[pl.Expr] = []
    for rule, z in comp.columns:
        if rule.evidence == "vague":
            exprs.append(_find_abs(field_text(z[2:]), pl.col(f"{P}s_{z}"), rule).alias(_x(rule.id, z)))
    heading = compile_pattern(settings.objective_heading)
    min_letters = max(settings.empty_min_letters, 1)
    enough = r"[a-zA-Z]" + r"[^a-zA-Z]*[a-zA-Z]" * (min_letters - 1)  # at least min_letters letters
    o_head = field_text("objectives").str.extract(heading, 0).str.len_chars().cast(pl.Int64).fill_null(0)
    exprs += [
        o_head.alias(f"{P}o_head"),
        field_text("title").str.contains(enough).fill_null(False).alias(f"{P}t_enough"),
        field_text("objectives").str.contains(enough).fill_null(False).alias(f"{P}o_enough"),
        field_text("description").str.contains(enough).fill_null(False).alias(f"{P}d_enough"),
        # amount of text, for the confidence: about one word per 6 characters of the three fields
        (pl.col(f"{P}l_all") / 6.0).alias(f"{P}words"),
    ]
    frame = frame.with_columns(exprs)

    def vague_in(field: str) -> pl.Expr:
        z = f"f_{field}"
        return _any(
            [
                pl.col(_x(r.id, zz)).is_not_null()
                for r, zz in comp.columns
                if r.evidence == "vague" and zz == z
            ]
        )

    frame = frame.with_columns(
        vague_in("title").alias(f"{P}title_vague"),
        (vague_in("objectives") | ~pl.col(f"{P}o_enough")).alias(f"{P}obj_empty"),
        (vague_in("description") | ~pl.col(f"{P}d_enough")).alias(f"{P}desc_empty"),
    )
    lt = pl.col(f"{P}lt")
    o_start, _ = bounds["objectives"]
    d_start, _ = bounds["description"]
    total = pl.col(f"{P}l_all")
    # where the body (objectives, or the description when the objectives are empty or filler) starts
    body_start = (
        pl.when(~pl.col(f"{P}obj_empty")).then(o_start + pl.col(f"{P}o_head")).otherwise(d_start)
    ).cast(pl.Int64)
    t_sent = _sentence_len(src.str.slice(0, lt))
    frame = frame.with_columns(
        body_start.alias(f"{P}body_start"),
        t_sent.alias(f"{P}t_sent"),
        # a title of one sentence: nothing but punctuation after its first sentence
        ~src.str.slice(t_sent, lt - t_sent).str.contains(r"\p{L}").fill_null(False).alias(f"{P}t_single"),
    )
    has_title, single = pl.col(f"{P}t_enough"), pl.col(f"{P}t_single")
    bstart = pl.col(f"{P}body_start")
    p_a = pl.when(has_title).then(pl.lit(0, pl.Int64)).otherwise(bstart)
    len_a = (
        pl.when(has_title)
        .then(pl.when(single).then(lt).otherwise(pl.col(f"{P}t_sent")))
        .otherwise(_sentence_len(src.str.slice(bstart)))
    )
    frame = frame.with_columns(p_a.cast(pl.Int64).alias(f"{P}p_a"), len_a.cast(pl.Int64).alias(f"{P}len_a"))
    pa, la = pl.col(f"{P}p_a"), pl.col(f"{P}len_a")
    frame = frame.with_columns(
        is_label(
            src.str.slice(pa, la), n.str.slice(pa, la), pl.col(f"{P}carrier"), info, short_counts=False
        ).alias(f"{P}label_a"),
        is_label(src.str.slice(pa, la), n.str.slice(pa, la), pl.col(f"{P}carrier"), info).alias(
            f"{P}label_gate"
        ),
        m.str.slice(pa, la)
        .str.contains(compile_pattern(settings.lead_women))
        .fill_null(False)
        .alias(f"{P}title_names_women")
        if settings.lead_women is not None
        else pl.lit(False).alias(f"{P}title_names_women"),
    )
    # the sentence read after the first one: the body's first sentence after a one-sentence title, else
    # the next sentence (never before the body's start once past the title)
    after_a = pa + la
    p_b = (
        pl.when(has_title & single)
        .then(bstart)
        .when((after_a >= lt) & (after_a < bstart))
        .then(bstart)
        .otherwise(after_a)
    )
    frame = frame.with_columns(p_b.cast(pl.Int64).alias(f"{P}p_b"))
    pb = pl.col(f"{P}p_b")
    frame = frame.with_columns(_sentence_len(src.str.slice(pb)).alias(f"{P}len_b"))
    lb = pl.col(f"{P}len_b")
    follows = m.str.slice(pb, lb).str.contains(enough).fill_null(False)
    label_a = pl.col(f"{P}label_a")
    frame = frame.with_columns(
        (~label_a | ~follows).alias(f"{P}lead_title"),
        ((label_a | (has_title & single)) & follows).alias(f"{P}lead_main"),
    )
    lead_main = pl.col(f"{P}lead_main")
    main_start = pl.when(lead_main).then(pb).otherwise(after_a)
    main_len = pl.when(lead_main).then(lb).otherwise(pl.lit(0, pl.Int64))
    other_start = main_start + main_len
    rest_len = pl.max_horizontal(d_start - 1 - other_start, pl.lit(0, pl.Int64))
    desc_from = pl.max_horizontal(other_start, d_start)
    geometry = {
        "title": (pa, la),
        "objective_main": (main_start, main_len),
        "objective_rest": (other_start, rest_len),
        "description": (desc_from, total - desc_from),
        # everything after the main objective: contiguous in the whole text
        "other": (other_start, pl.max_horizontal(total - other_start, pl.lit(0, pl.Int64))),
    }
    frame = frame.with_columns(
        *[s.cast(pl.Int64).alias(f"{P}s_{z}") for z, (s, _) in geometry.items()],
        *[ln.cast(pl.Int64).alias(f"{P}l_{z}") for z, (_, ln) in geometry.items()],
    )
    frame = _information_stage(frame, info, exact)
    needed = sorted({z for _, z in comp.columns if z in geometry} | set(LEAD_ZONES))
    return frame.with_columns(
        m.str.slice(pl.col(f"{P}s_{z}"), pl.col(f"{P}l_{z}")).alias(f"{P}z_{z}") for z in needed
    )


def _information_stage(frame: pl.DataFrame, info: Information, exact: bool = False) -> pl.DataFrame:
    """``content_words``: the words that say what is funded (the "too little text" gate, docs/regles.md).

    Read on every field that is not filler (« NC », « voir dossier »), without the first sentence when it
    is a label (a brand name says nothing of what is funded), without stop words, fillers, numbers,
    acronyms and the carrier's name.
    """
    src = pl.col(f"{P}src")
    lt, lo = pl.col(f"{P}lt"), pl.col(f"{P}lo")
    pa, la = pl.col(f"{P}p_a"), pl.col(f"{P}len_a")
    o_start, d_start = lt + 1, lt + lo + 2
    cut = pl.col(f"{P}label_gate")

    def piece(start: pl.Expr, length: pl.Expr, blank: pl.Expr) -> pl.Expr:
        # the field's text, without the label sentence when it lies in this field
        end = start + length
        inside = cut & (pa >= start) & (pa < end)
        before = src.str.slice(start, pl.max_horizontal(pa - start, pl.lit(0, pl.Int64)))
        after = src.str.slice(pa + la, pl.max_horizontal(end - pa - la, pl.lit(0, pl.Int64)))
        text = (
            pl.when(inside)
            .then(pl.concat_str([before, after], separator=" "))
            .otherwise(src.str.slice(start, length))
        )
        return pl.when(blank).then(pl.lit("")).otherwise(text)

    measured = pl.concat_str(
        [
            piece(pl.lit(0, pl.Int64), lt, pl.col(f"{P}title_vague")),
            piece(o_start, lo, pl.col(f"{P}obj_empty")),
            piece(d_start, pl.col(f"{P}ld"), pl.col(f"{P}desc_empty")),
        ],
        separator="\n",
    )
    sub = frame.select(pl.col(f"{P}idx"), measured.alias("text"), pl.col(f"{P}carrier").alias("carrier"))
    at_least = None if exact else info.min_content_words
    counts = content_words(sub, f"{P}idx", "text", "carrier", info, at_least=at_least)
    return frame.with_columns(counts.get_column("content_words").alias(f"{P}content_words"))


# --------------------------------------------------------------------------------------------------
# 4. evidence (one with_columns)


def _zone_text(z: str, masked: bool = True) -> pl.Expr:
    col = pl.col(f"{P}m") if masked else pl.col(f"{P}n")
    if z == "all":
        return col
    if masked and not z.startswith("f_"):
        return pl.col(f"{P}z_{z}")
    return col.str.slice(pl.col(f"{P}s_{z}"), pl.col(f"{P}l_{z}"))


def _open_public(found: pl.Expr) -> pl.Expr:
    """A measure marked ``open_public_only``: when the title names women (« Café des mamans »), a match
    outside the title is the action's public, not a measure; a match in the title itself (« Accueil de
    loisirs avec créneaux réservés aux filles ») still counts."""
    first = (found >= pl.col(f"{P}p_a")) & (found < pl.col(f"{P}p_a") + pl.col(f"{P}len_a"))
    return pl.when(~pl.col(f"{P}title_names_women") | first).then(found)


def _evidence_stage(frame: pl.DataFrame, comp: _Compiled, debug: bool) -> pl.DataFrame:
    """One column per rule × zone: the absolute offset of the rule's first match there (null when none).

    One ``str.find`` per rule × zone, all in one ``with_columns`` (polars spreads them over the cores). The
    regex engine skips the texts without the rule's leading words by itself (literal prefilters): running
    each rule only on the rows holding one of its required words (found by ``str.contains_any``) was
    measured no faster (docs/performance.md)."""
    exprs: list[pl.Expr] = []
    for rule, z in comp.columns:
        if rule.evidence == "vague":
            continue  # read in the zone stage
        if rule.evidence == "declaration":
            exprs.append(_find_abs(pl.col(f"{P}decl"), pl.lit(0, pl.Int64), rule).alias(_x(rule.id, z)))
            continue
        start = pl.col(f"{P}s_{z}")
        masked = rule.evidence not in _MASKING
        text = _zone_text(z, masked)
        if rule.evidence == "clause":
            # a marker that opens the zone (« En favorisant l'égalité, … ») introduces nothing secondary:
            # look for markers after the first letter only
            skip = text.str.find(r"[a-zA-Z]").cast(pl.Int64).fill_null(0) + 1
            text, start = text.str.slice(skip), start + skip
        found = _find_abs(text, start, rule)
        if rule.open_public_only:
            found = _open_public(found)
        exprs.append(found.alias(_x(rule.id, z)))
        if debug and masked:
            unmasked = _find_abs(_zone_text(z, masked=False), start, rule)
            if rule.open_public_only:
                unmasked = _open_public(unmasked)
            exprs.append(unmasked.alias(_y(rule.id, z)))
    return frame.with_columns(exprs)


# --------------------------------------------------------------------------------------------------
# 5. decision


INFINITIVE_OPENING = r"(?:^|[.!?;\n])[^a-z.!?;\n]*([a-z]{3,}(?:er|ir|re))\b[^.!?;\n]*$"
"""The sentence that ends at the end of the text opens with an infinitive (« Lutter contre … »): on the masked
normalised text, whose sentence marks are kept."""


def _opens_with_infinitive(off: pl.Expr) -> pl.Expr:
    """Whether the sentence holding the absolute offset ``off`` opens with an infinitive (an objective)."""
    before = pl.col(f"{P}m").str.slice(0, off)
    first = before.str.extract(INFINITIVE_OPENING, 1)
    actions = sorted(load_information().action_words)
    return (first.is_not_null() & ~first.is_in(actions)).fill_null(False)


def _decision_stage(frame: pl.DataFrame, comp: _Compiled) -> pl.DataFrame:
    conf = comp.pack.settings.confidence

    def c(key: str, default: float) -> float:
        return float(conf.get(key, default))

    col = pl.col
    head_cols = []
    for z in LEAD_ZONES:
        clauses = [col(_x(r.id, zz)) for r, zz in comp.columns if r.evidence == "clause" and zz == z]
        end = col(f"{P}s_{z}") + col(f"{P}l_{z}")
        head = pl.min_horizontal(clauses).fill_null(end) if clauses else end
        head_cols.append(head.cast(pl.Int64).alias(f"{P}h_{z}"))
    frame = frame.with_columns(head_cols)
    lead_women = comp.pack.settings.lead_women
    title_women = pl.lit(False)
    if lead_women is not None:
        # the head already names women: a clause then only specifies that public, it is not secondary
        women_heads = []
        for z in LEAD_ZONES:
            head_text = col(f"{P}z_{z}").str.slice(0, col(f"{P}h_{z}") - col(f"{P}s_{z}"))
            names_women = head_text.str.contains(compile_pattern(lead_women)).fill_null(False)
            end = col(f"{P}s_{z}") + col(f"{P}l_{z}")
            women_heads.append(pl.when(names_women).then(end).otherwise(col(f"{P}h_{z}")).alias(f"{P}h_{z}"))
            if z == "title":
                women_heads.append(names_women.alias(f"{P}title_women"))
        frame = frame.with_columns(women_heads)
        title_women = col(f"{P}title_women")
        # whether the sentence of a later aim opens with an infinitive: a regex over the text before the hit,
        # read only where it can matter (the title names women and an aim is found after it)
        later = [r for r, z in comp.columns if r.evidence == "aim" and z == "other"]
        if later:
            frame = on_rows(
                frame,
                title_women & _any([col(_x(r.id, "other")).is_not_null() for r in later]),
                [_opens_with_infinitive(col(_x(r.id, "other"))).alias(f"{P}inf__{r.id}") for r in later],
            )

    aim_head: list[pl.Expr] = []
    aim_tail: dict[str, list[pl.Expr]] = {z: [] for z in LEAD_ZONES}
    aim_other: list[pl.Expr] = []
    measure: list[pl.Expr] = []
    lead_strength: list[pl.Expr] = []
    sec_strength: list[pl.Expr] = []
    by_kind: dict[str, list[pl.Expr]] = {}
    positive_by_rule: dict[str, list[pl.Expr]] = {}
    for rule, z in comp.columns:
        off = col(_x(rule.id, z))
        hit = off.is_not_null()
        strength = pl.lit(STRENGTHS[rule.strength], pl.Int32)
        by_kind.setdefault(rule.evidence, []).append(hit)
        if rule.evidence == "aim":
            positive_by_rule.setdefault(rule.id, []).append(hit)
            if z == "title":
                # the first sentence is a label (« Allez les filles ! »): what it says is not the main aim
                lead = col(f"{P}lead_title")
                in_head = (off < col(f"{P}h_{z}")).fill_null(False) & lead
                in_tail = (off >= col(f"{P}h_{z}")).fill_null(False) & lead
                aim_head.append(in_head)
                aim_tail[z].append(in_tail)
                lead_strength.append(pl.when(in_head).then(strength))
                sec_strength.append(pl.when(in_tail).then(strength))
                aim_other.append(hit & ~lead)
                sec_strength.append(pl.when(hit & ~lead).then(strength))
            elif z in LEAD_ZONES:
                in_head = (off < col(f"{P}h_{z}")).fill_null(False)
                in_tail = (off >= col(f"{P}h_{z}")).fill_null(False)
                aim_head.append(in_head)
                aim_tail[z].append(in_tail)
                lead_strength.append(pl.when(in_head).then(strength))
                sec_strength.append(pl.when(in_tail).then(strength))
            elif z == "other":
                # when the first sentence names women (« Café des mamans », « Allez les filles ! »), the
                # text decides (« its objective decides »): an aim in the later sentences counts as lead,
                # whichever column holds them (guide, 2b: a public of women and an aim that lifts a barrier)
                # … when that sentence states an aim, i.e. opens with an infinitive (« Lutter contre les
                # violences faites aux femmes »), not when it describes a content (« Une séance sera
                # consacrée aux droits des femmes » stays secondary)
                opens = (
                    col(f"{P}inf__{rule.id}").fill_null(False) if lead_women is not None else pl.lit(False)
                )
                promoted = hit & title_women & opens
                aim_head.append(promoted)
                lead_strength.append(pl.when(promoted).then(strength))
                aim_other.append(hit & ~promoted)
                sec_strength.append(pl.when(hit & ~promoted).then(strength))
            else:
                aim_other.append(hit)
                sec_strength.append(pl.when(hit).then(strength))
        elif rule.evidence == "measure":
            positive_by_rule.setdefault(rule.id, []).append(hit)
            measure.append(hit)
            sec_strength.append(pl.when(hit).then(strength))
    n_positive = pl.sum_horizontal([_any(v).cast(pl.Int32) for v in positive_by_rule.values()] or [pl.lit(0)])
    frame = frame.with_columns(
        _any(aim_head).alias(f"{P}aim_lead"),
        *[_any(aim_tail[z]).alias(f"{P}aim_tail_{z}") for z in LEAD_ZONES],
        _any(aim_other).alias(f"{P}aim_other"),
        _any(measure).alias(f"{P}measure"),
        _any(by_kind.get("negation", [])).alias(f"{P}negation"),
        _any(by_kind.get("ambiguous", [])).alias(f"{P}ambiguous"),
        _any(by_kind.get("audience_women", [])).alias(f"{P}aud_w"),
        _any(by_kind.get("audience_men", [])).alias(f"{P}aud_m"),
        _any(by_kind.get("audience_mixed", [])).alias(f"{P}aud_x"),
        _max(lead_strength).alias(f"{P}lead_strength"),
        _max(sec_strength).alias(f"{P}sec_strength"),
        n_positive.cast(pl.Int32).alias(f"{P}n_positive"),
    )
    secondary = (
        _any([col(f"{P}aim_tail_{z}") for z in LEAD_ZONES]) | col(f"{P}aim_other") | col(f"{P}measure")
    )
    positive = col(f"{P}aim_lead") | secondary
    conditions = {
        # too little information to screen anything: fewer content words than ``min_content_words`` once
        # stop words, fillers, numbers, the carrier's name and a label title are set aside (whatever the
        # columns filled: a 12-word « objet » that says what is funded is judged)
        "little_text": (col(f"{P}content_words") < load_information().min_content_words) & ~positive,
        "contradiction": col(f"{P}negation") & positive,
        "aim_lead": col(f"{P}aim_lead"),
        "secondary": secondary,
        "ambiguous": col(f"{P}ambiguous"),
    }
    frame = frame.with_columns(cond.alias(f"{P}cond_{name}") for name, cond in conditions.items())
    chain: Any = None
    for step in STEPS:
        if step.name in conditions:
            cond = col(f"{P}cond_{step.name}")
            chain = (
                pl.when(cond).then(pl.lit(step.name))
                if chain is None
                else chain.when(cond).then(pl.lit(step.name))
            )
    frame = frame.with_columns(chain.otherwise(pl.lit("none")).alias(f"{P}step"))
    step_c = col(f"{P}step")
    several = pl.when(col(f"{P}n_positive") >= 2).then(c("several_rules_bonus", 0.05)).otherwise(0.0)
    per = c("per_strength", 0.1)
    words = col(f"{P}words").cast(pl.Float64)
    single_sex = col(f"{P}aud_w") ^ col(f"{P}aud_m")
    base_conf = (
        pl.when(step_c == "little_text")
        .then(pl.lit(c("little_text", 0.2)))
        .when(step_c == "contradiction")
        .then(pl.lit(c("contradiction", 0.3)))
        .when(step_c == "aim_lead")
        .then(c("specific_base", 0.6) + per * col(f"{P}lead_strength").cast(pl.Float64) + several)
        .when(step_c == "secondary")
        .then(c("transversal_base", 0.5) + per * col(f"{P}sec_strength").cast(pl.Float64) + several)
        .when(step_c == "ambiguous")
        .then(pl.lit(c("ambiguous", 0.25)))
        .otherwise(
            c("none_base", 0.55)
            + c("none_text_bonus", 0.35) * pl.min_horizontal(words / c("none_text_words", 25.0), pl.lit(1.0))
            - pl.when(single_sex).then(c("single_sex_none_penalty", 0.1)).otherwise(0.0)
        )
    )
    # the carrier as evidence (issue 9, point 4; bie.tagging.carriers): a women's-rights organisation with a
    # generic object is specific; an explicit object keeps its category, the confidence raised or lowered
    from bie.tagging.carriers import carrier_decision

    frame, base_conf = carrier_decision(frame, base_conf)
    return frame.with_columns(
        step_c.replace_strict(
            {s.name: s.category for s in STEPS if s.category}, return_dtype=pl.String
        ).alias(f"{P}category"),
        base_conf.cast(pl.Float64).alias(f"{P}conf_base"),
    )


# --------------------------------------------------------------------------------------------------
# audience, declaration, final columns


def _audience_expr() -> pl.Expr:
    tw, tm, tx = pl.col(f"{P}aud_w"), pl.col(f"{P}aud_m"), pl.col(f"{P}aud_x")
    w, m = pl.col(f"{P}women"), pl.col(f"{P}men")
    text = (
        pl.when(tw & ~tm & ~tx)
        .then(pl.lit("women_only"))
        .when(tm & ~tw & ~tx)
        .then(pl.lit("men_only"))
        .when(tw | tm | tx)
        .then(pl.lit("mixed"))
    )
    counts = (
        pl.when((w > 0) & (m == 0))
        .then(pl.lit("women_only"))
        .when((m > 0) & (w == 0))
        .then(pl.lit("men_only"))
        .when((w > 0) & (m > 0))
        .then(pl.lit("mixed"))
    )
    return pl.coalesce(text, counts, pl.lit("unknown"))


def _finalise(frame: pl.DataFrame, comp: _Compiled) -> pl.DataFrame:
    from bie.tagging.calibration import calibrated_expr
    from bie.tagging.declaration import declaration_exprs

    pack = comp.pack
    conf = pack.settings.confidence
    ov_cat, ov_just = pl.col(f"{P}ov_category"), pl.col(f"{P}ov_justification")
    frame = frame.with_columns(
        pl.coalesce(ov_cat, pl.col(f"{P}category")).alias("category"),
        _audience_expr().alias("audience"),
        ov_just.alias("override"),
    )
    decl_rule, declared, agree = declaration_exprs(comp.decl_rules, lambda rid: _x(rid, "declared_equality"))
    frame = frame.with_columns(
        decl_rule.alias(f"{P}decl_rule"), declared.alias("declared_category"), agree.alias(f"{P}decl_agree")
    )
    cat = pl.col("category")
    mismatch = (
        pl.when(pl.col("declared_category").is_null() | (cat == "to_review"))
        .then(pl.lit(None, pl.Boolean))
        .otherwise(~pl.col(f"{P}decl_agree").fill_null(False))
    )
    frame = frame.with_columns(mismatch.alias("declaration_mismatch"))
    adjust = (
        pl.when(cat == "to_review")
        .then(0.0)
        .when(~pl.col("declaration_mismatch"))
        .then(float(conf.get("declaration_agree", 0.05)))
        .when(pl.col("declaration_mismatch"))
        .then(-float(conf.get("declaration_mismatch", 0.1)))
        .otherwise(0.0)
    )
    lo, hi = float(conf.get("floor", 0.05)), float(conf.get("ceiling", 0.99))
    # the evidence score (how clear the evidence is), then the confidence shown: the score calibrated on the
    # real labelled corpus for the action's decision step (bie.tagging.calibration, issue 9 point 7)
    frame = frame.with_columns((pl.col(f"{P}conf_base") + adjust).clip(lo, hi).round(2).alias(f"{P}score"))
    rules_conf = calibrated_expr(pl.col(f"{P}step"), pl.col(f"{P}score"))
    markers = {c.id: c.dac_marker for c in pack.categories}
    weights = {c.id: c.eu_weight for c in pack.categories}
    return frame.with_columns(
        pl.when(ov_cat.is_not_null())
        .then(pl.lit(1.0))
        .otherwise(rules_conf)
        .cast(pl.Float64)
        .alias("confidence"),
        cat.replace_strict(markers, return_dtype=pl.Int8).alias("dac_marker"),
        cat.replace_strict(weights, return_dtype=pl.Float64).alias("eu_weight"),
        pl.when(ov_cat.is_not_null())
        .then(pl.lit("override"))
        .otherwise(pl.col(f"{P}step"))
        .alias(f"{P}final_step"),
        pl.when(ov_cat.is_null() & pl.col(f"{P}step").is_in(list(REVIEW_REASONS)))
        .then(pl.col(f"{P}step"))
        .otherwise(pl.lit(None, pl.String))
        .alias("review_reason"),
    )


# --------------------------------------------------------------------------------------------------
# 6. reasons


def field_of(offset: pl.Expr) -> pl.Expr:
    """The source field an absolute offset falls in."""
    lt, lo = pl.col(f"{P}lt"), pl.col(f"{P}lo")
    return (
        pl.when(offset < lt)
        .then(pl.lit("title"))
        .when(offset <= lt + lo)
        .then(pl.lit("objectives"))
        .otherwise(pl.lit("description"))
    )


def _hits_frame(
    frame: pl.DataFrame,
    rule: Rule,
    zone: str,
    column: str,
    *,
    order: int,
    keep: pl.Expr | None = None,
) -> pl.DataFrame | None:
    """(idx, k1, k2, k3, rule, field, match, offset) for the rows where ``column`` has a match."""
    off = pl.col(column)
    cond = off.is_not_null()
    if keep is not None:
        cond = cond & keep.fill_null(False)
    if not frame.select(cond.fill_null(False).any()).item():
        return None
    if rule.evidence == "declaration":
        text, src, end = pl.col(f"{P}decl"), pl.col(f"{P}decl_src"), pl.col(f"{P}decl").str.len_chars()
    else:
        text = pl.col(f"{P}n") if rule.evidence in _MASKING else pl.col(f"{P}m")
        src = pl.col(f"{P}src")
        end = pl.col(f"{P}s_{zone}") + pl.col(f"{P}l_{zone}")
    # read on every row, null where there is no (kept) hit: the texts are cut where they are, never copied
    hit = pl.when(cond).then(off)
    length = (
        text.str.slice(hit, end - hit)
        .str.extract("^(?:" + rule.regex + ")", 0)
        .str.len_chars()
        .cast(pl.Int64)
    )
    field = pl.lit("declared_equality") if rule.evidence == "declaration" else field_of(hit)
    return frame.select(
        pl.col(f"{P}idx"),
        pl.lit(_KIND_ORDER[rule.evidence], pl.Int32).alias("k1"),
        field.replace_strict(_FIELD_ORDER, return_dtype=pl.Int32).alias("k2"),
        pl.lit(order, pl.Int32).alias("k3"),
        pl.lit(rule.id).alias("rule"),
        field.alias("field"),
        src.str.slice(hit, length).alias("match"),
        hit.alias("offset"),
    ).filter(pl.col("offset").is_not_null())


def trap_hits(frame: pl.DataFrame, comp: _Compiled) -> list[pl.DataFrame]:
    """Trap matches, looked for only in the rows where something was neutralised."""
    if not comp.traps:
        return []
    masked = frame.filter(pl.col(f"{P}m") != pl.col(f"{P}n"))
    if masked.height == 0:
        return []
    zones = sorted({z for _, z in comp.traps})
    masked = masked.with_columns(
        _find_abs(_zone_text(z, masked=False), pl.col(f"{P}s_{z}"), rule).alias(_x(rule.id, z))
        for rule, z in comp.traps
        if z in zones
    )
    out = []
    for rule, z in comp.traps:
        part = _hits_frame(masked, rule, z, _x(rule.id, z), order=comp.rule_order[rule.id])
        if part is not None:
            out.append(part)
    return out


def _reason_frames(frame: pl.DataFrame, comp: _Compiled) -> list[pl.DataFrame]:
    step = pl.col(f"{P}step")
    keep_by_kind: dict[str, pl.Expr] = {"ambiguous": step == "ambiguous", "vague": step == "little_text"}
    out: list[pl.DataFrame] = []
    for rule, z in comp.columns:
        keep = keep_by_kind.get(rule.evidence)
        if rule.evidence == "clause":
            keep = pl.col(f"{P}aim_tail_{z}")
        elif rule.evidence == "declaration":
            keep = pl.col(f"{P}decl_rule") == rule.id
        part = _hits_frame(frame, rule, z, _x(rule.id, z), order=comp.rule_order[rule.id], keep=keep)
        if part is not None:
            out.append(part)
    out.extend(trap_hits(frame, comp))
    from bie.tagging.carriers import carrier_reason_frames  # the carrier's own reason (issue 9, point 4)

    out.extend(carrier_reason_frames(frame))
    out.extend(_review_reason_frames(frame))
    overridden = frame.filter(pl.col(f"{P}ov_category").is_not_null())
    if overridden.height:
        out.append(
            overridden.select(
                pl.col(f"{P}idx"),
                pl.lit(-1, pl.Int32).alias("k1"),
                pl.lit(0, pl.Int32).alias("k2"),
                pl.lit(0, pl.Int32).alias("k3"),
                pl.lit("override").alias("rule"),
                pl.lit("manual").alias("field"),
                pl.col(f"{P}ov_justification").alias("match"),
                pl.lit(0, pl.Int64).alias("offset"),
            )
        )
    return out


_SHOWN_CHARS = 120
"""At most this many characters of the text read are quoted in a « too little text » reason."""


def _review_reason_frames(frame: pl.DataFrame) -> list[pl.DataFrame]:
    """The reason an action is to review, first of its reasons (for too little text, with the words read)."""
    review = frame.filter(pl.col("review_reason").is_not_null())
    if review.height == 0:
        return []
    pa, la = pl.col(f"{P}p_a"), pl.col(f"{P}len_a")
    shown = pl.col(f"{P}src").str.slice(pa, pl.min_horizontal(la, pl.lit(_SHOWN_CHARS, pl.Int64)))
    return [
        review.select(
            pl.col(f"{P}idx"),
            pl.lit(-1, pl.Int32).alias("k1"),
            pl.lit(0, pl.Int32).alias("k2"),
            pl.lit(0, pl.Int32).alias("k3"),
            pl.col("review_reason").replace_strict(REVIEW_REASONS, return_dtype=pl.String).alias("rule"),
            field_of(pa).alias("field"),
            pl.when(pl.col("review_reason") == "little_text")
            .then(shown.str.strip_chars())
            .otherwise(pl.lit(""))
            .alias("match"),
            pa.alias("offset"),
        )
    ]


def _reasons_stage(frame: pl.DataFrame, comp: _Compiled) -> pl.DataFrame:
    parts = _reason_frames(frame, comp)
    if not parts:
        return frame.with_columns(pl.lit([], dtype=REASON_DTYPE).alias("reasons"))
    long = (
        pl.concat(parts, how="vertical_relaxed")
        .sort([f"{P}idx", "k1", "k2", "offset", "k3"])
        .unique(subset=[f"{P}idx", "rule", "field"], keep="first", maintain_order=True)
    )
    grouped = long.group_by(f"{P}idx", maintain_order=True).agg(
        pl.struct(pl.col("rule"), pl.col("field"), pl.col("match")).alias("reasons")
    )
    frame = frame.join(grouped, on=f"{P}idx", how="left", maintain_order="left")
    return frame.with_columns(pl.col("reasons").fill_null(pl.lit([], dtype=REASON_DTYPE)).cast(REASON_DTYPE))


# --------------------------------------------------------------------------------------------------
# entry point


CHUNK_ROWS = 50_000
""":func:`run_chunks` tags this many actions at a time: the intermediate columns (about 250, several of them
copies of the text) of one chunk only are in memory, whatever the number of actions."""


def run(
    actions: pl.DataFrame,
    pack: RulePack,
    overrides: Any = None,
    *,
    debug: bool = False,
) -> tuple[pl.DataFrame, pl.DataFrame, list[Issue]]:
    """Tag ``actions``; return (output frame, internal frame, issues).

    The internal frame (one row per action, same order) holds every intermediate column; it is used by
    :func:`bie.tagging.explain.explain`. ``debug`` adds the matches on the unmasked text (to show what
    the traps neutralised) and counts every content word exactly.
    """
    from bie.tagging.declaration import declaration_issues

    comp = _compile(pack)
    ov_frame, issues = _match_overrides(actions, overrides)
    frame = _tag_frame(actions, comp, ov_frame, 0, debug)
    issues.extend(declaration_issues(frame))
    return _with_outputs(actions, frame), frame, sorted(issues, key=_issue_key)


def run_chunks(
    actions: pl.DataFrame,
    pack: RulePack,
    overrides: Any = None,
    *,
    chunk_rows: int = CHUNK_ROWS,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[pl.DataFrame, list[Issue]]:
    """Same output frame and issues as :func:`run`, tagging ``chunk_rows`` actions at a time (bounded
    memory); ``progress(done, total)`` after each chunk. Each action is tagged on its own, so the chunks
    give the same result as one pass (manual decisions are matched on the whole table first)."""
    from bie.tagging.declaration import declaration_issues

    comp = _compile(pack)
    ov_frame, issues = _match_overrides(actions, overrides)
    total = actions.height
    parts: list[pl.DataFrame] = []
    for start in range(0, total, max(chunk_rows, 1)) if total else [0]:
        frame = _tag_frame(actions.slice(start, chunk_rows), comp, ov_frame, start, False)
        issues.extend(declaration_issues(frame))
        parts.append(_outputs(frame))
        del frame
        if progress is not None:
            progress(min(start + chunk_rows, total), total)
    outputs = pl.concat(parts, how="vertical") if len(parts) > 1 else parts[0]
    kept = actions.drop([c for c in OUTPUT_COLUMNS if c in actions.columns])
    return pl.concat([kept, outputs], how="horizontal"), sorted(issues, key=_issue_key)


def _match_overrides(actions: pl.DataFrame, overrides: Any) -> tuple[pl.DataFrame | None, list[Issue]]:
    """Manual decisions matched to actions by id, sheet and row, on the whole table (``idx`` is the row's
    position in ``actions``)."""
    from bie.tagging.overrides import Overrides, match_overrides

    if not (isinstance(overrides, Overrides) and overrides.entries):
        return None, []
    keys = actions.select(
        pl.int_range(pl.len(), dtype=pl.UInt32).alias(f"{P}idx"),
        _text_col(actions, "action_id").alias(f"{P}action_id"),
        _text_col(actions, "_sheet").alias(f"{P}sheet"),
        _int_col(actions, "_row").alias(f"{P}row"),
    )
    ov_frame, ov_issues = match_overrides(keys, overrides)
    return ov_frame, list(ov_issues)


def _tag_frame(
    actions: pl.DataFrame, comp: _Compiled, ov_frame: pl.DataFrame | None, offset: int, debug: bool
) -> pl.DataFrame:
    """The internal frame of ``actions`` (whose first row is row ``offset`` of the whole table)."""
    frame = _sources(actions, comp, offset)
    frame = _zone_stage(frame, comp, exact=debug)
    frame = _evidence_stage(frame, comp, debug)
    frame = _decision_stage(frame, comp)
    if ov_frame is not None:
        frame = frame.join(ov_frame, on=f"{P}idx", how="left", maintain_order="left")
    else:
        frame = frame.with_columns(
            pl.lit(None, pl.String).alias(f"{P}ov_category"),
            pl.lit(None, pl.String).alias(f"{P}ov_justification"),
        )
    frame = _finalise(frame, comp)
    return _reasons_stage(frame, comp)


def _outputs(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select([pl.col(name).cast(dtype) for name, dtype in OUTPUT_SCHEMA.items()])


def _with_outputs(actions: pl.DataFrame, frame: pl.DataFrame) -> pl.DataFrame:
    kept = actions.drop([c for c in OUTPUT_COLUMNS if c in actions.columns])
    return pl.concat([kept, _outputs(frame)], how="horizontal")


def _issue_key(issue: Issue) -> tuple[str, str, int, str]:
    row = issue.row if issue.row is not None else -1
    return (issue.code, issue.sheet or "", row, repr(sorted(issue.params.items(), key=lambda kv: kv[0])))
