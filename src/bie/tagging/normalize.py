"""French text normalisation for the tagger, as polars expressions (no per-row Python).

The normalised text is what rule patterns are written for. Its one design constraint: **every character of
the source text becomes exactly one ASCII character**, so that an offset found in the normalised text
(``str.find`` returns a *byte* offset, equal to a character offset on ASCII text) is also the offset of the
same words in the source text. ``reasons.match`` is then cut from the source with ``str.slice``: users see
their own words, accents and capitals included.

What the normalisation does, in order:

1. ``replace_many`` with :data:`CHAR_MAP` (Aho-Corasick, fast): accented letters, upper- or lower-case,
   become one plain lower-case letter (``É`` → ``e``, ``ç`` → ``c``, ``œ`` → ``e``, ``æ`` → ``e``,
   ``ß`` → ``s``); straight and curly apostrophes, quotes, dashes, non-breaking and thin spaces become a
   space (so « l'égalité » and « d’égalité » read ``l egalite`` / ``d egalite``: elision needs no special
   case); the bullet ``•`` becomes a line break; ``…`` becomes ``.``.
2. ``to_lowercase`` (upper-case text, « VIOLENCES CONJUGALES »).
3. Inclusive writing is folded to the base (masculine) form followed by spaces, keeping the length:
   ``habitant·es``, ``habitant.e.s``, ``habitant-e-s``, ``habitant(e)s`` → ``habitant`` + spaces;
   ``acteur·trices`` → ``acteur``; ``usager·ère·s`` → ``usager``; ``élu·es`` → ``elu``. A pattern written for
   the base word (``\\bhabitants?\\b``) therefore matches every inclusive spelling, while the plain feminine
   plural « habitantes » (which does say « women ») stays distinct.
4. Every character other than ``a-z``, ``0-9``, ``%``, space, line break, the comma (which often opens an
   incise) and the sentence marks ``. ! ? ;`` becomes a space (hyphens, colons, slashes, parentheses, any
   remaining non-ASCII character…).

Text decomposed in Unicode NFD (an ``e`` followed by a combining accent) is first recomposed in NFC; the NFC
text is then the "source" the matches are cut from (it looks identical).

Two consequences for pattern writers (see ``docs/regles.md``): write lower-case ASCII (accents in patterns
are folded the same way when the pack is loaded), and remember that punctuation is now spaces: a space,
hyphen or apostrophe in a pattern is compiled to ``[\\s,]+`` (spaces, possibly with commas).
"""

from __future__ import annotations

import re

import polars as pl

__all__ = [
    "CHAR_MAP",
    "INCLUSIVE_SUFFIXES",
    "ascii_boundaries",
    "fold_pattern_text",
    "needs_nfc",
    "normalize_expr",
    "normalize_series",
    "normalize_text",
    "recompose",
]

_LETTERS: dict[str, str] = {
    "a": "àáâãäåāăąÀÁÂÃÄÅĀĂĄ",
    "c": "çćĉċčÇĆĈĊČ",
    "d": "ďđĎĐ",
    "e": "èéêëēĕėęěÈÉÊËĒĔĖĘĚœŒæÆ",
    "g": "ĝğġģĜĞĠĢ",
    "h": "ĥħĤĦ",
    "i": "ìíîïĩīĭįıÌÍÎÏĨĪĬĮİ",
    "j": "ĵĴ",
    "k": "ķĶ",
    "l": "ĺļľŀłĹĻĽĿŁ",
    "n": "ñńņňÑŃŅŇ",
    "o": "òóôõöøōŏőÒÓÔÕÖØŌŎŐ",
    "r": "ŕŗřŔŖŘ",
    "s": "śŝşšßŚŜŞŠ",
    "t": "ţťŧŢŤŦ",
    "u": "ùúûüũūŭůűųÙÚÛÜŨŪŬŮŰŲ",
    "w": "ŵŴ",
    "y": "ýÿŷÝŸŶ",
    "z": "źżžŹŻŽ",
}

