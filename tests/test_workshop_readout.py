"""The readout of a scored workshop (bie.workshop.readout): the page to project and the workbook.

Structure and words in both languages, the « split » screens never showing bie's answer, the room's kappa
or why it is missing, hostile text escaped, the workbook read back with openpyxl; and, in a real headless
Chromium (skipped when none is installed), the page at 1280×720: no horizontal scroll, type of 24 px and
more, the keyboard moving from screen to screen, no request, no console error or CSP violation, every
screen stacked when scripts are off. Screenshots in tests/_artifacts/ (workshop_readout_*.png).
"""

from __future__ import annotations

import base64
import hashlib
import random
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from markupsafe import escape

from bie.audit import audit
from bie.report.html import environment
from bie.resources import load_data
from bie.workshop.kit import Kit, build_kit, words
from bie.workshop.readout import READOUT_SCRIPT, readout_policy, render_readout, write_readout_workbook
from bie.workshop.scoring import CATEGORIES, ParticipantAnswers, ScoreResult, score_answers
from tests.conftest import FIXTURES
from tests.test_workshop_material import hostile_kit

LANGS = ("fr", "en")
ARTIFACTS = Path(__file__).parent / "_artifacts"


def _room(kit: Kit, *, people: int = 8, accuracy: float = 0.6, seed: int = 1) -> list[ParticipantAnswers]:
    """Participants who give bie's category with probability ``accuracy`` (« je ne sais pas » now and then),
    and a web diagnosis with weak elements and broken links."""
    rng = random.Random(seed)
    ids = list(kit.elements)
    out = []
    for r in range(people):
        cats: dict[int, str | None] = {}
        for a in kit.actions:
            truth = a.category if a.category in CATEGORIES else rng.choice(CATEGORIES)
            x = rng.random()
            if x < accuracy:
                cats[a.number] = truth
            elif x > 0.93:
                cats[a.number] = "dont_know"
            else:
                cats[a.number] = rng.choice([c for c in CATEGORIES if c != truth])
        web: dict[str, int | None] = {e: (3 - i % 4) for i, e in enumerate(ids)}
        out.append(
            ParticipantAnswers(
                id=f"P{r + 1:02d}",
                source=f"P{r + 1:02d}.xlsx",
                categories=cats,
                comments={kit.actions[0].number: f"commentaire {r + 1}"} if r % 3 == 0 else {},
                web=web,
            )
        )
    return out


def _score(kit: Kit, answers: list[ParticipantAnswers]) -> ScoreResult:
    return score_answers(
        {a.number: a.category for a in kit.actions},
        answers,
        bie_elements={a.number: a.web_elements for a in kit.actions},
        web_scores=kit.web_scores,
    )


@pytest.fixture(scope="module")
def rooms() -> dict[str, tuple[Kit, list[ParticipantAnswers], ScoreResult]]:
    demo = audit([FIXTURES / "programmation_cdv_2024.xlsx"])
    out = {}
    for lang in LANGS:
        kit = build_kit(demo, lang=lang, participants=8, seed=1)
        answers = _room(kit)
        out[lang] = (kit, answers, _score(kit, answers))
    return out


