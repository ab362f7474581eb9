"""Required literals of a rule pattern: a cheap test that tells which rows a regex *cannot* match.

A rule pattern such as ``violences?[\\s,]+(?:sexistes?|conjugales?)`` can only match a text that contains
``violence``. :func:`required_literals` finds such a set of words for a pattern: *every* match of the pattern
contains at least one of them. The tagger first asks polars ``str.contains_any`` (one Aho-Corasick scan, no
regex) which rows contain one of the words, then runs the regex on those rows only
(:func:`bie.tagging.engine.on_rows`). On a real programmation most rules can match only a few percent of
the actions, so most regex work disappears, and the result is the same by construction: a row without any of
the words has no match.

How the words are found, on the parsed pattern (Python's own regex parser, after writing the ASCII word
boundary ``(?-u:\\b)`` as ``\\b``): for a sequence of items, the literal strings that a match of the items
from position *i* must start with, for every *i* (an item that can only match a few fixed strings extends
them; a class, a wildcard or a repetition stops them), and the same inside every group that must match;
for an alternation, the union over its branches. The most selective set is kept (longest shortest word,
then fewest words). A pattern that Python's parser does not read, or reads differently from the regex
engine of polars (Unicode classes ``\\p{…}``, nested or POSIX classes, inline flags), gets no
literals: it is run on every row, as before.
"""

from __future__ import annotations

import functools
import re
from re import _constants as sre
from re import _parser as sre_parse
from typing import Any

__all__ = ["MIN_LENGTH", "required_literals"]

MIN_LENGTH = 3
"""A set whose shortest word is shorter than this filters almost nothing: the pattern then gets none."""

_LIMIT = 64
"""At most this many strings in a set while strings are extended (alternations multiply them)."""

_REFUSED = re.compile(r"\\[pPxuUzZ]|\[\[|\[:|&&|--|~~|\(\?(?!:|-u:\\b\)|-u:\\B\))")
"""Syntax where Python's parser and polars' regex engine may disagree: no literals for such a pattern."""

_Item = tuple[Any, Any]
_Lits = tuple[frozenset[str], bool]


def _prefixes(items: list[_Item]) -> _Lits | None:
    """The strings every match of ``items`` starts with, and whether a match is exactly one of them."""
    acc: frozenset[str] = frozenset({""})
    for op, av in items:
        found = _item_prefixes(op, av)
        if found is None:
            return (acc, False) if acc != {""} else None
        strings, exact = found
        longer = frozenset(a + b for a in acc for b in strings)
        if len(longer) > _LIMIT:
            return (acc, False) if acc != {""} else None
        acc = longer
        if not exact:
            return acc, False
    return acc, True


def _item_prefixes(op: Any, av: Any) -> _Lits | None:
    if op is sre.LITERAL:
        return frozenset({chr(av)}), True
    if op is sre.AT:  # anchors and word boundaries match no character
        return frozenset({""}), True
    if op is sre.SUBPATTERN:
        return _prefixes(list(av[3]))
    if op is sre.BRANCH:
        out: set[str] = set()
        exact = True
        for alternative in av[1]:
            found = _prefixes(list(alternative))
            if found is None:
                return None
            out |= found[0]
            exact = exact and found[1]
        return frozenset(out), exact
    if op is sre.IN:
        chars = set()
        for o, a in av:
            if o is not sre.LITERAL:
                return None
            chars.add(chr(a))
        return (frozenset(chars), True) if len(chars) <= 4 else None
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
        low, high, sub = av
        found = _prefixes(list(sub))
        if found is None:
            return (frozenset({""}), False) if low == 0 else None
        strings, exact = found
        if low == 0:
            return frozenset({""}) | strings, exact and high == 1
        return strings, exact and low == high == 1
    return None


def _minimal(strings: frozenset[str]) -> frozenset[str] | None:
    """The set without the strings that contain another one (containment is what is tested)."""
    if "" in strings:
        return None
    kept: list[str] = []
    for s in sorted(strings, key=lambda x: (len(x), x)):
        if not any(k in s for k in kept):
            kept.append(s)
    return frozenset(kept)


def _score(strings: frozenset[str]) -> tuple[int, int]:
    return (min(map(len, strings)), -len(strings))


def _best(options: list[frozenset[str]]) -> frozenset[str] | None:
    return max(options, key=_score) if options else None


def _factors(items: list[_Item]) -> frozenset[str] | None:
    """A set of strings every match of ``items`` contains (the most selective one found)."""
    options: list[frozenset[str]] = []
    for i, (op, av) in enumerate(items):
        found = _prefixes(items[i:])
        if found is not None and (minimal := _minimal(found[0])) is not None:
            options.append(minimal)
        inner: frozenset[str] | None = None
        if op is sre.SUBPATTERN:
            inner = _factors(list(av[3]))
        elif op is sre.BRANCH:
            parts = [_factors(list(alternative)) for alternative in av[1]]
            if all(p is not None for p in parts):
                inner = _minimal(frozenset().union(*(p for p in parts if p is not None)))
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and av[0] >= 1:
            inner = _factors(list(av[2]))
        if inner:
            options.append(inner)
    return _best(options)


@functools.lru_cache(maxsize=1024)
def required_literals(pattern: str) -> tuple[str, ...] | None:
    """Words one of which every match of ``pattern`` contains (sorted), or ``None`` when none is known
    or the set would filter little (a word shorter than :data:`MIN_LENGTH`)."""
    if _REFUSED.search(pattern):
        return None
    python = pattern.replace("(?-u:\\b)", "\\b").replace("(?-u:\\B)", "\\B")
    try:
        tree = sre_parse.parse(python)
    except (re.error, RecursionError, OverflowError):
        return None
    found = _factors(list(tree))
    if not found or min(map(len, found)) < MIN_LENGTH:
        return None
    return tuple(sorted(found))
