"""Plain SVG charts for the HTML report, drawn in Python: no JavaScript, no chart library, no network.

Trust boundary. Every function here returns :class:`markupsafe.Markup`, which the report template inserts as
is. This module (with the web drawing checked in :mod:`bie.report.html`) is therefore the only place where the
report trusts markup, and it is safe by construction:

* every element is built by :func:`_el`, which escapes every attribute value with ``markupsafe.escape`` and
  refuses attribute names that could load or run anything (``href``, ``src``, ``style``, ``on*``);
* every piece of text (labels, titles, values) goes through :func:`_text`, i.e. ``markupsafe.escape``;
* numbers are formatted by Python, colours and pattern ids are constants of this module.

No caller-supplied string is ever concatenated into the SVG unescaped. The charts are decorative duplicates:
each carries a ``<title>`` and ``<desc>`` and the same figures are always written in a table next to it.

Colours: the Okabe–Ito palette (safe for the common colour-vision deficiencies), and each category also has
its own pattern (plain, stripes, dots, cross-hatching) so that colour is never the only cue.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from bie.resources import load_data

#: Okabe–Ito colours for the four categories, and for women and men (``bie/data/palette.yaml``, the one
#: palette of the HTML, Excel and terminal outputs).
PALETTE: dict[str, str] = {k: str(v["fill"]) for k, v in load_data("palette.yaml")["colours"].items()}
#: Patterns drawn over each colour, so that no figure relies on colour alone.
PATTERNS: dict[str, str] = {k: str(v["pattern"]) for k, v in load_data("palette.yaml")["colours"].items()}
INK = "#1a1a1a"
FONT_SIZE = 13
_SAFE_NAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9-]*(:[a-z]+)?$")
_FORBIDDEN = {"href", "xlink:href", "src", "style"}


def pattern_id(key: str) -> str:
    return f"bie-fill-{key}"


def fill(key: str) -> str:
    """The SVG fill of a category, ``women``, ``men`` or ``stage``: its pattern (:func:`pattern_defs`)."""
    if key not in PALETTE:
        raise ValueError(f"unknown fill {key!r}")
    return f"url(#{pattern_id(key)})"


# --------------------------------------------------------------------------------------------- builders
def _num(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _attrs(attrs: Mapping[str, str | float | None]) -> str:
    parts = []
    for name, value in attrs.items():
        if value is None:
            continue
        lowered = name.lower()
        if not _SAFE_NAME.match(name) or lowered in _FORBIDDEN or lowered.startswith("on"):
            raise ValueError(f"attribute {name!r} is not allowed in a report chart")
        shown = _num(value) if isinstance(value, int | float) else value
        parts.append(f' {name}="{escape(shown)}"')
    return "".join(parts)


def _el(tag: str, attrs: Mapping[str, str | float | None] | None = None, *children: Markup) -> Markup:
    """One SVG element; ``children`` are Markup built by this module (elements or escaped text)."""
    if not _SAFE_NAME.match(tag) or tag.lower() in {"script", "foreignobject", "image", "use", "a", "iframe"}:
        raise ValueError(f"element {tag!r} is not allowed in a report chart")
    inner = "".join(str(c) for c in children)
    if not inner:
        return Markup(f"<{tag}{_attrs(attrs or {})}/>")  # noqa: S704 - built from escaped parts only
    return Markup(f"<{tag}{_attrs(attrs or {})}>{inner}</{tag}>")  # noqa: S704 - built from escaped parts only


def _text(value: str) -> Markup:
    return escape(value)


_NARROW = frozenset("iljtfr.,:;'!|()[]· \u202f\u00a0")
_WIDE = frozenset("mwMW@%€—")


def text_width(value: str, size: float = FONT_SIZE, bold: bool = False) -> float:
    """A conservative estimate of the width of ``value`` (SVG text does not wrap), measured on DejaVu Sans,
    the widest of the usual fallback fonts."""
    em = 0.0
    for ch in value:
        if ch in _NARROW:
            em += 0.34
        elif ch in _WIDE:
            em += 0.92
        elif ch.isupper():
            em += 0.72
        elif ch.isdigit():
            em += 0.64
        else:
            em += 0.6
    return em * size * (1.1 if bold else 1.0)


def _label(
    x: float,
    y: float,
    value: str,
    *,
    anchor: str = "start",
    cls: str = "lbl",
    size: float = FONT_SIZE,
    halo: bool = False,
) -> Markup:
    attrs: dict[str, str | float | None] = {
        "x": x,
        "y": y,
        "text-anchor": anchor,
        "class": cls,
        "font-size": size,
        "dominant-baseline": "central",
        "fill": INK,
    }
    if halo:
        attrs.update(
            {"stroke": "#ffffff", "stroke-width": 3.5, "stroke-linejoin": "round", "paint-order": "stroke"}
        )
    return _el("text", attrs, _text(value))


def _svg(
    chart_id: str, width: float, height: float, title: str, desc: str, *body: Markup, cls: str = "chart"
) -> Markup:
    return _el(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "class": cls,
            "viewBox": f"0 0 {_num(width)} {_num(height)}",
            "width": width,
            "height": height,
            "role": "img",
            "aria-labelledby": f"{chart_id}-title {chart_id}-desc",
            "id": chart_id,
        },
        _el("title", {"id": f"{chart_id}-title"}, _text(title)),
        _el("desc", {"id": f"{chart_id}-desc"}, _text(desc)),
        *body,
    )


# --------------------------------------------------------------------------------------------- patterns
def _pattern(key: str) -> Markup:
    colour = PALETTE[key]
    kind = PATTERNS[key]
    base = _el("rect", {"width": 8, "height": 8, "fill": colour})
    marks: list[Markup] = []
    if kind == "stripes":
        marks = [
            _el(
                "path",
                {
                    "d": "M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4",
                    "stroke": "#ffffff",
                    "stroke-width": 1.6,
                    "stroke-opacity": 0.75,
                },
            )
        ]
    elif kind == "stripes-back":
        marks = [
            _el(
                "path",
                {
                    "d": "M-2,6 l4,4 M0,0 l8,8 M6,-2 l4,4",
                    "stroke": "#6b6200",
                    "stroke-width": 1.1,
                    "stroke-opacity": 0.6,
                },
            )
        ]
    elif kind == "dots":
        marks = [
            _el("circle", {"cx": 2, "cy": 2, "r": 1.15, "fill": "#7a4f00", "fill-opacity": 0.75}),
            _el("circle", {"cx": 6, "cy": 6, "r": 1.15, "fill": "#7a4f00", "fill-opacity": 0.75}),
        ]
    elif kind == "cross":
        marks = [
            _el(
                "path",
                {"d": "M0,4 h8 M4,0 v8", "stroke": "#ffffff", "stroke-width": 1.3, "stroke-opacity": 0.8},
            )
        ]
    return _el(
        "pattern",
        {"id": pattern_id(key), "width": 8, "height": 8, "patternUnits": "userSpaceOnUse"},
        base,
        *marks,
    )


def pattern_defs() -> Markup:
    """One hidden SVG holding the fills of every chart (referenced as ``url(#bie-fill-…)``).

    It is sized 0×0 rather than ``display: none``, which would disable its patterns in Chromium."""
    return _el(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "class": "defs",
            "width": 0,
            "height": 0,
            "aria-hidden": "true",
            "focusable": "false",
        },
        _el("defs", {}, *[_pattern(k) for k in PALETTE]),
    )


def swatch(key: str, size: int = 14) -> Markup:
    """A small legend square in the fill of ``key`` (decorative: the label is always written next to it)."""
    return _el(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "class": "swatch",
            "width": size,
            "height": size,
            "viewBox": f"0 0 {size} {size}",
            "aria-hidden": "true",
            "focusable": "false",
        },
        _el(
            "rect",
            {
                "x": 0.5,
                "y": 0.5,
                "width": size - 1,
                "height": size - 1,
                "fill": fill(key),
                "stroke": INK,
                "stroke-width": 1,
                "rx": 2,
            },
        ),
    )


# --------------------------------------------------------------------------------------------- charts
@dataclass(frozen=True)
class Segment:
    key: str  # a category, "women" or "men"
    fraction: float  # 0..1 of the bar
    label: str = ""  # written on the segment when it fits (e.g. "23 %")


@dataclass(frozen=True)
class Bar:
    label: str
    segments: Sequence[Segment]


def stacked_bars(
    bars: Sequence[Bar],
    *,
    chart_id: str,
    title: str,
    desc: str,
    width: float = 720,
    label_width: float | None = None,
) -> Markup:
    """Horizontal 100 % stacked bars, one per row, with the value written on each segment wide enough."""
    bar_h, gap, top = 36.0, 14.0, 4.0
    label_w = (
        label_width
        if label_width is not None
        else max([text_width(b.label, FONT_SIZE + 1, bold=True) for b in bars] + [40.0]) + 14
    )
    x0, x1 = label_w, width - 4
    span = x1 - x0
    body: list[Markup] = []
    y = top
    for bar in bars:
        body.append(
            _label(label_w - 10, y + bar_h / 2, bar.label, anchor="end", cls="lbl strong", size=FONT_SIZE + 1)
        )
        x = x0
        total = sum(max(s.fraction, 0.0) for s in bar.segments) or 1.0
        for seg in bar.segments:
            w = span * max(seg.fraction, 0.0) / total
            if w <= 0:
                continue
            body.append(
                _el(
                    "rect",
                    {
                        "x": x,
                        "y": y,
                        "width": w,
                        "height": bar_h,
                        "fill": fill(seg.key),
                        "stroke": "#ffffff",
                        "stroke-width": 1,
                    },
                )
            )
            if seg.label and text_width(seg.label, bold=True) + 8 <= w:
                body.append(
                    _label(x + w / 2, y + bar_h / 2, seg.label, anchor="middle", cls="val", halo=True)
                )
            x += w
        body.append(
            _el(
                "rect",
                {
                    "x": x0,
                    "y": y,
                    "width": span,
                    "height": bar_h,
                    "fill": "none",
                    "stroke": INK,
                    "stroke-width": 1,
                },
            )
        )
        y += bar_h + gap
    height = y - gap + top
    return _svg(chart_id, width, height, title, desc, *body)


def mini_bar(segments: Sequence[Segment], width: float = 120, height: float = 12) -> Markup:
    """A small 100 % bar for a table row (decorative: aria-hidden; the row's cells give the figures)."""
    total = sum(max(s.fraction, 0.0) for s in segments)
    body: list[Markup] = []
    x = 0.0
    if total > 0:
        for seg in segments:
            w = width * max(seg.fraction, 0.0) / total
            if w <= 0:
                continue
            body.append(_el("rect", {"x": x, "y": 0, "width": w, "height": height, "fill": fill(seg.key)}))
            x += w
    body.append(
        _el(
            "rect",
            {
                "x": 0.5,
                "y": 0.5,
                "width": width - 1,
                "height": height - 1,
                "fill": "none",
                "stroke": INK,
                "stroke-width": 1,
            },
        )
    )
    return _el(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "class": "mini",
            "width": width,
            "height": height,
            "viewBox": f"0 0 {_num(width)} {_num(height)}",
            "aria-hidden": "true",
            "focusable": "false",
        },
        *body,
    )


@dataclass(frozen=True)
class Pair:
    """One category of the request-to-grant chart: the first and the last stage."""

    key: str
    label: str
    first: float
    last: float
    first_text: str
    last_text: str
    note: str  # e.g. "retenu : 87 %"


def paired_bars(
    pairs: Sequence[Pair],
    *,
    chart_id: str,
    title: str,
    desc: str,
    first_label: str,
    last_label: str,
    width: float = 760,
) -> Markup:
    """For each category, a grey bar for the first stage and a bar in the category's fill for the last one,
    each with its amount written after it, and a note (the rate kept) in a right-hand column."""
    bar_h, inner, gap = 18.0, 4.0, 22.0
    label_w = max([text_width(p.label, FONT_SIZE, bold=True) for p in pairs] + [60.0]) + 16
    note_w = max([text_width(p.note, FONT_SIZE, bold=True) for p in pairs] + [40.0]) + 16
    value_w = (
        max(
            [text_width(f"{first_label} {p.first_text}", 12, bold=True) for p in pairs]
            + [text_width(f"{last_label} {p.last_text}", 12, bold=True) for p in pairs]
            + [60.0]
        )
        + 10
    )
    x0 = label_w
    span = max(width - x0 - value_w - note_w - 10, 80.0)
    top = 4.0
    peak = max([p.first for p in pairs] + [p.last for p in pairs] + [0.0]) or 1.0
    body: list[Markup] = []
    y = top
    for p in pairs:
        group_h = 2 * bar_h + inner
        body.append(_label(x0 - 10, y + group_h / 2, p.label, anchor="end", cls="lbl strong"))
        for i, (key, value, text) in enumerate(
            (
                (("stage", p.first, f"{first_label} {p.first_text}")),
                (p.key, p.last, f"{last_label} {p.last_text}"),
            )
        ):
            by = y + i * (bar_h + inner)
            w = span * max(value, 0.0) / peak
            if w > 0:
                body.append(
                    _el(
                        "rect",
                        {
                            "x": x0,
                            "y": by,
                            "width": w,
                            "height": bar_h,
                            "fill": fill(key),
                            "stroke": INK,
                            "stroke-width": 0.8,
                        },
                    )
                )
            body.append(_label(x0 + w + 6, by + bar_h / 2, text, cls="val small", size=12))
        body.append(_label(width - 4, y + group_h / 2, p.note, anchor="end", cls="lbl strong"))
        y += group_h + gap
    body.insert(
        0, _el("line", {"x1": x0, "x2": x0, "y1": 0, "y2": y - gap + top, "stroke": INK, "stroke-width": 1})
    )
    return _svg(chart_id, width, y - gap + 2 * top, title, desc, *body)
