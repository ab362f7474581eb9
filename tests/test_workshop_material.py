"""The printable material of the workshop kit (bie.workshop.material): cards, poster, answer key, guide.

Structure and words in both languages, hostile text escaped, and, in a real headless Chromium (skipped when
none is installed), the cards printed to PDF with one page per action and nothing cut, the poster on one A3
page; screenshots in tests/_artifacts/ (workshop_cards_fr.png, workshop_poster_fr.png, workshop_poster_en.png).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

import pytest
from markupsafe import escape

from bie.audit import Audit, audit
from bie.report.html import checked_svg
from bie.resources import load_data
from bie.web.model import load_model
from bie.workshop.kit import CHOICES, Kit, KitAction, build_kit, words
from bie.workshop.material import (
    PLAN,
    page_policy,
    render_cards,
    render_guide,
    render_key,
    render_poster,
    render_poster_svg,
)
from tests.conftest import FIXTURES

LANGS = ("fr", "en")
RULE_ID = re.compile(r"\b[A-Z]{2,}(?:-[A-Z0-9]+)*-\d{2}\b")


@pytest.fixture(scope="module")
def demo() -> Audit:
    return audit([FIXTURES / "programmation_cdv_2024.xlsx"])


@pytest.fixture(scope="module")
def kits(demo: Audit) -> dict[str, Kit]:
    return {
        "fr": build_kit(demo, lang="fr", participants=8),
        "en": build_kit(demo, lang="en"),
    }


def _e(text: str) -> str:
    return str(escape(text))


def _hostile_action(number: int, description: str) -> KitAction:
    return KitAction(
        number=number,
        label="<script>alert(1)</script> =cmd|' /C calc'!A0",
        fields=(
            ("Intitulé de l'action", "<script>alert(1)</script> =cmd|' /C calc'!A0"),
            ("Description", description),
            ("Porteur", '"><img src=x onerror=alert(2)>'),
        ),
        file="<b>bad</b>.xlsx",
        row=7,
        roles=("trap",),
        why=("<i>why</i>",),
        category="specific",
        category_label="action spécifique",
        reasons=("<img src=x onerror=alert(3)> — Description : « <svg onload=alert(4)> »",),
        review_reason="<u>review</u>",
        confidence=None,
        web_elements=("staff", "<nope>"),
        definition="<b>definition</b>",
        question="<q>question</q>",
        amount=None,
    )


def hostile_kit(lang: str = "fr") -> Kit:
    long = " ".join(['=HYPERLINK("http://evil") <b>mot</b> très long'] * 120)
    return Kit(
        id="<kit>",
        lang=lang,
        seed=3,
        title="<script>document.title</script>",
        sources=("<x>.xlsx",),
        rules_version="<r>",
        web_version="<w>",
        actions=(
            _hostile_action(1, "<b>court</b>"),
            _hostile_action(2, long),
            _hostile_action(3, "x" * 3000),
        ),
        missing=("<m>missing</m>",),
        participants=("P01", "<P02>"),
        elements={"staff": "<Gestion du personnel>"},
        web_scores={"staff": 1},
    )


class _Attributes(HTMLParser):
    """Every attribute value of a page, and the text of its <script> elements."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()
        self.values: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.names.update(name for name, _ in attrs)
        self.values.extend(v or "" for _, v in attrs)
        self.scripts += tag == "script"


def _attributes(html: str) -> _Attributes:
    parser = _Attributes()
    parser.feed(html)
    return parser


def _common(html: str, lang: str) -> None:
    assert html.startswith("<!DOCTYPE html>")
    assert f'<html lang="{lang}">' in html
    assert f'content="{_e(page_policy())}"' in html
    assert "script-src 'none'" in page_policy() and "default-src 'none'" in page_policy()
    parsed = _attributes(html)
    assert parsed.scripts == 0
    # no link, no inline style nor event handler: data never reaches an attribute
    assert not parsed.names & {"src", "href", "style", "action"}, parsed.names
    assert not any(name.startswith("on") for name in parsed.names)
    assert not [v for v in parsed.values if "://" in v and v != "http://www.w3.org/2000/svg"]


# ----------------------------------------------------------------------------------------------- cards
@pytest.mark.parametrize("lang", LANGS)
def test_cards_show_every_action_and_never_the_answer(kits: dict[str, Kit], lang: str) -> None:
    kit = kits[lang]
    html = render_cards(kit)
    _common(html, lang)
    assert "@page { size: A4 portrait;" in html
    assert html.count('<article class="card') == len(kit.actions) == 12
    w = words(lang)
    choices = [w["choices"][c] for c in CHOICES]
    for action in kit.actions:
        assert f'id="card-{action.number}"' in html
        for label, text in action.fields:
            assert _e(label) in html and _e(text) in html
        # never bie's answer, its reasons, why it was chosen, the definition or the question
        for secret in (*action.reasons, *action.why, action.definition, action.question):
            assert not secret or _e(secret) not in html, secret
    for category in ("to_review",):
        assert _e(w["definitions"][category]) not in html
    assert "à examiner" not in html.lower() and "to review" not in html.lower()
    assert not RULE_ID.search(html), RULE_ID.search(html)
    # the four choices, in order, as empty tick boxes on every card
    assert html.count('<span class="box" aria-hidden="true"></span>') == 4 * len(kit.actions)
    for choice in choices:
        assert html.count(f"</span> {_e(choice)}</li>") == len(kit.actions)
    assert "checked" not in html and "✔" not in html and "☑" not in html