# Characters that become a space: apostrophes and quotes (elision), dashes, special spaces, tabs, CR.
_TO_SPACE = (
    "'’‘ʼ`´′‛\"«»“”„‹›"  # apostrophes and quotes
    "–—―−‐"  # dashes (the plain hyphen-minus is handled by the inclusive step, then step 4)
    "\u00a0\u202f\u2009\u2007\u2008\u200a\u2002\u2003\u2004\u2005\u2006\u3000\t\r\f\v"
    "\u200b\u200c\u200d\ufeff"  # zero-width characters (one character each: still 1:1)
)

CHAR_MAP: dict[str, str] = {
    **{ch: base for base, chars in _LETTERS.items() for ch in chars},
    **dict.fromkeys(_TO_SPACE, " "),
    "\u2011": "-",  # non-breaking hyphen: kept as a hyphen for inclusive writing
    "\u2022": "\n",  # bullet: a list item starts
    "\u2023": "\n",
    "\u25aa": "\n",
    "\u25cf": "\n",
    "\u2028": "\n",
    "\u2029": "\n",
    "\u2026": ".",  # ellipsis
    "\u2219": "\u00b7",  # bullet operator, used as a middle dot
    "\u22c5": "\u00b7",
    "\u2027": "\u00b7",
}
"""One character → one character: accents folded, quotes and special spaces to a space."""

for _k, _v in CHAR_MAP.items():  # the 1:1 invariant the offsets rely on
    assert len(_k) == 1 and len(_v) == 1, _k

INCLUSIVE_SUFFIXES: tuple[str, ...] = (
    "e",
    "es",
    "s",
    "ne",
    "nes",
    "le",
    "les",
    "ere",
    "eres",
    "ice",
    "ices",
    "rice",
    "rices",
    "trice",
    "trices",
    "euse",
    "euses",
    "ive",
    "ives",
    "se",
    "ses",
    "te",
    "tes",
)
"""Suffixes of inclusive writing (after a middle dot, a dot, a hyphen or in parentheses)."""

# After a hyphen, only the suffixes that are not also ordinary words of compound names (Bois-le-Roi).
_HYPHEN_SUFFIXES = frozenset({"e", "es", "s", "ne", "nes", "ere", "eres", "ice", "ices", "trice", "trices"})


_BOUNDARY = re.compile(r"(?<!\\)((?:\\\\)*)\\([bB])")


def ascii_boundaries(pattern: str) -> str:
    """Write word boundaries as ASCII ones (``(?-u:\\b)``): same meaning on normalised (ASCII) text, but the
    regex engine can then use its fast automaton. With Unicode ``\\b`` it falls back to a much slower one:
    measured on 20,000 actions of 500 characters, one inclusive-writing scan took 6.8 s instead of 0.02 s."""
    return _BOUNDARY.sub(lambda m: f"{m.group(1)}(?-u:\\{m.group(2)})", pattern)


def _inclusive_alternatives() -> dict[int, list[str]]:
    """Regex alternatives for the inclusive suffix chains, grouped by their length in characters."""
    by_len: dict[int, set[str]] = {}

    def add(literal: str, regex: str) -> None:
        by_len.setdefault(len(literal), set()).add(regex)

    for sep, sep_re in (("\u00b7", "\u00b7"), (".", r"\."), ("-", "-")):
        for suf in INCLUSIVE_SUFFIXES:
            if sep == "-" and suf not in _HYPHEN_SUFFIXES:
                continue
            add(sep + suf, sep_re + suf + r"\b")
            if not suf.endswith("s"):
                add(sep + suf + sep + "s", sep_re + suf + sep_re + r"s\b")
    for suf in ("e", "es", "ne", "le", "ere", "ice", "rice", "trice", "euse", "ive", "se", "te"):
        add(f"({suf})", rf"\({suf}\)")
        add(f"({suf})s", rf"\({suf}\)s\b")
    return {
        k: sorted((ascii_boundaries(r) for r in v), key=lambda r: (-len(r), r)) for k, v in by_len.items()
    }


