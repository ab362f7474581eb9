"""The HTML page of a comparison (bie.comparison.html): its sections and figures in both languages, the scan
for internal ids and French words, hostile text escaped, more than two periods, and a real Chromium (no
console error or CSP violation, no sideways scroll at 1400 and 390 px, screenshots, print to PDF).

The demo fixtures (2023 and 2024 programmations) are compared once per module; small hand-made CSV files
cover hostile text, three periods and different amount bases.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

import bie
from bie.comparison import Comparison, compare
from bie.comparison.html import CAP_LIST, render_comparison_html
from bie.i18n import Numbers
from tests.conftest import FIXTURES
from tests.scan import scan_files

A, B = FIXTURES / "programmation_cdv_2023.xlsx", FIXTURES / "programmation_cdv_2024.xlsx"
SECTIONS = (
    "findings",
    "headline",
    "flows",
    "changed",
    "new",
    "discontinued",
    "breakdowns",
    "web",
    "declarations",
    "matching",
    "method",
)
SHOTS = Path("/tmp/an")


@pytest.fixture(scope="module")
def demo() -> Comparison:
    return compare([A, B])


@pytest.fixture(scope="module")
def pages(demo: Comparison) -> dict[str, str]:
    return {lang: render_comparison_html(demo, lang) for lang in ("fr", "en")}


# ------------------------------------------------------------------------------------------- helpers
def text(page: str) -> str:
    """The page's text, tags removed and entities decoded, ASCII spaces collapsed (no-break spaces kept)."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"[ \t\r\n]+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", body))).strip()


def table(page: str, table_id: str) -> str:
    found = re.search(rf'<table id="{re.escape(table_id)}".*?</table>', page, flags=re.S)
    assert found, f"no table {table_id}"
    return found.group(0)


def body_rows(tab: str) -> list[str]:
    tbody = re.search(r"<tbody>(.*?)</tbody>", tab, flags=re.S)
    assert tbody
    return [text(r) for r in re.findall(r"<tr\b.*?</tr>", tbody.group(1), flags=re.S)]


def section_ids(page: str) -> list[str]:
    main = page[page.index("<main") : page.index("</main>")]
    return re.findall(r'<section id="([^"]+)" class="section', main)


HEADER = (
    "Numéro de dossier;Exercice;Porteur;Intitulé de l'action;Description;Pilier;Thématique;Quartiers;"
    "{amount};Prise en compte de l'égalité F/H"
)
SPECIFIC = (
    "Accompagnement vers l'emploi des femmes éloignées de l'emploi, lutte contre les stéréotypes de genre "
    "et égalité femmes-hommes."
)
PLAIN = "Atelier hebdomadaire de couture ouvert à tous les habitants du quartier."
HOSTILE = "<script>alert('x')</script> Atelier <img src=x onerror=alert(1)>"


