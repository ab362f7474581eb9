"""The HTML report: structure, accessibility, safety, determinism, figures, languages, large audits.

The golden outline (section ids, headings, table captions, rows per table) of the programmation fixture is in
tests/golden/report_structure_programmation.json; regenerate it with ``BIE_UPDATE_GOLDEN=1 pytest
tests/test_report_html.py`` after an intended change, and review the diff.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import itertools
import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from markupsafe import escape

from bie.audit import Audit, audit
from bie.report import charts
from bie.report.html import SECTIONS, Numbers, checked_svg, render_html
from tests.conftest import FIXTURES, REAL, TITLES_ONLY

GOLDEN = Path(__file__).parent / "golden" / "report_structure_programmation.json"
PROGRAMMATION = FIXTURES / "programmation_cdv_2024.xlsx"
PLATFORM = FIXTURES / "export_plateforme_2024.csv"
HOSTILE = [
    '=HYPERLINK("http://x","y")',
    "@SUM(A1:A2)",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
]
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
NNBSP, NBSP = "\u202f", "\u00a0"


# ----------------------------------------------------------------------------------------------- parsing
class Page(HTMLParser):
    """Everything the tests look at, from one pass over the page."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.ids: list[str] = []
        self.headings: list[tuple[int, str, str | None]] = []  # level, text, id of the enclosing top section
        self.sections: list[dict[str, Any]] = []
        self.tables: list[dict[str, Any]] = []
        self.scripts: list[str] = []
        self.text: list[str] = []
        self._capture: list[tuple[str, list[str]]] = []
        self._section_depth: list[bool] = []  # for each open <section>: is it a top-level one?
        self._in_tbody = 0
        self.feed(html)
        self.close()

    @property
    def top(self) -> dict[str, Any] | None:
        return self.sections[-1] if self.sections and any(self._section_depth) else None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        if a.get("id"):
            self.ids.append(str(a["id"]))
        if tag in VOID:
            return
        self.stack.append(tag)
        if tag == "section":
            is_top = "main" in self.stack[:-1] and not any(self._section_depth)
            self._section_depth.append(is_top)
            if is_top:
                self.sections.append({"id": a.get("id"), "heading": None, "subheadings": [], "tables": []})
        elif tag in ("h1", "h2", "h3", "h4", "caption", "script", "title") or tag == "th":
            self._capture.append((tag, []))
        elif tag == "table":
            table = {"id": a.get("id"), "caption": None, "rows": 0, "columns": 0}
            self.tables.append(table)
            if self.top is not None:
                self.top["tables"].append(table)
        elif tag == "tbody":
            self._in_tbody += 1
        elif tag == "tr" and self._in_tbody and self.tables:
            self.tables[-1]["rows"] += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        if a.get("id"):
            self.ids.append(str(a["id"]))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        assert self.stack and self.stack[-1] == tag, f"unbalanced </{tag}> after {self.stack[-5:]}"
        self.stack.pop()
        if tag == "section":
            self._section_depth.pop()
        elif tag == "tbody":
            self._in_tbody -= 1
        elif self._capture and self._capture[-1][0] == tag:
            name, parts = self._capture.pop()
            text = " ".join("".join(parts).split())
            if name.startswith("h") and name[1:].isdigit():
                level = int(name[1])
                section = self.top["id"] if self.top else None
                self.headings.append((level, text, section))
                if self.top is not None and level == 2 and self.top["heading"] is None:
                    self.top["heading"] = text
                elif self.top is not None and level >= 3:
                    self.top["subheadings"].append(text)
            elif name == "caption" and self.tables:
                self.tables[-1]["caption"] = text
            elif name == "script":
                self.scripts.append("".join(parts))

    def handle_data(self, data: str) -> None:
        for _, parts in self._capture:
            parts.append(data)
        if not self.stack or self.stack[-1] not in ("script", "style"):
            self.text.append(data)

    def outline(self) -> dict[str, Any]:
        return {
            "sections": [
                {
                    "id": s["id"],
                    "heading": s["heading"],
                    "subheadings": s["subheadings"],
                    "tables": [
                        {"id": t["id"], "caption": t["caption"], "rows": t["rows"]} for t in s["tables"]
                    ],
                }
                for s in self.sections
            ]
        }

    def attrs(self, name: str) -> list[str]:
        return [str(a[name]) for _, a in self.tags if name in a and a[name] is not None]


