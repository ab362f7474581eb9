"""The workshop's workbooks: one per participant (or table) to fill, and the answer key for the trainer.

:func:`write_participant_workbook` lays a :class:`bie.workshop.kit.Kit` out for one participant (xlsxwriter,
written atomically):

* « Actions »: three lines of instructions, then one row per action: its number, its label, what the
  application says (each field with its label), and three cells to fill, unlocked and yellow: the
  classification (a drop-down of the four choices in the kit's language; an answer typed by hand is still
  read), the web elements the action strengthens (numbers 1–13 or names, separated by « , » or « ; ») and a
  comment. Every other cell is locked. Never bie's answer.
* « Éléments de la toile »: the numbers, spheres, names and descriptions of the 13 elements.
* « Toile (mode d'emploi) » and « Toile (questionnaire) »: the group's web questionnaire, the very sheets of
  ``bie web questionnaire`` (:func:`bie.web.questionnaire.add_questionnaire_sheets`).
* « _bie », hidden: what the workbook is (``bie-atelier-reponses``), the kit id, the participant, the
  language, the actions, the web model version and bie's version, read back by :mod:`bie.workshop.answers`.

:func:`write_key_workbook` writes the answer key: one row per action with bie's classification, its reasons,
the definition to recall, the discussion question, why the action was chosen, the web elements and where the
action comes from; its hidden « _bie » sheet (``bie-atelier-corrige``) holds, machine-readable, what the
scoring reads: the kit id, the language and, per action, bie's category and web element ids
(:func:`bie.workshop.answers.read_key`).

Every text goes through :func:`bie.export.write_text` (formula-like text is written inert) and the workbooks
are made with ``strings_to_formulas`` off; the words live in ``bie/data/workshop_words.yaml``.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bie._version import __version__
from bie.export import sheet_name, write_text
from bie.i18n import check_lang, fmt_in
from bie.resources import load_data
from bie.web.model import WebModel, load_model
from bie.web.questionnaire import add_questionnaire_sheets
from bie.workshop.kit import CHOICES, Kit, words

__all__ = [
    "ANSWERS_KIND",
    "KEY_KIND",
    "META_SHEET",
    "choice_labels",
    "layout_words",
    "write_key_workbook",
    "write_participant_workbook",
]

ANSWERS_KIND = "bie-atelier-reponses"
"""``kind`` of a participant workbook's metadata sheet."""

KEY_KIND = "bie-atelier-corrige"
"""``kind`` of the answer key's metadata sheet."""

META_SHEET = "_bie"

# The « Actions » sheet (0-based columns): number, label, text, classification, web elements, comment.
COL_NUMBER, COL_LABEL, COL_TEXT, COL_CATEGORY, COL_ELEMENTS, COL_COMMENT = range(6)
ANSWER_COLUMNS: tuple[int, ...] = (COL_CATEGORY, COL_ELEMENTS, COL_COMMENT)
HEADER_ROW = 6
"""1-based row of the headings of the « Actions » sheet (rows 1–4: title and instructions)."""
FIRST_ROW = HEADER_ROW + 1
"""1-based row of the first action."""

_WIDTHS = (6, 34, 80, 22, 30, 40)
_MAX_ROW_HEIGHT = 409  # Excel's limit, in points


def _resolve(value: Any, lang: str) -> Any:
    if isinstance(value, Mapping):
        if set(value) == {"fr", "en"}:
            return value[lang]
        return {k: _resolve(v, lang) for k, v in value.items()}
    return value


def layout_words(lang: str) -> dict[str, Any]:
    """The ``workbook`` and ``key_workbook`` words of ``workshop_words.yaml`` in ``lang`` (lists kept)."""
    data = load_data("workshop_words.yaml")
    return {
        "workbook": _resolve(data["workbook"], check_lang(lang)),
        "key_workbook": _resolve(data["key_workbook"], lang),
    }


def choice_labels(lang: str) -> list[str]:
    """The drop-down, in :data:`bie.workshop.kit.CHOICES` order: « spécifique », « égalité intégrée »…"""
    choices = words(lang)["choices"]
    return [str(choices[c]) for c in CHOICES]


def _lines(text: str, width: int) -> int:
    """Lines a wrapped cell of ``width`` characters needs for ``text`` (a rough count, for row heights)."""
    per_line = max(1, int(width * 1.1))
    return sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))


def _height(*cells: tuple[str, int]) -> float:
    lines = max(_lines(text, width) for text, width in cells)
    return float(min(_MAX_ROW_HEIGHT, max(30, 15 * lines + 6)))


class _Writer:
    """An xlsxwriter workbook with bie's safe options and the formats both workbooks use."""

    def __init__(self, target: str) -> None:
        import xlsxwriter

        self.wb = xlsxwriter.Workbook(
            target, {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
        )
        wb = self.wb
        self.title = wb.add_format({"bold": True, "font_size": 14, "text_wrap": True, "valign": "top"})
        self.text = wb.add_format({"text_wrap": True, "valign": "top"})
        self.header = wb.add_format(
            {
                "bold": True,
                "text_wrap": True,
                "valign": "top",
                "bg_color": "#DCE6F1",
                "border": 1,
                "locked": True,
            }
        )
        self.cell = wb.add_format({"text_wrap": True, "valign": "top", "border": 1, "locked": True})
        self.bold_cell = wb.add_format(
            {"bold": True, "text_wrap": True, "valign": "top", "border": 1, "locked": True}
        )
        self.number = wb.add_format(
            {"bold": True, "valign": "top", "align": "center", "border": 1, "locked": True}
        )
        self.answer = wb.add_format(
            {
                "text_wrap": True,
                "valign": "top",
                "border": 2,
                "locked": False,
                "bg_color": "#FFF9DB",
                "num_format": "@",
            }
        )
        self.quoted = wb.add_format({"text_wrap": True, "valign": "top", "quote_prefix": True})

    def put(self, ws: Any, r: int, c: int, value: str, style: Any = None) -> None:
        if write_text(ws, r, c, value, style, self.quoted):
            raise ValueError(f"xlsxwriter refused cell {r},{c} of {ws.get_name()}")

    def meta(self, entries: list[tuple[str, ...]]) -> None:
        ws = self.wb.add_worksheet(META_SHEET)
        for r, entry in enumerate(entries):
            for c, value in enumerate(entry):
                self.put(ws, r, c, value)
        ws.hide()


def _banner(w: _Writer, ws: Any, lines: list[tuple[Any, str]]) -> None:
    """Title and instruction lines above a table, each across its columns."""
    last = len(_WIDTHS) - 1
    for r, (style, text) in enumerate(lines):
        ws.merge_range(r, 0, r, last, "", style)
        w.put(ws, r, 0, text, style)
        ws.set_row(r, _height((text, sum(_WIDTHS) - 10)) + (6 if style is w.title else 0))


def _elements_sheet(w: _Writer, kit: Kit, model: WebModel, name: str, headers: list[str]) -> None:
    ws = w.wb.add_worksheet(name)
    for c, width in enumerate((6, 30, 40, 80)):
        ws.set_column(c, c, width)
    for c, heading in enumerate(headers):
        w.put(ws, 0, c, heading, w.header)
    known = set(model.ids)
    for i, (element_id, label) in enumerate(kit.elements.items(), start=1):
        sphere = description = ""
        if element_id in known:
            element = model.element(element_id)
            sphere = model.sphere(element.sphere).label(kit.lang)
            description = element.description(kit.lang)
        ws.write_number(i, 0, i, w.number)
        w.put(ws, i, 1, sphere, w.cell)
        w.put(ws, i, 2, label, w.bold_cell)
        w.put(ws, i, 3, description, w.cell)
        ws.set_row(i, _height((description, 80), (label, 40)))
    ws.freeze_panes(1, 0)
    ws.protect("", {"format_columns": True, "format_rows": True})


def _action_text(kit: Kit, fields: tuple[tuple[str, str], ...], label: str) -> str:
    sep = " : " if kit.lang == "fr" else ": "
    return "\n".join(f"{name}{sep}{text}" for name, text in fields if text != label) or label


def _build_participant(target: str, kit: Kit, participant: str, model: WebModel) -> None:
    lw = layout_words(kit.lang)["workbook"]
    w = _Writer(target)
    wb = w.wb
    try:
        wb.set_properties(
            {
                "title": kit.title,
                "subject": f"{ANSWERS_KIND} {kit.id}",
                "author": "bie",
                "comments": f"bie {__version__}",
            }
        )
        actions_sheet = sheet_name(lw["actions_sheet"])
        elements_sheet = sheet_name(lw["elements_sheet"])
        web_sheet = sheet_name(lw["web_sheet"])
        ws = wb.add_worksheet(actions_sheet)
        for c, width in enumerate(_WIDTHS):
            ws.set_column(c, c, width)
        title = kit.title
        if participant:
            title = f"{title} — {fmt_in(kit.lang, lw['participant'], participant=participant)}"
        banner = [(w.title, title)] + [
            (w.text, fmt_in(kit.lang, line, elements_sheet=elements_sheet, web_sheet=web_sheet))
            for line in lw["instructions"]
        ]
        _banner(w, ws, banner)
        head = HEADER_ROW - 1
        for c, heading in enumerate(lw["headers"]):
            w.put(ws, head, c, heading, w.header)
        ws.set_row(head, 32)
        for i, action in enumerate(kit.actions):
            r = FIRST_ROW - 1 + i
            text = _action_text(kit, action.fields, action.label)
            ws.write_number(r, COL_NUMBER, action.number, w.number)
            w.put(ws, r, COL_LABEL, action.label, w.bold_cell)
            w.put(ws, r, COL_TEXT, text, w.cell)
            for c in ANSWER_COLUMNS:
                ws.write_blank(r, c, None, w.answer)
            ws.set_row(r, _height((text, _WIDTHS[COL_TEXT]), (action.label, _WIDTHS[COL_LABEL])))
        if kit.actions:
            first, last = FIRST_ROW - 1, FIRST_ROW - 2 + len(kit.actions)
            ws.data_validation(
                first,
                COL_CATEGORY,
                last,
                COL_CATEGORY,
                {
                    "validate": "list",
                    "source": choice_labels(kit.lang),
                    "input_title": lw["category_prompt_title"],
                    "input_message": lw["category_prompt"],
                    "error_title": lw["category_error_title"],
                    "error_message": lw["category_error"],
                    # A warning, not a stop: « S », « NPC », « ? » typed by hand are read too.
                    "error_type": "information",
                },
            )
            ws.data_validation(
                first,
                COL_ELEMENTS,
                last,
                COL_ELEMENTS,
                {
                    "validate": "any",
                    "input_title": lw["elements_prompt_title"],
                    "input_message": lw["elements_prompt"],
                },
            )
        ws.protect("", {"format_columns": True, "format_rows": True, "select_locked_cells": True})
        ws.activate()

        _elements_sheet(w, kit, model, elements_sheet, lw["elements_headers"])
        web_sheet = add_questionnaire_sheets(
            wb, model, kit.lang, sheet=web_sheet, instructions=lw["web_instructions_sheet"]
        )
        w.meta(
            [
                ("kind", ANSWERS_KIND),
                ("kit", kit.id),
                ("participant", participant),
                ("lang", kit.lang),
                ("actions", str(len(kit.actions))),
                ("numbers", ",".join(str(a.number) for a in kit.actions)),
                ("web_version", kit.web_version),
                ("elements", ",".join(kit.elements)),
                ("actions_sheet", actions_sheet),
                ("web_sheet", web_sheet),
                ("bie_version", __version__),
            ]
        )
    finally:
        wb.close()


def write_participant_workbook(kit: Kit, participant: str, path: Path) -> None:
    """Write the workbook of ``participant`` (one of ``kit.participants``; ``""`` for one shared workbook) to
    ``path`` (.xlsx) atomically: a temporary file beside it, renamed once complete."""
    if participant not in kit.participants:
        raise ValueError(f"participant {participant!r} is not one of the kit's {kit.participants}")
    model = load_model()
    from bie.outputs import atomic_path

    with atomic_path(Path(path), create_parent=False) as tmp:
        _build_participant(str(tmp), kit, participant, model)


def _element_lines(kit: Kit, ids: tuple[str, ...]) -> str:
    numbers = {e: i for i, e in enumerate(kit.elements, start=1)}
    return "\n".join(f"{numbers[e]} – {kit.elements[e]}" if e in numbers else e for e in ids)


def _build_key(target: str, kit: Kit) -> None:
    kw = layout_words(kit.lang)["key_workbook"]
    w = _Writer(target)
    wb = w.wb
    widths = (6, 34, 20, 60, 50, 45, 40, 34, 24, 8)
    try:
        wb.set_properties(
            {
                "title": kit.title,
                "subject": f"{KEY_KIND} {kit.id}",
                "author": "bie",
                "comments": f"bie {__version__}",
            }
        )
        ws = wb.add_worksheet(sheet_name(kw["sheet"]))
        for c, width in enumerate(widths):
            ws.set_column(c, c, width)
        lines = [
            (w.title, kw["warning"]),
            (w.text, f"{kit.title} — {fmt_in(kit.lang, kw['kit'], kit=kit.id)}"),
        ]
        for r, (style, text) in enumerate(lines):
            ws.merge_range(r, 0, r, len(widths) - 1, "", style)
            w.put(ws, r, 0, text, style)
            ws.set_row(r, 24)
        head = 3
        for c, heading in enumerate(kw["headers"]):
            w.put(ws, head, c, heading, w.header)
        ws.set_row(head, 32)
        for i, a in enumerate(kit.actions):
            r = head + 1 + i
            reasons = [f"• {reason}" for reason in a.reasons]
            if a.review_reason:
                reasons.append(f"• {a.review_reason}")
            cells = [
                (COL_LABEL, a.label, w.bold_cell),
                (2, a.category_label, w.bold_cell),
                (3, "\n".join(reasons), w.cell),
                (4, a.definition, w.cell),
                (5, a.question, w.cell),
                (6, "\n".join(f"• {why}" for why in a.why), w.cell),
                (7, _element_lines(kit, a.web_elements), w.cell),
                (8, a.file or "", w.cell),
            ]
            ws.write_number(r, 0, a.number, w.number)
            for c, text, style in cells:
                w.put(ws, r, c, text, style)
            if a.row is None:
                ws.write_blank(r, 9, None, w.cell)
            else:
                ws.write_number(r, 9, a.row, w.cell)
            ws.set_row(r, _height(*((text, widths[c]) for c, text, _ in cells)))
        ws.freeze_panes(head + 1, 2)
        ws.activate()
        scores = getattr(kit, "web_scores", None) or {}
        entries: list[tuple[str, ...]] = [
            ("kind", KEY_KIND),
            ("kit", kit.id),
            ("lang", kit.lang),
            ("web_version", kit.web_version),
            ("elements", ",".join(kit.elements)),
            ("actions", str(len(kit.actions))),
            ("bie_version", __version__),
        ]
        entries += [("action", str(a.number), a.category, ",".join(a.web_elements)) for a in kit.actions]
        entries += [
            ("web_score", element_id, "" if score is None else str(score))
            for element_id, score in scores.items()
        ]
        entries += [("kit_data", str(i), chunk) for i, chunk in enumerate(kit_chunks(kit))]
        w.meta(entries)
    finally:
        wb.close()


KIT_CHUNK = 30_000
"""Characters of the serialised kit per cell of the key's hidden sheet (a cell holds at most 32,767)."""


def kit_chunks(kit: Kit) -> list[str]:
    """The kit (:meth:`Kit.to_dict`, JSON, then base64 so that no cell starts or ends with a space) in
    cells of :data:`KIT_CHUNK` characters: the readout reveals bie's answers, reasons and definitions from
    the key alone."""
    data = base64.b64encode(json.dumps(kit.to_dict(), ensure_ascii=False).encode("utf-8")).decode("ascii")
    return [data[i : i + KIT_CHUNK] for i in range(0, len(data), KIT_CHUNK)] or [""]


def write_key_workbook(kit: Kit, path: Path) -> None:
    """Write the answer key of ``kit`` to ``path`` (.xlsx) atomically."""
    from bie.outputs import atomic_path

    with atomic_path(Path(path), create_parent=False) as tmp:
        _build_key(str(tmp), kit)