def test_cards_leave_bie_category_words_to_the_choices(kits: dict[str, Kit]) -> None:
    """A category label shows on a card only where the file's own text or the choices have it."""
    kit = kits["fr"]
    html = render_cards(kit)
    labels = load_data("labels.yaml")["categories"]
    text = " ".join(t for a in kit.actions for _, t in a.fields).lower()
    for category, entry in labels.items():
        for word in (entry["fr"], entry["short_fr"]):
            if word.lower() not in text and word not in words("fr")["choices"].values():
                assert _e(word) not in html, (category, word)


def test_cards_cut_a_long_text_and_say_so() -> None:
    kit = hostile_kit()
    html = render_cards(kit)
    m = words("fr")["material"]
    assert html.count(_e(m["card_shortened"])) == 2  # the two long descriptions, not the short one
    assert html.count('<article class="card dense"') == 2
    assert "x" * 701 not in html


# ----------------------------------------------------------------------------------------------- poster
@pytest.mark.parametrize("lang", LANGS)
def test_poster_draws_the_blank_web(lang: str) -> None:
    model = load_model()
    svg = render_poster_svg(lang)
    assert checked_svg(svg) is not None
    assert svg.startswith("<svg") and 'role="img"' in svg and "<desc " in svg
    assert svg.count('class="sticker"') == 4 * len(model.elements) == 52
    assert svg.count('<g class="link">') == len(model.links)
    for element in model.elements:
        assert xml_escape(element.label(lang).split()[0]) in svg
        assert xml_escape(element.questions(lang)[0].split()[0]) in svg
    for sphere in model.spheres:
        assert xml_escape(sphere.title(lang).split()[-1]) in svg
    m = words(lang)["material"]
    assert xml_escape(m["legend"]) in svg and xml_escape(m["legend_link"]) in svg
    assert svg == render_poster_svg(lang)
    html = render_poster(lang)
    _common(html, lang)
    assert "@page { size: A3 landscape;" in html
    assert svg.strip() in html


def test_poster_blocks_stay_inside_the_picture() -> None:
    """Every text line of the poster starts inside the 1680 × 1168 picture."""
    for lang in LANGS:
        svg = render_poster_svg(lang)
        for x, y in re.findall(r'<text[^>]* x="([-\d.]+)" y="([-\d.]+)"', svg):
            assert 0 <= float(x) <= 1680 and 0 <= float(y) <= 1168, (lang, x, y)


# ----------------------------------------------------------------------------------------------- key
@pytest.mark.parametrize("lang", LANGS)
def test_key_gives_every_answer_for_the_trainer(kits: dict[str, Kit], lang: str) -> None:
    kit = kits[lang]
    html = render_key(kit)
    _common(html, lang)
    m = words(lang)["material"]
    assert f"<title>{_e(m['key_title'])}</title>" in html
    assert _e(m["key_warning"]) in html
    assert "@page { size: A4 portrait;" in html
    palette = load_data("palette.yaml")["colours"]
    for action in kit.actions:
        assert f'id="action-{action.number}"' in html
        for text in (action.label, action.category_label, *action.reasons, *action.why, action.definition):
            assert _e(text) in html, text
        if action.question:
            assert _e(action.question) in html
        if action.review_reason:
            assert _e(action.review_reason) in html
        for element in action.web_elements:
            assert _e(kit.elements[element]) in html
        assert _e(f"{action.file}") in html and str(action.row) in html
        # colour, pattern and words: the swatch's pattern, its palette colour and the label
        assert f"url(#bie-fill-{action.category})" in html
        assert palette[action.category]["fill"] in html
        assert f'class="cat cat-{action.category}"' in html
    assert html.count('<section class="key-action"') == len(kit.actions)


def test_key_lists_the_roles_no_action_could_fill(kits: dict[str, Kit]) -> None:
    kit = hostile_kit()
    html = render_key(kit)
    assert _e("<m>missing</m>") in html
    assert _e(words("fr")["material"]["key_missing"]) in html
    assert _e("<Gestion du personnel>") in html and _e("<nope>") in html


