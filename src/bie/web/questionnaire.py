"""The territorial questionnaire: what funding tables cannot show, answered by the people who know.

:func:`write_questionnaire` writes a fillable workbook (xlsxwriter, written atomically): a « Mode
d'emploi » sheet, a « Questionnaire » sheet with one row per element (sphere, label, guiding questions,
an answer cell with a drop-down list, a comment cell; the element id in a hidden, locked column) and a
hidden « _bie » sheet that identifies the file and its model version.

:func:`read_questionnaire` reads it back (openpyxl, read-only). A blank answer or « ne sait pas » is
unknown. Answers typed by hand are accepted: « 2 », « moyen », « Moyen », « 2 - moyen », « 2 – moyen »,
2.0. A workbook not made by bie, a missing or unknown element row, an unreadable answer or another model
version raise :class:`bie.errors.QuestionnaireError` naming the sheet, the row and the cell.
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
from bie.io.limits import DEFAULT_LIMITS, Limits
from bie.io.ziputil import guard_file
from bie.tagging.normalize import normalize_text
from bie.web.model import LANGS, WebModel, load_model

__all__ = [
    "KIND",
    "META_SHEET",
    "Answer",
    "Questionnaire",
    "answer_choices",
    "parse_answer",
    "read_questionnaire",
    "write_questionnaire",
]

KIND = "bie-questionnaire-toile"
"""Value of the ``kind`` entry of the metadata sheet: identifies a questionnaire made by bie."""

META_SHEET = "_bie"

_WORDS: dict[str, dict[str, Any]] = {
    "fr": {
        "sheet": "Questionnaire",
        "instructions": "Mode d'emploi",
        "headers": (
            "Identifiant",
            "Sphère",
            "Élément",
            "Questions pour guider la réponse",
            "Réponse",
            "Commentaire (ce qui fonde la réponse, sources)",
            "Ce que montre le tableau de financement",
        ),
        "funding_yes": (
            "Les actions financées donnent déjà un score ; votre réponse le complète (bie retient le "
            "plus haut)."
        ),
        "funding_no": "Le tableau de financement n'en dit presque rien : sans votre réponse, l'élément "
        "reste inconnu.",
        "unknown": "ne sait pas",
        "prompt_title": "Réponse",
        "prompt": "Choisissez de 0 (absent) à 3 (fort), ou « ne sait pas ».",
        "error_title": "Réponse inattendue",
        "error": "Réponses possibles : 0 – absent, 1 – faible, 2 – moyen, 3 – fort, ou « ne sait pas ».",
    },
    "en": {
        "sheet": "Questionnaire",
        "instructions": "Instructions",
        "headers": (
            "Id",
            "Sphere",
            "Element",
            "Questions to guide the answer",
            "Answer",
            "Comment (what the answer rests on, sources)",
            "What the funding table shows",
        ),
        "funding_yes": "Funded actions already give a score; your answer completes it (bie keeps the "
        "higher).",
        "funding_no": "The funding table says almost nothing about it: without your answer, it stays "
        "unknown.",
        "unknown": "don't know",
        "prompt_title": "Answer",
        "prompt": 'Choose from 0 (absent) to 3 (strong), or "don\'t know".',
        "error_title": "Unexpected answer",
        "error": 'Possible answers: 0 – absent, 1 – weak, 2 – medium, 3 – strong, or "don\'t know".',
    },
}

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
    return [f"{s.score} – {s.label(lang)}" for s in model.scale] + [_WORDS[lang]["unknown"]]


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


def _instructions(model: WebModel, lang: str) -> list[tuple[str, str]]:
    """(style, text) lines of the instructions sheet."""
    if lang == "fr":
        lines = [
            (
                "title",
                "Questionnaire territorial — toile de l'institutionnalisation de l'égalité femmes-hommes",
            ),
            (
                "text",
                f"Modèle bie {model.version} (Caren Levy, 1996 ; adaptation Villes au Carré et L'Être "
                "Égale).",
            ),
            ("head", "À quoi sert ce questionnaire"),
            (
                "text",
                "bie note chacun des 13 éléments de la toile de 0 à 3. Les tableaux de financement montrent "
                "certains éléments (formation, études, mise en œuvre…) mais presque rien d'autres (volonté "
                "politique, cadre du contrat de ville, règles et procédures…). Vos réponses complètent "
                "ce que "
                "les financements ne montrent pas.",
            ),
            ("head", "Comment répondre"),
            (
                "text",
                "Dans la feuille « Questionnaire », choisissez une réponse par ligne dans la liste de la "
                "colonne "
                "« Réponse », ou tapez-la : 0, 1, 2, 3, « faible », « moyen », « 2 - moyen »… Laissez "
                "vide ou "
                "choisissez « ne sait pas » si vous ne savez pas : l'élément restera inconnu, jamais compté "
                "comme absent.",
            ),
            (
                "text",
                "Notez dans « Commentaire » ce qui fonde la réponse (un document, une délibération, une "
                "personne) : il est repris dans le rapport.",
            ),
            (
                "text",
                "Quand les actions financées donnent aussi un score, bie retient le plus haut des deux : une "
                "action financée prouve qu'une pratique existe ; le questionnaire sait ce qui est "
                "financé ailleurs.",
            ),
            ("head", "L'échelle"),
        ]
        lines += [("text", f"{s.score} – {s.fr} : {s.description_fr}") for s in model.scale]
        lines += [
            ("text", f"« {model.unknown_fr} » : {model.unknown_description_fr}"),
            ("head", "À ne pas faire"),
            (
                "text",
                "Ne renommez pas les feuilles, ne supprimez ni ne déplacez de ligne ou de colonne : bie "
                "relit "
                "le classeur par sa structure. Un questionnaire n'est relu que par la version du modèle qui "
                "l'a produit ; si bie change de version, produisez-en un nouveau (« bie web "
                "questionnaire »).",
            ),
        ]
        return lines
    lines = [
        ("title", "Territorial questionnaire — web of institutionalisation of gender equality"),
        (
            "text",
            f"bie model {model.version} (Caren Levy, 1996; adapted by Villes au Carré and L'Être Égale).",
        ),
        ("head", "What this questionnaire is for"),
        (
            "text",
            "bie scores each of the 13 elements of the web from 0 to 3. Funding tables show some elements "
            "(training, studies, delivery…) but almost nothing of others (political commitment, policy "
            "framework, rules and procedures…). Your answers fill in what funding does not show.",
        ),
        ("head", "How to answer"),
        (
            "text",
            'In the "Questionnaire" sheet, pick one answer per row from the list in the "Answer" column, '
            'or type it: 0, 1, 2, 3, "weak", "medium", "2 - medium"… Leave it blank or choose "don\'t '
            'know" when you do not know: the element stays unknown, never counted as absent.',
        ),
        (
            "text",
            'Write in "Comment" what the answer rests on (a document, a decision, a person): the report '
            "shows it.",
        ),
        (
            "text",
            "When funded actions also give a score, bie keeps the higher of the two: a funded action "
            "proves a "
            "practice exists; the questionnaire knows what is funded elsewhere.",
        ),
        ("head", "The scale"),
    ]
    lines += [("text", f"{s.score} – {s.en}: {s.description_en}") for s in model.scale]
    lines += [
        ("text", f'"{model.unknown_en}": {model.unknown_description_en}'),
        ("head", "Please do not"),
        (
            "text",
            "Do not rename sheets, delete or move rows or columns: bie reads the workbook by its "
            "structure. A "
            "questionnaire is read only by the model version that made it; when bie changes version, make a "
            'new one ("bie web questionnaire").',
        ),
    ]
    return lines


def _build(target: str, model: WebModel, lang: str) -> None:
    import xlsxwriter

    words = _WORDS[lang]
    wb = xlsxwriter.Workbook(
        target, {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    )
    try:
        wb.set_properties(
            {
                "title": words["sheet"],
                "subject": f"{KIND} {model.version}",
                "author": "bie",
                "comments": f"bie {__version__}, modèle {model.version}",
            }
        )
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
        bold_cell = wb.add_format(
            {"bold": True, "text_wrap": True, "valign": "top", "border": 1, "locked": True}
        )
        answer = wb.add_format(
            {"valign": "top", "border": 2, "locked": False, "bg_color": "#FFF9DB", "font_size": 12}
        )
        comment = wb.add_format({"text_wrap": True, "valign": "top", "border": 1, "locked": False})
        # Every string goes through bie.export.write_text (a model file could hold formula-like text).
        quoted = wb.add_format({"text_wrap": True, "valign": "top", "quote_prefix": True})

        def put(sheet: Any, r: int, c: int, value: str, style: Any = None) -> None:
            if write_text(sheet, r, c, value, style, quoted):
                raise ValueError(f"xlsxwriter refused cell {r},{c} of {sheet.get_name()}")

        ws_i = wb.add_worksheet(sheet_name(words["instructions"]))
        ws_i.set_column(0, 0, 110)
        for r, (style, line) in enumerate(_instructions(model, lang)):
            put(ws_i, r, 0, line, {"title": title, "head": head, "text": text}[style])
        ws_i.protect("", {"format_columns": True, "format_rows": True})

        ws = wb.add_worksheet(sheet_name(words["sheet"]))
        ws.set_column(_COL_ID, _COL_ID, 16, None, {"hidden": True})
        ws.set_column(_COL_SPHERE, _COL_SPHERE, 22)
        ws.set_column(_COL_ELEMENT, _COL_ELEMENT, 30)
        ws.set_column(_COL_QUESTIONS, _COL_QUESTIONS, 70)
        ws.set_column(_COL_ANSWER, _COL_ANSWER, 18)
        ws.set_column(_COL_COMMENT, _COL_COMMENT, 45)
        ws.set_column(_COL_FUNDING, _COL_FUNDING, 40)
        for c, name in enumerate(words["headers"]):
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
            put(ws, r, _COL_FUNDING, words["funding_yes" if element.funding_evidence else "funding_no"], cell)
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
                "input_title": words["prompt_title"],
                "input_message": words["prompt"],
                "error_title": words["error_title"],
                "error_message": words["error"],
                "error_type": "warning",
            },
        )
        ws.protect("", {"format_columns": True, "format_rows": True, "select_locked_cells": True})
        ws.activate()

        meta = wb.add_worksheet(META_SHEET)
        entries = [
            ("kind", KIND),
            ("model", model.name),
            ("model_version", model.version),
            ("lang", lang),
            ("sheet", words["sheet"]),
            ("elements", ",".join(model.ids)),
            ("bie_version", __version__),
        ]
        for r, (key, value) in enumerate(entries):
            put(meta, r, 0, key)
            put(meta, r, 1, value)
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
    sheet = meta.get("sheet") or _WORDS[lang]["sheet"]
    if sheet not in wb.sheetnames:
        raise QuestionnaireError(
            p,
            detail=Text(
                f"feuille « {sheet} » absente (renommée ou supprimée ?)",
                f"sheet “{sheet}” missing (renamed or deleted?)",
            ),
        )
    ws = wb[sheet]
    rows = ws.iter_rows(min_row=1, max_col=_COL_FUNDING + 1, values_only=True)
    header = next(rows, None)
    expected = _WORDS[lang]["headers"]
    for col in (_COL_ID, _COL_ANSWER, _COL_COMMENT):
        got = _text_value(header[col]) if header is not None and len(header) > col else None
        if got != expected[col]:
            letter = _col_letter(col)
            raise QuestionnaireError(
                p,
                detail=Text(
                    f"feuille « {sheet} », cellule {letter}1 : en-tête « {expected[col]} » attendu, trouvé "
                    f"« {got or ''} » (colonnes déplacées ou supprimées ?)",
                    f"sheet “{sheet}”, cell {letter}1: heading “{expected[col]}” expected, found "
                    f"“{got or ''}” (columns moved or deleted?)",
                ),
            )
    known = set(model.ids)
    answers: dict[str, Answer] = {}
    seen_rows: dict[str, int] = {}
    for r, row in enumerate(rows, start=2):
        values = list(row) + [None] * (_COL_FUNDING + 1 - len(row))
        element_id = _text_value(values[_COL_ID])
        raw, note = values[_COL_ANSWER], _text_value(values[_COL_COMMENT])
        if element_id is None:
            if raw not in (None, "") or note:
                raise QuestionnaireError(
                    p,
                    detail=Text(
                        f"feuille « {sheet} », ligne {r}, cellule A{r} : réponse sans identifiant d'élément "
                        "(ligne ajoutée ou identifiant effacé)",
                        f"sheet “{sheet}”, row {r}, cell A{r}: answer without an element id "
                        "(row added or id erased)",
                    ),
                )
            continue
        if element_id not in known:
            raise QuestionnaireError(
                p,
                detail=Text(
                    f"feuille « {sheet} », ligne {r}, cellule A{r} : élément inconnu « {element_id} »",
                    f"sheet “{sheet}”, row {r}, cell A{r}: unknown element “{element_id}”",
                ),
            )
        if element_id in seen_rows:
            raise QuestionnaireError(
                p,
                detail=Text(
                    f"feuille « {sheet} », ligne {r} : l'élément « {element_id} » a déjà une ligne "
                    f"(ligne {seen_rows[element_id]})",
                    f"sheet “{sheet}”, row {r}: element “{element_id}” already has a row "
                    f"(row {seen_rows[element_id]})",
                ),
            )
        seen_rows[element_id] = r
        cell_ref = f"{_col_letter(_COL_ANSWER)}{r}"
        valid, score = parse_answer(raw)
        if not valid:
            raise QuestionnaireError(
                p,
                detail=Text(
                    f"feuille « {sheet} », ligne {r}, cellule {cell_ref} "
                    f"({model.element(element_id).label_fr}) : "
                    f"réponse « {raw} » non reconnue ; réponses possibles : 0, 1, 2, 3 (ou absent, faible, "
                    "moyen, fort), ou « ne sait pas »",
                    f"sheet “{sheet}”, row {r}, cell {cell_ref} ({model.element(element_id).label_en}): "
                    f"answer “{raw}” not recognised; possible answers: 0, 1, 2, 3 (or absent, weak, "
                    "medium, strong), or “don't know”",
                ),
            )
        answers[element_id] = Answer(
            element=element_id, score=score, text=_text_value(raw), comment=note, cell=f"{sheet}!{cell_ref}"
        )
    missing = [e for e in model.ids if e not in answers]
    if missing:
        names_fr = ", ".join(f"{e} ({model.element(e).label_fr})" for e in missing)
        names_en = ", ".join(f"{e} ({model.element(e).label_en})" for e in missing)
        raise QuestionnaireError(
            p,
            detail=Text(
                f"feuille « {sheet} » : ligne(s) d'élément manquante(s) : {names_fr}",
                f"sheet “{sheet}”: missing element row(s): {names_en}",
            ),
        )
    ordered = {e: answers[e] for e in model.ids}
    return Questionnaire(version=version, answers=ordered, path=str(p), lang=lang)
