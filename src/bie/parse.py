"""Vectorised parsers for French-formatted spreadsheet cells.

bie reads every cell of a funding spreadsheet or open-data subsidy file as **text**, then parses it here.
Each parser takes a column name or a ``pl.Expr`` of dtype String (nulls allowed) and returns a ``pl.Expr``
producing a **Struct** with two fields:

``value``
    the typed result; null when the cell is missing or cannot be read;
``status``
    null when the value parsed cleanly, otherwise one of the stable codes of :data:`STATUSES`. The caller
    turns statuses into user-facing issues (and keeps the raw text when the status is ``unparsed``).

The struct is named after the input column when that name can be determined, so
``df.with_columns(parse.amount("montant"))`` replaces the text column by its parsed struct.

Example::

    >>> import polars as pl
    >>> from bie import parse
    >>> df = pl.DataFrame({"montant": ["12 500,00 €", "NC", "12.500", "SEM", "-"]})
    >>> df.select(parse.amount("montant")).unnest("montant").rows()
    [(12500.0, None), (None, 'placeholder'), (12500.0, 'ambiguous'), (None, 'unparsed'), (0.0, 'dash_zero')]

Everything is built from polars expressions (regular expressions, integer arithmetic, ``list.eval``):
there is no Python call per row. On a 2-core machine 100,000 cells parse in about 0.05–0.2 s per column
(dates are the slowest), plus a fixed 5–30 ms per call to plan the expression and compile its patterns.

The « not filled in » markers (NC, néant, sans objet…) are versioned data in ``bie/data/placeholders.yaml``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, Final, Literal, NamedTuple

import polars as pl

from bie.errors import ConfigError
from bie.resources import load_data

__all__ = [
    "AMOUNT_LIMIT",
    "KINDS",
    "PARSERS",
    "PLANS",
    "STATUSES",
    "Kind",
    "Plan",
    "amount",
    "amount_limit",
    "count",
    "date",
    "identifier",
    "is_placeholder",
    "luhn_valid",
    "parse_frame",
    "percent",
    "plain_number",
    "siret",
    "year",
]

Kind = Literal["amount", "count", "percent", "date", "year", "siret", "identifier"]
"""The kinds of cell this module parses (used for per-kind placeholder exclusions)."""

KINDS: Final[tuple[Kind, ...]] = ("amount", "count", "percent", "date", "year", "siret", "identifier")

STATUSES: Final[dict[str, str]] = {
    # shared by every parser
    "empty": "The cell is null, empty or only whitespace. The value is null.",
    "placeholder": (
        "The cell holds a « not filled in » marker (NC, n/a, néant, sans objet, ?, xxx…; see "
        "bie/data/placeholders.yaml). The value is null."
    ),
    "unparsed": (
        "The text cannot be read as this kind of value (free text, letters, two numbers in one cell, "
        "impossible date…). The value is null; the caller keeps the raw text."
    ),
    # numbers
    "dash_zero": (
        "Amounts: a lone dash (« - », « – », « — », with or without €) is the accounting zero: value 0.0."
    ),
    "ambiguous": (
        "Amounts and counts: a single dot followed by exactly three digits (« 12.500 ») is read as a "
        "thousands separator (12500), the French habit, but could be a decimal point (12.5). Check it."
    ),
    "implausible": (
        "Amounts: the absolute value is above the plausibility limit (10 billion €, "
        "``implausible_above`` in bie/data/amounts.yaml): a reference or a SIRET pasted into an amount "
        "column. The value is null (left out of every sum); the caller keeps the raw text."
    ),
    "negative": (
        "Amounts and percentages: the value is below zero (« -1 200 », « (1 200,00) »); it is kept. "
        "Counts: a negative count is impossible and its value is null."
    ),
    "not_integer": "Counts: the number has a fractional part (« 12,5 »); the value is null.",
    "assumed_percent": (
        "Percentages: a bare number above 1 and at most 100 without « % » (« 45 ») was read as a "
        "percentage (0.45)."
    ),
    # dates and years
    "serial": (
        "Dates: an Excel date serial number (« 43055 », 1900 date system) in [20000, 80000] was "
        "converted (43055 → 2017-11-16). Check the column is really a date."
    ),
    "multiple": (
        "Dates: several dates in one cell (separated by newlines, « ; », « , » or « et »); the first one "
        "is kept. Years: several different years (« 2023-2024 »); the first one is kept."
    ),
    "range": (
        "Dates: a period (« 2017-01-01_2017-12-31 », « 2017-01-01/2017-12-31 », « du … au … »); its "
        "start date is kept."
    ),
    # identifiers
    "float_damaged": (
        "Identifiers: the number was exported as a float (« 21860194600000.0 », « 2.18601946E+13 »); the "
        "digits are kept as text but the last ones may have been destroyed by rounding."
    ),
    "padded": (
        "SIRET: 13 digits whose « 0 »-padded 14-digit form passes the Luhn check (a leading zero lost by "
        "a spreadsheet); the padded value is kept."
    ),
    "siren": "SIRET: 9 digits passing the Luhn check, a SIREN (the company) rather than a SIRET (the site).",
    "invalid_checksum": (
        "SIRET: 14 digits failing the Luhn check (La Poste SIRETs, starting with 356000000, may pass "
        "the « sum of digits divisible by 5 » rule instead); the digits are kept."
    ),
    "wrong_length": "SIRET: only digits, but neither 14, nor 13 re-paddable, nor a valid 9-digit SIREN.",
}
"""Every status code a parser can return, with its meaning (for docs and issue messages)."""

IntoText = str | pl.Expr

# ---------------------------------------------------------------------------------------------------------
# Text clean-up shared by every parser
# ---------------------------------------------------------------------------------------------------------

# Unicode spaces become ASCII spaces (so that « 17\xa0833 » groups like « 17 833 »), invisible characters
# disappear, and the true minus sign becomes a hyphen-minus.
_NORMALISE: Final[dict[str, str]] = {
    "\u00a0": " ",  # no-break space
    "\u202f": " ",  # narrow no-break space (French typography, Excel fr-FR number format)
    "\u2009": " ",  # thin space
    "\u2007": " ",  # figure space
    "\u2008": " ",  # punctuation space
    "\u200a": " ",  # hair space
    "\u2002": " ",  # en space
    "\u2003": " ",  # em space
    "\u3000": " ",  # ideographic space
    "\u200b": "",  # zero-width space
    "\u2060": "",  # word joiner
    "\ufeff": "",  # byte-order mark / zero-width no-break space
    "\u00ad": "",  # soft hyphen
    "\u2212": "-",  # minus sign
}

# Lower-case accent folding for placeholder matching (replace_many is Aho-Corasick: fast, see T4).
_FOLD: Final[dict[str, str]] = {
    **dict.fromkeys("àáâãäå", "a"),
    "æ": "ae",
    "ç": "c",
    **dict.fromkeys("èéêë", "e"),
    **dict.fromkeys("ìíîï", "i"),
    "ñ": "n",
    **dict.fromkeys("òóôõöø", "o"),
    "œ": "oe",
    **dict.fromkeys("ùúûü", "u"),
    **dict.fromkeys("ýÿ", "y"),
    "’": "'",
}

_NULL_STR: Final = pl.lit(None, dtype=pl.String)
F: Final = pl.field  # a field of the struct being built (see _pipeline)

# Why pipelines: a polars expression is a tree, and an intermediate used twice is computed twice (eager
# selects do no common-subexpression elimination). Parsers need each intermediate many times, so they
# build a struct stage by stage with ``struct.with_fields`` and refer to earlier results with
# ``pl.field``: every intermediate is computed once, and every stage stays a plain columnar operation.


def _pipeline(start: pl.Expr, *stages: Mapping[str, pl.Expr]) -> pl.Expr:
    """A struct expression built stage by stage; a stage may use the fields of earlier stages."""
    out = start
    for stage in stages:
        out = out.struct.with_fields(**stage)
    return out


def _expr(col: IntoText) -> pl.Expr:
    return pl.col(col) if isinstance(col, str) else col


def _output_name(expr: pl.Expr) -> str | None:
    return expr.meta.output_name(raise_if_undetermined=False)


_SPECIAL: Final = "[" + "".join(_NORMALISE) + "]"
# No single value (number, date, SIRET, placeholder…) is longer than this: longer cells skip the work.
_SHORT_CHARS: Final = 64


def _only(condition: pl.Expr, text: pl.Expr) -> pl.Expr:
    """``text`` where ``condition`` holds, else "" (the way to spare work on the other rows).

    Masking with null does not help: polars string kernels still process the value hidden behind a
    null (measured: ``str.replace_all`` costs the same on a masked column), but not an empty string.
    """
    return pl.when(condition).then(text).otherwise(pl.lit(""))


def _clean_stages() -> list[dict[str, pl.Expr]]:
    """Stages giving ``special`` and ``clean`` from the field ``raw`` (see :func:`_clean`)."""
    raw, special = F("raw"), F("special")
    return [
        {"special": _only(raw.str.len_chars() <= _SHORT_CHARS, raw).str.contains(_SPECIAL)},
        {
            "clean": pl.when(special)
            .then(_only(special, raw).str.replace_many(_NORMALISE))
            .otherwise(raw)
            .str.strip_chars()
        },
    ]


def _clean(expr: pl.Expr) -> pl.Expr:
    """Struct{raw, clean}: cast to String, normalise Unicode spaces, strip surrounding whitespace.

    Only short cells holding a special character go through the replacement: longer cells hold no
    single value (they are only stripped; identifiers keep them, other parsers report ``unparsed``).
    """
    return _pipeline(pl.struct(expr.cast(pl.String).alias("raw")), *_clean_stages())


def _is_empty(clean: pl.Expr) -> pl.Expr:
    return clean.is_null() | (clean.str.len_bytes() == 0)


def _placeholder_key(clean: pl.Expr) -> pl.Expr:
    """Lower-case, accent-fold, collapse spaces and drop trailing punctuation (not « ? »)."""
    return (
        clean.str.to_lowercase()
        .str.replace_many(_FOLD)
        .str.replace_all(r"\s+", " ")
        .str.replace(r"[\s.,;:!…]+$", "")
    )


class _PlaceholderTable(NamedTuple):
    keys: tuple[str, ...]
    pattern: str | None


def _entries(data: Any, section: str, field: str) -> list[dict[str, Any]]:
    where = "bie/data/placeholders.yaml"
    if not isinstance(data, dict):
        raise ConfigError(where, detail="a mapping is expected")
    entries = data.get(section, [])
    if not isinstance(entries, list):
        raise ConfigError(where, detail=f"« {section} » must be a list")
    for entry in entries:
        if not (isinstance(entry, dict) and isinstance(entry.get(field), str) and entry.get("source")):
            raise ConfigError(where, detail=f"each « {section} » entry needs « {field} » and « source »")
        not_for = entry.get("not_for", [])
        if not (isinstance(not_for, list) and set(not_for) <= set(KINDS)):
            raise ConfigError(where, detail=f"« not_for » must list kinds among {', '.join(KINDS)}")
    return entries


@functools.cache
def _placeholder_table(kind: Kind | None) -> _PlaceholderTable:
    data = load_data("placeholders.yaml")
    texts = [e["text"] for e in _entries(data, "placeholders", "text") if kind not in e.get("not_for", [])]
    # Normalise the list with the very expression applied to cells, so both sides always agree.
    keys = (
        pl.DataFrame({"t": texts}, schema={"t": pl.String})
        .select(_placeholder_key(_clean(pl.col("t")).struct.field("clean")))
        .to_series()
        .unique(maintain_order=True)
        .to_list()
    )
    regexes = [p["regex"] for p in _entries(data, "patterns", "regex") if kind not in p.get("not_for", [])]
    pattern = "^(?:" + "|".join(f"(?:{r})" for r in regexes) + ")$" if regexes else None
    if any(c.isdigit() for k in keys for c in k):
        # Cells holding a digit are never looked up (see _prepare): a marker with a digit would be missed.
        raise ConfigError("bie/data/placeholders.yaml", detail="a placeholder cannot contain a digit")
    return _PlaceholderTable(tuple(keys), pattern)


def _prepare(kind: Kind | None) -> list[dict[str, pl.Expr]]:
    """Stages giving ``empty``, ``placeholder`` and ``live`` (the text left to parse) from ``clean``."""
    table = _placeholder_table(kind)
    hit = F("key").is_in(list(table.keys))
    if table.pattern is not None:
        hit = hit | F("key").str.contains(table.pattern)
    # Placeholders are short and hold no digit: other cells skip the normalisation.
    is_short = (F("clean").str.len_chars() <= _SHORT_CHARS) & ~F("clean").str.contains("[0-9]")
    return [
        {
            "empty": _is_empty(F("clean")),
            "key": pl.when(is_short).then(_placeholder_key(_only(is_short, F("clean")))),
        },
        {"placeholder": (~F("empty") & hit).fill_null(False)},
        {"live": pl.when(~F("empty") & ~F("placeholder")).then(F("clean"))},
    ]


class Plan(NamedTuple):
    """A parser as data: a start struct, stages adding fields (each may use the fields of earlier ones),
    and the ``value`` and ``status`` of the result, from the fields. :func:`parse_frame` runs the stages
    of several parsers side by side, one ``with_columns`` per stage: much cheaper to plan than the nested
    expression of :func:`_expression` (polars resolves a deep ``struct.with_fields`` chain slowly)."""

    start: pl.Expr
    stages: list[dict[str, pl.Expr]]
    value: pl.Expr
    status: pl.Expr


def _result(expr: pl.Expr, stages: list[dict[str, pl.Expr]]) -> Plan:
    """Run the stages on ``clean`` (the last ones define ``value`` and ``status``): Struct{value, status}."""
    return Plan(
        pl.struct(expr.cast(pl.String).alias("raw")), [*_clean_stages(), *stages], F("value"), F("status")
    )


def _expression(plan: Plan, source: pl.Expr) -> pl.Expr:
    """The plan as one expression, named after ``source`` when its name can be determined."""
    out = _finish(_pipeline(plan.start, *plan.stages), plan.value, plan.status)
    name = _output_name(source)
    return out.alias(name) if name is not None else out


def parse_frame(frame: pl.DataFrame, plans: Mapping[str, Plan]) -> pl.DataFrame:
    """``frame`` with one Struct{value, status} column per plan (named by its key), as the expressions of
    the parsers would give; the stages of all plans run side by side, stage by stage."""
    if not plans:
        return frame
    work = {name: f"_plan:{i}" for i, name in enumerate(plans)}
    frame = frame.with_columns([plan.start.alias(work[name]) for name, plan in plans.items()])
    for k in range(max(len(plan.stages) for plan in plans.values())):
        frame = frame.with_columns(
            [
                pl.col(work[name]).struct.with_fields(**plan.stages[k])
                for name, plan in plans.items()
                if k < len(plan.stages)
            ]
        )
    return frame.with_columns(
        [_finish(pl.col(work[name]), plan.value, plan.status).alias(name) for name, plan in plans.items()]
    ).drop(list(work.values()))


def is_placeholder(col: IntoText, kind: Kind | None = None) -> pl.Expr:
    """Boolean expression: is the whole cell a « not filled in » marker?

    ``kind`` applies the per-parser exclusions of ``placeholders.yaml`` (a lone dash is a placeholder,
    except for ``"amount"`` where it means zero). Null and empty cells give ``False``.

    >>> import polars as pl
    >>> df = pl.DataFrame({"x": ["NC", " n.c. ", "Néant.", "Sans  objet", "NC (en attente)", "-", None]})
    >>> df.select(is_placeholder("x")).to_series().to_list()
    [True, True, True, True, False, True, False]
    >>> df.select(is_placeholder("x", kind="amount")).to_series().to_list()[5]
    False
    """
    expr = _expr(col)
    stages = _prepare(kind)[:2]
    out = _pipeline(_clean(expr), *stages).struct.field("placeholder")
    name = _output_name(expr)
    return out.alias(name) if name is not None else out


def _status(*cases: tuple[pl.Expr, str | None]) -> pl.Expr:
    """First matching code of ``(condition, code)`` pairs, in priority order; null when none matches.

    A ``None`` code stops the search with a null status (« parsed cleanly »).
    """
    chain: Any = pl
    for condition, code in cases:
        chain = chain.when(condition.fill_null(False)).then(pl.lit(code, dtype=pl.String))
    result: pl.Expr = chain.otherwise(_NULL_STR)
    return result


# ---------------------------------------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------------------------------------

_CURRENCY: Final = r"(?:€|euros?|eur)"
_INT: Final = r"[0-9]+"
_SPACE_GROUPED: Final = r"[0-9]{1,3}(?:[ '’][0-9]{3})+"  # 12 500, 1'234'567, 17 833 (after NBSP → space)
_INT_PART: Final = rf"(?:{_INT}|{_SPACE_GROUPED})"
_EXPONENT: Final = r"e[+\-]?[0-9]+"
_DOT_GROUPED: Final = r"[0-9]{1,3}(?:\.[0-9]{3})+"
_COMMA_GROUPED: Final = r"[0-9]{1,3}(?:,[0-9]{3})+"
# The three shapes of a valid number body (lower-cased, signs and currency removed):
_COMMA_DECIMAL: Final = rf"^(?:{_INT_PART}|{_DOT_GROUPED}),[0-9]+$|^[0-9]+,[0-9]+{_EXPONENT}$"
_DOT_DECIMAL: Final = rf"^(?:{_INT_PART}|{_COMMA_GROUPED})\.[0-9]+$|^[0-9]+(?:\.[0-9]+)?{_EXPONENT}$"
_NO_DECIMAL: Final = (
    rf"^(?:{_INT_PART}|[0-9]{{1,3}}(?:\.[0-9]{{3}}){{2,}}|[0-9]{{1,3}}(?:,[0-9]{{3}}){{2,}})$"
)
# « 12.500 »: one dot, exactly three digits after it, a 1–3 digit head not starting with 0.
_AMBIGUOUS_DOT: Final = r"^[1-9][0-9]{0,2}\.[0-9]{3}$"
_DASH_ZERO: Final = rf"^(?:{_CURRENCY}\s*)?[-‐‑‒–—]\s*(?:{_CURRENCY})?$"
_DASH_MAX_CHARS: Final = 16


def _number_pattern(*, currency: bool, parens: bool, percent_sign: bool) -> str:
    """Whole-cell shape of a number (lower-cased): optional sign, currency, « % », parentheses.

    At most one sign, before the number and either side of a leading currency word (« -12 € »,
    « € -12 »); at most one currency word; parentheses come in pairs.
    """
    body = rf"[0-9][0-9 '’.,]*(?:{_EXPONENT})?"
    sign = r"(?:[+\-]\s*)?"
    if currency:
        lead = rf"(?:{sign}(?:{_CURRENCY}\s*)?|{_CURRENCY}\s*[+\-]\s*)"
        tail = rf"(?:\s*{_CURRENCY})?"
    else:
        lead, tail = sign, ""
    core = lead + body + tail + (r"(?:\s*%)?" if percent_sign else "")
    return rf"^(?:\(\s*{core}\s*\)|{core})$" if parens else rf"^{core}$"


def _number(
    *, currency: bool, parens: bool, percent_sign: bool, dot_thousands: bool
) -> list[dict[str, pl.Expr]]:
    """Stages reading ``live`` as a number: ``n_value`` (Float64 with its sign, null when unreadable),
    ``n_ambiguous`` (« d.ddd » read as thousands) and ``n_pct`` (a « % » followed the number).

    The whole cell is first checked against :func:`_number_pattern` (a fast DFA match, no capture); the
    number itself is then what is left once currency words, « % », parentheses and the sign are removed.
    See :func:`amount` for the separator rules.
    """
    text, body, magnitude = F("n_text"), F("n_body"), F("n_magnitude")
    thousands = body.str.contains(_NO_DECIMAL)
    if dot_thousands:
        thousands = thousands | body.str.contains(_AMBIGUOUS_DOT)
    canonical = (
        pl.when(thousands)
        .then(body.str.replace_all(r"[ '’.,]", ""))
        .when(body.str.contains(_COMMA_DECIMAL))
        .then(body.str.replace_all(r"[ '’.]", "").str.replace(",", ".", literal=True))
        .when(body.str.contains(_DOT_DECIMAL))
        .then(body.str.replace_all(r"[ '’,]", ""))
        .otherwise(_NULL_STR)
    )
    negative = text.str.contains(r"^[^0-9]*-")  # a « - » before the first digit is the sign
    if parens:
        negative = negative | text.str.starts_with("(")
    pattern = _number_pattern(currency=currency, parens=parens, percent_sign=percent_sign)
    shaped = pl.when(F("n_shaped"))
    return [
        {"n_text": _only(F("live").str.len_chars() <= _SHORT_CHARS, F("live")).str.to_lowercase()},
        {"n_shaped": text.str.contains(pattern)},
        {
            "n_body": shaped.then(text.str.replace_all(rf"{_CURRENCY}|%", "").str.strip_chars(" \t\r\n()+-")),
            "n_negative": shaped.then(negative).fill_null(False),
            "n_pct": shaped.then(text.str.ends_with("%")).fill_null(False),
        },
        {
            "n_ambiguous": body.str.contains(_AMBIGUOUS_DOT).fill_null(False)
            if dot_thousands
            else pl.lit(False),
            "n_magnitude": canonical.cast(pl.Float64, strict=False),
        },
        {
            "n_value": pl.when(magnitude.is_finite()).then(
                pl.when(F("n_negative")).then(-magnitude).otherwise(magnitude)
            )
        },
    ]


#: What spreadsheet engines print for a numeric cell: the bulk of the cells of a workbook, parsed by a cast.
_PLAIN_NUMBER: Final = r"^-?[0-9]{1,15}(?:\.[0-9]+)?$"
_SIGNED_AMBIGUOUS: Final = r"^-?[1-9][0-9]{0,2}\.[0-9]{3}$"


def _finish(built: pl.Expr, value: pl.Expr, status: pl.Expr) -> pl.Expr:
    """Struct{value, status} from fields of the pipeline ``built``."""
    return built.struct.with_fields(_out=pl.struct(value=value, status=status)).struct.field("_out")


def _fast_plan(expr: pl.Expr, slow: list[dict[str, pl.Expr]], integer: bool, french: bool = True) -> Plan:
    """Plain numbers (« 12500 », « 44999.99 ») by a cast; everything else through the ``slow`` stages; the
    result in the fields ``f_value`` and ``f_status``. With ``french=False`` (the caller knows every
    non-empty cell is plain) the slow stages are not built at all.

    One pipeline holds the fast path and the ``slow`` stages (which read ``raw`` and define ``value`` and
    ``status``), so that each is computed once: an expression used twice is computed twice (and planned
    twice, which costs more than parsing a small table)."""
    text, plain, number = F("f_text"), F("f_plain"), F("f_number")
    head = {
        "f_plain": text.str.contains(_PLAIN_NUMBER).fill_null(False)
        & ~text.str.contains(_SIGNED_AMBIGUOUS).fill_null(False),
        "f_number": text.cast(pl.Float64, strict=False),
    }
    if french:
        # The slow parser sees an empty string instead of the plain cells.
        stages = [{"raw": pl.when(plain).then(pl.lit("")).otherwise(text)}, *_clean_stages(), *slow]
        slow_value, slow_status = F("value"), F("status")
    else:
        stages, slow_value, slow_status = [], pl.lit(None, pl.Float64), pl.lit("empty")
    if integer:
        whole = (number - number.round(0)).abs() <= _INTEGER_TOLERANCE
        # Not strict: only plain cells (at most 15 digits) keep this value; others may not fit an Int64.
        fast_value: pl.Expr = pl.when(whole & (number >= 0)).then(
            number.round(0).cast(pl.Int64, strict=False)
        )
        fast_status = (
            pl.when(number < 0)
            .then(pl.lit("negative"))
            .when(~whole)
            .then(pl.lit("not_integer"))
            .otherwise(_NULL_STR)
        )
        value_type: Any = pl.Int64
    else:
        rounded = number.round(2, mode="half_away_from_zero")
        fast_value = pl.when(rounded == 0).then(pl.lit(0.0)).otherwise(rounded)
        fast_status = pl.when(rounded < 0).then(pl.lit("negative")).otherwise(_NULL_STR)
        value_type = pl.Float64
    last = {
        "f_value": pl.when(plain).then(fast_value).otherwise(slow_value).cast(value_type),
        "f_status": pl.when(plain).then(fast_status).otherwise(slow_status),
    }
    start = pl.struct(expr.cast(pl.String).alias("f_text"))
    return Plan(start, [head, *stages, last], F("f_value"), F("f_status"))


def plain_number(col: IntoText) -> pl.Expr:
    """Boolean: the cell is a number as a spreadsheet engine prints it (« 12500 », « -3 », « 44999.99 »),
    which :func:`amount` and :func:`count` read with a plain cast. Callers use it to skip the French-format
    parser for columns where every cell is plain (see :func:`amount`'s ``french`` argument)."""
    text = _expr(col).cast(pl.String)
    return text.str.contains(_PLAIN_NUMBER).fill_null(False) & ~text.str.contains(
        _SIGNED_AMBIGUOUS
    ).fill_null(False)


def amount(col: IntoText, french: bool = True, limit: float | None = None) -> pl.Expr:
    """Parse amounts in euros: Struct{value: Float64 rounded to cents, status: String}.

    Accepted: thousands grouped by space, NBSP, narrow NBSP, thin space or apostrophe (« 12 500,00 € »,
    « 17\\xa0833 », « 1'234 »), dot or comma groups (« 12.500,00 », « 1,234,567.89 »), a currency word
    before or after (« € 12 500 », « EUR 12 500 », « 50 000 euros », « 97 000euros »), a sign or
    accounting parentheses (« -1 200,00 », « (1 200,00) »), scientific notation (« 1.35e6 »,
    « 1,35E+06 ») and Excel float noise (« 12500.000000001 » → 12500.0).

    Separator rules: when both « , » and « . » appear, the last one is the decimal separator; several
    identical separators are thousands separators (groups of exactly three digits); a single comma is a
    decimal comma (« 12,500 » → 12.5, French); a single dot is a decimal point, except when it follows a
    1–3 digit head and is followed by exactly three digits (« 12.500 » → 12500.0, status ``ambiguous``).

    Statuses: ``empty``, ``dash_zero`` (a lone dash → 0.0), ``placeholder``, ``unparsed`` (any other
    letter, « 40 000 (avance) », « SEM », two numbers on two lines…), ``implausible`` (value null, see
    below), ``ambiguous``, ``negative`` (value kept). ``ambiguous`` wins over ``negative``.

    >>> import polars as pl
    >>> df = pl.DataFrame({"x": ["12 500,00 €", "1,234,567.89", "(1 200,00)", "1.35e6", "40 000 (avance)"]})
    >>> df.select(amount("x")).unnest("x").rows()
    [(12500.0, None), (1234567.89, None), (-1200.0, 'negative'), (1350000.0, None), (None, 'unparsed')]

    An amount whose absolute value is above ``limit`` (by default :func:`amount_limit`, 10 billion €,
    from ``bie/data/amounts.yaml``) gets the status ``implausible`` and a null value: a 17-digit reference
    pasted into an amount column is never added to a total. Below the limit a float rounded to cents is
    exact (10^12 cents < 2^53), so callers can turn every value into integer cents safely.
    """
    expr = _expr(col)
    return _expression(amount_plan(expr, french, limit), expr)


def amount_plan(expr: pl.Expr, french: bool = True, limit: float | None = None) -> Plan:
    """The plan of :func:`amount`."""
    # Never above AMOUNT_LIMIT, whatever the caller asks: every value must stay exact to the cent.
    cap = amount_limit() if limit is None else min(float(limit), AMOUNT_LIMIT)
    value, status, too_big = F("f_value"), F("f_status"), F("f_too_big")
    plan = _fast_plan(expr, _amount_stages(), integer=False, french=french)
    return Plan(
        plan.start,
        [*plan.stages, {"f_too_big": (value.abs() > cap).fill_null(False)}],
        pl.when(too_big).then(pl.lit(None, pl.Float64)).otherwise(value),
        pl.when(too_big).then(pl.lit("implausible")).otherwise(status),
    )


@functools.cache
def amount_limit() -> float:
    """The plausibility limit of amounts, in euros (``implausible_above`` in ``bie/data/amounts.yaml``)."""
    data = load_data("amounts.yaml")
    value = data.get("implausible_above") if isinstance(data, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= AMOUNT_LIMIT:
        raise ConfigError(
            "bie/data/amounts.yaml",
            detail=f"« implausible_above » must be a number of euros between 0 and {AMOUNT_LIMIT:.0f}",
        )
    return float(value)


#: The highest plausibility limit accepted (10^13 €, 10^15 cents): beyond it a float no longer holds every
#: amount to the cent (2^53 ≈ 9 × 10^15).
AMOUNT_LIMIT: Final = 1e13


def _amount_stages() -> list[dict[str, pl.Expr]]:
    """The French-format amount parser, as stages reading ``clean`` (see :func:`amount`)."""
    short = _only(F("clean").str.len_chars() <= _DASH_MAX_CHARS, F("clean"))
    parsed = F("parsed")
    return [
        *_prepare("amount"),
        {"dash": (~F("empty") & short.str.to_lowercase().str.contains(_DASH_ZERO)).fill_null(False)},
        *_number(currency=True, parens=True, percent_sign=False, dot_thousands=True),
        {"rounded": F("n_value").round(2, mode="half_away_from_zero")},
        {"parsed": pl.when(F("rounded") == 0).then(pl.lit(0.0)).otherwise(F("rounded"))},  # no -0.0
        {
            "value": pl.when(F("dash")).then(pl.lit(0.0)).otherwise(parsed),
            "status": _status(
                (F("empty"), "empty"),
                (F("dash"), "dash_zero"),
                (F("placeholder"), "placeholder"),
                (parsed.is_null(), "unparsed"),
                (F("n_ambiguous"), "ambiguous"),
                (parsed < 0, "negative"),
            ),
        },
    ]


_INTEGER_TOLERANCE: Final = 1e-6  # Excel float noise: « 12.000000001 » is still 12


def count(col: IntoText, french: bool = True) -> pl.Expr:
    """Parse counts (beneficiaries…): Struct{value: Int64, status: String}.

    Accepted: « 12 », « 1 200 », « 17\\xa0833 », « 12,0 », « 12.0 », « +12 », « 1.2e3 ». The number rules
    are those of :func:`amount` without currency or parentheses (so « 1.200 » is 1200 with status
    ``ambiguous``).

    Statuses: ``empty``, ``placeholder``, ``unparsed``, ``negative`` and ``not_integer`` (value null for
    both), ``ambiguous`` (value kept).

    >>> import polars as pl
    >>> df = pl.DataFrame({"x": ["1 200", "12,0", "12,5", "-3", "1.200"]})
    >>> df.select(count("x")).unnest("x").rows()
    [(1200, None), (12, None), (None, 'not_integer'), (None, 'negative'), (1200, 'ambiguous')]
    """
    expr = _expr(col)
    return _expression(count_plan(expr, french), expr)


def count_plan(expr: pl.Expr, french: bool = True) -> Plan:
    """The plan of :func:`count`."""
    return _fast_plan(expr, _count_stages(), integer=True, french=french)


def _count_stages() -> list[dict[str, pl.Expr]]:
    """The French-format count parser, as stages reading ``clean`` (see :func:`count`)."""
    number = F("n_value")
    return [
        *_prepare("count"),
        *_number(currency=False, parens=False, percent_sign=False, dot_thousands=True),
        {"rounded": number.round(0)},
        {
            "integral": (number - F("rounded")).abs() <= _INTEGER_TOLERANCE,
            "as_int": F("rounded").cast(pl.Int64, strict=False),
        },
        {
            "value": pl.when(((number >= 0) & F("integral")).fill_null(False)).then(F("as_int")),
            "status": _status(
                (F("empty"), "empty"),
                (F("placeholder"), "placeholder"),
                (number.is_null(), "unparsed"),
                (number < 0, "negative"),
                (~F("integral"), "not_integer"),
                (F("as_int").is_null(), "unparsed"),
                (F("n_ambiguous"), "ambiguous"),
            ),
        },
    ]


def percent(col: IntoText) -> pl.Expr:
    """Parse percentages: Struct{value: Float64 fraction (0.45 for 45 %), status: String}.

    Accepted: « 45 % », « 45% », « 45,5 % », « 0,45 », « 0.45 », « 1 » (1.0, i.e. 100 %). A number
    followed by « % » is divided by 100 (« 150 % » → 1.5); a bare number with absolute value at most 1 is
    already a fraction; a bare number above 1 and at most 100 is read as a percentage with status
    ``assumed_percent``; a bare number above 100 is ``unparsed``. A dot is always a decimal point here
    (« 12.500 % » → 0.125).

    Statuses: ``empty``, ``placeholder``, ``unparsed``, ``assumed_percent``, ``negative`` (value kept;
    ``assumed_percent`` wins over it).

    >>> import polars as pl
    >>> df = pl.DataFrame({"x": ["45 %", "0,45", "1", "45", "120"]})
    >>> df.select(percent("x")).unnest("x").rows()
    [(0.45, None), (0.45, None), (1.0, None), (0.45, 'assumed_percent'), (None, 'unparsed')]
    """
    expr = _expr(col)
    return _expression(percent_plan(expr), expr)


def percent_plan(expr: pl.Expr) -> Plan:
    """The plan of :func:`percent`."""
    number, size, value = F("n_value"), F("size"), F("value")
    return _result(
        expr,
        [
            *_prepare("percent"),
            *_number(currency=False, parens=False, percent_sign=True, dot_thousands=False),
            {"size": number.abs()},
            {"assumed": (~F("n_pct") & (size > 1) & (size <= 100)).fill_null(False)},
            {
                "value": pl.when(F("n_pct") | F("assumed"))
                .then(number / 100)
                .when(size <= 1)
                .then(number)
                .otherwise(pl.lit(None, dtype=pl.Float64))
            },
            {
                "status": _status(
                    (F("empty"), "empty"),
                    (F("placeholder"), "placeholder"),
                    (value.is_null(), "unparsed"),
                    (F("assumed"), "assumed_percent"),
                    (value < 0, "negative"),
                )
            },
        ],
    )


# ---------------------------------------------------------------------------------------------------------
# Dates and years
# ---------------------------------------------------------------------------------------------------------

_EXCEL_SERIAL: Final = r"^([0-9]{5})(?:[.,][0-9]+)?$"  # fraction = time of day, ignored
_EXCEL_SERIAL_MIN: Final = 20_000  # 1954-10-03
_EXCEL_SERIAL_MAX: Final = 80_000  # 2119-01-11
# Days from 1899-12-30 (Excel 1900 system, which counts the non-existent 1900-02-29) to 1970-01-01.
_EXCEL_TO_UNIX_DAYS: Final = 25_569
_TIME_SUFFIX: Final = r"(?i)[ t][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)?z?$"
_YMD: Final = r"^(?P<y>[0-9]{4})/(?P<m>[0-9]{1,2})/(?P<d>[0-9]{1,2})$"
_DMY: Final = r"^(?P<d>[0-9]{1,2})/(?P<m>[0-9]{1,2})/(?P<y>[0-9]{4}|[0-9]{2})$"
_TWO_DIGIT_YEAR_PIVOT: Final = 70  # 00–69 → 20xx, 70–99 → 19xx
_ISO: Final = r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
_ISO_SLASH_RANGE: Final = rf"^({_ISO})\s*/\s*({_ISO})$"
# A period: « a_b », « a - b », « du a au b » (and « a/b » for ISO dates, rewritten « a_b » first).
_RANGE_SEPARATOR: Final = r"(?i)_|\s(?:au|-|–|—)\s"
# A list: one date per line, or separated by « ; », « , » or « et ».
_LIST_SEPARATOR: Final = r"(?i)[\r\n;,]|\set\s"
_ANY_SEPARATOR: Final = r"(?i)\s*(?:[\r\n;,_]|\s(?:et|au|-|–|—)\s)\s*"
_DATE_MAX_CHARS: Final = 40  # « 2017-12-21T00:00:00.000000Z » is 27: longer cells are no single date
_DATE_LIST_MAX_CHARS: Final = 600  # a list of about 40 dates


def _single_date(text: pl.Expr) -> pl.Expr:
    """Struct{…, date: Date, serial: Boolean} for one date in any accepted format (date null if not)."""

    def ymd_or_dmy(name: str) -> pl.Expr:
        return pl.coalesce(F("ymd").struct.field(name), F("dmy").struct.field(name))

    y, y_int = F("y"), F("y").cast(pl.Int32, strict=False)
    year4 = (
        pl.when(y.str.len_bytes() == 2)
        .then(pl.when(y_int < _TWO_DIGIT_YEAR_PIVOT).then(y_int + 2000).otherwise(y_int + 1900))
        .otherwise(y_int)
    )
    # Building the ISO text and parsing it non-strictly turns impossible dates (31/02) into null.
    iso = pl.format(
        "{}-{}-{}", F("y4").cast(pl.String).str.zfill(4), F("m").str.zfill(2), F("d").str.zfill(2)
    )
    serial = F("serial_n")
    return _pipeline(
        pl.struct(text.alias("text")),
        {"t": _only(F("text").str.len_chars() <= _DATE_MAX_CHARS, F("text"))},
        {
            "serial_n": F("t").str.extract(_EXCEL_SERIAL, 1).cast(pl.Int32, strict=False),
            "slashed": F("t").str.replace(_TIME_SUFFIX, "").str.replace_all(r"[.\-]", "/"),
        },
        {
            "serial_date": pl.when(serial.is_between(_EXCEL_SERIAL_MIN, _EXCEL_SERIAL_MAX))
            .then(serial - _EXCEL_TO_UNIX_DAYS)
            .cast(pl.Date),
            "ymd": F("slashed").str.extract_groups(_YMD),
            "dmy": F("slashed").str.extract_groups(_DMY),
        },
        {"y": ymd_or_dmy("y"), "m": ymd_or_dmy("m"), "d": ymd_or_dmy("d")},
        {"y4": year4},
        {
            "date": pl.coalesce(F("serial_date"), iso.str.to_date("%Y-%m-%d", strict=False)),
            "serial": F("serial_date").is_not_null(),
        },
    )


def date(col: IntoText) -> pl.Expr:
    """Parse dates: Struct{value: Date, status: String}.

    Accepted: « 2017-12-21 », « 2017-12-21 00:00:00 », « 2017-12-21T00:00:00 », « 2017/09/08 »,
    « 21/12/2017 », « 21/12/17 » (00–69 → 20xx, 70–99 → 19xx), « 21-12-2017 », « 21.12.2017 »
    (one- or two-digit day and month).

    Statuses: ``empty``, ``placeholder``, ``serial`` (an Excel 1900-system serial in [20000, 80000],
    « 43055 » or « 43055.0 » → 2017-11-16), ``range`` (« 2017-01-01_2017-12-31 »,
    « 2017-01-01/2017-12-31 », « 01/01/2017 - 31/12/2017 », « du 01/01/2017 au 31/12/2017 » → start
    date; both ends must be dates), ``multiple`` (dates separated by newlines, « ; », « , » or « et » →
    the first; every part must be a date), ``unparsed`` (impossible dates such as « 31/02/2017 »,
    « 2911/17 », « Solde en 2018 », « acompte »).

    >>> import polars as pl
    >>> cells = ["21/12/17", "43055", "28/11/2017\\n08/12/2017", "2017-01-01_2017-12-31", "31/02/2017"]
    >>> for row in pl.DataFrame({"x": cells}).select(date("x")).unnest("x").rows():
    ...     print(row)
    (datetime.date(2017, 12, 21), None)
    (datetime.date(2017, 11, 16), 'serial')
    (datetime.date(2017, 11, 28), 'multiple')
    (datetime.date(2017, 1, 1), 'range')
    (None, 'unparsed')
    """
    expr = _expr(col)
    return _expression(date_plan(expr), expr)


def date_plan(expr: pl.Expr) -> Plan:
    """The plan of :func:`date`."""
    one, items, parsed = F("one"), F("items"), F("parsed")
    n_items = items.list.len()
    return _result(
        expr,
        [
            *_prepare("date"),
            {"single": _single_date(F("live"))},
            {"one": F("single").struct.field("date"), "serial": F("single").struct.field("serial")},
            # Only the cells that are not a single date go through the range and list parsing.
            {
                "rest": _only(
                    one.is_null()
                    & (F("live").str.len_chars() <= _DATE_LIST_MAX_CHARS)
                    & F("live").str.contains("[0-9]"),
                    F("live"),
                )
                .str.replace(_ISO_SLASH_RANGE, "${1}_${2}")
                .str.replace(r"(?i)^du\s+", "")
            },
            {
                "ranged": F("rest").str.contains(_RANGE_SEPARATOR),
                "listed": F("rest").str.contains(_LIST_SEPARATOR),
            },
            {
                "items": _only(F("ranged") | F("listed"), F("rest"))
                .str.split(_ANY_SEPARATOR, literal=False)
                .list.eval(pl.element().filter(pl.element() != ""))
            },
            {"parsed": items.list.eval(_single_date(pl.element()).struct.field("date"))},
            {
                "all_dates": ((n_items >= 2) & (parsed.list.drop_nulls().list.len() == n_items)).fill_null(
                    False
                )
            },
            {
                "is_range": F("all_dates") & F("ranged") & ~F("listed") & (n_items == 2),
                "is_multiple": F("all_dates") & F("listed") & ~F("ranged"),
            },
            {
                "value": pl.when(one.is_not_null())
                .then(one)
                .when(F("is_range") | F("is_multiple"))
                .then(parsed.list.first())
                .otherwise(pl.lit(None, dtype=pl.Date)),
                "status": _status(
                    (F("empty"), "empty"),
                    (F("placeholder"), "placeholder"),
                    (F("serial"), "serial"),
                    (one.is_not_null(), None),
                    (F("is_range"), "range"),
                    (F("is_multiple"), "multiple"),
                    (pl.lit(True), "unparsed"),
                ),
            },
        ],
    )


_YEAR_WORD: Final = r"^(?:199[0-9]|20[0-9]{2}|2100)$"  # a plausible year: 1990 to 2100
_YEAR_SHORT_PAIR: Final = r"^(?:199[0-9]|20[0-9]{2}|2100)\s*[-/]\s*[0-9]{2}$"  # « 2023-24 », « 2023/24 »


def year(col: IntoText) -> pl.Expr:
    """Parse years: Struct{value: Int32, status: String}.

    The year is a four-digit number between 1990 and 2100 standing alone in the text: « 2024 »,
    « 2024.0 », « Exercice 2024 », « AAP 2024 », « 12/03/2024 » → 2024. Other numbers are ignored.

    Statuses: ``empty``, ``placeholder``, ``multiple`` (two different years, « 2023-2024 » or
    « 2023/24 » → the first), ``unparsed`` (no year in 1990–2100: « 1985 », « 43055 », « en cours »).

    >>> import polars as pl
    >>> df = pl.DataFrame({"x": ["2024.0", "AAP 2024", "2023-2024", "1985"]})
    >>> df.select(year("x")).unnest("x").rows()
    [(2024, None), (2024, None), (2023, 'multiple'), (None, 'unparsed')]
    """
    expr = _expr(col)
    return _expression(year_plan(expr), expr)


def year_plan(expr: pl.Expr) -> Plan:
    """The plan of :func:`year`."""
    years = F("years")
    return _result(
        expr,
        [
            *_prepare("year"),
            {
                "years": F("live")
                .str.extract_all(r"[0-9]+")
                .list.eval(pl.element().filter(pl.element().str.contains(_YEAR_WORD)).cast(pl.Int32))
            },
            {
                "value": years.list.first(),
                "status": _status(
                    (F("empty"), "empty"),
                    (F("placeholder"), "placeholder"),
                    (years.list.first().is_null(), "unparsed"),
                    ((years.list.n_unique() > 1) | F("live").str.contains(_YEAR_SHORT_PAIR), "multiple"),
                ),
            },
        ],
    )


# ---------------------------------------------------------------------------------------------------------
# Identifiers
# ---------------------------------------------------------------------------------------------------------

_LUHN_MAX_DIGITS: Final = 19  # what fits in a UInt64


def _digits(number: pl.Expr) -> list[pl.Expr]:
    """[units digit, tens digit, …] of a UInt64 by integer arithmetic (19 digits)."""
    return [(number // (10**i)) % 10 for i in range(_LUHN_MAX_DIGITS)]


def _luhn_sum(number: pl.Expr) -> pl.Expr:
    total: pl.Expr = pl.lit(0, dtype=pl.UInt64)
    for i, digit in enumerate(_digits(number)):
        # Every second digit from the right is doubled; a two-digit result is reduced by 9.
        total = total + (digit * 2 - (digit >= 5).cast(pl.UInt64) * 9 if i % 2 else digit)
    return total


def luhn_valid(digits: pl.Expr) -> pl.Expr:
    """Boolean expression: does the digit string pass the Luhn (mod 10) check?

    Used for SIREN (9 digits) and SIRET (14 digits). Works on strings of 1 to 19 ASCII digits (leading
    zeros allowed; they do not change the result); anything else (letters, spaces, empty) gives
    ``False``; more than 19 digits or null gives null. Vectorised: the string becomes one UInt64 and each
    digit is taken by integer division.

    >>> import polars as pl
    >>> df = pl.DataFrame({"x": ["22490001900015", "22490001900016", "732829320", "12 34", None]})
    >>> df.select(luhn_valid(pl.col("x"))).to_series().to_list()
    [True, False, True, False, None]
    """
    shape_ok, too_long = F("shape_ok"), F("too_long")
    out = _pipeline(
        pl.struct(d=digits),
        {
            "n": F("d").str.to_integer(dtype=pl.UInt64, strict=False),
            "shape_ok": F("d").str.contains(r"^[0-9]+$"),
            "too_long": F("d").str.len_bytes() > _LUHN_MAX_DIGITS,
        },
        {
            "ok": pl.when(F("d").is_null() | (shape_ok & too_long))
            .then(pl.lit(None, dtype=pl.Boolean))
            .when(~shape_ok)
            .then(pl.lit(False))
            .otherwise(_luhn_sum(F("n")) % 10 == 0)
        },
    ).struct.field("ok")
    name = _output_name(digits)
    return out.alias(name) if name is not None else out


_LA_POSTE_SIREN: Final = "356000000"
_SIRET_MAX_CHARS: Final = 40  # « ="224 900 019 000 15" » is 21: longer cells are no SIRET
_FLOAT_INTEGER: Final = r"^([0-9]+)[.,]0+$"
_FLOAT_SCIENTIFIC: Final = r"(?i)^[0-9](?:[.,][0-9]+)?e\+?[0-9]{1,2}$"


def _strip_excel_guards(text: pl.Expr, *, trailing_quote: bool) -> pl.Expr:
    """Remove Excel « ="…" » formula guards and the leading (and optionally trailing) text apostrophe.

    ``text`` should be a cheap expression (a field): it is used twice. Only guarded cells are rewritten.
    """
    guard = r"^(?:=|['’])|['’]$" if trailing_quote else r"^(?:=|['’])"
    guarded = text.str.contains(guard)
    out = (
        _only(guarded, text).str.replace(r'^=\s*"(.*)"$', "${1}").str.strip_chars().str.replace(r"^['’]", "")
    )
    if trailing_quote:
        out = out.str.replace(r"['’]$", "")
    return pl.when(guarded).then(out.str.strip_chars()).otherwise(text)


def _float_digits(text: pl.Expr) -> pl.Expr:
    """Digits of an integer exported as a float (« 123.0 », « 1.23E+13 »); null for any other text.

    ``text`` should be a cheap expression (a field): it is used twice.
    """
    scientific = (
        _only(text.str.contains(_FLOAT_SCIENTIFIC), text)
        .str.replace(",", ".", literal=True)
        .cast(pl.Float64, strict=False)
        .round(0)
        .cast(pl.Int64, strict=False)
        .cast(pl.String)
    )
    return pl.coalesce(text.str.extract(_FLOAT_INTEGER, 1), scientific)


def siret(col: IntoText) -> pl.Expr:
    """Parse SIRET numbers (14 digits, Luhn): Struct{value: String, status: String}.

    The value stays text (leading zeros kept). Removed first: surrounding and grouping spaces (incl.
    NBSP), grouping dots, Excel guards (« ="…" », a leading « ' ») and a trailing text-guard apostrophe
    (« 224 900 019 000 15' » → « 22490001900015 »).

    Statuses: ``empty``, ``placeholder``, ``float_damaged`` (« 21860194600000.0 », « 2.18601946E+13 »:
    digits kept, 13-digit results re-padded to 14), ``padded`` (13 digits whose 0-padded form passes
    Luhn → padded value), ``siren`` (9 digits passing Luhn), ``invalid_checksum`` (14 digits failing Luhn;
    for La Poste, SIREN 356000000, a digit sum divisible by 5 is accepted too), ``wrong_length`` (digits
    kept), ``unparsed`` (anything but digits).

    >>> import polars as pl
    >>> cells = ["224 900 019 000 15'", "21860194600000.0", "1810086080001", "732829320", "SIRET ?"]
    >>> for row in pl.DataFrame({"x": cells}).select(siret("x")).unnest("x").rows():
    ...     print(row)
    ('22490001900015', None)
    ('21860194600000', 'float_damaged')
    ('1810086080001', 'wrong_length')
    ('732829320', 'siren')
    (None, 'unparsed')
    """
    expr = _expr(col)
    return _expression(siret_plan(expr), expr)


def siret_plan(expr: pl.Expr) -> Plan:
    """The plan of :func:`siret`."""
    digits, length, from_float = F("digits"), F("length"), F("from_float")
    is_float, is_digits, luhn = from_float.is_not_null(), F("is_digits"), F("luhn")
    # La Poste establishments are numbered beyond what Luhn allows: INSEE also accepts, for SIREN
    # 356000000 only, a digit sum divisible by 5 (its siège, 35600000000048, is an ordinary Luhn number).
    la_poste = digits.str.starts_with(_LA_POSTE_SIREN) & (length == 14)
    la_poste_ok = (la_poste & (pl.sum_horizontal(_digits(F("n"))) % 5 == 0)).fill_null(False)
    padded = is_digits & (length == 13) & luhn  # a leading 0 does not change the Luhn sum
    return _result(
        expr,
        [
            *_prepare("siret"),
            {
                "text": _strip_excel_guards(
                    _only(F("live").str.len_chars() <= _SIRET_MAX_CHARS, F("live")), trailing_quote=True
                )
            },
            {"from_float": _float_digits(F("text"))},
            {"digits": pl.when(from_float.is_null()).then(F("text").str.replace_all(r"[\s.]", ""))},
            {
                "n": digits.str.to_integer(dtype=pl.UInt64, strict=False),
                "length": digits.str.len_bytes(),
                "is_digits": digits.str.contains(r"^[0-9]+$").fill_null(False),
            },
            {
                "luhn": (is_digits & (length <= _LUHN_MAX_DIGITS) & (_luhn_sum(F("n")) % 10 == 0)).fill_null(
                    False
                )
            },
            {
                "value": pl.when(is_float)
                .then(pl.when(from_float.str.len_bytes() == 13).then("0" + from_float).otherwise(from_float))
                .when(padded)
                .then("0" + digits)
                .when(is_digits)
                .then(digits)
                .otherwise(_NULL_STR),
                "status": _status(
                    (F("empty"), "empty"),
                    (F("placeholder"), "placeholder"),
                    (is_float, "float_damaged"),
                    (~is_digits, "unparsed"),
                    ((length == 14) & (luhn | la_poste_ok), None),
                    (length == 14, "invalid_checksum"),
                    (padded, "padded"),
                    ((length == 9) & luhn, "siren"),
                    (pl.lit(True), "wrong_length"),
                ),
            },
        ],
    )


def identifier(col: IntoText) -> pl.Expr:
    """Parse other identifiers (dossier numbers, Chorus EJ…): Struct{value: String, status: String}.

    Identifiers stay text and are never converted to numbers: the cell is stripped, Excel guards
    (« ="…" », a leading « ' ») are removed, and the « .0 » of an integer exported as a float is dropped
    (« 123456.0 » → « 123456 », status null). Everything else is kept as is (« DA00123456-1 »).

    Statuses: ``empty``, ``placeholder``, ``float_damaged`` (scientific notation « 1.23456789E+11 »: the
    expanded digits are kept but the last ones may be wrong), ``unparsed`` (nothing left once the guards
    are removed, e.g. « ="" »).

    >>> import polars as pl
    >>> df = pl.DataFrame({"x": [" DA00123456-1 ", "123456.0", '="00123"', "1.23E+5"]})
    >>> df.select(identifier("x")).unnest("x").rows()
    [('DA00123456-1', None), ('123456', None), ('00123', None), ('123000', 'float_damaged')]
    """
    expr = _expr(col)
    return _expression(identifier_plan(expr), expr)


def identifier_plan(expr: pl.Expr) -> Plan:
    """The plan of :func:`identifier`."""
    text, scientific, value = F("text"), F("scientific"), F("value")
    return _result(
        expr,
        [
            *_prepare("identifier"),
            {"text": _strip_excel_guards(F("live"), trailing_quote=False)},
            {"scientific": text.str.contains(_FLOAT_SCIENTIFIC).fill_null(False)},
            {
                "value": pl.coalesce(
                    text.str.extract(r"^([0-9]+)\.0+$", 1),
                    pl.when(scientific).then(_float_digits(text)),
                    pl.when(text != "").then(text),
                )
            },
            {
                "status": _status(
                    (F("empty"), "empty"),
                    (F("placeholder"), "placeholder"),
                    (value.is_null(), "unparsed"),
                    (scientific, "float_damaged"),
                )
            },
        ],
    )


PARSERS: Final[Mapping[Kind, Callable[[IntoText], pl.Expr]]] = {
    "amount": amount,
    "count": count,
    "percent": percent,
    "date": date,
    "year": year,
    "siret": siret,
    "identifier": identifier,
}
"""Each parser by kind, e.g. for a column mapping that names the kind of every column."""

PLANS: Final[Mapping[Kind, Callable[[pl.Expr], Plan]]] = {
    "amount": amount_plan,
    "count": count_plan,
    "percent": percent_plan,
    "date": date_plan,
    "year": year_plan,
    "siret": siret_plan,
    "identifier": identifier_plan,
}
"""The plan of each parser (see :func:`parse_frame`), by kind."""
