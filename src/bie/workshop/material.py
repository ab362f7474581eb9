"""The printable material of a workshop kit: action cards, the blank web poster, the answer key and the
facilitator guide, each a self-contained HTML page (a string) laid out from a :class:`bie.workshop.kit.Kit`.

    cards = render_cards(kit)          # A4 portrait, one action per page, never bie's answer
    poster = render_poster("fr")       # A3 landscape, the blank web to fill with stickers
    svg = render_poster_svg("fr")      # the same picture alone, to print or project
    key = render_key(kit)              # the answer key, for the trainer only
    guide = render_guide(kit)          # the half-day plan, the definitions, how to read the results

Every word comes from ``bie/data/workshop_words.yaml`` (fr and en side by side); the layout lives in the
``templates/workshop_*.html.j2`` templates and ``templates/workshop.css``. The pages are safe in the
report's way (:mod:`bie.report.html`): the same Jinja2 environment (autoescape, ``StrictUndefined``, no
``|safe``), the only Markup inserted as is is bie's own drawing (the poster, checked by
:func:`bie.report.html.checked_svg`, and the palette swatches of :mod:`bie.report.charts`), data never
reaches an attribute, and the report's Content-Security-Policy forbids every request; these pages run no
script, so ``script-src`` is ``'none'``.

The poster draws the web of :func:`bie.web.model.load_model` as a radar: the four spheres are the four
quadrants of the web picture of :mod:`bie.web.svg` (same ring order, same sector per sphere, same tints), each
element a spoke with four empty circles, its levels 0 (centre) to 3 (outside), where a group sticks its
dots; the links between elements are drawn in the middle between numbered nodes.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from markupsafe import Markup

from bie._version import __version__
from bie.i18n import check_lang, fmt_in
from bie.report import charts
from bie.report.html import checked_svg, content_security_policy, environment
from bie.vocabulary import field_label
from bie.web.model import WebModel, load_model
from bie.web.svg import FONT, TINT_INK, TINTS, _f, _text_width, _wrap
from bie.workshop.kit import CHOICES, Kit, KitAction, words
from bie.workshop.stats import landis_koch

__all__ = [
    "PLAN",
    "page_policy",
    "render_cards",
    "render_guide",
    "render_key",
    "render_poster",
    "render_poster_svg",
]

PLAN: tuple[tuple[str, int], ...] = (
    ("welcome", 20),
    ("classify", 45),
    ("debate", 30),
    ("reveal", 20),
    ("pause", 15),
    ("web", 45),
    ("pistes", 30),
    ("wrapup", 5),
)
"""The half-day: each step (words in ``plan_steps`` and ``plan_how``) and its length in minutes."""

START = (9, 0)
"""When the half-day starts (hour, minute)."""

FIELD_CAP = 700
"""Characters of one field shown on a card; a longer text is cut at a word and says so (the workbook has it
whole). The selection already prefers actions under 900 characters in all (``bie.workshop.select``)."""

TEXT_PT, DENSE_PT = 15.0, 14.0
"""The type of a card's text: 15 pt, or 14 pt when the text would not fit otherwise (never less)."""

ROOM_MM = 155.0
"""Height left for the text of a card: an A4 page less its margins, header, answer box, footer and the note
on a shortened text (162 mm measured in Chromium; :func:`_height_mm` overestimates by about a tenth)."""


# ------------------------------------------------------------------------------------------- shared
def page_policy() -> str:
    """The report's Content-Security-Policy with no script at all (these pages have none)."""
    parts = [part.strip() for part in content_security_policy("").split(";")]
    return "; ".join("script-src 'none'" if part.startswith("script-src") else part for part in parts)


def _m(lang: str) -> dict[str, str]:
    material: dict[str, str] = words(lang)["material"]
    return material


def _page(template: str, lang: str, title: str, footer: str, **context: Any) -> str:
    env = environment()
    return env.get_template(template).render(
        lang=lang, title=title, footer=footer, csp=page_policy(), version=__version__, **context
    )


def _footer(kit: Kit) -> str:
    return fmt_in(kit.lang, _m(kit.lang)["footer"], version=__version__, id=kit.id)


def _shorten(text: str, cap: int) -> tuple[str, bool]:
    """``text`` cut at the last word boundary before ``cap`` characters, with « … »; and whether it was
    cut."""
    if len(text) <= cap:
        return text, False
    cut = text[:cap].rsplit(" ", 1)[0].rstrip(" ,;:.") or text[:cap]
    return cut + " …", True


# ------------------------------------------------------------------------------------------- cards
def _height_mm(fields: Sequence[tuple[str, str, bool]], size: float) -> float:
    """A generous estimate of the height of a card's fields set in ``size`` points (162 mm wide)."""
    mm_per_pt = 0.3528
    total = 0.0
    for _, text, headline in fields:
        scale = 1.3 if headline else 1.0
        per_line = int(162 / (size * scale * mm_per_pt * 0.52))
        lines = max(1, -(-len(text) // per_line))
        total += 6.0 + lines * size * scale * 1.3 * mm_per_pt + 2.5
    return total


def _card(action: KitAction, total: int, lang: str, title_label: str) -> dict[str, Any]:
    """What one card shows; the texts are cut (at a word, saying so) until the card fits its page."""
    m = _m(lang)
    fields = [(label, text, label == title_label) for label, text in action.fields]
    cap = FIELD_CAP
    shown = [(label, *_shorten(text, cap), headline) for label, text, headline in fields]
    while _height_mm([(lb, t, h) for lb, t, _, h in shown], DENSE_PT) > ROOM_MM and cap > 80:
        cap -= 40
        shown = [(label, *_shorten(text, cap), headline) for label, text, headline in fields]
    shortened = any(c for _, _, c, _ in shown)
    dense = shortened or _height_mm([(lb, t, h) for lb, t, _, h in shown], TEXT_PT) > ROOM_MM
    return {
        "number": action.number,
        "heading": fmt_in(lang, m["card_number"], n=action.number),
        "of": fmt_in(lang, m["card_of"], n=action.number, total=total),
        "fields": [{"label": lb, "text": t, "cut": c, "headline": h} for lb, t, c, h in shown],
        "shortened": shortened,
        "dense": dense,
    }


def render_cards(kit: Kit) -> str:
    """The action cards of ``kit``: A4 portrait, one action per page, large type, the text participants read
    and a line to answer with the four choices as tick boxes (never bie's answer nor why it was chosen)."""
    lang = kit.lang
    m = _m(lang)
    choices = words(lang)["choices"]
    title_label = field_label("title", lang)
    return _page(
        "workshop_cards.html.j2",
        lang,
        fmt_in(lang, m["cards_title"], title=kit.title),
        _footer(kit),
        m=m,
        kit_title=kit.title,
        kit_id=kit.id,
        cards=[_card(a, len(kit.actions), lang, title_label) for a in kit.actions],
        choices=[choices[c] for c in CHOICES],
    )


# ------------------------------------------------------------------------------------------- poster
W, H = 1680, 1168
"""The poster picture: a quarter of a millimetre per unit on an A3 landscape page with 8 mm margins."""
PCX, PCY = 840.0, 574.0
SX = 1.3
"""The web is stretched sideways (an ellipse, to use the landscape page)."""
LEVELS = (140.0, 202.0, 264.0, 326.0)
"""Radius of the circle of each level 0–3 (0 at the centre: the further out, the stronger)."""
STICKER = 23.0
"""Radius of an empty circle for a sticker (11.5 mm across: an 8–10 mm dot fits)."""
HUB = 98.0
"""Radius of the ring of numbered nodes between which the links are drawn, in the middle."""
NODE = 14.0
LABEL_R = 356.0
HEAD_Y = (40.0, 72.0)
LEGEND_TOP = 1062.0
INK = "#1f2937"
MUTED = "#4b5563"
GRID = "#9ca3af"
LINK = "#374151"
BIG, SMALL = 22.0, 16.5
LH_BIG, LH_SMALL = 25.0, 19.5


def _sphere_order(model: WebModel) -> list[str]:
    """Spheres in ring order, as in :mod:`bie.web.svg`."""
    sphere_of = {e.id: e.sphere for e in model.elements}
    seen: list[str] = []
    for element_id in model.ring:
        if sphere_of[element_id] not in seen:
            seen.append(sphere_of[element_id])
    return seen


def _angles(model: WebModel) -> dict[str, float]:
    """The angle of each element, as in :mod:`bie.web.svg`: from the west, clockwise, one equal sector per
    sphere (first sphere top-left), its elements spread evenly inside."""
    spheres = _sphere_order(model)
    sector = 2 * math.pi / len(spheres)
    sphere_of = {e.id: e.sphere for e in model.elements}
    out: dict[str, float] = {}
    for s_i, sphere_id in enumerate(spheres):
        members = [e for e in model.ring if sphere_of[e] == sphere_id]
        for m_i, element_id in enumerate(members):
            out[element_id] = math.pi + s_i * sector + sector * (m_i + 0.5) / len(members)
    return out


def _polar(radius: float, angle: float) -> tuple[float, float]:
    return PCX + SX * radius * math.cos(angle), PCY + radius * math.sin(angle)


def _text(
    x: float,
    y: float,
    lines: Sequence[str],
    size: float,
    *,
    anchor: str = "start",
    weight: str = "400",
    fill: str = INK,
    lh: float | None = None,
    cls: str = "",
) -> str:
    step = lh or size * 1.22
    klass = f' class="{cls}"' if cls else ""
    out = [
        f'<text{klass} x="{_f(x)}" y="{_f(y)}" text-anchor="{anchor}" font-size="{_f(size)}" '
        f'font-weight="{weight}" fill="{fill}">'
    ]
    for i, line in enumerate(lines):
        out.append(f'<tspan x="{_f(x)}" dy="{"0" if i == 0 else _f(step)}">{escape(line)}</tspan>')
    out.append("</text>")
    return "".join(out)


@dataclass
class _Block:
    """The number, label and guiding question of an element, outside the web at its spoke."""

    head: list[str]
    question: list[str]
    x: float
    top: float
    anchor: str
    width: float
    below: bool

    @property
    def height(self) -> float:
        return len(self.head) * LH_BIG + 6 + len(self.question) * LH_SMALL

    @property
    def left(self) -> float:
        return self.x - self.width if self.anchor == "end" else self.x

    def overlaps(self, other: _Block, gap: float = 10.0) -> bool:
        return (
            self.left < other.left + other.width + gap
            and other.left < self.left + self.width + gap
            and self.top < other.top + other.height + gap
            and other.top < self.top + self.height + gap
        )

    def svg(self) -> list[str]:
        first = self.top + BIG * 0.85
        second = self.top + len(self.head) * LH_BIG + 6 + SMALL * 0.85
        return [
            _text(self.x, first, self.head, BIG, anchor=self.anchor, weight="700", lh=LH_BIG, cls="element"),
            _text(
                self.x,
                second,
                self.question,
                SMALL,
                anchor=self.anchor,
                fill=MUTED,
                lh=LH_SMALL,
                cls="question",
            ),
        ]


def _block(number: int, label: str, question: str, angle: float) -> _Block:
    c, s = math.cos(angle), math.sin(angle)
    side = abs(c) > 0.42
    head = _wrap(f"{number}. {label}", 28 if side else 26)
    lines = _wrap(question, 40 if side else 36)
    width = max([_text_width(line, BIG) for line in head] + [_text_width(line, SMALL) for line in lines])
    x, y = _polar(LABEL_R, angle)
    anchor = "start" if c > 0 else "end"
    block = _Block(head, lines, x, y, anchor, width, s > 0)
    if side:
        block.x += 12 if c > 0 else -12
        block.top = y - block.height / 2
    else:  # above or below the spoke, running away from the vertical axis
        block.x += -12 if c > 0 else 12
        block.top = y - block.height if s < 0 else y + 4
    return block


def _place(blocks: list[_Block]) -> None:
    """Push overlapping blocks apart vertically (away from the horizontal axis), within the picture."""
    for _ in range(40):
        moved = False
        ordered = sorted(blocks, key=lambda b: abs(b.top + b.height / 2 - PCY))
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                if a.overlaps(b):
                    step = 4.0
                    b.top += step if b.below else -step
                    moved = True
        for b in blocks:
            b.top = min(max(b.top, HEAD_Y[1] + 24), LEGEND_TOP - 8 - b.height)
        if not moved:
            return


def _hub_link(a: tuple[float, float], b: tuple[float, float], offset: float) -> tuple[str, str]:
    """A curve between two hub nodes, pulled towards the centre, and its arrowhead (a polygon)."""
    (x1, y1), (x2, y2) = a, b
    dx, dy = x2 - x1, y2 - y1
    dist = math.hypot(dx, dy) or 1.0
    mx, my = (x1 + x2) / 2, (y1 + y2) / 2
    nx, ny = dy / dist, -dx / dist
    pull = 0.15 + 0.25 * min(dist / (2 * HUB), 1.0)
    qx, qy = mx + (PCX - mx) * pull + nx * offset, my + (PCY - my) * pull + ny * offset
    sx, sy = qx - x1, qy - y1
    sd = math.hypot(sx, sy) or 1.0
    ex, ey = x2 - qx, y2 - qy
    ed = math.hypot(ex, ey) or 1.0
    ux, uy = ex / ed, ey / ed
    ax, ay = x1 + sx / sd * (NODE + 2), y1 + sy / sd * (NODE + 2)
    tx, ty = x2 - ux * (NODE + 2), y2 - uy * (NODE + 2)
    head = 10.0
    bx, by = tx - ux * head, ty - uy * head
    half = head * 0.5
    points = [(tx, ty), (bx - uy * half, by + ux * half), (bx + uy * half, by - ux * half)]
    d = f"M{_f(ax)},{_f(ay)} Q{_f(qx)},{_f(qy)} {_f(bx)},{_f(by)}"
    return d, " ".join(f"{_f(px)},{_f(py)}" for px, py in points)


def _circle(
    x: float, y: float, r: float, *, fill: str = "#ffffff", stroke: str = INK, width: float = 1.6
) -> str:
    return (
        f'<circle cx="{_f(x)}" cy="{_f(y)}" r="{_f(r)}" fill="{fill}" stroke="{stroke}" '
        f'stroke-width="{_f(width)}"/>'
    )


def _legend(m: dict[str, str], top: float) -> list[str]:
    """The legend, along the bottom: levels and sticker circles, then link and broken link."""
    size = 17.0
    row1, row2 = top + 34, top + 70
    out = ['<g class="legend">', _text(24, row1, [m["legend"]], 19, weight="700")]
    x = 130.0
    for level in range(4):
        out.append(_circle(x + 12 + level * 30, row1 - 6, 12))
        out.append(_text(x + 12 + level * 30, row1 - 1, [str(level)], 14, anchor="middle", fill=MUTED))
    out.append(_text(x + 128, row1, [m["legend_levels"]], size))
    out.append(_circle(x + 12, row2 - 6, 12))
    out.append(_text(x + 36, row2, [m["legend_sticker"]], size))
    x2 = 860.0
    out.append(
        f'<path d="M{_f(x2)},{_f(row1 - 6)} L{_f(x2 + 44)},{_f(row1 - 6)}" stroke="{LINK}" stroke-width="2"/>'
    )
    out.append(
        f'<polygon points="{_f(x2 + 54)},{_f(row1 - 6)} {_f(x2 + 44)},{_f(row1 - 11)} '
        f'{_f(x2 + 44)},{_f(row1 - 1)}" '
        f'fill="{LINK}"/>'
    )
    out.append(_text(x2 + 66, row1, [m["legend_link"]], size))
    out.append(
        f'<path d="M{_f(x2)},{_f(row2 - 6)} L{_f(x2 + 44)},{_f(row2 - 6)}" stroke="{LINK}" stroke-width="5" '
        'stroke-dasharray="8 5"/>'
    )
    out.append(
        f'<polygon points="{_f(x2 + 56)},{_f(row2 - 6)} {_f(x2 + 44)},{_f(row2 - 13)} '
        f'{_f(x2 + 44)},{_f(row2 + 1)}" '
        f'fill="{LINK}"/>'
    )
    out.append(_text(x2 + 66, row2, [m["legend_broken"]], size))
    out.append("</g>")
    return out


def render_poster_svg(lang: str = "fr") -> str:
    """The blank web as a standalone SVG document: the elements in their four spheres with their guiding
    question, four empty circles per element for the levels 0–3, the links, a legend."""
    lang = check_lang(lang)
    m = _m(lang)
    model = load_model()
    angles = _angles(model)
    spheres = _sphere_order(model)
    numbers = {element_id: i + 1 for i, element_id in enumerate(model.ring)}
    title = m["poster_title"]
    desc = fmt_in(
        lang,
        m["poster_desc"],
        n=len(model.elements),
        spheres=", ".join(model.sphere(s).label(lang) for s in spheres),
    )
    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="poster" width="{W}" height="{H}" '
        f'viewBox="0 0 {W} {H}" role="img" aria-labelledby="poster-title poster-desc" '
        f'font-family={quoteattr(FONT)} lang="{lang}">',
        f'<title id="poster-title">{escape(title)}</title>',
        f'<desc id="poster-desc">{escape(desc)}</desc>',
        f'<rect x="0" y="0" width="{W}" height="{H}" fill="#ffffff"/>',
    ]
    # quadrants: one tint per sphere, its title in the outer corner
    top, bottom, left, right = HEAD_Y[1] + 22, LEGEND_TOP, 8.0, float(W - 8)
    corners = [(left, top), (right, top), (right, bottom), (left, bottom)]
    out.append('<g class="spheres">')
    for i, _sphere in enumerate(spheres[:4]):
        cx_, cy_ = corners[i]
        x0, x1 = sorted((cx_, PCX))
        y0, y1 = sorted((cy_, PCY))
        out.append(
            f'<rect x="{_f(x0)}" y="{_f(y0)}" width="{_f(x1 - x0)}" height="{_f(y1 - y0)}" '
            f'fill="{TINTS[i]}"/>'
        )
    for i, sphere_id in enumerate(spheres[:4]):
        cx_, cy_ = corners[i]
        lines = _wrap(model.sphere(sphere_id).title(lang), 22)
        anchor = "start" if cx_ < PCX else "end"
        tx = cx_ + (16 if cx_ < PCX else -16)
        ty = cy_ + 34 if cy_ < PCY else cy_ - 16 - 30 * (len(lines) - 1)
        out.append(
            _text(tx, ty, lines, 26, anchor=anchor, weight="700", fill=TINT_INK[i], lh=30, cls="sphere")
        )
    out.append("</g>")
    # heading
    out.append(_text(24, HEAD_Y[0], [title], 30, weight="700", cls="heading"))
    out.append(_text(24, HEAD_Y[1], [m["poster_subtitle"]], 18, fill=MUTED))
    out.append(_text(W - 24, HEAD_Y[0], [m["poster_where"]], 18, anchor="end"))
    # level rings and spokes
    out.append('<g class="grid" fill="none">')
    for level, radius in enumerate(LEVELS):
        out.append(
            f'<ellipse cx="{_f(PCX)}" cy="{_f(PCY)}" rx="{_f(SX * radius)}" ry="{_f(radius)}" '
            f'stroke="{GRID}" '
            f'stroke-width="1.4" stroke-dasharray="{"3 6" if level == 0 else "8 6"}"/>'
        )
    for angle in angles.values():
        x0_, y0_ = _polar(HUB + NODE + 4, angle)
        x1_, y1_ = _polar(LEVELS[-1] + STICKER + 6, angle)
        out.append(
            f'<line x1="{_f(x0_)}" y1="{_f(y0_)}" x2="{_f(x1_)}" y2="{_f(y1_)}" stroke="{GRID}" '
            'stroke-width="1.4"/>'
        )
    out.append("</g>")
    # links between the numbered hub nodes
    hub = {element_id: _polar(HUB, angle) for element_id, angle in angles.items()}
    pairs = {(link.source, link.target) for link in model.links}
    out.append('<g class="links" fill="none">')
    for link in model.links:
        offset = 7.0 if (link.target, link.source) in pairs else 0.0
        d, head = _hub_link(hub[link.source], hub[link.target], offset)
        name = f"{model.element(link.source).label(lang)} → {model.element(link.target).label(lang)}"
        out.append(
            f'<g class="link"><title>{escape(name)}</title><path d="{d}" stroke="{LINK}" stroke-width="1.6"/>'
            f'<polygon points="{head}" fill="{LINK}"/></g>'
        )
    out.append("</g>")
    out.append('<g class="hub">')
    for element_id, (x, y) in hub.items():
        out.append(_circle(x, y, NODE))
        out.append(_text(x, y + 5.5, [str(numbers[element_id])], 15, anchor="middle", weight="700"))
    out.append("</g>")
    # the empty circles for the stickers, then the element blocks
    out.append('<g class="stickers">')
    for angle in angles.values():
        for level, radius in enumerate(LEVELS):
            x, y = _polar(radius, angle)
            out.append(_circle(x, y, STICKER, width=2).replace("<circle ", '<circle class="sticker" ', 1))
            out.append(_text(x, y + 5.5, [str(level)], 15, anchor="middle", fill="#6b7280"))
    out.append("</g>")
    blocks = []
    for element_id in model.ring:
        element = model.element(element_id)
        questions = element.questions(lang)
        blocks.append(
            _block(
                numbers[element_id],
                element.label(lang),
                questions[0] if questions else "",
                angles[element_id],
            )
        )
    _place(blocks)
    out.append('<g class="elements">')
    for block in blocks:
        out.extend(block.svg())
    out.append("</g>")
    out.extend(_legend(m, LEGEND_TOP))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def render_poster(lang: str = "fr") -> str:
    """The blank web poster as an HTML page printed on A3 landscape (the SVG of :func:`render_poster_svg`)."""
    lang = check_lang(lang)
    m = _m(lang)
    svg = checked_svg(render_poster_svg(lang))
    if svg is None:  # pragma: no cover - bie's own drawing always passes
        raise ValueError("the poster drawing failed the SVG check")
    return _page(
        "workshop_poster.html.j2",
        lang,
        m["poster_page"],
        f"bie {__version__}",
        m=m,
        svg=svg,
    )


# ------------------------------------------------------------------------------------------- answer key
def _key_action(action: KitAction, kit: Kit) -> dict[str, Any]:
    m = _m(kit.lang)
    source = ""
    if action.file:
        source = (
            fmt_in(kit.lang, m["key_source_row"], file=action.file, row=action.row)
            if action.row
            else action.file
        )
    return {
        "number": action.number,
        "label": action.label,
        "category": action.category,
        "category_label": action.category_label,
        "swatch": charts.swatch(action.category, size=22)
        if action.category in charts.PALETTE
        else Markup(""),
        "reasons": list(action.reasons),
        "review": action.review_reason,
        "why": list(action.why),
        "definition": action.definition,
        "question": action.question,
        "elements": [kit.elements.get(e, e) for e in action.web_elements],
        "source": source,
    }


def render_key(kit: Kit) -> str:
    """The answer key of ``kit``, for the trainer only: per action bie's category (palette colour, pattern
    and words), its reasons, why it was chosen, the definition, the question, the web elements, the source;
    then the roles no action could fill."""
    lang = kit.lang
    m = _m(lang)
    actions = [_key_action(a, kit) for a in kit.actions]
    return _page(
        "workshop_key.html.j2",
        lang,
        m["key_title"],
        _footer(kit),
        m=m,
        kit_title=kit.title,
        kit_id=kit.id,
        actions=actions,
        missing=list(kit.missing),
        patterns=charts.pattern_defs(),
        pistes=_key_pistes(kit),
    )


def _key_pistes(kit: Kit) -> list[dict[str, Any]]:
    """The file's weak elements and broken links, each with its « pistes d'actions » and their sources."""
    from bie.workshop.practices import suggest

    m = _m(kit.lang)
    out = []
    for s in suggest(kit.weak, kit.broken):
        if s.element is not None:
            heading = fmt_in(kit.lang, m["key_weak_element"], label=kit.elements.get(s.element, s.element))
        else:
            a, b = s.link or ("", "")
            heading = fmt_in(
                kit.lang, m["key_broken_link"], source=kit.elements.get(a, a), target=kit.elements.get(b, b)
            )
        out.append(
            {
                "heading": heading,
                "practices": [
                    {"text": p.text(kit.lang), "sources": [f"{src.title} — {src.href}" for src in p.sources]}
                    for p in s.practices
                ],
            }
        )
    return out


# ------------------------------------------------------------------------------------------- guide
def _clock(lang: str, minutes: int) -> str:
    h, mm = divmod(minutes, 60)
    return fmt_in(lang, _m(lang)["time"], h=h, m=f"{mm:02d}")


def _plan(lang: str, start: tuple[int, int]) -> list[dict[str, str]]:
    w = words(lang)
    m = w["material"]
    at = start[0] * 60 + start[1]
    rows = []
    for step, length in PLAN:
        rows.append(
            {
                "time": fmt_in(lang, m["time_range"], start=_clock(lang, at), end=_clock(lang, at + length)),
                "length": fmt_in(lang, m["minutes"], n=length),
                "step": w["plan_steps"][step],
                "how": w["plan_how"][step],
                "id": step,
            }
        )
        at += length
    return rows


def _decimal(lang: str, value: float) -> str:
    text = f"{value:.2f}"
    return text.replace(".", ",") if lang == "fr" else text


def _kappa_scale(lang: str) -> list[tuple[str, str]]:
    """(range, words) of each Landis & Koch band; the band of each range is the one
    :func:`bie.workshop.stats.landis_koch` gives its upper bound."""
    m = _m(lang)
    bands = {band: str(text[lang]) for band, text in words(lang)["landis_koch"]["bands"].items()}
    bounds = [0.0, 0.20, 0.40, 0.60, 0.80, 1.0]
    rows = [(m["kappa_below"], bands[landis_koch(-0.5)])]
    for low, high in itertools.pairwise(bounds):
        band = landis_koch(high)
        low_text = _decimal(lang, low if low == 0 else low + 0.01)
        rows.append((fmt_in(lang, m["kappa_range"], low=low_text, high=_decimal(lang, high)), bands[band]))
    return rows


def render_guide(kit: Kit, *, start: tuple[int, int] = START) -> str:
    """The facilitator guide of ``kit``: the kit's facts, the material, a half-day plan with its timings
    (from ``start``, 9:00 by default), the definitions, and how to run ``bie workshop score`` and read it."""
    lang = kit.lang
    w = words(lang)
    m = w["material"]
    shared = kit.participants == ("",)
    workbooks = (
        m["fact_shared"]
        if shared
        else fmt_in(lang, m["fact_per_participant"], n=len(kit.participants), ids=", ".join(kit.participants))
    )
    facts = [
        (m["fact_id"], kit.id),
        (m["fact_sources"], ", ".join(kit.sources)),
        (m["fact_actions"], str(len(kit.actions))),
        (m["fact_workbooks"], workbooks),
        (m["fact_seed"], str(kit.seed)),
        (
            m["fact_versions"],
            fmt_in(lang, m["fact_versions_text"], rules=kit.rules_version, web=kit.web_version),
        ),
    ]
    return _page(
        "workshop_guide.html.j2",
        lang,
        fmt_in(lang, m["guide_title"], title=kit.title),
        _footer(kit),
        m=m,
        facts=facts,
        plan=_plan(lang, start),
        definitions=[w["definitions"][c] for c in ("specific", "transversal", "not_integrated", "to_review")],
        scale_name=w["landis_koch"]["scale"],
        scale=_kappa_scale(lang),
        missing=list(kit.missing),
    )
