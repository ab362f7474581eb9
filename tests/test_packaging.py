"""bie installs and works outside its checkout, exactly as README.md and docs/guide.md say.

The install commands are read from the fenced blocks marked ``<!-- install:NAME -->`` in both documents and run
literally, in temporary folders, with ``~/`` and ``/chemin/vers/bie`` substituted: build the wheel, install it in
a new virtual environment, run the command from outside the repository, then reinstall from the source folder.
The wheel is built once (``wheel`` fixture) and its contents checked against the source tree."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from bie._version import __version__
from tests.conftest import FIXTURES, ROOT

INSTALL_DOCS = [ROOT / "README.md", ROOT / "docs" / "guide.md"]
#: The source folder as the documents name it.
PLACEHOLDER = "/chemin/vers/bie"
BLOCK = re.compile(r"<!-- install:(\w+) -->\n```sh\n(.*?)```", re.S)
DEMO = "programmation_cdv_2024"

NEEDED = [
    "bie/data/columns.yaml",
    "bie/data/messages.yaml",
    "bie/data/issues.yaml",
    "bie/data/placeholders.yaml",
    "bie/data/rules/index.yaml",
    "bie/data/audit.schema.json",
    f"bie/data/demo/{DEMO}.xlsx",
    "bie/templates/report.html.j2",
    "bie_cli/main.py",
    "bie/py.typed",
]


def install_commands(doc: Path) -> dict[str, list[str]]:
    """The commands of each ``install:NAME`` block of ``doc``, comments and blank lines left out."""
    blocks: dict[str, list[str]] = {}
    for name, body in BLOCK.findall(doc.read_text(encoding="utf-8")):
        assert name not in blocks, f"{doc.name}: two install:{name} blocks"
        lines = (line.split(" #")[0].strip() for line in body.splitlines())
        blocks[name] = [line for line in lines if line and not line.startswith("#")]
    return blocks


COMMANDS = install_commands(ROOT / "README.md")


class Follower:
    """Runs documented commands as a reader would, with ``~`` in ``home`` and the sources at ``ROOT``."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.env = {
            k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")
        }
        # « python3 » is the Python 3.11+ running the tests (a system python3 may lack pip or venv).
        here = Path(sys.executable).parent
        if (here / "python3").exists():
            self.env["PATH"] = os.pathsep.join([str(here), self.env.get("PATH", "")])

    def run(self, command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        line = command.replace("~/", f"{self.home}/").replace(PLACEHOLDER, str(ROOT))
        assert "~" not in line, command
        result = subprocess.run(
            line, shell=True, cwd=cwd, env=self.env, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, f"`{command}` failed:\n{result.stdout}\n{result.stderr}"
        return result

    def run_all(self, commands: list[str], cwd: Path) -> list[subprocess.CompletedProcess[str]]:
        return [self.run(command, cwd) for command in commands]


def test_readme_and_guide_give_the_same_install_commands() -> None:
    assert set(COMMANDS) == {"venv", "source", "wheel", "run"}
    assert install_commands(ROOT / "docs" / "guide.md") == COMMANDS
    assert any(PLACEHOLDER in command for command in COMMANDS["source"])
    assert any(" wheel " in command for command in COMMANDS["wheel"])
    assert [c.split()[-1] for c in COMMANDS["run"]] == ["--version", "demo"]


def test_no_document_suggests_installing_bie_from_pypi() -> None:
    pypi = re.compile(r"pip install\s+(?:-\S+\s+)*[\"']?bie(?:[\[\"'\s]|$)", re.M)
    for doc in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]:
        for block in re.findall(r"```\w*\n(.*?)```", doc.read_text(encoding="utf-8"), re.S):
            assert not pypi.search(block), f"{doc.name}: bie is not published on PyPI"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built by the documented command (the one line of the wheel block that needs no venv)."""
    if os.environ.get("BIE_SKIP_WHEEL"):
        pytest.skip("BIE_SKIP_WHEEL is set")
    sources_host = tmp_path_factory.mktemp("poste-sources")
    build = [c for c in COMMANDS["wheel"] if "~/" not in c]
    assert build
    Follower(sources_host).run_all(build, sources_host)
    wheels = list((sources_host / "dist").glob("bie-*.whl"))
    assert len(wheels) == 1
    return wheels[0]


@pytest.mark.slow
def test_wheel_holds_the_package_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [n for n in NEEDED if n not in names]
    assert not missing, missing
    # Every file of the two packages and every report template, whatever is added later.
    expected = {
        f"{package}/{path.relative_to(folder).as_posix()}"
        for package, folder in (("bie", ROOT / "src" / "bie"), ("bie_cli", ROOT / "cli" / "bie_cli"))
        for path in folder.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    } | {
        f"bie/templates/{p.relative_to(ROOT / 'templates').as_posix()}"
        for p in (ROOT / "templates").rglob("*")
        if p.is_file()
    }
    missing = sorted(expected - names)
    assert not missing, f"not in the wheel: {missing}"
    with zipfile.ZipFile(wheel) as archive:
        assert archive.read(f"bie/data/demo/{DEMO}.xlsx") == (FIXTURES / f"{DEMO}.xlsx").read_bytes()


@pytest.mark.slow
def test_install_instructions_work_outside_the_repository(wheel: Path, tmp_path: Path) -> None:
    before = {p.name for p in ROOT.iterdir()}
    home = tmp_path / "home"
    home.mkdir()
    follow = Follower(home)
    env_dir = home / "bie-env"

    # 1. A new virtual environment; 2. the wheel, copied to a machine without the sources.
    follow.run_all(COMMANDS["venv"], home)
    target_host = tmp_path / "poste"
    shutil.copytree(wheel.parent, target_host / "dist")
    follow.run_all([c for c in COMMANDS["wheel"] if "~/" in c], target_host)
    python = env_dir / "bin" / "python"
    where = subprocess.run(
        [str(python), "-c", "import bie, bie_cli; print(bie.__file__); print(bie_cli.__file__)"],
        cwd=tmp_path,
        env=follow.env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert all(Path(f).is_relative_to(env_dir) for f in where.stdout.split()), where.stdout

    # 3. From any folder: the version, and the audit of the bundled demo workbook.
    outside = tmp_path / "ailleurs"
    outside.mkdir()
    version, demo = follow.run_all(COMMANDS["run"], outside)
    assert version.stdout.strip() == f"bie, version {__version__}"
    assert demo.stderr == ""
    reports = outside / "bie-demo"
    assert sorted(p.name for p in reports.iterdir()) == [
        f"{DEMO}.bie.{ext}" for ext in ("html", "json", "xlsx")
    ]
    audit = json.loads((reports / f"{DEMO}.bie.json").read_text(encoding="utf-8"))
    assert audit["bie_version"] == __version__
    (source,) = audit["inputs"]
    assert source["sha256"] == hashlib.sha256((FIXTURES / f"{DEMO}.xlsx").read_bytes()).hexdigest()
    assert source["actions"] == len(audit["actions"]) > 0

    # 2 (other way). From the source folder, into the same environment: pip rebuilds and reinstalls bie.
    follow.run_all(COMMANDS["source"], outside)
    (direct_url,) = (env_dir / "lib").glob("python3*/site-packages/bie-*.dist-info/direct_url.json")
    installed = json.loads(direct_url.read_text(encoding="utf-8"))
    assert installed["url"] == ROOT.as_uri()
    assert not installed["dir_info"].get("editable")  # a copy of the sources, not a link to them
    again = follow.run(COMMANDS["run"][0], tmp_path)
    assert again.stdout.strip() == f"bie, version {__version__}"

    assert {p.name for p in ROOT.iterdir()} <= before  # nothing written into the checkout