# ----------------------------------------------------------------------------------------------- guide
@pytest.mark.parametrize("lang", LANGS)
def test_guide_plan_definitions_and_kappa_scale(kits: dict[str, Kit], lang: str) -> None:
    kit = kits[lang]
    html = render_guide(kit)
    _common(html, lang)
    w = words(lang)
    m = w["material"]
    assert sum(minutes for _, minutes in PLAN) == 210  # 9:00–12:30
    first, last = ("9 h 00 – 9 h 20", "12 h 25 – 12 h 30") if lang == "fr" else ("9:00–9:20", "12:25–12:30")
    assert first in html and last in html
    for step, _ in PLAN:
        assert _e(w["plan_steps"][step]) in html
    for category in ("specific", "transversal", "not_integrated", "to_review"):
        assert _e(w["definitions"][category]) in html
    assert "CAD-OCDE" in html if lang == "fr" else "OECD-DAC" in html
    assert _e(w["landis_koch"]["scale"]) in html
    for band in ("poor", "slight", "fair", "moderate", "substantial", "almost_perfect"):
        assert _e(w["landis_koch"]["bands"][band][lang]) in html
    assert "0,61" in html if lang == "fr" else "0.61" in html
    assert "bie workshop score" in html
    assert kit.id in html and _e(kit.sources[0]) in html
    assert f"<td>{len(kit.actions)}</td>" in html
    if lang == "fr":
        assert "P01, P02, P03, P04, P05, P06, P07, P08" in html
    else:
        assert _e(m["fact_shared"]) in html


def test_guide_starts_when_asked(kits: dict[str, Kit]) -> None:
    html = render_guide(kits["en"], start=(13, 30))
    assert "13:30–13:50" in html and "17:00" in html


def test_every_material_word_in_both_languages() -> None:
    data = load_data("workshop_words.yaml")
    for group in ("material", "plan_steps", "plan_how"):
        for key, entry in data[group].items():
            assert set(entry) == {"fr", "en"}, (group, key)
    for step, _ in PLAN:
        assert step in data["plan_steps"] and step in data["plan_how"]


# ----------------------------------------------------------------------------------------------- hostile
@pytest.mark.parametrize("lang", LANGS)
def test_hostile_text_is_escaped_everywhere(lang: str) -> None:
    kit = hostile_kit(lang)
    for html in (render_cards(kit), render_key(kit), render_guide(kit)):
        _common(html, lang)
        assert (
            "<script" not in html and "<img" not in html and "<b>" not in html and "<svg onload" not in html
        )
        assert "&lt;img src=x onerror=alert(" in html or "&lt;script&gt;" in html
        assert not any("alert" in v or "<" in v for v in _attributes(html).values)
    cards = render_cards(kit)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; =cmd|&#39; /C calc&#39;!A0" in cards
    assert "&lt;kit&gt;" in cards and "&lt;script&gt;document.title&lt;/script&gt;" in cards


# ----------------------------------------------------------------------------------------------- browser
ARTIFACTS = Path(__file__).parent / "_artifacts"


def _pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def _page_size_mm(pdf: bytes) -> tuple[float, float]:
    box = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert box is not None
    return float(box.group(1)) * 25.4 / 72, float(box.group(2)) * 25.4 / 72


@pytest.mark.browser
def test_material_prints_in_chromium(require_browser: str, kits: dict[str, Kit], tmp_path: Path) -> None:
    from tests.test_report_browser import ARGS, Opened, _sync_playwright, png_summary

    ARTIFACTS.mkdir(exist_ok=True)
    pages: dict[str, Any] = {
        "cards_fr": (render_cards(kits["fr"]), len(kits["fr"].actions), (210, 297)),
        "cards_hostile": (render_cards(hostile_kit()), 3, (210, 297)),
        "key_fr": (render_key(kits["fr"]), None, (210, 297)),
        "guide_en": (render_guide(kits["en"]), None, (210, 297)),
        "poster_fr": (render_poster("fr"), 1, (420, 297)),
        "poster_en": (render_poster("en"), 1, (420, 297)),
    }
    with _sync_playwright()() as p:
        browser = p.chromium.launch(executable_path=require_browser, args=ARGS)
        try:
            for name, (html, expected, size) in pages.items():
                path = tmp_path / f"{name}.html"
                path.write_text(html, encoding="utf-8")
                opened = Opened(browser, path, width=1280)
                try:
                    page = opened.page
                    page.emulate_media(media="print")
                    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
                    width, height = _page_size_mm(pdf)
                    assert abs(width - size[0]) < 1.5 and abs(height - size[1]) < 1.5, (name, width, height)
                    if expected is not None:
                        assert _pdf_pages(pdf) == expected, (name, _pdf_pages(pdf))
                    if name.startswith("cards"):
                        spill = page.evaluate(
                            "() => [...document.querySelectorAll('.card')]"
                            ".filter(c => c.scrollHeight > c.clientHeight + 1).map(c => c.id)"
                        )
                        assert spill == [], (name, spill)
                    if name in ("cards_fr", "poster_fr", "poster_en"):
                        # A4 portrait and A3 landscape at 96 px per inch
                        viewport = (794, 1123) if name.startswith("cards") else (1587, 1123)
                        page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
                        shot = ARTIFACTS / f"workshop_{name}.png"
                        page.screenshot(path=str(shot), full_page=name.startswith("poster"))
                        assert png_summary(shot)[2] > 100
                    assert opened.requests == [opened.url], opened.requests
                    assert not opened.problems(), opened.problems()
                finally:
                    page.close()
        finally:
            browser.close()
