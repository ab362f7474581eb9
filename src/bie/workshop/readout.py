"""The readout of a scored workshop: a page to project, and the same figures as a workbook for the records.

    html = render_readout(kit, result)              # one self-contained HTML page, made for a projector
    write_readout_workbook(kit, result, path)       # the same as .xlsx (typed numbers), for the trainer

:func:`render_readout` lays out a :class:`bie.workshop.scoring.ScoreResult` for a projector at 1280×720: large
type (24 px and more), one screen per section, in the order of the half-day:

1. the title screen: the kit, how many participants and actions, the room's agreement (Fleiss' kappa with its
   95 % interval and its band on the Landis & Koch scale, named as such, and how many actions entered it; or
   why it could not be computed);
2. the actions that split the room, most disputed first (the agenda), each with its text and the
   distribution of the answers (bars in the palette's colour *and* pattern, counts written out) — never
   bie's answer;
3. the reveal, action by action in the agenda's order: bie's category, what it read, the definition, the
   discussion question, the room's majority and whether it agrees;
4. each participant's (or table's) agreement with bie (Cohen's kappa);
5. the web: the group's level next to what the file shows, element by element, the gaps marked;
6. the « pistes d'actions » for each weak element and broken link of the group's web, with their sources.

The page is safe in the report's way (:mod:`bie.report.html`): the same Jinja2 environment (autoescape,
``StrictUndefined``, no ``|safe``), the only Markup inserted as is is bie's own drawing
(:mod:`bie.report.charts`), data never reaches an attribute, and the Content-Security-Policy forbids every
request and allows exactly one inline script, by its SHA-256 hash: the keyboard navigation
(``templates/workshop_readout_script.html.j2``). Without the script the screens are simply stacked and
scroll (CSS scroll snapping).

Every word comes from the ``readout`` section of ``bie/data/workshop_words.yaml``; numbers are written with
:class:`bie.i18n.Numbers`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from markupsafe import Markup

from bie._version import __version__
from bie.export import sheet_name, write_text
from bie.i18n import Numbers, fmt_in
from bie.report import charts
from bie.report.html import content_security_policy, environment
from bie.resources import load_data
from bie.workshop.kit import CHOICES, Kit, KitAction, words
from bie.workshop.practices import sources_of
from bie.workshop.scoring import ActionResult, AnswerSheet, ScoreResult
from bie.workshop.stats import KappaResult

__all__ = ["READOUT_SCRIPT", "READOUT_TEMPLATE", "readout_policy", "render_readout", "write_readout_workbook"]

READOUT_TEMPLATE = "workshop_readout.html.j2"
READOUT_SCRIPT = "workshop_readout_script.html.j2"

FIELD_CAP = 220
"""Characters of one field of an action shown on a « split » screen (cut at a word, saying so)."""
TEXT_CAP = 340
"""Characters of an action's text in all on a « split » screen (the projector shows 24 px type)."""
SHORT_FIELD = 60
"""A field this short (carrier, pillar, declared equality…) goes on one line with the others."""
REASONS_SHOWN = 3
"""Reasons of bie shown on a reveal screen; the others are counted (the answer key has them all)."""
REASON_CAP = 140
BAR_W, BAR_H = 320.0, 34.0
"""The distribution bars of a « split » screen (px)."""
WEB_W, WEB_H = 120.0, 16.0
"""The paired bars of the web table: one per level source, 0–3 (px)."""

FILL_OF = {"specific": "specific", "transversal": "transversal", "not_integrated": "not_integrated"}
"""The palette fill of each answer; « je ne sais pas » is the neutral grey (``stage``)."""
GROUP_FILL, BIE_FILL = "transversal", "stage"


# ------------------------------------------------------------------------------------------- words
def _r(lang: str) -> dict[str, str]:
    readout: dict[str, str] = words(lang)["readout"]
    return readout


def _bands(lang: str) -> dict[str, str]:
    """The words of each Landis & Koch band in ``lang``."""
    return {band: str(text[lang]) for band, text in words(lang)["landis_koch"]["bands"].items()}


def _choice_fill(choice: str) -> str:
    return FILL_OF.get(choice, "stage")


def _shorten(text: str, cap: int) -> tuple[str, bool]:
    if len(text) <= cap:
        return text, False
    cut = text[:cap].rsplit(" ", 1)[0].rstrip(" ,;:.") or text[:cap]
    return cut + " …", True


def _kappa_texts(lang: str, result: KappaResult | None) -> dict[str, str]:
    """The value, interval and band of a kappa in words (empty strings when it is None)."""
    if result is None:
        return {"value": "", "interval": "", "band": "", "band_scale": "", "why": ""}
    w = words(lang)
    r = _r(lang)
    num = Numbers(lang)
    bands = _bands(lang)
    scale = w["landis_koch"]["scale"]
    why = ""
    if result.kappa is None and result.reason:
        why = str(w["kappa_reasons"].get(result.reason, result.reason))
    interval = ""
    if result.ci_low is not None and result.ci_high is not None:
        interval = fmt_in(
            lang, r["interval_short"], low=num.decimal(result.ci_low), high=num.decimal(result.ci_high)
        )
    return {
        "value": num.decimal(result.kappa),
        "interval": interval,
        "band": str(bands.get(result.band, result.band)),
        "band_scale": fmt_in(lang, r["band"], band=str(bands.get(result.band, result.band)), scale=scale),
        "why": why,
    }


# ------------------------------------------------------------------------------------------- drawing
def _bar(fraction: float, key: str, width: float, height: float) -> Markup:
    """A bar of ``fraction`` of ``width`` in the palette fill of ``key``, in a thin frame (decorative: the
    count or level is written next to it)."""
    w = max(0.0, min(fraction, 1.0)) * (width - 2)
    body: list[Markup] = []
    if w > 0:
        body.append(
            charts._el(
                "rect",
                {
                    "x": 1,
                    "y": 1,
                    "width": w,
                    "height": height - 2,
                    "fill": charts.fill(key),
                    "stroke": charts.INK,
                    "stroke-width": 1,
                },
            )
        )
    body.append(
        charts._el(
            "rect",
            {
                "x": 0.5,
                "y": 0.5,
                "width": width - 1,
                "height": height - 1,
                "fill": "none",
                "stroke": "#9ca3af",
                "stroke-width": 1,
            },
        )
    )
    return charts._el(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "class": "bar",
            "width": width,
            "height": height,
            "viewBox": f"0 0 {charts._num(width)} {charts._num(height)}",
            "aria-hidden": "true",
            "focusable": "false",
        },
        *body,
    )


# ------------------------------------------------------------------------------------------- screens
def _distribution(kit: Kit, action: ActionResult, total: int) -> list[dict[str, Any]]:
    choices = words(kit.lang)["choices"]
    out = []
    for choice in CHOICES:
        count = int(action.counts.get(choice, 0))
        out.append(
            {
                "id": choice,
                "label": choices[choice],
                "count": Numbers(kit.lang).integer(count),
                "swatch": charts.swatch(_choice_fill(choice), size=26),
                "bar": _bar(count / total if total else 0.0, _choice_fill(choice), BAR_W, BAR_H),
            }
        )
    return out


def _split_screen(kit: Kit, action: KitAction, result: ActionResult, rank: int, total: int) -> dict[str, Any]:
    """What a « split » screen shows: the action's text (long fields cut, short ones on one line) and the
    distribution of the room's answers. Never bie's answer."""
    r = _r(kit.lang)
    people = max(result.answered + result.dont_know + result.missing, 1)
    fields, short = [], []
    room = TEXT_CAP
    cut_any = False
    for label, text in action.fields:
        if text == action.label:
            continue
        if len(text) <= SHORT_FIELD:
            short.append({"label": fmt_in(kit.lang, r["field"], label=label), "text": text})
            continue
        if room < 80:
            cut_any = True
            continue
        shown, cut = _shorten(text, min(FIELD_CAP, room))
        room -= len(shown)
        cut_any = cut_any or cut
        fields.append({"label": label, "text": shown})
    return {
        "number": action.number,
        "heading": fmt_in(kit.lang, r["action"], n=action.number),
        "label": action.label,
        "rank": fmt_in(kit.lang, r["split_rank"], n=rank, total=total),
        "fields": fields,
        "short": short,
        "shortened": cut_any,
        "bars": _distribution(kit, result, people),
        "missing": fmt_in(kit.lang, r["no_answer"], n=result.missing) if result.missing else "",
    }


def _reveal_screen(kit: Kit, action: KitAction, result: ActionResult) -> dict[str, Any]:
    lang = kit.lang
    r = _r(lang)
    num = Numbers(lang)
    choices = words(lang)["choices"]
    reasons = [_shorten(text, REASON_CAP)[0] for text in action.reasons[:REASONS_SHOWN]]
    more = len(action.reasons) - REASONS_SHOWN
    if result.majority is not None:
        majority = fmt_in(
            lang, r["majority"], choice=choices[result.majority], share=num.pct(result.majority_share)
        )
    elif result.answered:
        majority = r["no_majority"]
    else:
        majority = r["no_answers"]
    if action.category not in FILL_OF:
        verdict, verdict_id = r["bie_undecided"], "undecided"
    elif result.agrees is None:
        verdict, verdict_id = "", "none"
    elif result.agrees:
        verdict, verdict_id = r["agrees"], "agrees"
    else:
        verdict, verdict_id = r["disagrees"], "disagrees"
    return {
        "number": action.number,
        "heading": fmt_in(lang, r["action"], n=action.number),
        "label": action.label,
        "category": action.category,
        "category_label": action.category_label,
        "swatch": charts.swatch(action.category, size=30)
        if action.category in charts.PALETTE
        else Markup(""),
        "reasons": reasons,
        "more": fmt_in(lang, r["more_reasons"], n=more) if more > 0 else "",
        "review": _shorten(action.review_reason, REASON_CAP)[0] if action.review_reason else "",
        "definition": action.definition,
        "question": action.question,
        "majority": majority,
        "verdict": verdict,
        "verdict_id": verdict_id,
        # bie's share of the answers, when it is not already the majority's
        "bie_share": fmt_in(lang, r["bie_share"], share=num.pct(result.bie_share))
        if result.bie_share is not None and action.category in FILL_OF and not result.agrees
        else "",
    }


def _participants(kit: Kit, result: ScoreResult) -> list[dict[str, Any]]:
    r = _r(kit.lang)
    num = Numbers(kit.lang)
    rows = []
    for p in result.participants:
        k = _kappa_texts(kit.lang, p.with_bie)
        rows.append(
            {
                "id": p.id or p.source,
                "kappa": k["value"] if p.with_bie is not None else r["kappa_none"],
                "interval": k["interval"],
                "band": k["band"] if p.with_bie is not None else (k["why"] or ""),
                "answered": num.integer(p.answered),
                "same": num.integer(p.same_as_bie),
            }
        )
    return rows


def _web(kit: Kit, result: ScoreResult) -> list[dict[str, Any]]:
    r = _r(kit.lang)
    num = Numbers(kit.lang)
    rows = []
    for row in result.web:
        gap = row.gap
        if gap is None:
            gap_id, gap_text = "none", ""
        elif gap > 0:
            gap_id, gap_text = "more", r["gap_more"]
        elif gap < 0:
            gap_id, gap_text = "less", r["gap_less"]
        else:
            gap_id, gap_text = "same", r["gap_none"]
        rows.append(
            {
                "element": kit.elements.get(row.element, row.element),
                "group": num.integer(row.group),
                "answers": fmt_in(kit.lang, r["answers_count"], n=row.answers),
                "bie": num.integer(row.bie),
                "group_bar": _bar((row.group or 0) / 3, GROUP_FILL, WEB_W, WEB_H),
                "bie_bar": _bar((row.bie or 0) / 3, BIE_FILL, WEB_W, WEB_H),
                "gap": "" if gap is None else (f"+{gap}" if gap > 0 else num.integer(gap)),
                "gap_id": gap_id,
                "gap_text": gap_text,
            }
        )
    return rows


def _pistes(kit: Kit, result: ScoreResult) -> list[dict[str, Any]]:
    lang = kit.lang
    r = _r(lang)
    out = []
    for s in result.suggestions:
        if s.element is not None:
            heading = fmt_in(lang, r["weak"], element=kit.elements.get(s.element, s.element))
        else:
            source, target = s.link or ("", "")
            heading = fmt_in(
                lang,
                r["broken"],
                source=kit.elements.get(source, source),
                target=kit.elements.get(target, target),
            )
        out.append(
            {
                "kind": "weak" if s.element is not None else "broken",
                "heading": heading,
                "practices": [
                    {
                        "text": p.text(lang),
                        "sources": fmt_in(
                            lang,
                            r["source"],
                            n=len(p.sources),
                            sources=(" ; " if lang == "fr" else "; ").join(x.title for x in p.sources),
                        ),
                    }
                    for p in s.practices
                ],
            }
        )
    return out


def _fleiss_why(lang: str, result: ScoreResult) -> str:
    r = _r(lang)
    if result.fleiss is None:
        why = r["why_one_participant"] if len(result.participants) < 2 else r["why_few_actions"]
        return fmt_in(lang, r["fleiss_none"], why=why)
    if result.fleiss.kappa is None:
        return fmt_in(lang, r["fleiss_none"], why=_kappa_texts(lang, result.fleiss)["why"])
    return ""


def _title_screen(kit: Kit, result: ScoreResult) -> dict[str, Any]:
    lang = kit.lang
    r = _r(lang)
    k = _kappa_texts(lang, result.fleiss)
    defined = result.fleiss is not None and result.fleiss.kappa is not None
    return {
        "participants": fmt_in(lang, r["participants"], n=len(result.participants)),
        "actions": fmt_in(lang, r["actions"], n=len(result.actions)),
        "fleiss": fmt_in(lang, r["fleiss"], kappa=k["value"]) if defined else "",
        "kicker": r["kicker"],
        "interval": _interval_long(lang, result.fleiss) if defined else "",
        "band": k["band_scale"] if defined else "",
        "used": fmt_in(lang, r["fleiss_actions"], n=result.fleiss_actions) if defined else "",
        "why": _fleiss_why(lang, result),
    }


def _interval_long(lang: str, kappa: KappaResult | None) -> str:
    if kappa is None or kappa.ci_low is None or kappa.ci_high is None:
        return ""
    num = Numbers(lang)
    return fmt_in(lang, _r(lang)["interval"], low=num.decimal(kappa.ci_low), high=num.decimal(kappa.ci_high))


def readout_policy() -> str:
    """The readout's Content-Security-Policy: the report's, allowing the navigation script by its hash."""
    return content_security_policy(environment().get_template(READOUT_SCRIPT).render())