def write(path: Path, rows: Sequence[tuple[str, str, str, str, float, str]], amount: str) -> Path:
    """(id, carrier, title, description, amount, declared) rows of one year."""
    lines = [HEADER.format(amount=amount)]
    for rid, carrier, title, desc, money, declared in rows:
        lines.append(
            f"{rid};2024;{carrier};{title};{desc};Cohésion sociale;Emploi;QN07632M;{money};{declared}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def three(tmp_path_factory: pytest.TempPathFactory) -> Comparison:
    """Three periods; a hostile title and period label; the third period's amounts are requested ones."""
    d = tmp_path_factory.mktemp("compare_html")
    a = write(
        d / "a.csv",
        [
            ("D-1", "Asso <b>Alpha</b>", HOSTILE, PLAIN, 1000, "Oui"),
            ("D-2", "Asso Beta", "Emploi des femmes", SPECIFIC, 2000, "Oui"),
            ("D-3", "Club Gamma", "Football", "Entraînements de football.", 500, "Non"),
        ],
        "Montant accordé",
    )
    b = write(
        d / "b.csv",
        [
            ("D-1", "Asso <b>Alpha</b>", HOSTILE, SPECIFIC, 1200, "Oui"),
            ("D-2", "Asso Beta", "Emploi des femmes", SPECIFIC, 2500, "Oui"),
            ("D-4", "Compagnie Delta", "Théâtre", "Spectacles de théâtre.", 700, ""),
        ],
        "Montant accordé",
    )
    c = write(
        d / "c.csv",
        [
            ("D-2", "Asso Beta", "Emploi des femmes", SPECIFIC, 2600, "Oui"),
            ("D-4", "Compagnie Delta", "Théâtre", "Spectacles de théâtre.", 900, ""),
        ],
        "Montant demandé",
    )
    return compare([a, b, c], labels=["<script>alert(2)</script>", "comité \"2\" & 'bis'", "2025"])


# ------------------------------------------------------------------------------------------- structure
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_sections_in_order(pages: dict[str, str], lang: str) -> None:
    page = pages[lang]
    assert page.startswith("<!DOCTYPE html>") and f'<html lang="{lang}">' in page
    assert section_ids(page) == list(SECTIONS)
    # every link points to an id of the page
    ids = set(re.findall(r'\sid="([^"]+)"', page))
    assert {h for h in re.findall(r'href="#([^"]+)"', page)} <= ids


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_figures_match_the_model(demo: Comparison, pages: dict[str, str], lang: str) -> None:
    model = demo.in_lang(lang)
    page, n = pages[lang], Numbers(lang)
    pair = model.pairs[0]
    h = pair.headline
    words = text(page)
    # findings for the committee first, in the model's words and order
    findings = text(page[page.index('id="findings"') : page.index('id="headline"')])
    positions = [findings.index(f.text) for f in pair.findings]
    assert positions == sorted(positions) and len(positions) == 5
    # key figures side by side with their change
    key = body_rows(table(page, "t-headline"))
    assert key[0].endswith(f"{n.integer(h.actions.before)} {n.integer(h.actions.after)} +{h.actions.change}")
    assert n.money(h.amount_total.before) in key[1] and n.money(h.amount_total.after) in key[1]
    assert f"+{n.money(h.amount_total.change)}" in key[1]
    assert n.pct(h.weighted_share.after, 1) in words and n.points(h.weighted_share.points) in words
    cats = body_rows(table(page, "t-headline-categories"))
    assert len(cats) == 4
    for row, c in zip(cats, h.categories, strict=True):
        assert n.money(c.amount.after) in row and n.pct(c.share.after, 1) in row
    # the flow table: every non-empty cell, totals in the foot
    flows = table(page, "t-flows")
    assert len(body_rows(flows)) == sum(1 for c in pair.flows.cells if c.count)
    foot = text(flows[flows.index("<tfoot>") :])
    assert n.money(pair.flows.total_before) in foot and n.money(pair.flows.total_after) in foot
    assert 'id="chart-flows"' in page and "<path" in page[page.index('id="chart-flows"') :]
    # renewed actions whose category changed, new and discontinued actions
    changed = body_rows(table(page, "t-changed"))
    assert len(changed) == min(len(pair.changed), CAP_LIST) == 7
    for m in pair.changed:
        assert any(html_lib.unescape(m.after.title) in r and m.direction_label in r for r in changed)
    assert len(body_rows(table(page, "t-new"))) == min(len(pair.new), CAP_LIST)
    assert len(body_rows(table(page, "t-discontinued"))) == len(pair.discontinued)
    # breakdowns, web, declarations, matching
    for b in pair.breakdowns:
        assert len(body_rows(table(page, f"t-by-{b.dimension}"))) == len(b.groups)
    web = body_rows(table(page, "t-web"))
    assert len(web) == len(pair.web)
    for row, w in zip(web, pair.web, strict=True):
        assert w.label in row and w.after_label in row and w.direction_label in row
    decl = body_rows(table(page, "t-declarations"))
    assert [r.split()[0] for r in decl] == list(model.labels)
    assert n.pct(pair.declarations.after.share, 1) in decl[1]
    matching = body_rows(table(page, "t-matching"))
    assert any(r.endswith(n.integer(pair.matching.by_id)) for r in matching)
    assert any(r.endswith(n.integer(pair.matching.by_title)) for r in matching)
    assert any(r.endswith(n.decimal(pair.matching.title_threshold, 2)) for r in matching)
    scores = body_rows(table(page, "t-matching-pairs"))
    assert len(scores) == len(pair.matches)
    assert scores[0].endswith(n.decimal(min(m.score for m in pair.matches), 2))
    assert pair.matching.note in words and pair.flows.note in words


def test_no_internal_id_nor_french_in_english(
    demo: Comparison, pages: dict[str, str], tmp_path: Path
) -> None:
    files = []
    for lang, page in pages.items():
        path = tmp_path / f"compare_{lang}.html"
        path.write_text(page, encoding="utf-8")
        files.append((lang, path))
    both = bie.audit([A, B])  # the input text of both periods, set aside by the scan
    for lang, path in files:
        found = scan_files(both, lang, [path])
        assert not found, [(f.kind, f.word, f.context) for f in found[:10]]


def test_same_comparison_same_page(demo: Comparison, pages: dict[str, str]) -> None:
    assert render_comparison_html(demo, "fr") == pages["fr"]
    assert render_comparison_html(demo.in_lang("en")) == pages["en"]


def test_self_contained(pages: dict[str, str]) -> None:
    for page in pages.values():
        csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
        assert csp and "default-src 'none'" in html_lib.unescape(csp.group(1))
        assert "<script" not in page  # no script at all: the policy's only hash is the empty script's
        assert not re.search(r'(src|href)="(?!#)', page)
        assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")


# ------------------------------------------------------------------------------------------- hostile, 3 periods
def test_hostile_text_is_escaped(three: Comparison) -> None:
    for lang in ("fr", "en"):
        page = render_comparison_html(three, lang)
        assert "<script>alert" not in page and "<img src=x" not in page and "<b>Alpha" not in page
        assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page  # the period label, in text and charts
        assert "&lt;img src=x onerror=alert(1)&gt;" in page
        assert not re.search(r"<[^>]*\son[a-z]+=", page)  # no event handler in any tag


def test_three_periods(three: Comparison) -> None:
    page = render_comparison_html(three, "fr")
    assert section_ids(page) == [
        "findings",
        "overall",
        "pair-1",
        "pair-2",
        "declarations",
        "matching",
        "method",
    ]
    for k in (1, 2):
        for s in ("headline", "flows", "changed", "new", "discontinued", "breakdowns", "web"):
            assert f'id="{s}-{k}"' in page
    words = text(page)
    for p in three.pairs:
        assert html_lib.unescape(p.title) in words
    # the third period is on another basis: no change in euros, the caveat is shown first
    assert not three.pairs[1].headline.same_basis
    caveat = three.pairs[1].headline.basis_caveat
    findings = text(page[page.index('id="findings"') : page.index('id="overall"')])
    assert caveat in findings
    overall = body_rows(table(page, "t-overall"))
    assert overall[1].endswith(three.overall.basis_short)
    assert len(body_rows(table(page, "t-declarations"))) == 3


# ------------------------------------------------------------------------------------------- Chromium
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


@pytest.fixture
def browser(require_browser: str) -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=require_browser, args=ARGS)
        yield chromium
        chromium.close()


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["fr"])  # English: same layout, its words checked by the scan test
def test_in_chromium(browser: Any, pages: dict[str, str], tmp_path: Path, lang: str) -> None:
    path = tmp_path / f"compare_{lang}.html"
    path.write_text(pages[lang], encoding="utf-8")
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1400, 390):
        _check_page(browser, path, width, lang)


def _check_page(browser: Any, path: Path, width: int, lang: str) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})
    requests: list[str] = []
    problems: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type in ("error", "warning") or "Content Security Policy" in m.text
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    try:
        page.goto(path.resolve().as_uri())
        page.wait_for_load_state("load")
        assert requests == [path.resolve().as_uri()]
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        smallest = page.evaluate(
            """() => Math.min(...[...document.querySelectorAll('svg text')].map(e => {
                const svg = e.ownerSVGElement, r = svg.getBoundingClientRect();
                if (!r.width || !svg.viewBox.baseVal.width) return 99;
                return parseFloat(getComputedStyle(e).fontSize) * r.width / svg.viewBox.baseVal.width;
            }))"""
        )
        assert smallest >= 11, smallest
        page.screenshot(path=str(SHOTS / f"compare_{lang}_{width}.png"), full_page=True)
        if width == 1400:
            pdf = page.pdf(format="A4", print_background=True)
            pages_count = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
            print(f"compare_{lang}.pdf: {pages_count} pages")
            assert pdf[:5] == b"%PDF-" and 5 <= pages_count <= 60
            (SHOTS / f"compare_{lang}.pdf").write_bytes(pdf)
        assert not problems, problems
    finally:
        page.close()
