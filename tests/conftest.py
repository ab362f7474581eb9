"""Shared test helpers."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "tests" / "data" / "real"
FIXTURES = ROOT / "fixtures"


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture
def require_browser() -> str:
    path = chromium_path()
    if path is None:
        if os.environ.get("BIE_REQUIRE_BROWSER"):
            pytest.fail("Chromium is required in CI (BIE_REQUIRE_BROWSER=1) but was not found")
        pytest.skip("no headless Chromium installed")
    return path