def visible_text(page: Page) -> str:
    return " ".join("".join(page.text).split())


# ----------------------------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def programmation() -> Audit:
    return audit([PROGRAMMATION])


@pytest.fixture(scope="module")
def platform() -> Audit:
    return audit([PLATFORM])


@pytest.fixture(scope="module")
def prog_html(programmation: Audit) -> str:
    return render_html(programmation, "fr")


@pytest.fixture(scope="module")
def prog_page(prog_html: str) -> Page:
    return Page(prog_html)


def workbook(path: Path, rows: list[list[Any]], header: list[str] | None = None) -> Path:
    wb = xlsxwriter.Workbook(
        str(path), {"strings_to_formulas": False, "strings_to_urls": False, "constant_memory": True}
    )
    ws = wb.add_worksheet("Programmation")
    for c, value in enumerate(header or ["Porteur", "Intitulé de l'action", "Thématique", "Montant accordé"]):
        ws.write_string(0, c, value)
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values):
            if isinstance(value, str):
                ws.write_string(r, c, value)
            else:
                ws.write_number(r, c, value)
    wb.close()
    return path


def fr_money(x: float) -> str:
    return f"{x:,.2f}".replace(",", NNBSP).replace(".", ",") + f"{NBSP}€"


def en_money(x: float) -> str:
    return f"€{x:,.2f}"


# ----------------------------------------------------------------------------------------------- structure
def test_every_section_is_present_in_order_with_a_heading(prog_page: Page, programmation: Audit) -> None:
    expected = [s for s in SECTIONS if s != "stages" or programmation.stages]
    assert [s["id"] for s in prog_page.sections] == expected
    assert all(s["heading"] for s in prog_page.sections)
    assert programmation.stages is None  # the programmation gives one amount stage: no « stages » section


def test_stages_section_when_the_file_has_several_stages(platform: Audit) -> None:
    page = Page(render_html(platform, "fr"))
    assert [s["id"] for s in page.sections] == list(SECTIONS)
    stages = next(s for s in page.sections if s["id"] == "stages")
    assert stages["tables"][0]["rows"] == 4  # one row per category
    assert "demandé" in visible_text(page) and "proposé" in visible_text(page)


def test_one_h1_and_headings_never_skip_a_level(prog_page: Page) -> None:
    levels = [level for level, _, _ in prog_page.headings]
    assert levels.count(1) == 1 and levels[0] == 1
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1, f"heading level jumps from h{before} to h{after}"


def test_every_table_has_a_caption_and_every_header_cell_a_scope(prog_page: Page) -> None:
    assert prog_page.tables
    assert all(t["caption"] for t in prog_page.tables)
    ths = [a for tag, a in prog_page.tags if tag == "th"]
    assert ths and all(a.get("scope") in ("col", "row") for a in ths)


def test_skip_link_and_table_of_contents_point_to_existing_ids(prog_page: Page) -> None:
    hrefs = prog_page.attrs("href")
    assert hrefs[0] == "#main"
    ids = set(prog_page.ids)
    assert len(ids) == len(prog_page.ids), "duplicate ids"
    for href in hrefs:
        assert re.fullmatch(r"#[a-z0-9-]+", href), href
        assert href[1:] in ids, href
    toc = [h[1:] for h in hrefs[1 : len(prog_page.sections) + 1]]
    assert toc == [s["id"] for s in prog_page.sections]


