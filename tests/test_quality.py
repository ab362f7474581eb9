"""The code stays ruff- and mypy-clean, and the library never imports the command line."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT

PATHS = ["src", "cli", "tests", "fixtures", "benchmarks"]


def _tool(name: str) -> list[str]:
    if (
        shutil.which(name) is None
        and subprocess.run(
            [sys.executable, "-m", name, "--version"], capture_output=True, check=False
        ).returncode
        != 0
    ):
        pytest.skip(f"{name} is not installed")
    return [sys.executable, "-m", name]


def test_ruff_check() -> None:
    result = subprocess.run(
        [*_tool("ruff"), "check", *PATHS], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout[-3000:]


def test_ruff_format() -> None:
    result = subprocess.run(
        [*_tool("ruff"), "format", "--check", *PATHS], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout[-3000:]


def test_mypy_strict() -> None:
    result = subprocess.run([*_tool("mypy")], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:]


def test_library_never_imports_click_or_rich() -> None:
    offenders = []
    for path in (ROOT / "src" / "bie").rglob("*.py"):
        if path.name == "__main__.py":
            continue  # `python -m bie` runs the command line on purpose
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n.split(".")[0] in ("click", "rich", "bie_cli") for n in names):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders
