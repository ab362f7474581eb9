"""The web as a standalone, accessible SVG picture, and its plain-language text alternative.

Four spheres as quadrants, the elements on a ring (order from ``layout.ring`` in ``web.yaml``), the links
as curved arrows. Each node is coloured *and* sized by its score and shows the score as a number; an
unknown element is drawn hollow with « ? »; a weak element (≤ 1) has a dashed outline and a « ! »
badge; a broken link is thick, dashed and has its own arrowhead — nothing relies on colour alone. The
palette is a sequential blue (light to dark, readable in greyscale and by colour-blind readers) with
Okabe–Ito vermillion for warnings. No external resource (fonts, images, scripts); every text is
XML-escaped. ``<title>`` and ``<desc>`` (the text alternative) are referenced by ``aria-labelledby``.

Every word comes from ``bie/data/web_words.yaml`` (entries ``picture_*`` and ``alt_*``), every number from
:class:`bie.i18n.Numbers`, as in the report.
"""

from __future__ import annotations

import math
from xml.sax.saxutils import escape, quoteattr

from bie.i18n import Numbers
from bie.web.model import LANGS
from bie.web.profile import ElementScore, WebProfile, _say

__all__ = ["render_svg", "text_alternative"]

WIDTH, HEIGHT = 1000, 900
CX, CY = 500.0, 418.0
RING = 238.0
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"

# Sequential blues (ColorBrewer "Blues"): lightness falls with the score, so greyscale keeps the order.
FILL = {0: "#eff3ff", 1: "#bdd7e7", 2: "#3182bd", 3: "#08306b"}
INK = {0: "#1f2937", 1: "#1f2937", 2: "#ffffff", 3: "#ffffff"}
RADIUS = {None: 17.0, 0: 14.0, 1: 18.0, 2: 23.0, 3: 28.0}
WARN = "#d55e00"  # Okabe–Ito vermillion
LINK = "#6b7280"
TEXT = "#1f2937"
MUTED = "#4b5563"
# Quadrant tints (one hue per sphere, very light) and their label colours.
TINTS = ("#fdf1e3", "#eaf4fb", "#e9f6ee", "#f6edf4")
TINT_INK = ("#8a4b08", "#0b5a8a", "#1d6b43", "#7a2f67")


def _check(lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"unsupported language {lang!r}; use one of {LANGS}")


