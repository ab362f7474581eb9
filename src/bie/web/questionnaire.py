"""The territorial questionnaire: what funding tables cannot show, answered by the people who know.

:func:`write_questionnaire` writes a fillable workbook (xlsxwriter, written atomically): a « Mode
d'emploi » sheet, a « Questionnaire » sheet with one row per element (sphere, label, guiding questions,
an answer cell with a drop-down list, a comment cell; the element id in a hidden, locked column) and a
hidden « _bie » sheet that identifies the file and its model version. Every word of the workbook
(sheet names, headings, prompts, instructions) comes from ``bie/data/questionnaire_words.yaml``.

:func:`read_questionnaire` reads it back (openpyxl, read-only). A blank answer or « ne sait pas » is
unknown. Answers typed by hand are accepted: « 2 », « moyen », « Moyen », « 2 - moyen », « 2 – moyen »,
2.0. A workbook not made by bie, a missing or unknown element row, an unreadable answer or another model
version raise :class:`bie.errors.QuestionnaireError` naming the sheet, the row and the cell.

Other workbooks embed the questionnaire (the workshop's participant workbooks,
:mod:`bie.workshop.workbook`): :func:`add_questionnaire_sheets` adds the instructions and questionnaire
sheets to an open xlsxwriter workbook, :func:`read_questionnaire_sheet` reads the questionnaire sheet of an
open openpyxl workbook.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bie._version import __version__
from bie.errors import QuestionnaireError, Text
from bie.export import sheet_name, write_text
from bie.i18n import fmt_in
from bie.io.limits import DEFAULT_LIMITS, Limits
from bie.io.ziputil import guard_file
from bie.resources import load_data
from bie.tagging.normalize import normalize_text
from bie.web.model import LANGS, WebModel, load_model

__all__ = [
    "KIND",
    "META_SHEET",
    "Answer",
    "Questionnaire",
    "add_questionnaire_sheets",
    "answer_choices",
    "parse_answer",
    "read_questionnaire",
    "read_questionnaire_sheet",
    "write_questionnaire",
]

KIND = "bie-questionnaire-toile"
"""Value of the ``kind`` entry of the metadata sheet: identifies a questionnaire made by bie."""

META_SHEET = "_bie"

# Every word of the workbook (sheet names, headings, prompts, instructions) is in
# ``bie/data/questionnaire_words.yaml``, French and English side by side.
_WORDS_FILE = "questionnaire_words.yaml"
#: The ``questionnaire_words.yaml`` entries of the headings, column A to G.
_HEADER_KEYS = (
    "header_id",
    "header_sphere",
    "header_element",
    "header_questions",
    "header_answer",
    "header_comment",
    "header_funding",
)


def _word(lang: str, key: str) -> str:
    """The entry ``key`` of ``questionnaire_words.yaml`` in ``lang``."""
    return str(load_data(_WORDS_FILE)["words"][key][lang])


def _headers(lang: str) -> tuple[str, ...]:
    """The headings of the questionnaire sheet in ``lang``: written, then expected when reading back."""
    return tuple(_word(lang, key) for key in _HEADER_KEYS)


# Columns of the questionnaire sheet (0-based): id, sphere, element, questions, answer, comment, funding.
_COL_ID, _COL_SPHERE, _COL_ELEMENT, _COL_QUESTIONS, _COL_ANSWER, _COL_COMMENT, _COL_FUNDING = range(7)
_FIRST_ROW = 2  # 1-based row of the first element

_UNKNOWN_WORDS = frozenset(
    {
        "ne sait pas",
        "je ne sais pas",
        "ne sais pas",
        "nsp",
        "n s p",
        "inconnu",
        "inconnue",
        "non renseigne",
        "?",
        "don t know",
        "dont know",
        "do not know",
        "unknown",
        "dk",
    }
)
_LABELS: dict[str, int] = {
    "absent": 0,
    "absente": 0,
    "nul": 0,
    "faible": 1,
    "weak": 1,
    "moyen": 2,
    "moyenne": 2,
    "medium": 2,
    "fort": 3,
    "forte": 3,
    "strong": 3,
}


@dataclass(frozen=True)
class Answer:
    """One element's answer: its score (``None``: unknown), the text as typed, the comment, the cell."""

    element: str
    score: int | None
    text: str | None = None
    comment: str | None = None
    cell: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"score": self.score, "answer": self.text, "comment": self.comment, "cell": self.cell}


