"""Pytest plugin: every ``tests/rules/*.yaml`` file is a list of French test cases for the rule pack.

Each case becomes a test item named after its ``nom``; a failure names the file, the line and the case,
then what differs (OpenFisca-style). The cases of one file are tagged in one batch.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import bie.i18n
import bie.issues
from bie.tagging import ISSUE_CODES
from bie.tagging.cases import Case, CaseResult, load_cases, run_cases


@contextlib.contextmanager
def tagging_issue_codes() -> Iterator[None]:
    """Until ``bie/data/issues.yaml`` lists the tagger's issue codes, add them while tests run."""
    original = bie.i18n.issue_catalogue()
    missing = {k: v for k, v in ISSUE_CODES.items() if k not in original}
    if not missing:
        yield
        return
    extended = {**original, **missing}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(bie.i18n, "issue_catalogue", lambda: extended)
        mp.setattr(bie.issues, "issue_catalogue", lambda: extended)
        yield


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if file_path.suffix == ".yaml" and file_path.parent == Path(__file__).parent:
        return RuleCaseFile.from_parent(parent, path=file_path)
    return None


class RuleCaseFile(pytest.File):
    """A YAML file of rule cases."""

    _results: list[CaseResult] | None = None

    def collect(self) -> Iterator[pytest.Item]:
        cases = load_cases(self.path)
        for index, case in enumerate(cases):
            yield RuleCaseItem.from_parent(self, name=f"{case.name} [l.{case.line}]", case=case, index=index)

    def results(self) -> list[CaseResult]:
        if self._results is None:
            with tagging_issue_codes():
                self._results = run_cases(load_cases(self.path))
        return self._results


class RuleCaseFailure(Exception):
    """A case whose expectations are not met."""


class RuleCaseItem(pytest.Item):
    """One case of a YAML file."""

    def __init__(self, *, case: Case, index: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case
        self.index = index

    def runtest(self) -> None:
        parent = self.parent
        assert isinstance(parent, RuleCaseFile)
        result = parent.results()[self.index]
        if not result.passed:
            raise RuleCaseFailure(result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, RuleCaseFailure):
            result: CaseResult = excinfo.value.args[0]
            out = result.output
            lines = [
                f"{self.case.file}:{self.case.line}:",
                f"  Cas « {self.case.name} » :",
                *[f"    - {f}" for f in result.failures],
                f"    obtenu : {out['category']} (confiance {out['confidence']}, public {out['audience']})",
                "    raisons : "
                + "; ".join(f"{r['rule']} {r['field']} « {r['match']} »" for r in out["reasons"]),
            ]
            return "\n".join(lines)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.case.line - 1, f"cas : {self.case.name}"