_INCLUSIVE = _inclusive_alternatives()


def _fold_inclusive(expr: pl.Expr) -> pl.Expr:
    # Longest chains first, so that « .e.s » is folded before « .e ».
    for length in sorted(_INCLUSIVE, reverse=True):
        pattern = r"([a-z])(?:" + "|".join(_INCLUSIVE[length]) + ")"
        expr = expr.str.replace_all(pattern, "${1}" + " " * length)
    return expr


_INCLUSIVE_ANY = r"[a-z](?:" + "|".join(r for alts in _INCLUSIVE.values() for r in alts) + ")"
_FINAL = r"[^a-z0-9 .,!?;%\n]"


def normalize_expr(expr: pl.Expr) -> pl.Expr:
    """Normalise a String expression (see the module docstring); keeps nulls; 1 character → 1 character."""
    folded = expr.str.replace_many(CHAR_MAP).str.to_lowercase()
    return _fold_inclusive(folded).str.replace_all(_FINAL, " ")


def normalize_series(series: pl.Series) -> pl.Series:
    """Same result as :func:`normalize_expr`, faster on large columns.

    The inclusive-writing passes (one regex per suffix length) only run on the rows that contain some
    inclusive spelling, found with one scan.
    """
    folded = series.str.replace_many(CHAR_MAP).str.to_lowercase()
    idx = folded.str.contains(_INCLUSIVE_ANY).fill_null(False).arg_true()
    if idx.len():
        sub = folded.gather(idx).to_frame("s").select(_fold_inclusive(pl.col("s"))).to_series()
        folded = folded.scatter(idx, sub)
    return folded.str.replace_all(_FINAL, " ")


def normalize_text(text: str | None) -> str | None:
    """Normalise one string (same code path as :func:`normalize_expr`); for explanations and tests."""
    if text is None:
        return None
    series = pl.Series("t", [text], dtype=pl.String)
    if needs_nfc(series):
        series = series.str.normalize("NFC")
    out = pl.select(normalize_expr(pl.lit(series))).to_series()
    value = out[0]
    return None if value is None else str(value)


_COMBINING = r"[\u0300-\u036f]"


def recompose(series: pl.Series) -> pl.Series:
    """``series`` recomposed in NFC, row by row: only the rows with a character from U+0300 on may change
    (text made only of earlier characters is already NFC), so a row's result never depends on the other
    rows (a table tagged by chunks gives the same result as in one pass)."""
    if needs_nfc(series):
        return series.str.normalize("NFC")
    picked = series.str.contains(r"[^\x00-\x{2ff}]").fill_null(False).arg_true()
    if picked.len() == 0:
        return series
    return series.scatter(picked, series.gather(picked).str.normalize("NFC"))


def needs_nfc(series: pl.Series) -> bool:
    """True when some value holds combining accents (NFD text) and must be recomposed first."""
    return bool(series.str.contains(_COMBINING).fill_null(False).any())


def fold_pattern_text(pattern: str) -> str:
    """Fold the non-ASCII letters of a rule pattern as the text is folded.

    Outside character classes, ``œ``/``æ`` become ``(?:oe|e)`` (the text may spell « cœur » or « coeur »);
    inside a class they become ``e``. Other accented letters become their base letter, so a trainer may
    write ``égalité`` in a pattern.
    """
    out: list[str] = []
    in_class = False
    escaped = False
    for ch in pattern:
        if escaped:
            out.append(ch)
            escaped = False
            continue
        if ch == "\\":
            out.append(ch)
            escaped = True
            continue
        if ch == "[" and not in_class:
            in_class = True
        elif ch == "]" and in_class:
            in_class = False
        if ch in "œŒæÆ":
            out.append("e" if in_class else "(?:oe|e)")
        elif ch in CHAR_MAP and CHAR_MAP[ch].isalpha():
            out.append(CHAR_MAP[ch])
        else:
            out.append(ch)
    return "".join(out)