@dataclass(frozen=True)
class Questionnaire:
    """The answers of a territorial questionnaire, for one model version."""

    version: str
    answers: Mapping[str, Answer] = field(default_factory=dict)
    path: str | None = None
    lang: str = "fr"

    def score(self, element_id: str) -> int | None:
        answer = self.answers.get(element_id)
        return answer.score if answer is not None else None

    def answer(self, element_id: str) -> Answer | None:
        return self.answers.get(element_id)

    @classmethod
    def from_scores(
        cls,
        scores: Mapping[str, int | None],
        comments: Mapping[str, str] | None = None,
        model: WebModel | None = None,
    ) -> Questionnaire:
        """A questionnaire built in code (tests, notebooks): ``{"policy": 2, "commitment": None}``."""
        model = model or load_model()
        known = set(model.ids)
        comments = comments or {}
        answers: dict[str, Answer] = {}
        for element_id, score in scores.items():
            if element_id not in known:
                raise QuestionnaireError(
                    None, detail=Text(f"élément inconnu « {element_id} »", f"unknown element “{element_id}”")
                )
            if score is not None and (isinstance(score, bool) or score not in (0, 1, 2, 3)):
                raise QuestionnaireError(
                    None,
                    detail=Text(
                        f"élément {element_id} : score {score!r} hors de 0 à 3",
                        f"element {element_id}: score {score!r} outside 0 to 3",
                    ),
                )
            answers[element_id] = Answer(
                element=element_id,
                score=score,
                text=None if score is None else str(score),
                comment=comments.get(element_id),
            )
        return cls(version=model.version, answers=answers)


def answer_choices(model: WebModel, lang: str = "fr") -> list[str]:
    """The drop-down list: « 0 – absent », « 1 – faible », … « ne sait pas »."""
    return [f"{s.score} – {s.label(lang)}" for s in model.scale] + [_word(lang, "unknown")]


def parse_answer(value: Any) -> tuple[bool, int | None]:
    """``(valid, score)`` for a cell value; a blank or « ne sait pas » is valid and unknown (``None``)."""
    if value is None:
        return True, None
    if isinstance(value, bool):
        return False, None
    if isinstance(value, int | float):
        if float(value).is_integer() and 0 <= value <= 3:
            return True, int(value)
        return False, None
    if not isinstance(value, str):
        return False, None
    number = re.fullmatch(r"\s*([0-3])(?:[.,]0+)?\s*", value)
    if number:
        return True, int(number.group(1))
    text = normalize_text(value) or ""
    text = re.sub(r"[\s.]+", " ", text).strip()
    if not text:
        return True, None
    if text in _UNKNOWN_WORDS:
        return True, None
    if text in _LABELS:
        return True, _LABELS[text]
    m = re.fullmatch(r"([0-3])(?: ?[,;:)/] ?| )?([a-z ]*)", text)
    if m:
        score = int(m.group(1))
        label = m.group(2).strip()
        if not label or _LABELS.get(label) == score:
            return True, score
    return False, None


# --------------------------------------------------------------------------------------------------
# writing


def _instructions(model: WebModel, lang: str, sheet: str) -> list[tuple[str, str]]:
    """(style, text) lines of the instructions sheet; ``sheet``: the name of the questionnaire sheet."""
    unknown = {
        "unknown": model.scale_label(None, lang),
        "unknown_description": {"fr": model.unknown_description_fr, "en": model.unknown_description_en}[lang],
    }
    lines: list[tuple[str, str]] = []
    for entry in load_data(_WORDS_FILE)["instructions"]:
        style, template = str(entry["style"]), str(entry[lang])
        if entry.get("each") == "score":
            for s in model.scale:
                description = {"fr": s.description_fr, "en": s.description_en}[lang]
                line = fmt_in(lang, template, score=s.score, label=s.label(lang), description=description)
                lines.append((style, line))
        else:
            lines.append((style, fmt_in(lang, template, version=model.version, sheet=sheet, **unknown)))
    return lines


