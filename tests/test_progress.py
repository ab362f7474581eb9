"""Progress (issue 13): the library's ``progress(stage, done, total)`` callback (:mod:`bie.progress`), the
command's bars (one per stage, on a terminal only, after a delay; nothing with ``--quiet`` or in a pipe),
and the streamed JSON with its three forms of the action list (``--json-actions all|summary|none``)."""

from __future__ import annotations

import importlib
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

import bie
from bie.progress import STAGES, reporter, split_stage
from bie_cli import main, render
from bie_cli.main import cli
from tests.conftest import FIXTURES

TABLE = (
    "Intitulé;Porteur;Montant accordé\n"
    "Atelier vélo pour les femmes;Association A;1200\n"
    "Fête de quartier;Comité;800\n"
    "\n"
    "Total;;2000\n"
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("progress")
    (path / "a.csv").write_text(TABLE, encoding="utf-8")
    (path / "b.csv").write_text(TABLE.replace("Fête", "Repas"), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def audited(folder: Path) -> bie.Audit:
    return bie.audit([folder / "a.csv", folder / "b.csv"])


def check_stages(calls: list[tuple[str, int, int]]) -> list[str]:
    """The stage keys in order, each checked: its first call has done 0, its last done == total, and done
    never goes back or beyond total."""
    keys: list[str] = []
    for stage, done, total in calls:
        key, _ = split_stage(stage)
        if not keys or keys[-1] != key:
            assert done == 0, (stage, done, total)
            if keys:
                last = [c for c in calls if split_stage(c[0])[0] == keys[-1]][-1]
                assert last[1] == last[2], last
            keys.append(key)
        assert 0 <= done <= max(total, 1), (stage, done, total)
    return keys


# ---------------------------------------------------------------------------------------------- library
def test_audit_and_write_report_every_stage(folder: Path, tmp_path: Path) -> None:
    calls: list[tuple[str, int, int]] = []

    def progress(stage: str, done: int, total: int) -> None:
        calls.append((stage, done, total))

    audited = bie.audit([folder / "a.csv", folder / "b.csv"], progress=progress)
    audited.write(tmp_path, progress=progress)
    assert check_stages(calls) == list(STAGES)
    reads = [c for c in calls if c[0].startswith("read")]
    assert reads == [("read:a.csv", 0, 2), ("read:b.csv", 1, 2), ("read:b.csv", 2, 2)]
    assert ("tag", 0, 4) in calls and ("tag", 4, 4) in calls
    # json: rows written (actions and excluded rows) out of the rows to write
    rows = audited.n_actions + audited.excluded.height
    assert [c for c in calls if c[0] == "json"][-1] == ("json", rows, rows) and rows > 4


def test_a_one_argument_callback_still_gets_one_message_per_stage(folder: Path, tmp_path: Path) -> None:
    """The form of bie 0.1 (deprecated): ``progress("read:<file>")``, ``progress("tag")``…"""
    steps: list[str] = []
    audited = bie.audit([folder / "a.csv", folder / "b.csv"], progress=steps.append)
    audited.write(tmp_path, formats=["json", "html"], progress=steps.append)
    assert steps == ["read:a.csv", "read:b.csv", "tag", "web", "analyse", "json", "html"]


def test_reporter() -> None:
    reporter(None)("tag", 0, 0)  # a no-op
    seen: list[object] = []

    def three(stage: str, done: int, total: int = 0) -> None:
        seen.append((stage, done, total))

    assert reporter(three) is three
    legacy = reporter(seen.append)
    assert reporter(legacy) is legacy
    legacy("web", 0, 0)
    legacy("web", 1, 1)
    for done in range(3):  # the same file given twice: two reads
        legacy("read:a.csv" if done < 2 else "read:b.csv", done, 3)
    legacy("read:b.csv", 3, 3)
    assert seen == ["web", "read:a.csv", "read:a.csv", "read:b.csv"]
    assert split_stage("read:a:b.csv") == ("read", "a:b.csv") and split_stage("tag") == ("tag", "")


# ------------------------------------------------------------------------------------------------ JSON
def test_streamed_json_is_the_string(
    audited: bie.Audit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Written into a binary or a text stream or a path, in chunks of any size: the same bytes as
    :meth:`to_json`, which is the document of :meth:`to_dict`."""
    text = audited.to_json("en")
    assert json.loads(text) == audited.to_dict("en") | {"generated_at": audited.meta["generated_at"]}
    # bie.audit is the function: the module is reached through importlib
    monkeypatch.setattr(importlib.import_module("bie.audit"), "JSON_CHUNK_ROWS", 1)
    binary = io.BytesIO()
    audited.write_json(binary, "en")
    assert binary.getvalue().decode("utf-8") == text
    assert audited.to_json("en") == text
    audited.write_json(tmp_path / "out.json", "en")
    assert (tmp_path / "out.json").read_bytes() == text.encode("utf-8")


def test_json_actions_summary_and_none(audited: bie.Audit) -> None:
    full = json.loads(audited.to_json())
    summary = json.loads(audited.to_json(actions="summary"))
    assert "actions_detail" not in full and summary["actions_detail"] == "summary"
    assert summary["actions"] == [
        {
            k: a[k]
            for k in (
                "file",
                "sheet",
                "row",
                "line",
                "action_id",
                "title",
                "amount",
                "category",
                "review_reason",
            )
            if k in a
        }
        for a in full["actions"]
    ]
    assert list(summary["actions"][0])[:3] == ["file", "sheet", "row"]
    none = json.loads(audited.to_json(actions="none"))
    assert none["actions_detail"] == "none" and "actions" not in none
    # everything else is the same document
    for data in (summary, none):
        assert {k: v for k, v in data.items() if k not in ("actions", "actions_detail")} == {
            k: v for k, v in full.items() if k != "actions"
        }
    assert audited.to_dict(actions="none").keys() == none.keys()
    with pytest.raises(ValueError, match="unknown actions detail"):
        audited.to_json(actions="some")  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------------- CLI
def terminal(monkeypatch: pytest.MonkeyPatch, delay: float = 0.0) -> io.StringIO:
    """The command's console as a terminal (recorded in the returned buffer), bars shown after ``delay``."""
    buffer = io.StringIO()

    def console(stderr: bool = False) -> Console:
        return render.SafeConsole(
            file=buffer, force_terminal=True, width=160, color_system=None, highlight=False, soft_wrap=False
        )

    monkeypatch.setattr(main, "_console", console)
    monkeypatch.setattr(render, "PROGRESS_DELAY", delay)
    return buffer


ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
STAGE_IDS = re.compile(r"\b(?:read|tag|web|analyse|html|xlsx|json|step_\w+)\b|read:")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_terminal_shows_one_bar_per_stage_in_words(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    buffer = terminal(monkeypatch)
    args = ["audit", str(folder / "a.csv"), str(folder / "b.csv"), "-o", str(tmp_path), "--lang", lang]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    shown = ANSI.sub("", buffer.getvalue())
    bars = shown[: shown.index("Synthèse" if lang == "fr" else "Summary")]
    words = {
        "fr": [
            "Lecture des 2 fichiers",
            "Marquage des actions",
            "Analyse",
            "Écriture du rapport HTML",
            "Écriture du classeur Excel",
            "Écriture du JSON",
        ],
        "en": [
            "Reading the 2 files",
            "Tagging actions",
            "Analysis",
            "Writing the HTML report",
            "Writing the Excel workbook",
            "Writing the JSON",
        ],
    }[lang]
    for word in words:
        assert word in bars
    assert "━" in bars and "4/4" in bars
    assert STAGE_IDS.findall(bars) == []


def test_quiet_prints_nothing_and_a_pipe_no_bar(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    buffer = terminal(monkeypatch)
    args = ["audit", str(folder / "a.csv"), "-o", str(out), "--quiet", "--json-actions", "summary"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert buffer.getvalue() == "" and result.output == ""
    assert json.loads((out / "a.bie.json").read_text(encoding="utf-8"))["actions_detail"] == "summary"
    # a run quicker than the delay: no bar, only the summary
    buffer = terminal(monkeypatch, delay=60)
    assert (
        CliRunner().invoke(cli, ["audit", str(folder / "a.csv"), "-o", str(out), "-f", "json"]).exit_code == 0
    )
    assert ANSI.sub("", buffer.getvalue()).startswith("Synthèse")
    # a pipe: the summary, no bar
    monkeypatch.undo()
    result = CliRunner().invoke(cli, ["audit", str(folder / "a.csv"), "-o", str(out), "-f", "json"])
    assert result.exit_code == 0 and result.output.startswith("Synthèse")


def test_quiet_error_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["audit", str(tmp_path / "absent.csv"), "-o", str(tmp_path), "--quiet"])
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Erreur")


def test_workshop_and_compare_accept_quiet() -> None:
    for command in (["compare"], ["workshop", "prepare"], ["workshop", "score"], ["consolidate"]):
        result = CliRunner().invoke(cli, [*command, "--help"])
        assert "--quiet" in result.output, command
    assert FIXTURES.is_dir()