def test_every_chart_has_a_text_alternative(prog_page: Page) -> None:
    charts_ = [a for tag, a in prog_page.tags if tag == "svg" and a.get("role") == "img"]
    assert charts_
    ids = set(prog_page.ids)
    for a in charts_:
        labels = str(a.get("aria-labelledby") or "").split()
        assert labels and all(label in ids for label in labels)
    # decorative SVGs (swatches, bars inside table rows) are hidden from assistive technology
    for tag, a in prog_page.tags:
        if tag == "svg" and a.get("role") != "img":
            assert a.get("aria-hidden") == "true"


def test_csp_allows_exactly_the_inline_script_by_its_hash(prog_html: str, prog_page: Page) -> None:
    metas = [
        a for tag, a in prog_page.tags if tag == "meta" and a.get("http-equiv") == "Content-Security-Policy"
    ]
    assert len(metas) == 1
    csp = str(metas[0]["content"])
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
    assert directives["default-src"] == "'none'"
    assert directives["style-src"] == "'unsafe-inline'"
    assert directives["img-src"] == "data:"
    assert "unsafe-inline" not in directives["script-src"]
    assert len(prog_page.scripts) == 1
    digest = base64.b64encode(hashlib.sha256(prog_page.scripts[0].encode("utf-8")).digest()).decode()
    assert directives["script-src"] == f"'sha256-{digest}'"
    assert prog_html.count("<script") == 1


def test_the_page_is_self_contained(prog_html: str, prog_page: Page) -> None:
    assert prog_html.startswith('<!DOCTYPE html>\n<html lang="fr">')
    assert not prog_page.attrs("src")
    assert not prog_page.attrs("style"), "no style attribute: styles live in the inline stylesheet"
    for tag, _ in prog_page.tags:
        assert tag not in ("link", "iframe", "img", "object", "embed", "base", "form")
    for pattern in (r"url\(\s*['\"]?(?!#)", r"@import", r"@font-face", r"https?://(?!www\.w3\.org/2000/svg)"):
        hits = [m.group(0) for m in re.finditer(pattern, prog_html)]
        assert not hits, (pattern, hits[:3])
    assert (
        "<style>" in prog_html
        and (Path(__file__).parents[1] / "templates" / "report.css").read_text(encoding="utf-8").strip()[:200]
        in prog_html
    )


def test_print_styles_for_a4(prog_html: str) -> None:
    assert "@page { size: A4" in prog_html
    assert "@media print" in prog_html and "break-before: page" in prog_html


# ----------------------------------------------------------------------------------------------- determinism
def test_rendering_is_deterministic(programmation: Audit, prog_html: str) -> None:
    assert render_html(programmation, "fr") == prog_html
    assert render_html(programmation, "en") == render_html(programmation, "en")