def render_readout(kit: Kit, result: ScoreResult) -> str:
    """The readout of ``result`` (scored against ``kit``) as one self-contained HTML page to project."""
    lang = kit.lang
    r = _r(lang)
    w = words(lang)
    env = environment()
    script = env.get_template(READOUT_SCRIPT).render()
    by_number = {a.number: a for a in kit.actions}
    agenda = [n for n in result.agenda if n in by_number]
    split = [n for n in agenda if result.action(n).split]
    splits = [
        _split_screen(kit, by_number[n], result.action(n), i + 1, len(split)) for i, n in enumerate(split)
    ]
    reveals = [_reveal_screen(kit, by_number[n], result.action(n)) for n in agenda]
    web = _web(kit, result)
    pistes = _pistes(kit, result)
    sources = [{"title": s.title, "href": s.href} for s in sources_of(result.suggestions)]
    has_web = any(row.answers for row in result.web)
    # title, split intro, splits, reveal intro, reveals, participants, web, pistes (one screen each), sources
    total = 1 + 1 + len(splits) + 1 + len(reveals) + 1 + 1 + (max(len(pistes), 1) if has_web else 0)
    total += 1 if sources else 0
    legend = [{"label": w["choices"][c], "swatch": charts.swatch(_choice_fill(c), size=22)} for c in CHOICES]
    return env.get_template(READOUT_TEMPLATE).render(
        lang=lang,
        title=fmt_in(lang, r["page_title"], title=kit.title),
        kit_title=kit.title,
        footer=fmt_in(lang, r["footer"], version=__version__, id=kit.id),
        csp=content_security_policy(script),
        version=__version__,
        r=r,
        scale=w["landis_koch"]["scale"],
        head=_title_screen(kit, result),
        split_count=fmt_in(lang, r["split_count"], n=len(split), total=len(agenda)),
        splits=splits,
        reveals=reveals,
        participants=_participants(kit, result),
        participants_intro=fmt_in(lang, r["participants_intro"], scale=w["landis_koch"]["scale"]),
        has_web=has_web,
        web=web,
        web_notes=[
            note
            for note, present in (
                (r["group_none"], any(row.group is None for row in result.web)),
                (r["bie_cannot"], any(row.bie is None for row in result.web)),
            )
            if present
        ],
        web_legend={
            "group": charts.swatch(GROUP_FILL, size=22),
            "bie": charts.swatch(BIE_FILL, size=22),
        },
        pistes=pistes,
        sources=sources,
        legend=legend,
        total=total,
        patterns=charts.pattern_defs(),
    )


# ------------------------------------------------------------------------------------------- workbook
def _resolve(value: Any, lang: str) -> Any:
    if isinstance(value, Mapping):
        if set(value) == {"fr", "en"}:
            return value[lang]
        return {k: _resolve(v, lang) for k, v in value.items()}
    return value


def write_readout_workbook(
    kit: Kit, result: ScoreResult, path: Path, *, answers: Sequence[AnswerSheet] | None = None
) -> None:
    """Write the readout of ``result`` to ``path`` (.xlsx) atomically, in the kit's language: « Synthèse »,
    « Actions », « Participants », « Toile », « Pistes d'actions », « Commentaires ». The comments are
    attributed to their participant when ``answers`` (what was scored) is given."""
    from bie.outputs import atomic_path

    with atomic_path(Path(path), create_parent=False) as tmp:
        _build_workbook(str(tmp), kit, result, answers)