def add_questionnaire_sheets(
    wb: Any,
    model: WebModel | None = None,
    lang: str = "fr",
    *,
    sheet: str | None = None,
    instructions: str | None = None,
) -> str:
    """Add the instructions sheet and the questionnaire sheet to ``wb``, an open xlsxwriter workbook (made
    with ``strings_to_formulas`` off), after its existing sheets; returns the questionnaire sheet's name.

    ``sheet`` and ``instructions`` name the two sheets (default: « Questionnaire » and « Mode d'emploi » in
    ``lang``); the instructions name the questionnaire sheet. Every text goes through
    :func:`bie.export.write_text`. The caller writes its own metadata sheet."""
    if lang not in LANGS:
        raise ValueError(f"unsupported language {lang!r}; use one of {LANGS}")
    model = model or load_model()
    sheet = sheet_name(sheet or _word(lang, "sheet"))
    title = wb.add_format({"bold": True, "font_size": 14, "text_wrap": True, "valign": "top"})
    head = wb.add_format({"bold": True, "font_size": 12, "text_wrap": True, "valign": "top"})
    text = wb.add_format({"text_wrap": True, "valign": "top"})
    header = wb.add_format(
        {
            "bold": True,
            "text_wrap": True,
            "valign": "top",
            "bg_color": "#DCE6F1",
            "border": 1,
            "locked": True,
        }
    )
    cell = wb.add_format({"text_wrap": True, "valign": "top", "border": 1, "locked": True})
    bold_cell = wb.add_format({"bold": True, "text_wrap": True, "valign": "top", "border": 1, "locked": True})
    answer = wb.add_format(
        {"valign": "top", "border": 2, "locked": False, "bg_color": "#FFF9DB", "font_size": 12}
    )
    comment = wb.add_format({"text_wrap": True, "valign": "top", "border": 1, "locked": False})
    # Every string goes through bie.export.write_text (a model file could hold formula-like text).
    quoted = wb.add_format({"text_wrap": True, "valign": "top", "quote_prefix": True})

    def put(ws: Any, r: int, c: int, value: str, style: Any = None) -> None:
        _put(ws, r, c, value, style, quoted)

    ws_i = wb.add_worksheet(sheet_name(instructions or _word(lang, "instructions")))
    ws_i.set_column(0, 0, 110)
    for r, (style, line) in enumerate(_instructions(model, lang, sheet)):
        put(ws_i, r, 0, line, {"title": title, "head": head, "text": text}[style])
    ws_i.protect("", {"format_columns": True, "format_rows": True})

    ws = wb.add_worksheet(sheet)
    ws.set_column(_COL_ID, _COL_ID, 16, None, {"hidden": True})
    ws.set_column(_COL_SPHERE, _COL_SPHERE, 22)
    ws.set_column(_COL_ELEMENT, _COL_ELEMENT, 30)
    ws.set_column(_COL_QUESTIONS, _COL_QUESTIONS, 70)
    ws.set_column(_COL_ANSWER, _COL_ANSWER, 18)
    ws.set_column(_COL_COMMENT, _COL_COMMENT, 45)
    ws.set_column(_COL_FUNDING, _COL_FUNDING, 40)
    for c, name in enumerate(_headers(lang)):
        put(ws, 0, c, name, header)
    ws.set_row(0, 32)
    ws.freeze_panes(1, 3)
    for i, element in enumerate(model.elements):
        r = _FIRST_ROW - 1 + i
        questions = element.questions(lang)
        put(ws, r, _COL_ID, element.id, cell)
        put(ws, r, _COL_SPHERE, model.sphere(element.sphere).title(lang), cell)
        put(ws, r, _COL_ELEMENT, element.label(lang), bold_cell)
        put(ws, r, _COL_QUESTIONS, "\n".join(f"• {q}" for q in questions), cell)
        ws.write_blank(r, _COL_ANSWER, None, answer)
        ws.write_blank(r, _COL_COMMENT, None, comment)
        funding = _word(lang, "funding_yes" if element.funding_evidence else "funding_no")
        put(ws, r, _COL_FUNDING, funding, cell)
        chars = sum(len(q) for q in questions)
        ws.set_row(r, max(45, 15 * (len(questions) + chars // 80)))
    last = _FIRST_ROW - 2 + len(model.elements)
    ws.data_validation(
        _FIRST_ROW - 1,
        _COL_ANSWER,
        last,
        _COL_ANSWER,
        {
            "validate": "list",
            "source": answer_choices(model, lang),
            "input_title": _word(lang, "prompt_title"),
            "input_message": _word(lang, "prompt"),
            "error_title": _word(lang, "error_title"),
            "error_message": _word(lang, "error"),
            "error_type": "warning",
        },
    )
    ws.protect("", {"format_columns": True, "format_rows": True, "select_locked_cells": True})
    return str(sheet)


def _put(ws: Any, r: int, c: int, value: str, style: Any, quoted: Any) -> None:
    if write_text(ws, r, c, value, style, quoted):
        raise ValueError(f"xlsxwriter refused cell {r},{c} of {ws.get_name()}")


def _build(target: str, model: WebModel, lang: str) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(
        target, {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    )
    try:
        wb.set_properties(
            {
                "title": _word(lang, "sheet"),
                "subject": f"{KIND} {model.version}",
                "author": "bie",
                "comments": f"bie {__version__}; web {model.version}",
            }
        )
        sheet = add_questionnaire_sheets(wb, model, lang)
        wb.get_worksheet_by_name(sheet).activate()
        quoted = wb.add_format({"text_wrap": True, "valign": "top", "quote_prefix": True})
        meta = wb.add_worksheet(META_SHEET)
        entries = [
            ("kind", KIND),
            ("model", model.name),
            ("model_version", model.version),
            ("lang", lang),
            ("sheet", sheet),
            ("elements", ",".join(model.ids)),
            ("bie_version", __version__),
        ]
        for r, (key, value) in enumerate(entries):
            _put(meta, r, 0, key, None, quoted)
            _put(meta, r, 1, value, None, quoted)
        meta.hide()
    finally:
        wb.close()


def write_questionnaire(path: str | Path, lang: str = "fr", model: WebModel | None = None) -> Path:
    """Write the blank questionnaire to ``path`` (.xlsx) atomically: a temporary file, then a rename.

    An existing file at ``path`` is replaced only once the new one is complete.
    """
    if lang not in LANGS:
        raise ValueError(f"unsupported language {lang!r}; use one of {LANGS}")
    model = model or load_model()
    from bie.outputs import atomic_path

    target = Path(path)
    # A temporary file beside the target, renamed at the end; any system error (disk full…) becomes an
    # OutputError naming the target.
    with atomic_path(target, create_parent=False) as tmp:
        _build(str(tmp), model, lang)
    return target


# --------------------------------------------------------------------------------------------------
# reading


def _col_letter(index: int) -> str:
    out = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def _text_value(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def read_questionnaire(
    path: str | Path, model: WebModel | None = None, limits: Limits = DEFAULT_LIMITS
) -> Questionnaire:
    """Read a filled questionnaire (see the module docstring for what is accepted and refused)."""
    import openpyxl

    model = model or load_model()
    p = Path(path)
    if not p.is_file():
        raise QuestionnaireError(p, detail=Text("fichier introuvable", "file not found"))
    # The same guards as an input: a shared-strings bomb or an entity declaration is refused before openpyxl
    # inflates anything.
    guard_file(p, limits)
    try:
        wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types on a file that is not a workbook
        raise QuestionnaireError(
            p,
            detail=Text(
                f"classeur .xlsx illisible ({exc.__class__.__name__}) : ce n'est pas un questionnaire bie",
                f"unreadable .xlsx workbook ({exc.__class__.__name__}): not a bie questionnaire",
            ),
        ) from exc
    try:
        return _read(wb, p, model)
    finally:
        wb.close()


def _read(wb: Any, p: Path, model: WebModel) -> Questionnaire:
    if META_SHEET not in wb.sheetnames:
        raise QuestionnaireError(
            p,
            detail=Text(
                f"ce classeur n'a pas été produit par bie (feuille cachée « {META_SHEET} » absente)",
                f"this workbook was not made by bie (hidden sheet “{META_SHEET}” missing)",
            ),
        )
    meta: dict[str, str] = {}
    for row in wb[META_SHEET].iter_rows(min_row=1, max_col=2, values_only=True):
        if row and row[0] is not None:
            meta[str(row[0]).strip()] = "" if len(row) < 2 or row[1] is None else str(row[1]).strip()
    if meta.get("kind") != KIND:
        raise QuestionnaireError(
            p,
            detail=Text(
                f"feuille « {META_SHEET} », cellule B1 : ce classeur n'est pas un questionnaire de la toile "
                f"produit par bie (« {KIND} » attendu)",
                f"sheet “{META_SHEET}”, cell B1: this workbook is not a web questionnaire made by bie "
                f"(“{KIND}” expected)",
            ),
        )
    version = meta.get("model_version", "")
    if version != model.version:
        raise QuestionnaireError(
            p,
            detail=Text(
                f"questionnaire produit pour la version {version or '?'} du modèle de la toile, bie utilise "
                f"la version {model.version} ; produisez un nouveau questionnaire et reportez-y les réponses",
                f"questionnaire made for version {version or '?'} of the web model, bie uses version "
                f"{model.version}; make a new questionnaire and copy the answers into it",
            ),
        )
    lang = meta.get("lang", "fr")
    if lang not in LANGS:
        raise QuestionnaireError(
            p,
            detail=Text(
                f"feuille « {META_SHEET} » : langue inconnue « {lang} »",
                f"sheet “{META_SHEET}”: unknown language “{lang}”",
            ),
        )
    sheet = meta.get("sheet") or _word(lang, "sheet")
    q = read_questionnaire_sheet(wb, sheet, lang, model, path=p)
    return Questionnaire(version=version, answers=q.answers, path=str(p), lang=lang)


def read_questionnaire_sheet(
    wb: Any,
    sheet: str,
    lang: str,
    model: WebModel | None = None,
    *,
    path: str | Path | None = None,
    problems: list[Text] | None = None,
) -> Questionnaire:
    """Read the questionnaire sheet ``sheet`` of ``wb``, an open openpyxl workbook, written in ``lang``.

    Without ``problems``, the first problem raises :class:`QuestionnaireError` naming ``path``. With a list,
    every problem found is appended to it (« feuille « Questionnaire », ligne 5, cellule E5 … ») and the
    answers that could be read are returned: they are only meaningful when nothing was appended. A formula in
    an answer or comment cell is a problem (only seen when ``wb`` was opened with ``data_only=False``)."""
    model = model or load_model()
    found: list[Text] = []
    answers = _read_sheet(wb, sheet, lang, model, found)
    if problems is not None:
        problems.extend(found)
    elif found:
        raise QuestionnaireError(path, detail=found[0])
    ordered = {e: answers[e] for e in model.ids if e in answers}
    return Questionnaire(
        version=model.version, answers=ordered, path=None if path is None else str(path), lang=lang
    )


def _read_sheet(wb: Any, sheet: str, lang: str, model: WebModel, problems: list[Text]) -> dict[str, Answer]:
    if sheet not in wb.sheetnames:
        problems.append(
            Text(
                f"feuille « {sheet} » absente (renommée ou supprimée ?)",
                f"sheet “{sheet}” missing (renamed or deleted?)",
            )
        )
        return {}
    ws = wb[sheet]
    rows = ws.iter_rows(min_row=1, max_col=_COL_FUNDING + 1)
    first = next(rows, None)
    header = [c.value for c in first] if first is not None else None
    expected = _headers(lang)
    for col in (_COL_ID, _COL_ANSWER, _COL_COMMENT):
        got = _text_value(header[col]) if header is not None and len(header) > col else None
        if got != expected[col]:
            letter = _col_letter(col)
            problems.append(
                Text(
                    f"feuille « {sheet} », cellule {letter}1 : en-tête « {expected[col]} » attendu, trouvé "
                    f"« {got or ''} » (colonnes déplacées ou supprimées ?)",
                    f"sheet “{sheet}”, cell {letter}1: heading “{expected[col]}” expected, found "
                    f"“{got or ''}” (columns moved or deleted?)",
                )
            )
            return {}
    known = set(model.ids)
    answers: dict[str, Answer] = {}
    seen_rows: dict[str, int] = {}
    for r, cells in enumerate(rows, start=2):
        row = [c.value for c in cells]
        values = row + [None] * (_COL_FUNDING + 1 - len(row))
        element_id = _text_value(values[_COL_ID])
        raw, note = values[_COL_ANSWER], _text_value(values[_COL_COMMENT])
        if element_id is None:
            if raw not in (None, "") or note:
                problems.append(
                    Text(
                        f"feuille « {sheet} », ligne {r}, cellule A{r} : réponse sans identifiant d'élément "
                        "(ligne ajoutée ou identifiant effacé)",
                        f"sheet “{sheet}”, row {r}, cell A{r}: answer without an element id "
                        "(row added or id erased)",
                    )
                )
            continue
        if element_id not in known:
            problems.append(
                Text(
                    f"feuille « {sheet} », ligne {r}, cellule A{r} : élément inconnu « {element_id} »",
                    f"sheet “{sheet}”, row {r}, cell A{r}: unknown element “{element_id}”",
                )
            )
            continue
        if element_id in seen_rows:
            problems.append(
                Text(
                    f"feuille « {sheet} », ligne {r} : l'élément « {element_id} » a déjà une ligne "
                    f"(ligne {seen_rows[element_id]})",
                    f"sheet “{sheet}”, row {r}: element “{element_id}” already has a row "
                    f"(row {seen_rows[element_id]})",
                )
            )
            continue
        seen_rows[element_id] = r
        element = model.element(element_id)
        formulas = [
            col
            for col in (_COL_ANSWER, _COL_COMMENT)
            if col < len(cells) and getattr(cells[col], "data_type", None) == "f"
        ]
        for col in formulas:
            ref = f"{_col_letter(col)}{r}"
            problems.append(
                Text(
                    f"feuille « {sheet} », ligne {r}, cellule {ref} ({element.label_fr}) : formule refusée "
                    "(tapez la réponse elle-même)",
                    f"sheet “{sheet}”, row {r}, cell {ref} ({element.label_en}): formula refused "
                    "(type the answer itself)",
                )
            )
        if formulas:
            continue
        cell_ref = f"{_col_letter(_COL_ANSWER)}{r}"
        valid, score = parse_answer(raw)
        if not valid:
            problems.append(
                Text(
                    f"feuille « {sheet} », ligne {r}, cellule {cell_ref} ({element.label_fr}) : "
                    f"réponse « {raw} » non reconnue ; réponses possibles : 0, 1, 2, 3 (ou absent, faible, "
                    "moyen, fort), ou « ne sait pas »",
                    f"sheet “{sheet}”, row {r}, cell {cell_ref} ({element.label_en}): "
                    f"answer “{raw}” not recognised; possible answers: 0, 1, 2, 3 (or absent, weak, "
                    "medium, strong), or “don't know”",
                )
            )
            continue
        answers[element_id] = Answer(
            element=element_id, score=score, text=_text_value(raw), comment=note, cell=f"{sheet}!{cell_ref}"
        )
    missing = [e for e in model.ids if e not in seen_rows]
    if missing:
        names_fr = ", ".join(f"{e} ({model.element(e).label_fr})" for e in missing)
        names_en = ", ".join(f"{e} ({model.element(e).label_en})" for e in missing)
        problems.append(
            Text(
                f"feuille « {sheet} » : ligne(s) d'élément manquante(s) : {names_fr}",
                f"sheet “{sheet}”: missing element row(s): {names_en}",
            )
        )
    return answers