def test_source_date_epoch_gives_the_date_and_identical_reports(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14 22:13:20 UTC
    first = render_html(audit([PLATFORM]), "fr")
    second = render_html(audit([PLATFORM]), "fr")
    assert first == second
    assert "Rapport produit le 14 novembre 2023" in first
    assert 'datetime="2023-11-14T22:13:20+00:00"' in first
    assert "14 November 2023" in render_html(audit([PLATFORM]), "en")


# ----------------------------------------------------------------------------------------------- safety
@pytest.fixture(scope="module")
def hostile_html(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("hostile")
    rows: list[list[Any]] = [[text, text, text, 1000.0 * (i + 1)] for i, text in enumerate(HOSTILE)]
    rows.append(["Association <b>gras</b>", "Atelier d'écriture égalité filles-garçons", "Culture", 500.0])
    path = workbook(folder / "<img src=x onerror=alert(2)>.xlsx", rows)
    return render_html(audit([path], title="<script>alert('titre')</script>"), "fr")


def test_hostile_text_is_inert(hostile_html: str) -> None:
    page = Page(hostile_html)
    text = visible_text(page)
    for hostile in HOSTILE:
        assert hostile in text, f"{hostile!r} should be shown as text"
    assert "<script>alert" not in hostile_html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hostile_html
    assert "<img" not in hostile_html and "<b>" not in hostile_html
    assert len(page.scripts) == 1 and "alert" not in page.scripts[0]
    for tag, attrs in page.tags:
        assert tag not in ("img", "b", "a") or (tag == "a" and str(attrs.get("href", "")).startswith("#"))
        for name in attrs:
            assert not name.startswith("on"), f"<{tag} {name}=…>"
    for href in page.attrs("href"):
        assert re.fullmatch(r"#[a-z0-9-]+", href), href
    assert "<script>alert('titre')</script>" in text  # the title, as text
    assert "onerror=alert(2)" in text  # the file name, as text


def test_no_data_in_links_styles_or_handlers(hostile_html: str) -> None:
    page = Page(hostile_html)
    assert not page.attrs("src") and not page.attrs("style")
    for value in page.attrs("href"):
        assert value.startswith("#")
    for value in page.attrs("data-value"):
        assert value == "" or re.fullmatch(r"-?\d+(\.\d+)?(e[-+]?\d+)?", value), value
    for value in page.attrs("data-category"):
        assert value in ("specific", "transversal", "not_integrated", "to_review")


def test_web_drawing_is_checked_before_it_is_trusted() -> None:
    plain = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4"/></svg>'
    assert checked_svg(plain) is not None
    assert checked_svg('<svg><defs><marker id="m"/></defs><path marker-end="url(#m)" d="M0 0"/></svg>')
    for bad in (
        "<svg><script>alert(1)</script></svg>",
        '<svg onload="alert(1)"><rect/></svg>',
        '<svg><a href="javascript:alert(1)"><rect/></a></svg>',
        '<svg><image href="http://x/y.png"/></svg>',
        "<svg><foreignObject><div>x</div></foreignObject></svg>",
        '<svg><rect style="fill:url(http://x/)"/></svg>',
        '<svg><use xlink:href="#a"/></svg>',
        '<svg><style>@import "http://x";</style></svg>',
        "<div>not an svg</div>",
    ):
        assert checked_svg(bad) is None, bad


def test_a_rejected_web_drawing_is_left_out(programmation: Audit) -> None:
    evil = '<svg xmlns="http://www.w3.org/2000/svg"><circle r="1" onmouseover="alert(1)"/></svg>'
    model = programmation.report("fr")  # the page reads the drawing from the report model only
    html = render_html(dataclasses.replace(model, web=dataclasses.replace(model.web, svg=evil)))
    assert "onmouseover" not in html
    assert "pas passé le contrôle de sécurité" in html
    assert Page(html).tables[0]  # the rest of the report is there


def test_chart_builder_refuses_dangerous_attributes() -> None:
    for name in ("href", "xlink:href", "onclick", "style", "src"):
        with pytest.raises(ValueError, match="not allowed"):
            charts._el("rect", {name: "x"})
    with pytest.raises(ValueError, match="not allowed"):
        charts._el("script")
    bar = charts.stacked_bars(
        [charts.Bar("<b>", [charts.Segment("specific", 1.0, "<i>100 %</i>")])],
        chart_id="c",
        title="<t>",
        desc="<d>",
    )
    assert "<b>" not in bar and "&lt;b&gt;" in bar and "&lt;i&gt;" in bar and "&lt;t&gt;" in bar


# ----------------------------------------------------------------------------------------------- figures and languages
def test_figures_shown_equal_the_audit(programmation: Audit, prog_html: str) -> None:
    d = programmation.to_dict()
    s = d["summary"]
    assert fr_money(s["amount_total"]) in prog_html
    for cat, v in s["by_category"].items():
        assert fr_money(v["amount"]) in prog_html, cat
    assert fr_money(s["weighted_equality_spend"]["amount"]) in prog_html
    rec = d["reconciliation"]["files"][0]
    assert fr_money(rec["input_amount"]) in prog_html and fr_money(rec["actions_amount"]) in prog_html
    page = Page(prog_html)
    money = next(t for t in page.tables if t["id"] == "t-money-1")
    assert money["rows"] == 4
    for dim, entries in d["breakdowns"].items():
        table = next(t for t in page.tables if t["id"] == f"t-by-{dim}")
        assert table["rows"] == len(entries)
    shares = {cat: v["share"] for cat, v in s["by_category"].items()}
    assert f"{round(shares['not_integrated'] * 100)}{NNBSP}%" in prog_html
    b = d["beneficiaries"]
    assert fr_money(b["euros_per_woman"]) in prog_html and fr_money(b["euros_per_man"]) in prog_html
    actions = next(t for t in page.tables if t["id"] == "actions-table")
    assert actions["rows"] == len(d["actions"])
    web = next(t for t in page.tables if t["id"] == "t-web-elements")
    assert web["rows"] == len(d["web"]["elements"]) == 13


def test_beneficiaries_warning_comes_from_the_method(prog_html: str) -> None:
    from bie.resources import load_data

    text = next(s["fr"] for s in load_data("method.yaml")["sections"] if s["id"] == "beneficiaries")
    assert "Un contexte, jamais une cible" in prog_html
    assert " ".join(text.split()).replace("'", "&#39;") in prog_html


def test_method_section_lists_every_method_text_and_source(programmation: Audit, prog_html: str) -> None:
    from bie.resources import load_data

    spec = load_data("method.yaml")
    for s in spec["sections"]:
        assert f'id="method-{s["id"]}"' in prog_html
    for source in spec["sources"]:
        assert source.replace("'", "&#39;") in prog_html
    for i in programmation.meta["inputs"]:
        assert i["sha256"] in prog_html
    assert (
        "{basis}" not in prog_html and "{rules_version}" not in prog_html and "{web_version}" not in prog_html
    )


def test_english_report(programmation: Audit) -> None:
    html = render_html(programmation, "en")
    page = Page(html)
    assert html.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert [s["heading"] for s in page.sections][:3] == ["Key figures", "Findings", "Money by category"]
    s = programmation.to_dict("en")["summary"]
    assert en_money(s["amount_total"]) in html
    for v in s["by_category"].values():
        assert en_money(v["amount"]) in html
    text = visible_text(page)
    for french in (
        "Chiffres clés",
        "Crédits par catégorie",
        "Méthode et sources",
        "action spécifique",
        "Rapport produit",
    ):
        assert french not in text
    assert "specific action" in text and "Context, never a target" in text
    assert re.search(r"\d+%", text) and f"{NNBSP}%" not in text


def test_number_formats() -> None:
    fr, en = Numbers("fr", "n.d."), Numbers("en", "n/a")
    assert fr.money(12500) == f"12{NNBSP}500,00{NBSP}€"
    assert en.money(12500) == "€12,500.00"
    assert fr.money(-1234.5) == f"\u22121{NNBSP}234,50{NBSP}€" and en.money(-1234.5) == "\u2212€1,234.50"
    assert fr.money(None) == "n.d." and en.pct(None) == "n/a"
    assert fr.pct(0.23) == f"23{NNBSP}%" and en.pct(0.23) == "23%"
    assert fr.pct(0.1234, 1) == f"12,3{NNBSP}%" and en.pct(0.1234, 1) == "12.3%"
    assert fr.pct(0.004) == f"0,4{NNBSP}%" and fr.pct(0.0001) == f"< 0,1{NNBSP}%"
    assert fr.integer(1234567) == f"1{NNBSP}234{NNBSP}567" and en.integer(1234567) == "1,234,567"
    assert fr.points(-0.0846) == "\u22128,5" and en.points(0.05) == "+5.0"


# ----------------------------------------------------------------------------------------------- robustness
def test_large_audits_cap_the_inline_table(tmp_path: Path) -> None:
    rows: list[list[Any]] = [
        [
            f"Association {i}",
            f"Atelier n°{i} égalité filles-garçons" if i % 7 == 0 else f"Action de quartier n°{i}",
            "Culture",
            float(1000 + i),
        ]
        for i in range(3000)
    ]
    big = audit([workbook(tmp_path / "grand.xlsx", rows)])
    html = render_html(big, "fr")
    page = Page(html)
    table = next(t for t in page.tables if t["id"] == "actions-table")
    assert table["rows"] == 2000
    assert f"Ce tableau montre les 2{NNBSP}000 actions aux montants les plus élevés, sur 3{NNBSP}000" in html
    assert "rapports Excel et JSON" in html
    first = re.search(
        r'<table id="actions-table".*?<tbody>\s*<tr[^>]*>.*?data-value="[^"]*".*?'
        r'<td class="num" data-value="([0-9.]+)"',
        html,
        re.S,
    )
    assert first and float(first.group(1)) == 3999.0  # the largest amount first
    assert len(html.encode()) < 6_000_000
    assert "3 000 actions" in " ".join(visible_text(page).replace(NNBSP, " ").split()) or "3\u202f000" in html


@pytest.mark.parametrize(
    "name", sorted(p.name for p in REAL.glob("*.*") if p.suffix in (".csv", ".xlsx", ".ods"))
)
def test_real_files_render(name: str) -> None:
    html = render_html(audit([REAL / name]), "fr")
    page = Page(html)
    assert next(s["id"] for s in page.sections) == "key-figures"
    assert all(t["caption"] for t in page.tables)


def test_several_files_show_file_and_row(tmp_path: Path) -> None:
    a = workbook(tmp_path / "a.xlsx", [["Asso A", "Permanence juridique pour les femmes", "Droits", 100.0]])
    b = workbook(tmp_path / "b.xlsx", [["Asso B", "Football en pied d'immeuble", "Sport", 200.0]])
    html = render_html(audit([a, b]), "en")
    assert "a.xlsx: 2" in html and "b.xlsx: 2" in html


# ----------------------------------------------------------------------------------------------- golden outline
def test_golden_structure(prog_page: Page) -> None:
    outline = prog_page.outline()
    if os.environ.get("BIE_UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(json.dumps(outline, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    assert GOLDEN.exists(), (
        "run BIE_UPDATE_GOLDEN=1 pytest tests/test_report_html.py to create the golden file"
    )
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert outline == expected, "report outline changed; if intended, regenerate with BIE_UPDATE_GOLDEN=1"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_titles_only_file_carries_the_caveat(tmp_path: Path, lang: str) -> None:
    source = tmp_path / "titres.csv"
    source.write_text(TITLES_ONLY, encoding="utf-8")
    result = audit(source)
    html = render_html(result, lang)
    caveat = result.summary["judged"]["caveat"][lang]
    key = html.split('id="key-figures"', 1)[1].split("</section>", 1)[0]
    web = html.split('id="web"', 1)[1].split("</section>", 1)[0]
    assert str(escape(caveat)) in key
    assert key.count('class="callout caveat"') == 2  # key figures and category shares
    assert 'class="callout caveat"' in web
    absent = "Éléments absents" if lang == "fr" else "Absent elements"
    assert absent not in web
    assert all(e["score"] != 0 for e in result.web_dict(lang)["elements"])


def test_a_judged_file_has_no_caveat_and_the_weighted_spend_is_the_headline(prog_html: str) -> None:
    assert 'class="callout caveat"' not in prog_html
    key = prog_html.split('id="key-figures"', 1)[1].split("</section>", 1)[0]
    assert "tile-headline" in key
    assert key.index("Dépense égalité pondérée") < key.index("Sans pondération")
    assert "ne prennent pas l'égalité en compte" not in prog_html