def _build_workbook(
    target: str, kit: Kit, result: ScoreResult, answers: Sequence[AnswerSheet] | None
) -> None:
    import xlsxwriter

    lang = kit.lang
    r: dict[str, str] = _resolve(load_data("workshop_words.yaml")["readout"], lang)
    w = words(lang)
    choices = w["choices"]
    bands = _bands(lang)
    scale = str(w["landis_koch"]["scale"])
    wb = xlsxwriter.Workbook(
        target, {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    )
    try:
        head = wb.add_format(
            {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#E5E7EB", "border": 1}
        )
        text = wb.add_format({"text_wrap": True, "valign": "top"})
        bold = wb.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        quoted = wb.add_format({"text_wrap": True, "valign": "top", "quote_prefix": True})
        integer = wb.add_format({"num_format": "0", "valign": "top"})
        kappa = wb.add_format({"num_format": "0.00", "valign": "top"})
        share = wb.add_format({"num_format": "0%", "valign": "top"})

        def put(ws: Any, row: int, col: int, value: str, fmt: Any = text) -> None:
            write_text(ws, row, col, value, fmt, quoted)

        def number(ws: Any, row: int, col: int, value: float | None, fmt: Any) -> None:
            if value is None:
                ws.write_blank(row, col, None, fmt)
            else:
                ws.write_number(row, col, value, fmt)

        def header(ws: Any, names: Sequence[str], widths: Sequence[int]) -> None:
            for c, (name, width) in enumerate(zip(names, widths, strict=True)):
                put(ws, 0, c, name, head)
                ws.set_column(c, c, width)
            ws.freeze_panes(1, 0)

        # Synthèse
        ws = wb.add_worksheet(sheet_name(r["sheet_summary"]))
        ws.set_column(0, 0, 40)
        ws.set_column(1, 1, 60)
        fleiss = result.fleiss
        rows: list[tuple[str, str | float | None, Any]] = [
            (r["xl_kit"], kit.title, bold),
            (r["xl_kit_id"], kit.id, text),
            (r["xl_participants"], float(len(result.participants)), integer),
            (r["xl_actions"], float(len(result.actions)), integer),
            (r["xl_split"], float(sum(1 for a in result.actions if a.split)), integer),
            (r["xl_fleiss"], None if fleiss is None else fleiss.kappa, kappa),
            (r["xl_ci_low"], None if fleiss is None else fleiss.ci_low, kappa),
            (r["xl_ci_high"], None if fleiss is None else fleiss.ci_high, kappa),
            (
                r["xl_band"],
                ""
                if fleiss is None
                else fmt_in(lang, r["band"], band=bands.get(fleiss.band, fleiss.band), scale=scale),
                text,
            ),
            (r["xl_scale"], scale, text),
            (r["xl_fleiss_actions"], float(result.fleiss_actions), integer),
        ]
        why = _fleiss_why(lang, result)
        if why:
            rows.append((r["xl_fleiss_why"], why, text))
        for i, (label, value, fmt) in enumerate(rows):
            put(ws, i, 0, label, bold)
            if isinstance(value, str):
                put(ws, i, 1, value, fmt)
            else:
                number(ws, i, 1, value, fmt)
        ws.activate()

        # Actions
        ws = wb.add_worksheet(sheet_name(r["sheet_actions"]))
        names = [
            r["xl_number"],
            r["xl_action"],
            r["xl_bie"],
            *[choices[c] for c in CHOICES],
            r["xl_no_answer"],
            r["xl_majority"],
            r["xl_agrees"],
            r["xl_agreement"],
            r["xl_is_split"],
            r["xl_bie_share"],
            r["xl_agenda"],
        ]
        header(ws, names, [6, 44, 22, 12, 12, 12, 12, 12, 22, 14, 16, 12, 14, 10])
        by_number = {a.number: a for a in kit.actions}
        agenda = {n: i + 1 for i, n in enumerate(result.agenda)}
        for i, a in enumerate(result.actions):
            row = i + 1
            ka = by_number.get(a.number)
            ws.write_number(row, 0, a.number, integer)
            put(ws, row, 1, ka.label if ka else "")
            put(ws, row, 2, ka.category_label if ka else a.bie)
            for c, choice in enumerate(CHOICES):
                ws.write_number(row, 3 + c, int(a.counts.get(choice, 0)), integer)
            ws.write_number(row, 7, a.missing, integer)
            put(ws, row, 8, "" if a.majority is None else choices[a.majority])
            judged = a.bie in FILL_OF  # « à examiner » is no category to agree with
            put(ws, row, 9, "" if a.agrees is None or not judged else (r["yes"] if a.agrees else r["no"]))
            number(ws, row, 10, a.agreement, kappa)
            put(ws, row, 11, r["yes"] if a.split else r["no"])
            number(ws, row, 12, a.bie_share if judged else None, share)
            number(ws, row, 13, agenda.get(a.number), integer)
        ws.autofilter(0, 0, max(len(result.actions), 1), len(names) - 1)

        # Participants
        ws = wb.add_worksheet(sheet_name(r["sheet_participants"]))
        names = [
            r["xl_participant"],
            r["xl_file"],
            r["xl_kappa"],
            r["xl_ci_low"],
            r["xl_ci_high"],
            r["xl_band"],
            r["xl_answered"],
            r["xl_dont_know"],
            r["xl_same"],
        ]
        header(ws, names, [16, 30, 14, 12, 12, 40, 12, 12, 12])
        for i, p in enumerate(result.participants):
            row = i + 1
            k = p.with_bie
            put(ws, row, 0, p.id)
            put(ws, row, 1, p.source)
            number(ws, row, 2, None if k is None else k.kappa, kappa)
            number(ws, row, 3, None if k is None else k.ci_low, kappa)
            number(ws, row, 4, None if k is None else k.ci_high, kappa)
            put(
                ws,
                row,
                5,
                r["kappa_none"]
                if k is None
                else fmt_in(lang, r["band"], band=str(bands.get(k.band, k.band)), scale=scale),
            )
            ws.write_number(row, 6, p.answered, integer)
            ws.write_number(row, 7, p.dont_know, integer)
            ws.write_number(row, 8, p.same_as_bie, integer)
        ws.autofilter(0, 0, max(len(result.participants), 1), len(names) - 1)

        # Toile
        ws = wb.add_worksheet(sheet_name(r["sheet_web"]))
        names = [r["xl_element"], r["xl_group"], r["xl_answers"], r["xl_bie_level"], r["xl_gap"]]
        header(ws, names, [44, 16, 12, 20, 20])
        for i, web_row in enumerate(result.web):
            row = i + 1
            put(ws, row, 0, kit.elements.get(web_row.element, web_row.element))
            number(ws, row, 1, web_row.group, integer)
            ws.write_number(row, 2, web_row.answers, integer)
            number(ws, row, 3, web_row.bie, integer)
            number(ws, row, 4, web_row.gap, integer)

        # Pistes d'actions
        ws = wb.add_worksheet(sheet_name(r["sheet_pistes"]))
        header(ws, [r["xl_finding"], r["xl_practice"], r["xl_sources"]], [40, 80, 60])
        row = 1
        for piste, s in zip(_pistes(kit, result), result.suggestions, strict=True):
            if not s.practices:
                put(ws, row, 0, piste["heading"])
                put(ws, row, 1, r["no_practice"])
                row += 1
            for practice in s.practices:
                put(ws, row, 0, piste["heading"])
                put(ws, row, 1, practice.text(lang))
                put(ws, row, 2, "\n".join(f"{x.title} — {x.href}" for x in practice.sources))
                row += 1

        # Commentaires
        ws = wb.add_worksheet(sheet_name(r["sheet_comments"]))
        header(ws, [r["xl_participant"], r["xl_number"], r["xl_action"], r["xl_comment"]], [16, 6, 44, 80])
        row = 1
        if answers is not None:
            for sheet in answers:
                for n in sorted(sheet.comments):
                    comment = sheet.comments[n].strip()
                    if not comment:
                        continue
                    put(ws, row, 0, sheet.id)
                    ws.write_number(row, 1, n, integer)
                    put(ws, row, 2, by_number[n].label if n in by_number else "")
                    put(ws, row, 3, comment)
                    row += 1
        else:
            for a in result.actions:
                for comment in a.comments:
                    put(ws, row, 0, "")
                    ws.write_number(row, 1, a.number, integer)
                    put(ws, row, 2, by_number[a.number].label if a.number in by_number else "")
                    put(ws, row, 3, comment)
                    row += 1
    finally:
        wb.close()
