"""Data-quality issues: stable codes, a location, parameters; messages rendered per language.

Modelled on frictionless-py errors and pandera's lazy validation: bie collects every problem it finds,
keeps reading, and reports them grouped by code.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from bie.i18n import issue_catalogue, issue_message, issue_severity


@dataclass(frozen=True)
class Issue:
    """One problem, with where it is (sheet, row as the user sees it, column title)."""

    code: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    params: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        if self.code not in issue_catalogue():
            raise ValueError(f"unknown issue code {self.code!r}")

    @property
    def severity(self) -> str:
        return issue_severity(self.code)

    def message(self, lang: str = "fr") -> str:
        where = {"sheet": self.sheet, "row": self.row, "column": self.column}
        return issue_message(self.code, lang, **(where | self.params))

    def to_dict(self, lang: str = "fr") -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message(lang),
        }


def count_by_code(issues: Iterable[Issue]) -> dict[str, int]:
    return dict(sorted(Counter(i.code for i in issues).items()))
