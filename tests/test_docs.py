"""The documentation cannot drift from the code: generated parts are up to date, examples run."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from bie import docgen
from bie.i18n import issue_catalogue
from bie_cli import docgen as cli_docgen
from bie_cli.main import cli
from tests.conftest import ROOT

DOCS = ROOT / "docs"


def test_cli_reference_is_up_to_date() -> None:
    current = (DOCS / "reference-cli.md").read_text(encoding="utf-8")
    assert current == cli_docgen.render(), "run: python -m bie_cli.docgen --write"


def test_error_catalogue_is_up_to_date() -> None:
    assert (DOCS / "erreurs.md").read_text(encoding="utf-8") == docgen.errors_markdown(), (
        "run: python -m bie.docgen --write"
    )


@pytest.mark.parametrize(
    ("doc", "block", "render"),
    [
        ("lecture.md", "champs", docgen.fields_markdown),
        ("methodologie.md", "méthode", docgen.method_markdown),
        ("methodologie.md", "sources", docgen.sources_markdown),
        ("methodologie.md", "constats", docgen.findings_markdown),
    ],
)
def test_generated_blocks_are_up_to_date(doc: str, block: str, render) -> None:  # type: ignore[no-untyped-def]
    text = (DOCS / doc).read_text(encoding="utf-8")
    assert docgen.fill_block(text, block, render()) == text, "run: python -m bie.docgen --write"


def test_every_command_is_documented() -> None:
    reference = (DOCS / "reference-cli.md").read_text(encoding="utf-8")
    guide = (DOCS / "guide.md").read_text(encoding="utf-8")
    for name in cli.commands:
        assert f"## bie {name}" in reference
        assert f"bie {name}" in guide or (name == "inspect" and "bie inspect" in guide)


def test_every_issue_code_is_documented() -> None:
    catalogue = (DOCS / "erreurs.md").read_text(encoding="utf-8")
    for code in issue_catalogue():
        assert f"`{code}`" in catalogue


def test_readme_quick_start_is_exactly_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Démarrage rapide.*?```sh\n(.*?)```", readme, re.S)
    assert block is not None
    commands = [line.split("#")[0].strip() for line in block.group(1).splitlines() if line.strip()]
    assert commands == ["make demo", "make test"]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci


def python_examples() -> list[tuple[str, str]]:
    text = (DOCS / "reference-python.md").read_text(encoding="utf-8")
    return [
        (f"example-{i}", code)
        for i, code in enumerate(re.findall(r"```python\n(.*?)```", text, re.S), start=1)
    ]


@pytest.mark.parametrize(("name", "code"), python_examples())
def test_python_reference_examples_run(name: str, code: str, capsys: pytest.CaptureFixture[str]) -> None:
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        exec(compile(code, f"docs/reference-python.md:{name}", "exec"), {})
    finally:
        os.chdir(cwd)


def test_markdown_links_point_to_existing_files() -> None:
    for doc in [*DOCS.glob("*.md"), ROOT / "README.md", ROOT / "fixtures" / "README.md"]:
        for target in re.findall(r"\]\(([^)#]+?\.md)(?:#[^)]*)?\)", doc.read_text(encoding="utf-8")):
            if target.startswith("http"):
                continue
            assert (doc.parent / target).exists(), f"{doc.name} links to missing {target}"


def test_cli_help_in_english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BIE_LANG", "en")
    result = CliRunner().invoke(cli, ["--help"])
    assert result.output.startswith("Usage:")
    assert Path  # keep the import used
