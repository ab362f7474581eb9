"""Shared test helpers."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Hypothesis profiles: ``ci`` (the default) is reproducible (fixed seed) and bounded; ``fuzz`` (selected with
# BIE_HYPOTHESIS_PROFILE=fuzz, see ``make fuzz``) draws random examples, twenty times as many.
settings.register_profile(
    "ci", derandomize=True, deadline=None, print_blob=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "fuzz", derandomize=False, deadline=None, print_blob=True, suppress_health_check=[HealthCheck.too_slow]
)
HYPOTHESIS_PROFILE = os.environ.get("BIE_HYPOTHESIS_PROFILE", "ci")
settings.load_profile(HYPOTHESIS_PROFILE)
FUZZ_FACTOR = int(os.environ.get("BIE_FUZZ_FACTOR", "20"))


def examples(ci: int) -> int:
    """Number of examples of a pipeline property: ``ci`` in the CI profile, ``BIE_FUZZ_FACTOR`` (20) times
    more in ``fuzz``."""
    return ci * FUZZ_FACTOR if HYPOTHESIS_PROFILE == "fuzz" else ci


ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "tests" / "data" / "real"
FIXTURES = ROOT / "fixtures"

#: A table whose only text is generic headings (« Subvention 2017 »…): nothing in it can be judged.
TITLES_ONLY = (
    "Intitulé;Porteur;Montant\n"
    "Subvention de fonctionnement;Club de foot;1000\n"
    "Projet jeunesse;MJC;2000\n"
    "Aide 2017;Comité des fêtes;500\n"
    "Subvention 2017;Tennis club;2400\n"
    "Projet 2024;Association B;1200\n"
)


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
