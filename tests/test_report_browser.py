"""The HTML report in a real headless Chromium (Playwright driving Debian's browser, no downloaded build).

Checks what only a browser can: no request but the page itself, no console error or CSP violation, the
inline script runs under the page's Content-Security-Policy, the filter and the sort work. Saves full-page
screenshots in tests/_artifacts/ (report_fr.png, report_en.png, report_platform_fr.png and _en.png) and
checks that they are not blank with a tiny PNG reader (zlib only, no imaging library).
"""

from __future__ import annotations

import os
import re
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bie.audit import audit
from bie.report.html import SECTIONS, render_html
from tests.conftest import FIXTURES

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).parent / "_artifacts"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def _sync_playwright() -> Any:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if os.environ.get("BIE_REQUIRE_BROWSER"):
            pytest.fail(
                "the Python package playwright is required for the browser tests (pip install playwright)"
            )
        pytest.skip("playwright is not installed")
    return sync_playwright


@pytest.fixture
def browser(require_browser: str) -> Iterator[Any]:
    with _sync_playwright()() as p:
        chromium = p.chromium.launch(executable_path=require_browser, args=ARGS)
        yield chromium
        chromium.close()


class Opened:
    """A page opened from file://, with every request, console message and page error it produced."""

    def __init__(self, browser: Any, path: Path, width: int = 1280) -> None:
        self.requests: list[str] = []
        self.console: list[tuple[str, str]] = []
        self.errors: list[str] = []
        self.page = browser.new_page(viewport={"width": width, "height": 900})
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: self.console.append((m.type, m.text)))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.url = path.resolve().as_uri()
        self.page.goto(self.url)
        self.page.wait_for_load_state("load")

    def problems(self) -> list[str]:
        bad = [
            f"{kind}: {text}"
            for kind, text in self.console
            if kind in ("error", "warning") or "Content Security Policy" in text or "Refused" in text
        ]
        return bad + self.errors


