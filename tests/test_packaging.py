"""`pip install .` yields a working `bie` with all its package data: build the wheel, install it in a new
virtual environment, and run the command from outside the repository."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT

pytestmark = pytest.mark.slow

NEEDED = [
    "bie/data/columns.yaml",
    "bie/data/messages.yaml",
    "bie/data/issues.yaml",
    "bie/data/placeholders.yaml",
    "bie/data/rules/index.yaml",
    "bie/data/audit.schema.json",
    "bie/data/demo/programmation_cdv_2024.xlsx",
    "bie_cli/main.py",
    "bie/py.typed",
]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if os.environ.get("BIE_SKIP_WHEEL"):
        pytest.skip("BIE_SKIP_WHEEL is set")
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    return next(out.glob("bie-*.whl"))


def test_wheel_holds_the_package_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [n for n in NEEDED if n not in names]
    assert not missing
    assert any(n.startswith("bie/templates/") for n in names)


def test_installed_command_works_outside_the_repository(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / ("Scripts" if os.name == "nt" else "bin") / "python"
    bie = env_dir / ("Scripts" if os.name == "nt" else "bin") / "bie"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", str(wheel)], check=True, capture_output=True
    )
    outside = tmp_path / "ailleurs"
    outside.mkdir()
    clean_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    version = subprocess.run(
        [str(bie), "--version"], cwd=outside, env=clean_env, capture_output=True, text=True, check=False
    )
    assert version.returncode == 0 and version.stdout.startswith("bie, version ")
    module = subprocess.run(
        [str(python), "-m", "bie", "--version"],
        cwd=outside,
        env=clean_env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert module.returncode == 0
    fixture = FIXTURES / "export_plateforme_2024.csv"
    inspect = subprocess.run(
        [str(bie), "inspect", str(fixture), "--json"],
        cwd=outside,
        env=clean_env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert inspect.returncode == 0, inspect.stderr
    assert '"actions": 100' in inspect.stdout
    demo = subprocess.run(
        [str(bie), "demo", "--output", str(outside / "demo")],
        cwd=outside,
        env=clean_env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert demo.returncode == 0, demo.stderr
    assert (outside / "demo" / "programmation_cdv_2024.bie.html").exists()
