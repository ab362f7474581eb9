"""The raw, untyped view of an input: sheets of text cells with the row numbers a user sees."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from bie.issues import Issue

#: Column holding the 1-based row number shown by Excel or LibreOffice (CSV: the line number).
ROW = "_row"


@dataclass(frozen=True)
class Merge:
    """A merged range, 0-based, inclusive, in sheet coordinates."""

    row0: int
    col0: int
    row1: int
    col1: int


@dataclass
class RawSheet:
    name: str
    index: int
    visible: bool = True
    #: Text cells: columns ``c0``…``cN`` (String) and ``_row`` (Int64). ``None`` when not loaded.
    frame: pl.DataFrame | None = None
    #: 0-based sheet column of ``c0`` (spreadsheet engines drop empty leading columns).
    first_col: int = 0
    merges: list[Merge] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    #: Why the sheet could not be loaded, if it could not.
    error: str | None = None

    @property
    def empty(self) -> bool:
        return self.frame is None or self.frame.height == 0 or self.frame.width <= 1


@dataclass
class RawBook:
    path: str
    format: str
    sheets: list[RawSheet]
    issues: list[Issue] = field(default_factory=list)
    #: Text encoding (CSV only) and delimiter.
    encoding: str | None = None
    delimiter: str | None = None


def col_letters(index: int) -> str:
    """0-based column index -> Excel letters (0 -> A, 26 -> AA)."""
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def col_index(letters: str) -> int:
    """Excel letters -> 0-based column index."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def text_columns(frame: pl.DataFrame) -> list[str]:
    return [c for c in frame.columns if c != ROW]