def write(html: str, path: Path) -> Path:
    path.write_text(html, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def report_fr(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write(
        render_html(audit([FIXTURES / "programmation_cdv_2024.xlsx"]), "fr"),
        tmp_path_factory.mktemp("report") / "rapport.html",
    )


# ----------------------------------------------------------------------------------------------- PNG check
def png_summary(path: Path) -> tuple[int, int, int]:
    """(width, height, distinct byte values of the decompressed image data) of a PNG, with zlib only.

    A blank page decompresses to a few byte values (filter bytes and one colour); a real report uses
    almost all 256."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    pos, width, height, idat = 8, 0, 0, bytearray()
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(bytes(idat))
    distinct = sum(1 for b in range(256) if raw.find(bytes([b])) != -1)
    return width, height, distinct


def test_png_summary_tells_blank_from_drawn(tmp_path: Path) -> None:
    def png(rows: list[bytes], width: int) -> Path:
        raw = b"".join(b"\x00" + r for r in rows)

        def chunk(kind: bytes, body: bytes) -> bytes:
            return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

        ihdr = struct.pack(">IIBBBBB", width, len(rows), 8, 2, 0, 0, 0)
        path = tmp_path / f"{len(rows)}-{rows[0][:1].hex()}.png"
        path.write_bytes(
            b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b"")
        )
        return path

    assert png_summary(png([b"\xff" * 30] * 10, 10)) == (10, 10, 2)
    assert png_summary(png([bytes(range(i, i + 30)) for i in range(100)], 10))[2] > 100


# ----------------------------------------------------------------------------------------------- tests
def test_report_loads_offline_without_errors(browser: Any, report_fr: Path) -> None:
    opened = Opened(browser, report_fr)
    try:
        assert opened.requests == [opened.url], f"unexpected requests: {opened.requests}"
        assert not opened.problems(), opened.problems()
        ids = opened.page.eval_on_selector_all("main > section", "els => els.map(e => e.id)")
        assert ids == [s for s in SECTIONS if s != "stages"]
        # The script ran (the CSP hash matches): the controls it reveals are visible, the headers are buttons.
        assert opened.page.is_visible("#actions-controls")
        assert opened.page.locator("#actions-table thead button.sort").count() >= 8
    finally:
        opened.page.close()


def _visible_rows(page: Any) -> list[dict[str, Any]]:
    return list(
        page.eval_on_selector_all(
            "#actions-table tbody tr",
            """rows => rows.filter(r => !r.hidden).map(r => ({
            category: r.dataset.category, text: r.textContent,
            row: parseFloat(r.cells[0].dataset.value), amount: parseFloat(r.cells[3].dataset.value)}))""",
        )
    )


def test_filter_search_and_sort(browser: Any, report_fr: Path) -> None:
    opened = Opened(browser, report_fr)
    page = opened.page
    try:
        total = len(_visible_rows(page))
        assert total > 100
        page.select_option("#actions-category", "specific")
        rows = _visible_rows(page)
        assert 0 < len(rows) < total and {r["category"] for r in rows} == {"specific"}
        assert page.text_content("#actions-status").strip() == f"Actions affichées : {len(rows)} sur {total}"

        page.fill("#actions-search", "violences")
        found = _visible_rows(page)
        assert 0 < len(found) <= len(rows)
        assert all("violences" in r["text"].lower() for r in found)
        page.fill("#actions-search", "zzz-introuvable")
        assert _visible_rows(page) == []
        assert page.text_content("#actions-status").strip() == f"Actions affichées : 0 sur {total}"

        page.click("#actions-reset")
        assert len(_visible_rows(page)) == total

        amount = page.locator("#actions-table thead th").nth(3)
        assert amount.get_attribute("aria-sort") == "descending"
        amount.locator("button").click()
        assert amount.get_attribute("aria-sort") == "ascending"
        amounts = [r["amount"] for r in _visible_rows(page) if r["amount"] == r["amount"]]
        assert amounts == sorted(amounts)
        amount.locator("button").click()
        amounts = [r["amount"] for r in _visible_rows(page) if r["amount"] == r["amount"]]
        assert amounts == sorted(amounts, reverse=True)

        page.locator("#actions-table thead th").nth(0).locator("button").click()
        lines = [r["row"] for r in _visible_rows(page)]
        assert lines == sorted(lines)
        title = page.locator("#actions-table thead th").nth(1)
        title.locator("button").click()
        assert title.get_attribute("aria-sort") == "ascending"
        assert not opened.problems(), opened.problems()
    finally:
        page.close()


def test_screenshots_are_not_blank(browser: Any, report_fr: Path, tmp_path: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    platform = audit([FIXTURES / "export_plateforme_2024.csv"])
    prog = audit([FIXTURES / "programmation_cdv_2024.xlsx"])
    shots = {
        "report_fr.png": report_fr,
        "report_en.png": write(render_html(prog, "en"), tmp_path / "report_en.html"),
        "report_platform_fr.png": write(render_html(platform, "fr"), tmp_path / "report_platform.html"),
        "report_platform_en.png": write(render_html(platform, "en"), tmp_path / "report_platform_en.html"),
    }
    for name, source in shots.items():
        opened = Opened(browser, source)
        try:
            target = ARTIFACTS / name
            opened.page.screenshot(path=str(target), full_page=True)
            width, height, distinct = png_summary(target)
            assert width == 1280 and height > 3000, (name, width, height)
            assert distinct > 200, f"{name} looks blank ({distinct} distinct byte values)"
            assert not opened.problems(), opened.problems()
        finally:
            opened.page.close()


def test_print_preview_hides_the_controls(browser: Any, report_fr: Path) -> None:
    opened = Opened(browser, report_fr)
    try:
        opened.page.emulate_media(media="print")
        assert not opened.page.is_visible("#actions-controls")
        assert not opened.page.is_visible(".skip-link")
        assert not opened.page.is_visible(".print-choice")
        # committee print by default: key figures, findings, charts and the web, in a few A4 pages
        short = opened.page.pdf(format="A4", print_background=True)
        assert short[:5] == b"%PDF-"
        assert not opened.page.is_visible("#actions") and opened.page.is_visible("#web")
        # the full report when « print the full report » is ticked
        opened.page.emulate_media(media="screen")
        opened.page.check("#print-full")
        opened.page.emulate_media(media="print")
        assert opened.page.is_visible("#actions")
        full = opened.page.pdf(format="A4", print_background=True)
        pages = (_pages(short), _pages(full))
        assert 4 <= pages[0] <= 12 < pages[1], pages
    finally:
        opened.page.close()


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def test_readable_on_a_phone(browser: Any, report_fr: Path) -> None:
    """At 390 px no text of a chart or of the web is drawn under 11 px (they scroll sideways instead), the
    page itself never scrolls sideways, and every block that scrolls says so."""
    opened = Opened(browser, report_fr, width=390)
    try:
        page = opened.page
        smallest = page.evaluate(
            """() => Math.min(...[...document.querySelectorAll('svg text')].map(e => {
                const svg = e.ownerSVGElement, r = svg.getBoundingClientRect();
                if (!r.width || !svg.viewBox.baseVal.width) return 99;
                return parseFloat(getComputedStyle(e).fontSize) * r.width / svg.viewBox.baseVal.width;
            }))"""
        )
        assert smallest >= 11, smallest
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
        hint = page.evaluate(
            "() => getComputedStyle(document.querySelector('.table-wrap[data-hint]'), '::before').content"
        )
        assert "faites défiler horizontalement" in hint
        assert not opened.problems(), opened.problems()
    finally:
        opened.page.close()