def _f(x: float) -> str:
    """Coordinates with one decimal, no trailing zeros (stable output)."""
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _wrap(text: str, width: int) -> list[str]:
    """Greedy word wrap on ``width`` characters (a word longer than that stays whole)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= width or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def _text_width(text: str, size: float) -> float:
    """A rough width estimate for a sans-serif font (enough to keep labels inside the picture)."""
    return len(text) * size * 0.56


def _angles(profile: WebProfile) -> dict[str, float]:
    """Angle (radians, SVG orientation: clockwise from east) of each element on the ring.

    The ring starts at the left (west) and turns clockwise, so the first sphere sits top-left, the
    second top-right, the third bottom-right and the fourth bottom-left. Each sphere gets an equal
    sector; its elements are spread evenly inside it.
    """
    model = profile.model
    sphere_ids = [s.id for s in model.spheres]
    sector = 2 * math.pi / len(sphere_ids)
    sphere_of = {e.id: e.sphere for e in model.elements}
    out: dict[str, float] = {}
    for s_i, sphere_id in enumerate(sphere_ids):
        members = [e for e in model.ring if sphere_of[e] == sphere_id]
        for m_i, element_id in enumerate(members):
            start = math.pi + s_i * sector
            out[element_id] = start + sector * (m_i + 0.5) / len(members)
    return out


def _sphere_order(profile: WebProfile) -> list[str]:
    """Spheres in ring order (the order of their first element on the ring)."""
    model = profile.model
    sphere_of = {e.id: e.sphere for e in model.elements}
    seen: list[str] = []
    for element_id in model.ring:
        if sphere_of[element_id] not in seen:
            seen.append(sphere_of[element_id])
    return seen


def _node(es: ElementScore, x: float, y: float, prefix: str) -> list[str]:
    score = es.score
    r = RADIUS[score]
    out = [f'<g class="node" id={quoteattr(f"{prefix}-node-{es.id}")}>']
    if score is None:
        out.append(
            f'<circle cx="{_f(x)}" cy="{_f(y)}" r="{_f(r)}" fill="#ffffff" stroke="{MUTED}" '
            'stroke-width="2" stroke-dasharray="4 3"/>'
        )
        out.append(
            f'<text x="{_f(x)}" y="{_f(y + 5.5)}" text-anchor="middle" font-size="16" font-weight="700" '
            f'fill="{MUTED}">?</text>'
        )
    else:
        out.append(
            f'<circle cx="{_f(x)}" cy="{_f(y)}" r="{_f(r)}" fill="{FILL[score]}" stroke="#1e3a5f" '
            'stroke-width="1.5"/>'
        )
        size = 13 + score
        out.append(
            f'<text x="{_f(x)}" y="{_f(y + size * 0.36)}" text-anchor="middle" font-size="{size}" '
            f'font-weight="700" fill="{INK[score]}">{score}</text>'
        )
        if score <= 1:
            out.append(
                f'<circle cx="{_f(x)}" cy="{_f(y)}" r="{_f(r + 5)}" fill="none" stroke="{WARN}" '
                'stroke-width="2" stroke-dasharray="5 3"/>'
            )
            bx, by = x + (r + 3) * 0.72, y - (r + 3) * 0.72
            out.append(
                f'<circle cx="{_f(bx)}" cy="{_f(by)}" r="8" fill="{WARN}" stroke="#ffffff" '
                'stroke-width="1.5"/>'
            )
            out.append(
                f'<text x="{_f(bx)}" y="{_f(by + 4)}" text-anchor="middle" font-size="12" font-weight="700" '
                'fill="#ffffff">!</text>'
            )
    out.append("</g>")
    return out


def _label(es: ElementScore, x: float, y: float, angle: float, lang: str, profile: WebProfile) -> list[str]:
    r = RADIUS[es.score] + (9 if es.score is not None and es.score <= 1 else 5)
    c, s = math.cos(angle), math.sin(angle)
    side = abs(c) > 0.42
    width = 19 if side else 24
    lines = _wrap(es.element.label(lang), width)
    level = profile.model.scale_label(es.score, lang)
    status = (
        _say(lang, "picture_status", label=level, score=Numbers(lang).integer(es.score))
        if es.score is not None
        else _say(lang, "picture_status", label=_say(lang, "picture_unknown"), score="?")
    )
    size, small, lh = 13.0, 11.5, 15.0
    n = len(lines) + 1
    height = n * lh
    if side:
        ax, ay = x + (r + 9) * (1 if c > 0 else -1), y + r * 0.35 * s
    else:
        ax, ay = x + (r + 6) * c, y + (r + 6) * s
    if side:
        anchor = "start" if c > 0 else "end"
        first = ay - height / 2 + lh * 0.8
    else:
        # above or below the node; off the vertical axis, the text runs away from it (two neighbours
        # on either side of the axis never overlap)
        if abs(c) < 0.08:
            anchor = "middle"
        elif c > 0:
            anchor, ax = "start", x - 12
        else:
            anchor, ax = "end", x + 12
        first = ay - height + lh * 0.6 if s < 0 else ay + lh * 0.8
    widest = max(_text_width(line, size) for line in [*lines, status])
    # keep the block inside the picture
    if anchor == "start":
        ax = min(ax, WIDTH - 12 - widest)
    elif anchor == "end":
        ax = max(ax, 12 + widest)
    else:
        ax = min(max(ax, 12 + widest / 2), WIDTH - 12 - widest / 2)
    out = [
        f'<text class="label" x="{_f(ax)}" y="{_f(first)}" text-anchor="{anchor}" font-size="{_f(size)}" '
        f'fill="{TEXT}">'
    ]
    for i, line in enumerate(lines):
        dy = "0" if i == 0 else _f(lh)
        out.append(f'<tspan x="{_f(ax)}" dy="{dy}" font-weight="600">{escape(line)}</tspan>')
    colour = WARN if es.weak else MUTED
    out.append(
        f'<tspan x="{_f(ax)}" dy="{_f(lh)}" font-size="{_f(small)}" fill="{colour}">{escape(status)}</tspan>'
    )
    out.append("</text>")
    return out


def _link_path(
    x1: float, y1: float, r1: float, x2: float, y2: float, r2: float, offset: float = 0.0, head: float = 9.0
) -> tuple[str, str]:
    """A quadratic curve from node 1 to node 2 and its arrowhead (a polygon: no marker, no ``url()``).

    The curve is pulled towards the centre of the web (away from the labels, which sit outside the
    ring); ``offset`` shifts it sideways, to part two opposite links.
    """
    dx, dy = x2 - x1, y2 - y1
    dist = math.hypot(dx, dy) or 1.0
    mx, my = (x1 + x2) / 2, (y1 + y2) / 2
    nx, ny = dy / dist, -dx / dist  # left normal of the travel direction (SVG y grows downwards)
    pull = 0.1 + 0.22 * min(dist / (2 * RING), 1.0)  # short links bend less
    qx, qy = mx + (CX - mx) * pull + nx * offset, my + (CY - my) * pull + ny * offset
    # start and end on the node borders, along the tangent directions
    sx, sy = qx - x1, qy - y1
    sd = math.hypot(sx, sy) or 1.0
    ex, ey = x2 - qx, y2 - qy
    ed = math.hypot(ex, ey) or 1.0
    ux, uy = ex / ed, ey / ed
    ax, ay = x1 + sx / sd * (r1 + 3), y1 + sy / sd * (r1 + 3)
    tx, ty = x2 - ux * (r2 + 3), y2 - uy * (r2 + 3)  # arrow tip
    bx, by = tx - ux * head, ty - uy * head  # arrow base: the curve stops there
    half = head * 0.5
    points = [(tx, ty), (bx - uy * half, by + ux * half), (bx + uy * half, by - ux * half)]
    d = f"M{_f(ax)},{_f(ay)} Q{_f(qx)},{_f(qy)} {_f(bx)},{_f(by)}"
    return d, " ".join(f"{_f(px)},{_f(py)}" for px, py in points)


def _arrow(x: float, y: float, length: float, head: float) -> tuple[str, str]:
    """A straight horizontal arrow (legend): path and head polygon."""
    tip = x + length
    base = tip - head
    return (
        f"M{_f(x)},{_f(y)} L{_f(base)},{_f(y)}",
        f"{_f(tip)},{_f(y)} {_f(base)},{_f(y - head / 2)} {_f(base)},{_f(y + head / 2)}",
    )


def render_svg(profile: WebProfile, lang: str = "fr", *, id_prefix: str = "bie-web") -> str:
    """The web of ``profile`` as a standalone SVG document (a string), labels in ``lang``.

    ``id_prefix`` makes the ids unique when several pictures share one HTML page.
    """
    _check(lang)
    model = profile.model
    p = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in id_prefix) or "bie-web"
    angles = _angles(profile)
    pos = {eid: (CX + RING * math.cos(a), CY + RING * math.sin(a)) for eid, a in angles.items()}
    by_id = {e.id: e for e in profile.elements}
    broken = {(link.source, link.target) for link in profile.broken_links}
    title = _say(lang, "picture_title")
    desc = text_alternative(profile, lang)

    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{p}-title {p}-desc" '
        f'font-family={quoteattr(FONT)} lang="{lang}">',
        f'<title id="{p}-title">{escape(title)}</title>',
        f'<desc id="{p}-desc">{escape(desc)}</desc>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
    ]
    # heading
    out.append(
        f'<text x="{WIDTH / 2:g}" y="34" text-anchor="middle" font-size="22" font-weight="700" fill="{TEXT}">'
        f"{escape(title)}</text>"
    )
    out.append(
        f'<text x="{WIDTH / 2:g}" y="58" text-anchor="middle" font-size="13" fill="{MUTED}">'
        f"{escape(_say(lang, 'picture_subtitle', version=model.version))}</text>"
    )
    # quadrants (one sector per sphere, drawn as the part of the frame in that sector)
    top, bottom, left, right = 72.0, 768.0, 16.0, WIDTH - 16.0
    spheres = _sphere_order(profile)
    corners = [(left, top), (right, top), (right, bottom), (left, bottom)]
    out.append('<g class="spheres">')
    if len(spheres) == 4:
        for i in range(len(spheres)):
            cx_, cy_ = corners[i]
            x0, x1 = sorted((cx_, CX))
            y0, y1 = sorted((cy_, CY))
            out.append(
                f'<rect x="{_f(x0)}" y="{_f(y0)}" width="{_f(x1 - x0)}" height="{_f(y1 - y0)}" '
                f'fill="{TINTS[i]}"/>'
            )
    out.append(
        f'<rect x="{_f(left)}" y="{_f(top)}" width="{_f(right - left)}" height="{_f(bottom - top)}" rx="14" '
        'fill="none" stroke="#d1d5db" stroke-width="1.5"/>'
    )
    out.append(
        f'<line x1="{_f(CX)}" y1="{_f(top)}" x2="{_f(CX)}" y2="{_f(bottom)}" stroke="#ffffff" '
        'stroke-width="3"/>'
    )
    out.append(
        f'<line x1="{_f(left)}" y1="{_f(CY)}" x2="{_f(right)}" y2="{_f(CY)}" stroke="#ffffff" '
        'stroke-width="3"/>'
    )
    out.append(
        f'<circle cx="{_f(CX)}" cy="{_f(CY)}" r="{_f(RING)}" fill="none" stroke="#9ca3af" stroke-width="1" '
        'stroke-dasharray="2 5"/>'
    )
    for i, sphere_id in enumerate(spheres):
        sphere = model.sphere(sphere_id)
        cx_, cy_ = corners[i % 4]
        anchor = "start" if cx_ < CX else "end"
        tx = cx_ + (14 if cx_ < CX else -14)
        lines = _wrap(sphere.title(lang), 36)
        ty = cy_ + 26 if cy_ < CY else cy_ - 12 - 19 * (len(lines) - 1)
        colour = TINT_INK[i % 4]
        out.append(
            f'<text class="sphere" x="{_f(tx)}" y="{_f(ty)}" text-anchor="{anchor}" font-size="16" '
            f'font-weight="700" fill="{colour}">'
        )
        for j, line in enumerate(lines):
            out.append(f'<tspan x="{_f(tx)}" dy="{0 if j == 0 else 19}">{escape(line)}</tspan>')
        out.append("</text>")
    out.append("</g>")

    # links: ordinary ones first, broken ones on top
    out.append('<g class="links" fill="none">')
    ordered = sorted(model.links, key=lambda link: (link.source, link.target) in broken)
    pairs = {(link.source, link.target) for link in model.links}
    for link in ordered:
        a, b = by_id[link.source], by_id[link.target]
        (x1, y1), (x2, y2) = pos[link.source], pos[link.target]
        offset = 12.0 if (link.target, link.source) in pairs else 0.0
        source, target = a.element.label(lang), b.element.label(lang)
        if (link.source, link.target) in broken:
            d, head = _link_path(x1, y1, RADIUS[a.score], x2, y2, RADIUS[b.score], offset, head=15.0)
            label = _say(
                lang, "picture_broken_link_title", source=source, target=target, message=link.message(lang)
            )
            out.append(
                f'<g class="link broken"><title>{escape(label)}</title>'
                f'<path d="{d}" stroke="{WARN}" stroke-width="3.2" stroke-dasharray="10 6"/>'
                f'<polygon points="{head}" fill="{WARN}"/></g>'
            )
        else:
            d, head = _link_path(x1, y1, RADIUS[a.score], x2, y2, RADIUS[b.score], offset)
            label = _say(lang, "picture_link_title", source=source, target=target)
            out.append(
                f'<g class="link" opacity="0.75"><title>{escape(label)}</title>'
                f'<path d="{d}" stroke="{LINK}" stroke-width="1.4"/><polygon points="{head}" '
                f'fill="{LINK}"/></g>'
            )
    out.append("</g>")

    # nodes and labels
    out.append('<g class="elements">')
    for element_id in model.ring:
        es = by_id[element_id]
        x, y = pos[element_id]
        out.extend(_node(es, x, y, p))
        out.extend(_label(es, x, y, angles[element_id], lang, profile))
    out.append("</g>")

    out.extend(_legend(profile, lang, p))
    if profile.coverage_low and profile.to_review_share is not None:
        caveat = _say(lang, "picture_caution", share=Numbers(lang).pct(profile.to_review_share))
        out.append(
            f'<text class="caveat" x="{_f(WIDTH / 2)}" y="22" text-anchor="middle" font-size="15" '
            f'font-weight="700" fill="#9a3412">{escape(caveat)}</text>'
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _legend(profile: WebProfile, lang: str, p: str) -> list[str]:
    words = {
        "legend": _say(lang, "picture_legend"),
        "unknown": _say(lang, "picture_unknown"),
        "weak": _say(lang, "picture_weak"),
        "link": _say(lang, "picture_link"),
        "broken": _say(lang, "picture_broken"),
    }
    model = profile.model
    y0 = 810.0
    out = [f'<g class="legend" font-size="12.5" fill="{TEXT}">']
    out.append(
        f'<text x="24" y="{_f(y0 + 4)}" font-size="13" font-weight="700">{escape(words["legend"])}</text>'
    )
    x = 112.0
    cy = y0
    for s in model.scale:
        r = RADIUS[s.score]
        x += r
        out.append(
            f'<circle cx="{_f(x)}" cy="{_f(cy)}" r="{_f(r)}" fill="{FILL[s.score]}" stroke="#1e3a5f" '
            'stroke-width="1.5"/>'
        )
        out.append(
            f'<text x="{_f(x)}" y="{_f(cy + 5)}" text-anchor="middle" font-weight="700" '
            f'fill="{INK[s.score]}">'
            f"{s.score}</text>"
        )
        label = s.label(lang)
        out.append(f'<text x="{_f(x + r + 6)}" y="{_f(cy + 4.5)}">{escape(label)}</text>')
        x += r + 14 + _text_width(label, 12.5) + 12
    r = RADIUS[None]
    x += r
    out.append(
        f'<circle cx="{_f(x)}" cy="{_f(cy)}" r="{_f(r)}" fill="#ffffff" stroke="{MUTED}" stroke-width="2" '
        'stroke-dasharray="4 3"/>'
    )
    out.append(
        f'<text x="{_f(x)}" y="{_f(cy + 5.5)}" text-anchor="middle" font-weight="700" fill="{MUTED}">?</text>'
    )
    out.append(f'<text x="{_f(x + r + 6)}" y="{_f(cy + 4.5)}">{escape(words["unknown"])}</text>')
    # second row: weak marker, link, broken link
    y2 = y0 + 52
    x = 112.0
    out.append(
        f'<circle cx="{_f(x + 14)}" cy="{_f(y2)}" r="14" fill="{FILL[1]}" stroke="#1e3a5f" '
        'stroke-width="1.5"/>'
    )
    out.append(
        f'<circle cx="{_f(x + 14)}" cy="{_f(y2)}" r="19" fill="none" stroke="{WARN}" stroke-width="2" '
        'stroke-dasharray="5 3"/>'
    )
    out.append(
        f'<circle cx="{_f(x + 27)}" cy="{_f(y2 - 13)}" r="8" fill="{WARN}" stroke="#ffffff" '
        'stroke-width="1.5"/>'
    )
    out.append(
        f'<text x="{_f(x + 27)}" y="{_f(y2 - 9)}" text-anchor="middle" font-size="12" font-weight="700" '
        'fill="#ffffff">!</text>'
    )
    out.append(f'<text x="{_f(x + 42)}" y="{_f(y2 + 4.5)}">{escape(words["weak"])}</text>')
    x += 42 + _text_width(words["weak"], 12.5) + 36
    d, head = _arrow(x, y2, 54, 9)
    out.append(f'<path d="{d}" stroke="{LINK}" stroke-width="1.4" fill="none" opacity="0.75"/>')
    out.append(f'<polygon points="{head}" fill="{LINK}" opacity="0.75"/>')
    out.append(f'<text x="{_f(x + 62)}" y="{_f(y2 + 4.5)}">{escape(words["link"])}</text>')
    x += 62 + _text_width(words["link"], 12.5) + 36
    d, head = _arrow(x, y2, 62, 15)
    out.append(f'<path d="{d}" stroke="{WARN}" stroke-width="3.2" stroke-dasharray="10 6" fill="none"/>')
    out.append(f'<polygon points="{head}" fill="{WARN}"/>')
    out.append(f'<text x="{_f(x + 72)}" y="{_f(y2 + 4.5)}">{escape(words["broken"])}</text>')
    out.append("</g>")
    return out


def _names(items: list[ElementScore], lang: str) -> str:
    """Labels separated by commas (labels contain « et »: a final « et » would be ambiguous)."""
    return ", ".join(e.element.label(lang) for e in items)


def text_alternative(profile: WebProfile, lang: str = "fr") -> str:
    """A plain-language summary of the picture: strong, medium, weak, unknown elements, broken links.

    One paragraph per line, for screen readers, reports and the command line.
    """
    _check(lang)
    numbers = Numbers(lang)
    by_score: dict[int | None, list[ElementScore]] = {}
    for e in profile.elements:
        by_score.setdefault(e.score, []).append(e)
    lines = [_say(lang, "alt_intro", version=profile.model.version, n=numbers.integer(len(profile.elements)))]
    if profile.coverage_low and profile.to_review_share is not None:
        lines.append(_say(lang, "alt_caution", share=numbers.pct(profile.to_review_share)))
    hinted = [e for e in profile.elements if e.n_hints and e.score is None]
    for score in (3, 2, 1, 0):
        items = by_score.get(score, [])
        if items:
            lines.append(_say(lang, f"alt_score_{score}", names=_names(items, lang)))
    if hinted:
        lines.append(_say(lang, "alt_hinted", names=_names(hinted, lang)))
    unknown = [e for e in by_score.get(None, []) if e not in hinted]
    if unknown:
        lines.append(_say(lang, "alt_unknown", names=_names(unknown, lang)))
    if profile.weak:
        lines.append(_say(lang, "alt_weak", names=_names([profile.element(w) for w in profile.weak], lang)))
    if profile.broken_links:
        parts = [
            _say(
                lang,
                "alt_broken_link",
                source=profile.element(link.source).element.label(lang),
                target=profile.element(link.target).element.label(lang),
                message=link.message(lang),
            )
            for link in profile.broken_links
        ]
        lines.append(_say(lang, "alt_broken", links=_say(lang, "clause").join(parts)))
    else:
        lines.append(_say(lang, "alt_no_broken"))
    return "\n".join(lines)
