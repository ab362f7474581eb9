"""Pytest plugin: every ``tests/web_cases/*.yaml`` file is a list of French cases for the web rules.

Each case becomes a test item named after its ``nom``; a failure names the file, the line and the case,
then what differs (OpenFisca-style). The cases of one file run in one batch.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bie.web.cases import WebCase, WebCaseResult, load_web_cases, run_web_cases


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if file_path.suffix == ".yaml" and file_path.parent == Path(__file__).parent:
        return WebCaseFile.from_parent(parent, path=file_path)
    return None


class WebCaseFile(pytest.File):
    """A YAML file of web cases."""

    _results: list[WebCaseResult] | None = None

    def collect(self) -> Iterator[pytest.Item]:
        for index, case in enumerate(load_web_cases(self.path)):
            yield WebCaseItem.from_parent(self, name=f"{case.name} [l.{case.line}]", case=case, index=index)

    def results(self) -> list[WebCaseResult]:
        if self._results is None:
            self._results = run_web_cases(load_web_cases(self.path))
        return self._results


class WebCaseFailure(Exception):
    """A case whose expectations are not met."""


class WebCaseItem(pytest.Item):
    """One case of a YAML file."""

    def __init__(self, *, case: WebCase, index: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case
        self.index = index

    def runtest(self) -> None:
        parent = self.parent
        assert isinstance(parent, WebCaseFile)
        result = parent.results()[self.index]
        if not result.passed:
            raise WebCaseFailure(result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, WebCaseFailure):
            result: WebCaseResult = excinfo.value.args[0]
            return "\n".join(
                [
                    f"{self.case.file}:{self.case.line}:",
                    f"  Cas « {self.case.name} » :",
                    *[f"    - {f}" for f in result.failures],
                    f"    éléments obtenus : {', '.join(result.elements) or 'aucun'}",
                    "    raisons : "
                    + "; ".join(
                        f"{r['element']} ← {r['rule']} {r['field']} « {r['match']} »" for r in result.reasons
                    ),
                ]
            )
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.case.line - 1, f"cas : {self.case.name}"