class _Page(HTMLParser):
    """Attributes, scripts and the text of each screen (section id → text) of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()
        self.values: list[str] = []
        self.scripts = 0
        self.screens: dict[str, list[str]] = {}
        self.order: list[str] = []
        self.classes: dict[str, set[str]] = {}
        self._screen: str | None = None
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.names.update(name for name, _ in attrs)
        self.values.extend(v or "" for _, v in attrs)
        self.scripts += tag == "script"
        a = dict(attrs)
        if tag == "section" and "screen" in (a.get("class") or "").split():
            self._screen = a.get("id") or ""
            self.order.append(self._screen)
            self.screens[self._screen] = []
            self.classes[self._screen] = set()
            self._depth = 0
        if self._screen is not None:
            self.classes[self._screen].update((a.get("class") or "").split())
            if tag == "section":
                self._depth += 1

    def handle_endtag(self, tag: str) -> None:
        if self._screen is not None and tag == "section":
            self._depth -= 1
            if self._depth == 0:
                self._screen = None

    def handle_data(self, data: str) -> None:
        if self._screen is not None:
            self.screens[self._screen].append(data)

    def text(self, screen: str) -> str:
        return " ".join(" ".join(self.screens[screen]).split())


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def _flat(text: str) -> str:
    return " ".join(text.split())


def _common(html: str, lang: str) -> _Page:
    assert html.startswith("<!DOCTYPE html>")
    assert f'<html lang="{lang}">' in html
    script = environment().get_template(READOUT_SCRIPT).render()
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    policy = readout_policy()
    assert f"script-src 'sha256-{digest}'" in policy and "default-src 'none'" in policy
    assert f'content="{escape(policy)}"' in html
    assert f"<script>{script}</script>" in html
    page = _parse(html)
    assert page.scripts == 1
    # no link, no inline style nor event handler: data never reaches an attribute
    assert not page.names & {"src", "href", "style", "action"}, page.names
    assert not any(name.startswith("on") for name in page.names)
    assert not [v for v in page.values if "://" in v and v != "http://www.w3.org/2000/svg"]
    total = re.findall(r'<span class="screen-no">/ (\d+)</span>', html)
    assert len(total) == len(page.order) and set(total) == {str(len(page.order))}
    return page


# ----------------------------------------------------------------------------------------------- page
@pytest.mark.parametrize("lang", LANGS)
def test_readout_screens_in_order(rooms: dict[str, Any], lang: str) -> None:
    kit, _, result = rooms[lang]
    html = render_readout(kit, result)
    page = _common(html, lang)
    r = words(lang)["readout"]
    split = [n for n in result.agenda if result.action(n).split]
    assert split, "the simulated room should split on some actions"
    expected = [
        "screen-title",
        "screen-split",
        *[f"split-{n}" for n in split],
        "screen-reveal",
        *[f"reveal-{n}" for n in result.agenda],
        "screen-participants",
        "screen-web",
        *[f"piste-{i + 1}" for i in range(len(result.suggestions))],
        "screen-sources",
    ]
    assert page.order == expected
    title = page.text("screen-title")
    assert _flat(kit.title) in title
    assert result.fleiss is not None and result.fleiss.kappa is not None
    scale = words(lang)["landis_koch"]["scale"]
    band = load_data("workshop_words.yaml")["landis_koch"]["bands"][result.fleiss.band][lang]
    assert scale in title and band in title
    assert r["room"] in title
    assert str(result.fleiss_actions) in title and str(len(result.participants)) in title
    # the reveal gives bie's category, its definition and question, and the room's majority
    for n in result.agenda:
        action = kit.action(n)
        text = page.text(f"reveal-{n}")
        assert action.category_label in text and _flat(action.definition) in text
        assert _flat(action.question) in text
    participants = page.text("screen-participants")
    assert all(p.id in participants for p in result.participants)
    web = page.text("screen-web")
    assert all(label in web for label in kit.elements.values())
    # gaps are marked in both directions (the simulated group believes more and less than the file)
    gaps = {row.gap for row in result.web if row.gap}
    if any(g > 0 for g in gaps):
        assert "gap-more" in page.classes["screen-web"]
    if any(g < 0 for g in gaps):
        assert "gap-less" in page.classes["screen-web"]
    for i, s in enumerate(result.suggestions):
        text = page.text(f"piste-{i + 1}")
        assert all(_flat(p.text(lang)) in text for p in s.practices)
    sources = page.text("screen-sources")
    assert all(src.href in sources for s in result.suggestions for p in s.practices for src in p.sources)


@pytest.mark.parametrize("lang", LANGS)
def test_split_screens_never_show_bie_answer(rooms: dict[str, Any], lang: str) -> None:
    kit, _, result = rooms[lang]
    page = _parse(render_readout(kit, result))
    r = words(lang)["readout"]
    choices = words(lang)["choices"]
    for screen in [s for s in page.order if s.startswith("split-")]:
        action = kit.action(int(screen.split("-")[1]))
        text = page.text(screen)
        assert action.label in text
        assert all(choices[c] in text for c in choices)
        assert _flat(action.definition) not in text and _flat(action.question) not in text
        assert not any(_flat(reason) in text for reason in action.reasons)
        assert r["bie_answer"] not in text and r["bie_read"] not in text
        if action.category_label not in choices.values():  # unless the applicant's own text says it
            said = _flat(" ".join(t for _, t in action.fields)).count(action.category_label)
            assert text.count(action.category_label) <= said
        assert not {c for c in page.classes[screen] if c.startswith("cat-") or c == "bie-answer"}
    intro = page.text("screen-split")
    assert r["split_intro"] in intro


def test_readout_says_why_there_is_no_room_kappa(rooms: dict[str, Any]) -> None:
    kit, answers, _ = rooms["fr"]
    r = words("fr")["readout"]
    alone = render_readout(kit, _score(kit, answers[:1]))
    assert r["why_one_participant"] in _parse(alone).text("screen-title")
    same = [
        ParticipantAnswers(
            id=f"P{i}", source=f"P{i}.xlsx", categories={a.number: "specific" for a in kit.actions}
        )
        for i in range(3)
    ]
    single = _parse(render_readout(kit, _score(kit, same))).text("screen-title")
    assert words("fr")["kappa_reasons"]["single_category"] in single
    # no answer splits the room, no web diagnosis: said so, no empty screens
    page = _parse(render_readout(kit, _score(kit, same)))
    assert r["split_none"] in page.text("screen-split")
    assert not [s for s in page.order if s.startswith(("split-", "piste-"))]
    assert r["web_empty"] in page.text("screen-web")


def test_every_readout_word_in_both_languages() -> None:
    data = load_data("workshop_words.yaml")["readout"]
    for key, entry in data.items():
        assert set(entry) == {"fr", "en"}, key
    source = Path("src/bie/workshop/readout.py").read_text(encoding="utf-8")
    template = (Path("templates") / "workshop_readout.html.j2").read_text(encoding="utf-8")
    unused = [k for k in data if f'"{k}"' not in source and f"r.{k}" not in template]
    assert not unused


# ----------------------------------------------------------------------------------------------- hostile
def _hostile_result(kit: Kit) -> tuple[list[ParticipantAnswers], ScoreResult]:
    answers = [
        ParticipantAnswers(
            id=pid,
            source=f"{pid}.xlsx",
            categories={1: "specific", 2: cat, 3: "not_integrated"},
            comments={1: '=HYPERLINK("http://evil","x") <script>alert(9)</script>'},
            web={"staff": 0, "delivery": 3},
        )
        for pid, cat in (
            ("<img src=x onerror=alert(7)>", "transversal"),
            ("P02", "specific"),
            ("P03", "dont_know"),
        )
    ]
    return answers, score_answers(
        {a.number: a.category for a in kit.actions}, answers, web_scores=kit.web_scores
    )


@pytest.mark.parametrize("lang", LANGS)
def test_hostile_text_is_escaped(lang: str, tmp_path: Path) -> None:
    kit = hostile_kit(lang)
    answers, result = _hostile_result(kit)
    html = render_readout(kit, result)
    page = _common(html, lang)
    body = html.replace(f"<script>{environment().get_template(READOUT_SCRIPT).render()}</script>", "")
    assert "<script" not in body and "<img" not in body and "<b>" not in body and "<svg onload" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;img src=x onerror=alert(7)&gt;" in html
    assert "&lt;script&gt;document.title&lt;/script&gt;" in html
    assert not any("alert" in v or "<" in v for v in page.values)
    path = tmp_path / "hostile.xlsx"
    write_readout_workbook(kit, result, path, answers=answers)
    wb = openpyxl.load_workbook(path)
    comments = wb.worksheets[5]
    cell = comments.cell(row=2, column=4)
    assert cell.data_type == "s" and str(cell.value).startswith("=HYPERLINK")
    labels = wb.worksheets[1].cell(row=2, column=2)
    assert labels.data_type == "s" and "=cmd" in str(labels.value)


# ----------------------------------------------------------------------------------------------- workbook
SHEETS = {
    "fr": ["Synthèse", "Actions", "Participants", "Toile", "Pistes d'actions", "Commentaires"],
    "en": ["Summary", "Actions", "Participants", "Web", "Courses of action", "Comments"],
}


@pytest.mark.parametrize("lang", LANGS)
def test_readout_workbook_reads_back(rooms: dict[str, Any], lang: str, tmp_path: Path) -> None:
    kit, answers, result = rooms[lang]
    path = tmp_path / "restitution.xlsx"
    write_readout_workbook(kit, result, path, answers=answers)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == SHEETS[lang]
    summary = {row[0]: row[1] for row in wb.worksheets[0].iter_rows(values_only=True)}
    r = words(lang)["readout"]
    assert result.fleiss is not None
    assert summary[r["xl_fleiss"]] == pytest.approx(result.fleiss.kappa)
    assert summary[r["xl_ci_low"]] == pytest.approx(result.fleiss.ci_low)
    assert summary[r["xl_participants"]] == len(result.participants)
    assert summary[r["xl_fleiss_actions"]] == result.fleiss_actions
    assert words(lang)["landis_koch"]["scale"] in summary[r["xl_band"]]

    actions = wb.worksheets[1]
    assert actions.freeze_panes == "A2" and actions.auto_filter.ref is not None
    rows = list(actions.iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in rows] == [a.number for a in result.actions]
    for row, a in zip(rows, result.actions, strict=True):
        assert all(isinstance(v, int) for v in row[3:8])
        assert list(row[3:7]) == [
            a.counts[c] for c in ("specific", "transversal", "not_integrated", "dont_know")
        ]
        assert row[10] == pytest.approx(a.agreement)
        assert row[13] == result.agenda.index(a.number) + 1

    participants = list(wb.worksheets[2].iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in participants] == [p.id for p in result.participants]
    for row, p in zip(participants, result.participants, strict=True):
        assert p.with_bie is not None and row[2] == pytest.approx(p.with_bie.kappa)
        assert row[6] == p.answered and row[8] == p.same_as_bie

    web = list(wb.worksheets[3].iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in web] == [kit.elements[w.element] for w in result.web]
    assert [row[4] for row in web] == [w.gap for w in result.web]

    pistes = list(wb.worksheets[4].iter_rows(min_row=2, values_only=True))
    assert len(pistes) == sum(max(len(s.practices), 1) for s in result.suggestions)
    comments = list(wb.worksheets[5].iter_rows(min_row=2, values_only=True))
    assert sorted(row[0] for row in comments) == ["P01", "P04", "P07"]


# ----------------------------------------------------------------------------------------------- browser
@pytest.mark.browser
def test_readout_projects_in_chromium(require_browser: str, rooms: dict[str, Any], tmp_path: Path) -> None:
    from tests.test_report_browser import ARGS, _sync_playwright, png_summary

    ARTIFACTS.mkdir(exist_ok=True)
    with _sync_playwright()() as p:
        browser = p.chromium.launch(executable_path=require_browser, args=ARGS)
        try:
            for lang in LANGS:
                kit, _, result = rooms[lang]
                path = tmp_path / f"readout_{lang}.html"
                path.write_text(render_readout(kit, result), encoding="utf-8")
                url = path.resolve().as_uri()
                page = browser.new_page(viewport={"width": 1280, "height": 720})
                requests: list[str] = []
                problems: list[str] = []
                page.on("request", lambda req, seen=requests: seen.append(req.url))
                page.on(
                    "console",
                    lambda m, bad=problems: bad.append(m.text) if m.type in ("error", "warning") else None,
                )
                page.on("pageerror", lambda e, bad=problems: bad.append(str(e)))
                page.goto(url)
                page.wait_for_load_state("load")
                try:
                    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
                    assert width[0] <= width[1], width
                    small = page.evaluate(
                        "() => [...document.querySelectorAll('main *')]"
                        ".filter(e => e.closest('svg') === null && e.offsetParent !== null"
                        " && [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))"
                        ".map(e => [e.tagName, parseFloat(getComputedStyle(e).fontSize)])"
                        ".filter(([, size]) => size < 24)"
                    )
                    assert small == [], small[:5]
                    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 24
                    current = (
                        "() => { const y = window.scrollY + 4; let i = 0;"
                        " document.querySelectorAll('.screen').forEach((s, k) => {"
                        " if (s.getBoundingClientRect().top + window.scrollY <= y) i = k; }); return i; }"
                    )
                    page.keyboard.press("Home")
                    assert page.evaluate(current) == 0
                    page.screenshot(path=str(ARTIFACTS / f"workshop_readout_title_{lang}.png"))
                    seen = [0]
                    for key in ("ArrowRight", "PageDown", " ", "ArrowRight"):
                        before = page.evaluate("window.scrollY")
                        page.keyboard.press(key)
                        assert page.evaluate("window.scrollY") > before, key
                        seen.append(page.evaluate(current))
                    assert seen == sorted(seen) and seen[-1] > 0, seen
                    page.screenshot(path=str(ARTIFACTS / f"workshop_readout_split_{lang}.png"))
                    page.keyboard.press("ArrowLeft")
                    assert page.evaluate(current) < seen[-1]
                    page.keyboard.press("End")
                    screens = page.evaluate("document.querySelectorAll('.screen').length")
                    assert page.evaluate(current) == screens - 1
                    for screen in ("reveal", "web"):
                        target = "screen-web" if screen == "web" else f"reveal-{result.agenda[0]}"
                        page.evaluate(f"document.getElementById('{target}').scrollIntoView()")
                        shot = ARTIFACTS / f"workshop_readout_{screen}_{lang}.png"
                        page.screenshot(path=str(shot))
                        assert png_summary(shot)[2] > 100
                    assert requests == [url], requests
                    assert not problems, problems
                finally:
                    page.close()
            # without script: every screen is there, stacked, at least a window high
            context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 720})
            try:
                page = context.new_page()
                page.goto((tmp_path / "readout_fr.html").resolve().as_uri())
                heights = page.evaluate("[...document.querySelectorAll('.screen')].map(s => s.offsetHeight)")
                assert heights and min(heights) >= 720
                assert page.evaluate("document.documentElement.scrollHeight") >= sum(heights)
            finally:
                context.close()
        finally:
            browser.close()
