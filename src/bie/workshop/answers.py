"""Reading a workshop back: the answer key, and the participants' answers.

:func:`read_key` reads the answer key written by :func:`bie.workshop.workbook.write_key_workbook` (its hidden
« _bie » sheet): the kit id, the language and, per action, bie's category and web elements.

:func:`read_answers` reads the participants' answers against that key, from the workbooks of
:func:`bie.workshop.workbook.write_participant_workbook` (filled in a spreadsheet program) and from CSV
exports of an online form (one row per participant × action, columns ``participant``, ``action`` (its number),
``category``, ``elements``, ``comment``, French headings accepted; ``;`` or ``,`` separated; UTF-8 or
Windows-1252).

Answers typed by hand are read with their usual short forms (:func:`parse_choice`): « spé », « S », « 2 »
(the DAC marker) are *specific*; « T », « intégrée », « 1 » *equality mainstreamed*; « non », « NPC », « 0 »,
« aucune » *not taken into account*; « ? », « NSP » *I don't know*; a blank is missing (counted, not an
error).
Web elements are numbers 1–13 or names, separated by « , » or « ; » (:func:`parse_elements`).

Every file is read and every problem collected before anything is returned: an unreadable answer, a formula
in an answer cell, a workbook of another kit, a file that is not a workshop workbook, the same participant
twice, an empty workbook… Then **one** :class:`bie.errors.WorkshopError` lists them, each with its file,
sheet and cell (the first :data:`MAX_LISTED`, then how many more). Nothing is half-read. Workbooks go through
the same guards as any input (:func:`bie.io.ziputil.guard_file`) before openpyxl opens them.
"""

from __future__ import annotations

import base64
import csv
import functools
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bie.errors import BieError, Text, WorkshopError
from bie.io.limits import DEFAULT_LIMITS, Limits
from bie.io.text import decode, sniff_delimiter
from bie.io.ziputil import guard_file
from bie.outputs import display_name
from bie.web.model import LANGS, WebModel, load_model
from bie.web.questionnaire import KIND as QUESTIONNAIRE_KIND
from bie.web.questionnaire import Answer, Questionnaire, read_questionnaire_sheet
from bie.workshop.kit import CHOICES, Kit
from bie.workshop.workbook import (
    ANSWERS_KIND,
    COL_CATEGORY,
    COL_COMMENT,
    COL_ELEMENTS,
    COL_NUMBER,
    FIRST_ROW,
    HEADER_ROW,
    KEY_KIND,
    META_SHEET,
    choice_labels,
    layout_words,
)

__all__ = [
    "MAX_LISTED",
    "Answers",
    "Key",
    "KeyAction",
    "ParticipantAnswers",
    "fold",
    "parse_choice",
    "parse_elements",
    "read_answers",
    "read_key",
]

MAX_LISTED = 20
"""Problems listed in the error message; the others are counted (« … et 12 autres »)."""

KEY_CATEGORIES: tuple[str, ...] = ("specific", "transversal", "not_integrated", "to_review")
"""bie's categories an answer key may hold (« à examiner » is bie's only)."""

MAX_ROWS = 5_000
"""Rows of the « Actions » sheet read after its headings (a kit has a few dozen actions)."""

_WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm"})
_CSV_SUFFIXES = frozenset({".csv", ".txt"})

# Usual short forms of each choice, folded (see fold). The drop-down words of both languages are added.
_CHOICE_FORMS: dict[str, tuple[str, ...]] = {
    "specific": (
        "s",
        "spe",
        "spec",
        "specifique",
        "specifiques",
        "action specifique",
        "egalite specifique",
        "specific",
        "specific action",
        "principal",
        "principale",
        "objectif principal",
        "marqueur 2",
        "g2",
        "2",
    ),
    "transversal": (
        "t",
        "transversal",
        "transversale",
        "transversales",
        "integree",
        "integre",
        "egalite integree",
        "approche integree",
        "mainstreamed",
        "equality mainstreamed",
        "integrated",
        "significatif",
        "objectif significatif",
        "significant",
        "marqueur 1",
        "g1",
        "1",
    ),
    "not_integrated": (
        "n",
        "non",
        "npc",
        "npec",
        "no",
        "none",
        "aucun",
        "aucune",
        "non prise en compte",
        "non pris en compte",
        "pas prise en compte",
        "non integree",
        "egalite non prise en compte",
        "not taken into account",
        "not integrated",
        "marqueur 0",
        "g0",
        "0",
    ),
    "dont_know": (
        "?",
        "nsp",
        "n s p",
        "jsp",
        "je ne sais pas",
        "ne sait pas",
        "ne sais pas",
        "sais pas",
        "ne se prononce pas",
        "inconnu",
        "i don t know",
        "don t know",
        "dont know",
        "do not know",
        "dk",
    ),
}
_NO_ELEMENT = frozenset({"aucun", "aucune", "none", "neant"})


def fold(text: str) -> str:
    """Lower case, no accent, letters, digits and « ? » only, single spaces: « Égalité intégrée » → « egalite
    integree », « N.S.P. » → « n s p », « ?? » → « ? »."""
    text = text.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("Æ", "ae")
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    plain = re.sub(r"[^a-z0-9?]+", " ", plain)
    plain = re.sub(r"\?+", "?", plain)
    return " ".join(plain.split())


@functools.cache
def _choice_forms() -> dict[str, str]:
    forms = {form: choice for choice, values in _CHOICE_FORMS.items() for form in values}
    for lang in LANGS:
        for choice, label in zip(CHOICES, choice_labels(lang), strict=True):
            forms.setdefault(fold(label), choice)
    return forms


def parse_choice(value: Any) -> tuple[bool, str | None]:
    """``(valid, choice)`` for an answer as typed: a choice of :data:`bie.workshop.kit.CHOICES`, ``None`` when
    blank (valid: missing, not an error)."""
    if value is None:
        return True, None
    if isinstance(value, bool):
        return False, None
    if isinstance(value, int | float):
        if float(value).is_integer() and 0 <= value <= 2:
            return True, _choice_forms()[str(int(value))]
        return False, None
    if not isinstance(value, str):
        return False, None
    if not value.strip():
        return True, None
    if value.lstrip().startswith("="):
        return False, None  # formula-like text: never read as an answer
    number = re.fullmatch(r"\s*([0-2])[.,]0+\s*", value)
    if number:
        return True, _choice_forms()[number.group(1)]
    text = fold(value)
    if not text:
        return False, None
    forms = _choice_forms()
    if text in forms:
        return True, forms[text]
    # « 2 - spécifique », « 1 : intégrée »: a marker and its word, when they agree.
    m = re.fullmatch(r"([0-2]) ([a-z? ]+)", text)
    if m and forms.get(m.group(2)) == forms[m.group(1)]:
        return True, forms[m.group(1)]
    return False, None


@functools.cache
def _element_names(model: WebModel) -> dict[str, str]:
    names: dict[str, str] = {}
    for element in model.elements:
        for name in (element.id, element.label_fr, element.label_en):
            names.setdefault(fold(name), element.id)
    return names


def parse_elements(
    value: Any, elements: Sequence[str], model: WebModel | None = None
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``(element ids, parts not understood)`` for a cell listing web elements: numbers 1 to
    ``len(elements)`` (``elements``: the ids in number order) or names (French or English) or ids, separated
    by « , », « ; » or line breaks (numbers alone may also be separated by spaces). Ids come back in number
    order, each once; « aucun » or a blank is none."""
    model = model or load_model()
    if value is None:
        return (), ()
    if isinstance(value, bool):
        return (), (str(value),)
    if isinstance(value, int | float):
        if not float(value).is_integer():
            return (), (str(value),)
        value = str(int(value))
    if not isinstance(value, str):
        return (), (str(value),)
    names = _element_names(model)
    found: set[str] = set()
    unknown: list[str] = []
    for part in re.split(r"[,;\n\r]+", value):
        text = fold(part)
        if not text or text in _NO_ELEMENT:
            continue
        ids: list[str] | None = None
        if re.fullmatch(r"\d+( \d+)*", text):
            numbers = [int(n) for n in text.split()]
            if all(1 <= n <= len(elements) for n in numbers):
                ids = [elements[n - 1] for n in numbers]
        elif text in names and names[text] in elements:
            ids = [names[text]]
        else:
            # « 3 – Volonté politique »: a number and its name, when they agree.
            m = re.fullmatch(r"(\d+) (.+)", text)
            if (
                m
                and 1 <= int(m.group(1)) <= len(elements)
                and names.get(m.group(2)) == elements[int(m.group(1)) - 1]
            ):
                ids = [names[m.group(2)]]
        if ids is None:
            unknown.append(part.strip())
        else:
            found.update(ids)
    return tuple(e for e in elements if e in found), tuple(unknown)


# --------------------------------------------------------------------------------------------------
# the typed results


@dataclass(frozen=True)
class KeyAction:
    """bie's answer for one action: its category (``to_review`` included) and the web elements it
    strengthens."""

    number: int
    category: str
    web_elements: tuple[str, ...] = ()


@dataclass(frozen=True)
class Key:
    """The answer key of a kit, as :func:`read_key` reads it."""

    kit_id: str
    lang: str
    #: The whole kit as prepared (texts, bie's reasons, definitions, questions): what the readout reveals.
    kit: Kit | None
    actions: Mapping[int, KeyAction]
    #: Web element ids in number order: element n° 1 is ``elements[0]``.
    elements: tuple[str, ...]
    web_version: str = ""
    #: bie's score of each web element from the file (None: the file cannot show it).
    web_scores: Mapping[str, int | None] = field(default_factory=dict)
    path: str | None = None

    @property
    def numbers(self) -> tuple[int, ...]:
        return tuple(self.actions)

    @property
    def categories(self) -> dict[int, str]:
        """Action number → bie's category (what :func:`bie.workshop.scoring.score_answers` takes)."""
        return {n: a.category for n, a in self.actions.items()}

    @property
    def bie_elements(self) -> dict[int, tuple[str, ...]]:
        return {n: a.web_elements for n, a in self.actions.items()}


@dataclass(frozen=True)
class ParticipantAnswers:
    """The answers of one participant (or table): a workbook, or the rows of a CSV export.

    ``categories`` holds every action of the key: a choice of :data:`bie.workshop.kit.CHOICES`, or None when
    left blank; ``elements`` and ``comments`` only the actions that have some; ``questionnaire`` the group's
    web questionnaire when filled (workbooks only); ``cells`` where each answer was read (« Actions!D7 » in
    a workbook, « L4 » for line 4 of a CSV file)."""

    id: str
    file: str
    categories: Mapping[int, str | None]
    elements: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    comments: Mapping[int, str] = field(default_factory=dict)
    questionnaire: Questionnaire | None = None
    cells: Mapping[int, str] = field(default_factory=dict)
    path: str | None = None

    @property
    def source(self) -> str:
        """The file the answers came from (the name :mod:`bie.workshop.scoring` shows)."""
        return self.file

    @property
    def missing(self) -> tuple[int, ...]:
        """The actions left blank."""
        return tuple(n for n, c in self.categories.items() if c is None)

    @property
    def web(self) -> dict[str, int | None]:
        """The questionnaire's scores (element id → 0–3, None for « ne sait pas »); empty when not filled."""
        if self.questionnaire is None:
            return {}
        return {e: a.score for e, a in self.questionnaire.answers.items()}

    @property
    def web_answers(self) -> Mapping[str, Answer]:
        return {} if self.questionnaire is None else self.questionnaire.answers


@dataclass(frozen=True)
class Answers:
    """Every participant's answers to one kit, in the order the files were given."""

    kit_id: str
    lang: str
    participants: tuple[ParticipantAnswers, ...]

    @property
    def missing(self) -> int:
        """How many category answers were left blank, all participants together."""
        return sum(len(p.missing) for p in self.participants)

    def participant(self, participant_id: str, file: str | None = None) -> ParticipantAnswers:
        for p in self.participants:
            if p.id == participant_id and (file is None or p.file == file):
                return p
        raise KeyError(participant_id)


# --------------------------------------------------------------------------------------------------
# problems


def _shown(value: Any, cap: int = 60) -> str:
    text = str(value).strip() if not isinstance(value, float) else f"{value:g}"
    text = " ".join(text.split())
    return text if len(text) <= cap else text[: cap - 1] + "…"


class _Problems:
    """Problems found so far, each one phrase in both languages naming its file (and sheet and cell)."""

    def __init__(self) -> None:
        self.items: list[Text] = []

    def __len__(self) -> int:
        return len(self.items)

    def file(self, name: str, fr: str, en: str) -> None:
        self.items.append(Text(f"{name} : {fr}", f"{name}: {en}"))

    def cell(self, name: str, sheet: str, ref: str, fr: str, en: str) -> None:
        self.items.append(
            Text(
                f"{name}, feuille « {sheet} », cellule {ref} : {fr}",
                f"{name}, sheet “{sheet}”, cell {ref}: {en}",
            )
        )

    def sheet(self, name: str, sheet: str, fr: str, en: str) -> None:
        self.items.append(Text(f"{name}, feuille « {sheet} » : {fr}", f"{name}, sheet “{sheet}”: {en}"))

    def line(self, name: str, line: int, column: str | None, fr: str, en: str) -> None:
        if column is None:
            self.items.append(Text(f"{name}, ligne {line} : {fr}", f"{name}, line {line}: {en}"))
        else:
            self.items.append(
                Text(
                    f"{name}, ligne {line}, colonne « {column} » : {fr}",
                    f"{name}, line {line}, column “{column}”: {en}",
                )
            )

    def error(self, exc: BieError) -> None:
        self.items.append(Text(exc.message("fr"), exc.message("en")))

    def raise_if_any(self, path: str | Path | None = None) -> None:
        if not self.items:
            return
        if len(self.items) == 1:
            raise WorkshopError(path, detail=self.items[0])
        shown = self.items[:MAX_LISTED]
        rest = len(self.items) - len(shown)
        fr = " ; ".join(f"({i}) {p.fr}" for i, p in enumerate(shown, start=1))
        en = "; ".join(f"({i}) {p.en}" for i, p in enumerate(shown, start=1))
        if rest:
            fr += f" ; … et {rest} {'autre' if rest == 1 else 'autres'}"
            en += f"; … and {rest} more"
        raise WorkshopError(path, detail=Text(fr, en))


def _choices_fr() -> str:
    return ", ".join(choice_labels("fr")) + " (ou S, T, NPC, ?)"


def _choices_en() -> str:
    return ", ".join(choice_labels("en")) + " (or S, T, N, ?)"


def _col(index: int) -> str:
    return chr(65 + index)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _number(value: Any) -> int | None:
    """An action number: 3, 3.0 or « 3 »."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*\d{1,6}(?:[.,]0+)?\s*", value):
        return int(re.split(r"[.,]", value.strip())[0])
    return None


# --------------------------------------------------------------------------------------------------
# the answer key


def _open_workbook(p: Path, name: str, problems: _Problems, limits: Limits, what: Text) -> Any | None:
    """The workbook at ``p`` opened read-only with formulas as formulas, or None (a problem recorded)."""
    import openpyxl

    try:
        guard_file(p, limits)
    except BieError as exc:
        problems.error(exc)
        return None
    try:
        return openpyxl.load_workbook(p, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types on a file that is not a workbook
        problems.file(
            name,
            f"classeur .xlsx illisible ({exc.__class__.__name__}) : ce n'est pas {what.fr}",
            f"unreadable .xlsx workbook ({exc.__class__.__name__}): not {what.en}",
        )
        return None


def _damaged(name: str, exc: Exception, problems: _Problems) -> None:
    if isinstance(exc, BieError):
        problems.error(exc)
        return
    problems.file(
        name,
        f"contenu du classeur endommagé ({exc.__class__.__name__}) : ouvrez-le dans votre tableur et "
        "enregistrez une copie",
        f"damaged workbook content ({exc.__class__.__name__}): open it in your spreadsheet program and save "
        "a copy",
    )


def _meta_rows(wb: Any) -> list[tuple[str, ...]] | None:
    if META_SHEET not in wb.sheetnames:
        return None
    rows: list[tuple[str, ...]] = []
    for row in wb[META_SHEET].iter_rows(min_row=1, max_row=1000, max_col=4, values_only=True):
        rows.append(tuple("" if v is None else str(v).strip() for v in row))
    return rows


def _meta(rows: list[tuple[str, ...]]) -> dict[str, str]:
    return {row[0]: (row[1] if len(row) > 1 else "") for row in rows if row and row[0]}


_KIND_WORDS = {
    ANSWERS_KIND: Text("un classeur de réponses d'atelier", "a workshop answer workbook"),
    KEY_KIND: Text("le corrigé d'un atelier", "a workshop answer key"),
    QUESTIONNAIRE_KIND: Text("un questionnaire de la toile", "a web questionnaire"),
}


def _check_kind(
    meta_rows: list[tuple[str, ...]] | None, expected: str, name: str, problems: _Problems
) -> bool:
    want = _KIND_WORDS[expected]
    if meta_rows is None:
        problems.file(
            name,
            f"ce n'est pas {want.fr} produit par bie (feuille cachée « {META_SHEET} » absente)",
            f"not {want.en} made by bie (hidden sheet “{META_SHEET}” missing)",
        )
        return False
    kind = _meta(meta_rows).get("kind", "")
    if kind == expected:
        return True
    if kind in _KIND_WORDS:
        got = _KIND_WORDS[kind]
        problems.file(name, f"c'est {got.fr}, pas {want.fr}", f"this is {got.en}, not {want.en}")
    else:
        problems.file(
            name,
            f"feuille « {META_SHEET} » : ce n'est pas {want.fr} produit par bie (« {expected} » attendu, "
            f"trouvé « {_shown(kind)} »)",
            f"sheet “{META_SHEET}”: not {want.en} made by bie (“{expected}” expected, found "
            f"“{_shown(kind)}”)",
        )
    return False


def _check_path(p: Path, name: str, suffixes: Iterable[str], what: Text, problems: _Problems) -> bool:
    if not p.is_file():
        problems.file(name, "fichier introuvable", "file not found")
        return False
    if p.suffix.lower() not in suffixes:
        suffix = _shown(p.suffix) or "—"
        problems.file(name, f"{what.fr} (extension « {suffix} »)", f"{what.en} (extension “{suffix}”)")
        return False
    return True


_NOT_A_KEY = Text("le corrigé doit être un classeur .xlsx", "the answer key must be an .xlsx workbook")
_NOT_ANSWERS = Text("ni un classeur .xlsx ni un fichier .csv", "neither an .xlsx workbook nor a .csv file")


def read_key(path: str | Path, limits: Limits = DEFAULT_LIMITS, model: WebModel | None = None) -> Key:
    """Read the answer key written by :func:`bie.workshop.workbook.write_key_workbook`. Raises
    :class:`bie.errors.WorkshopError` listing every problem."""
    model = model or load_model()
    p = Path(path)
    name = display_name(p.name)
    problems = _Problems()
    key: Key | None = None
    if _check_path(p, name, _WORKBOOK_SUFFIXES, _NOT_A_KEY, problems):
        wb = _open_workbook(p, name, problems, limits, _KIND_WORDS[KEY_KIND])
        if wb is not None:
            try:
                key = _read_key(wb, p, name, model, problems)
            except Exception as exc:  # a malformed part, parsed lazily by openpyxl in read-only mode
                _damaged(name, exc, problems)
            finally:
                wb.close()
    problems.raise_if_any()
    if key is None:  # pragma: no cover - a problem is always recorded when no key is read
        raise WorkshopError(p, detail=Text("corrigé illisible", "unreadable answer key"))
    return key


def _read_key(wb: Any, p: Path, name: str, model: WebModel, problems: _Problems) -> Key | None:
    rows = _meta_rows(wb)
    if not _check_kind(rows, KEY_KIND, name, problems) or rows is None:
        return None
    meta = _meta(rows)
    where = META_SHEET
    kit_id = meta.get("kit", "")
    if not kit_id:
        problems.sheet(
            name, where, "identifiant de l'atelier absent (« kit »)", "workshop id missing (“kit”)"
        )
    lang = meta.get("lang", "")
    if lang not in LANGS:
        problems.sheet(
            name, where, f"langue inconnue « {_shown(lang)} »", f"unknown language “{_shown(lang)}”"
        )
    elements = tuple(e for e in meta.get("elements", "").split(",") if e)
    unknown = [e for e in elements if e not in model.ids]
    if not elements or unknown:
        problems.sheet(
            name,
            where,
            f"liste des éléments de la toile absente ou inconnue ({_shown(', '.join(unknown))})",
            f"web element list missing or unknown ({_shown(', '.join(unknown))})",
        )
    actions: dict[int, KeyAction] = {}
    scores: dict[str, int | None] = {}
    chunks: dict[int, str] = {}
    action_rows = 0
    for r, row in enumerate(rows, start=1):
        cells = row + ("",) * (4 - len(row))
        if cells[0] == "action":
            action_rows += 1
            number = _number(cells[1])
            category = cells[2]
            ids = tuple(e for e in cells[3].split(",") if e)
            if number is None or number in actions:
                problems.cell(
                    name,
                    where,
                    f"B{r}",
                    f"numéro d'action « {_shown(cells[1])} » absent, invalide ou en double",
                    f"action number “{_shown(cells[1])}” missing, invalid or repeated",
                )
                continue
            if category not in KEY_CATEGORIES:
                problems.cell(
                    name,
                    where,
                    f"C{r}",
                    f"catégorie inconnue « {_shown(category)} »",
                    f"unknown category “{_shown(category)}”",
                )
                continue
            bad = [e for e in ids if e not in elements]
            if bad:
                problems.cell(
                    name,
                    where,
                    f"D{r}",
                    f"élément de la toile inconnu « {_shown(', '.join(bad))} »",
                    f"unknown web element “{_shown(', '.join(bad))}”",
                )
                continue
            actions[number] = KeyAction(number=number, category=category, web_elements=ids)
        elif cells[0] == "kit_data" and (index := _number(cells[1])) is not None:
            chunks[index] = cells[2]
        elif cells[0] == "web_score":
            score = cells[2]
            if cells[1] not in elements or score not in ("", "0", "1", "2", "3"):
                problems.cell(
                    name,
                    where,
                    f"B{r}",
                    f"score de la toile invalide « {_shown(cells[1])} » = « {_shown(score)} »",
                    f"invalid web score “{_shown(cells[1])}” = “{_shown(score)}”",
                )
                continue
            scores[cells[1]] = int(score) if score else None
    if not action_rows:
        problems.sheet(name, where, "aucune action", "no action")
    elif meta.get("actions") != str(action_rows):
        problems.sheet(
            name,
            where,
            f"{action_rows} lignes d'action, {_shown(meta.get('actions', '?'))} annoncées",
            f"{action_rows} action rows, {_shown(meta.get('actions', '?'))} announced",
        )
    kit = _kit(chunks, kit_id, name, problems)
    if (
        kit is not None
        and len(actions) == action_rows
        and {a.number: a.category for a in kit.actions} != {n: a.category for n, a in actions.items()}
    ):
        problems.sheet(
            name,
            where,
            "les actions du corrigé ne sont pas celles de l'atelier enregistré (classeur modifié ?)",
            "the key's actions are not those of the recorded workshop (workbook edited?)",
        )
    return Key(
        kit_id=kit_id,
        lang=lang,
        kit=kit,
        actions=dict(sorted(actions.items())),
        elements=elements,
        web_version=meta.get("web_version", ""),
        web_scores=scores,
        path=str(p),
    )


def _kit(chunks: Mapping[int, str], kit_id: str, name: str, problems: _Problems) -> Kit | None:
    """The kit recorded in the key (:func:`bie.workshop.workbook.kit_chunks`), or None with a problem."""
    text = "".join(chunks[i] for i in sorted(chunks))
    if not chunks or sorted(chunks) != list(range(len(chunks))):
        problems.sheet(
            name,
            META_SHEET,
            "atelier enregistré absent ou incomplet",
            "recorded workshop missing or incomplete",
        )
        return None
    try:
        kit = Kit.from_dict(json.loads(base64.b64decode(text, validate=True).decode("utf-8")))
    except (ValueError, UnicodeDecodeError) as exc:
        problems.sheet(
            name,
            META_SHEET,
            f"atelier enregistré illisible ({exc.__class__.__name__})",
            f"recorded workshop unreadable ({exc.__class__.__name__})",
        )
        return None
    if kit.id != kit_id:
        problems.sheet(
            name,
            META_SHEET,
            f"l'atelier enregistré ({_shown(kit.id)}) n'est pas celui du corrigé ({_shown(kit_id)})",
            f"the recorded workshop ({_shown(kit.id)}) is not the key's ({_shown(kit_id)})",
        )
        return None
    return kit


# --------------------------------------------------------------------------------------------------
# the answers


def read_answers(
    paths: Iterable[str | Path],
    key: Key,
    limits: Limits = DEFAULT_LIMITS,
    model: WebModel | None = None,
) -> Answers:
    """Read every participant workbook (.xlsx) and online form export (.csv) of ``paths`` against ``key``.

    Raises :class:`bie.errors.WorkshopError` listing every problem of every file when there is one (see the
    module docstring); returns the answers only when all were read."""
    model = model or load_model()
    problems = _Problems()
    participants: list[ParticipantAnswers] = []
    files = [Path(p) for p in paths]
    if not files:
        problems.items.append(Text("aucun fichier de réponses", "no answer file"))
    seen_paths: dict[Path, str] = {}
    for p in files:
        name = display_name(p.name)
        try:
            resolved = p.resolve()
        except OSError:
            resolved = p
        if resolved in seen_paths:
            problems.file(name, "fichier donné deux fois", "file given twice")
            continue
        seen_paths[resolved] = name
        if not _check_path(p, name, _WORKBOOK_SUFFIXES | _CSV_SUFFIXES, _NOT_ANSWERS, problems):
            continue
        if p.suffix.lower() in _WORKBOOK_SUFFIXES:
            got = _read_workbook(p, name, key, model, problems, limits)
            participants.extend([got] if got is not None else [])
        else:
            participants.extend(_read_csv(p, name, key, model, problems, limits))
    owners: dict[str, str] = {}
    for answer in participants:
        if not answer.id:
            continue  # one shared workbook: each copy is its own table, named by its file
        if answer.id in owners:
            problems.file(
                answer.file,
                f"« {_shown(answer.id)} » a déjà donné ses réponses ({owners[answer.id]}) : le même "
                "classeur deux fois, ou une copie ?",
                f"“{_shown(answer.id)}” already gave their answers ({owners[answer.id]}): the same workbook "
                "twice, or a copy?",
            )
        else:
            owners[answer.id] = answer.file
    problems.raise_if_any()
    return Answers(kit_id=key.kit_id, lang=key.lang, participants=tuple(participants))


def _read_workbook(
    p: Path, name: str, key: Key, model: WebModel, problems: _Problems, limits: Limits
) -> ParticipantAnswers | None:
    before = len(problems)
    wb = _open_workbook(p, name, problems, limits, _KIND_WORDS[ANSWERS_KIND])
    if wb is None:
        return None
    try:
        return _read_book(wb, p, name, key, model, problems, before)
    except Exception as exc:  # a malformed part, parsed lazily by openpyxl in read-only mode
        _damaged(name, exc, problems)
        return None
    finally:
        wb.close()


def _read_book(
    wb: Any, p: Path, name: str, key: Key, model: WebModel, problems: _Problems, before: int
) -> ParticipantAnswers | None:
    rows = _meta_rows(wb)
    if not _check_kind(rows, ANSWERS_KIND, name, problems) or rows is None:
        return None
    meta = _meta(rows)
    kit_id = meta.get("kit", "")
    if kit_id != key.kit_id:
        problems.file(
            name,
            f"classeur de l'atelier « {_shown(kit_id)} », or le corrigé est celui de l'atelier "
            f"« {key.kit_id} » : il vient d'un autre atelier (autres fichiers ou autre tirage des actions)",
            f"workbook of workshop “{_shown(kit_id)}”, but the answer key is that of workshop "
            f"“{key.kit_id}”: it comes from another workshop (other files or another draw of actions)",
        )
        return None
    lang = meta.get("lang", "")
    if lang not in LANGS:
        problems.sheet(
            name, META_SHEET, f"langue inconnue « {_shown(lang)} »", f"unknown language “{_shown(lang)}”"
        )
        return None
    version = meta.get("web_version", "")
    if version != model.version:
        problems.file(
            name,
            f"classeur produit pour la version {_shown(version) or '?'} du modèle de la toile, bie utilise "
            f"la version {model.version} ; refaites les classeurs de l'atelier et reportez-y les réponses",
            f"workbook made for version {_shown(version) or '?'} of the web model, bie uses version "
            f"{model.version}; make the workshop's workbooks again and copy the answers into them",
        )
        return None
    words = layout_words(lang)["workbook"]
    sheet = meta.get("actions_sheet") or words["actions_sheet"]
    if sheet not in wb.sheetnames:
        problems.file(
            name,
            f"feuille « {_shown(sheet)} » absente (renommée ou supprimée ?)",
            f"sheet “{_shown(sheet)}” missing (renamed or deleted?)",
        )
        return None
    read = _read_actions(wb[sheet], sheet, name, key, model, words["headers"], problems)
    if read is None:
        return None
    categories, elements, comments, cells = read
    questionnaire: Questionnaire | None = None
    web_sheet = meta.get("web_sheet") or words["web_sheet"]
    found: list[Text] = []
    q = read_questionnaire_sheet(wb, web_sheet, lang, model, path=p, problems=found)
    for problem in found:
        problems.items.append(Text(f"{name}, {problem.fr}", f"{name}, {problem.en}"))
    if not found and any(a.score is not None or a.text or a.comment for a in q.answers.values()):
        questionnaire = Questionnaire(version=q.version, answers=q.answers, path=str(p), lang=lang)
    answered = any(c is not None for c in categories.values()) or elements or comments or questionnaire
    if not answered and len(problems) == before:
        problems.file(
            name,
            "aucune réponse : le classeur est vide (est-ce le bon fichier ?)",
            "no answer: the workbook is empty (is it the right file?)",
        )
        return None
    return ParticipantAnswers(
        id=meta.get("participant", ""),
        file=name,
        categories=categories,
        elements=elements,
        comments=comments,
        questionnaire=questionnaire,
        cells=cells,
        path=str(p),
    )


_Read = tuple[dict[int, str | None], dict[int, tuple[str, ...]], dict[int, str], dict[int, str]]


def _read_actions(
    ws: Any,
    sheet: str,
    name: str,
    key: Key,
    model: WebModel,
    headers: Sequence[str],
    problems: _Problems,
) -> _Read | None:
    width = COL_COMMENT + 1
    rows = ws.iter_rows(min_row=HEADER_ROW, max_row=HEADER_ROW + MAX_ROWS, max_col=width)
    first = next(rows, None)
    header = [c.value for c in first] if first is not None else []
    for col in (COL_NUMBER, COL_CATEGORY, COL_ELEMENTS, COL_COMMENT):
        got = _text(header[col]) if len(header) > col else None
        if got != headers[col]:
            problems.cell(
                name,
                sheet,
                f"{_col(col)}{HEADER_ROW}",
                f"en-tête « {headers[col]} » attendu, trouvé « {_shown(got or '')} » (lignes ou colonnes "
                "déplacées ou supprimées ?)",
                f"heading “{headers[col]}” expected, found “{_shown(got or '')}” (rows or columns moved or "
                "deleted?)",
            )
            return None
    categories: dict[int, str | None] = {}
    elements: dict[int, tuple[str, ...]] = {}
    comments: dict[int, str] = {}
    cells: dict[int, str] = {}
    seen: dict[int, int] = {}
    for r, row in enumerate(rows, start=FIRST_ROW):
        values = [c.value for c in row] + [None] * (width - len(row))
        formulas = [
            c for c in (COL_CATEGORY, COL_ELEMENTS, COL_COMMENT) if c < len(row) and row[c].data_type == "f"
        ]
        raw_number = values[COL_NUMBER]
        filled = any(_text(values[c]) for c in (COL_CATEGORY, COL_ELEMENTS, COL_COMMENT))
        if _text(raw_number) is None:
            if filled:
                problems.cell(
                    name,
                    sheet,
                    f"A{r}",
                    "réponse sans numéro d'action (ligne ajoutée ou numéro effacé)",
                    "answer without an action number (row added or number erased)",
                )
            continue
        number = _number(raw_number)
        if number is None or number not in key.actions:
            problems.cell(
                name,
                sheet,
                f"A{r}",
                f"action n° « {_shown(raw_number)} » inconnue du corrigé",
                f"action no. “{_shown(raw_number)}” not in the answer key",
            )
            continue
        if number in seen:
            problems.cell(
                name,
                sheet,
                f"A{r}",
                f"l'action n° {number} a déjà une ligne (ligne {seen[number]})",
                f"action no. {number} already has a row (row {seen[number]})",
            )
            continue
        seen[number] = r
        for c in formulas:
            problems.cell(
                name,
                sheet,
                f"{_col(c)}{r}",
                f"formule refusée dans une cellule de réponse (« {_shown(values[c])} ») : tapez la réponse "
                "elle-même",
                f"formula refused in an answer cell (“{_shown(values[c])}”): type the answer itself",
            )
        cells[number] = f"{sheet}!{_col(COL_CATEGORY)}{r}"
        if COL_CATEGORY not in formulas:
            categories[number] = _category(
                values[COL_CATEGORY], problems, name, sheet, f"{_col(COL_CATEGORY)}{r}"
            )
        if COL_ELEMENTS not in formulas:
            ids = _elements(
                values[COL_ELEMENTS], key, model, problems, name, sheet, f"{_col(COL_ELEMENTS)}{r}"
            )
            if ids:
                elements[number] = ids
        comment = _text(values[COL_COMMENT])
        if comment and COL_COMMENT not in formulas:
            comments[number] = comment
    missing = [n for n in key.actions if n not in seen]
    if missing:
        listed = ", ".join(str(n) for n in missing)
        problems.sheet(
            name,
            sheet,
            f"ligne(s) d'action manquante(s) : n° {listed}",
            f"missing action row(s): no. {listed}",
        )
    ordered = {n: categories.get(n) for n in key.actions}
    return ordered, elements, comments, cells


def _category(value: Any, problems: _Problems, name: str, sheet: str, ref: str) -> str | None:
    valid, choice = parse_choice(value)
    if not valid:
        problems.cell(
            name,
            sheet,
            ref,
            f"réponse « {_shown(value)} » non reconnue ; réponses possibles : {_choices_fr()}",
            f"answer “{_shown(value)}” not recognised; possible answers: {_choices_en()}",
        )
    return choice


def _elements_problem(unknown: Sequence[str], key: Key) -> tuple[str, str]:
    n = len(key.elements)
    shown_fr = ", ".join(f"« {_shown(u)} »" for u in unknown)
    shown_en = ", ".join(f"“{_shown(u)}”" for u in unknown)
    return (
        f"élément(s) de la toile non reconnu(s) : {shown_fr} ; donnez des numéros de 1 à {n} ou des noms "
        "d'éléments, séparés par « , » ou « ; »",
        f"web element(s) not recognised: {shown_en}; give numbers from 1 to {n} or element names, separated "
        "by “,” or “;”",
    )


def _elements(
    value: Any, key: Key, model: WebModel, problems: _Problems, name: str, sheet: str, ref: str
) -> tuple[str, ...]:
    ids, unknown = parse_elements(value, key.elements, model)
    if unknown:
        problems.cell(name, sheet, ref, *_elements_problem(unknown, key))
    return ids


# --------------------------------------------------------------------------------------------------
# CSV exports of an online form

_CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "participant": (
        "participant",
        "participante",
        "participant e",
        "participants",
        "identifiant",
        "id",
        "nom",
        "name",
        "table",
        "groupe",
        "group",
    ),
    "action": (
        "action",
        "n",
        "no",
        "numero",
        "numero de l action",
        "action n",
        "n action",
        "number",
        "action number",
    ),
    "category": (
        "category",
        "categorie",
        "classement",
        "votre classement",
        "your classification",
        "classification",
        "reponse",
        "answer",
    ),
    "elements": (
        "elements",
        "element",
        "elements de la toile",
        "elements de la toile renforces",
        "web elements",
        "web elements strengthened",
        "toile",
        "web",
    ),
    "comment": ("comment", "comments", "commentaire", "commentaires", "remarque", "remarques"),
}
_CSV_REQUIRED = ("participant", "action", "category")
_CSV_NAMES_FR = {
    "participant": "participant",
    "action": "action",
    "category": "catégorie",
    "elements": "éléments",
    "comment": "commentaire",
}


def _read_csv(
    p: Path, name: str, key: Key, model: WebModel, problems: _Problems, limits: Limits
) -> list[ParticipantAnswers]:
    size = p.stat().st_size
    if size > limits.max_file_bytes:
        problems.file(
            name,
            f"fichier trop gros ({round(size / 2**20)} Mo)",
            f"file too large ({round(size / 2**20)} MB)",
        )
        return []
    raw = p.read_bytes()
    if raw.startswith(b"PK\x03\x04"):
        problems.file(
            name,
            "ce fichier .csv est en fait un classeur (zip) : enregistrez-le en .xlsx ou exportez-le en CSV",
            "this .csv file is in fact a workbook (zip): save it as .xlsx or export it as CSV",
        )
        return []
    if not raw.strip():
        problems.file(name, "fichier vide", "empty file")
        return []
    try:
        text = decode(raw, p, name).text
    except BieError as exc:
        problems.error(exc)
        return []
    text = text.lstrip("\ufeff")
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[tuple[int, list[str]]] = []
    try:
        line = 1
        for record in reader:
            records.append((line, record))
            line = reader.line_num + 1
    except csv.Error as exc:
        problems.line(name, reader.line_num, None, f"CSV illisible ({exc})", f"unreadable CSV ({exc})")
        return []
    records = [(n, r) for n, r in records if any(cell.strip() for cell in r)]
    if not records:
        problems.file(name, "fichier vide", "empty file")
        return []
    header_line, header = records[0]
    forms = {form: column for column, values in _CSV_COLUMNS.items() for form in values}
    columns: dict[str, int] = {}
    titles: dict[str, str] = {}
    for i, title in enumerate(header):
        column = forms.get(fold(title))
        if column is not None and column not in columns:
            columns[column] = i
            titles[column] = title.strip()
    absent = [c for c in _CSV_REQUIRED if c not in columns]
    if absent:
        problems.line(
            name,
            header_line,
            None,
            f"colonne(s) {', '.join(f'« {_CSV_NAMES_FR[c]} »' for c in absent)} absente(s) ; colonnes "
            "attendues : participant, action (son numéro), catégorie, éléments, commentaire",
            f"column(s) {', '.join(f'“{c}”' for c in absent)} missing; expected columns: participant, action "
            "(its number), category, elements, comment",
        )
        return []
    if len(records) == 1:
        problems.file(
            name,
            "aucune réponse : le fichier ne contient que la ligne d'en-tête",
            "no answer: the file holds only the heading line",
        )
        return []

    def get(record: list[str], column: str) -> str | None:
        i = columns.get(column)
        return _text(record[i]) if i is not None and i < len(record) else None

    by_participant: dict[str, dict[str, Any]] = {}
    seen: dict[tuple[str, int], int] = {}
    for line, record in records[1:]:
        participant = get(record, "participant")
        if participant is None:
            problems.line(
                name,
                line,
                titles["participant"],
                "participant·e non renseigné·e",
                "participant not given",
            )
            continue
        raw_number = get(record, "action")
        number = _number(raw_number)
        if number is None or number not in key.actions:
            problems.line(
                name,
                line,
                titles["action"],
                f"action n° « {_shown(raw_number or '')} » inconnue du corrigé",
                f"action no. “{_shown(raw_number or '')}” not in the answer key",
            )
            continue
        if (participant, number) in seen:
            problems.line(
                name,
                line,
                None,
                f"« {_shown(participant)} » a déjà répondu à l'action n° {number} "
                f"(ligne {seen[participant, number]})",
                f"“{_shown(participant)}” already answered action no. {number} "
                f"(line {seen[participant, number]})",
            )
            continue
        seen[participant, number] = line
        entry = by_participant.setdefault(
            participant, {"categories": {}, "elements": {}, "comments": {}, "cells": {}}
        )
        category = _csv_category(get(record, "category"), problems, name, line, titles["category"])
        entry["categories"][number] = category
        entry["cells"][number] = f"L{line}"
        if "elements" in columns:
            value = get(record, "elements")
            ids, unknown = parse_elements(value, key.elements, model)
            if unknown:
                problems.line(name, line, titles["elements"], *_elements_problem(unknown, key))
            elif ids:
                entry["elements"][number] = ids
        comment = get(record, "comment")
        if comment:
            entry["comments"][number] = comment
    out: list[ParticipantAnswers] = []
    for participant, entry in by_participant.items():
        categories = {n: entry["categories"].get(n) for n in key.actions}
        if (
            not any(c is not None for c in categories.values())
            and not entry["elements"]
            and not entry["comments"]
        ):
            problems.file(
                name,
                f"« {_shown(participant)} » n'a donné aucune réponse",
                f"“{_shown(participant)}” gave no answer at all",
            )
            continue
        out.append(
            ParticipantAnswers(
                id=participant,
                file=name,
                categories=categories,
                elements=entry["elements"],
                comments=entry["comments"],
                cells=entry["cells"],
                path=str(p),
            )
        )
    return out


def _csv_category(value: str | None, problems: _Problems, name: str, line: int, column: str) -> str | None:
    valid, choice = parse_choice(value)
    if not valid:
        problems.line(
            name,
            line,
            column,
            f"réponse « {_shown(value)} » non reconnue ; réponses possibles : {_choices_fr()}",
            f"answer “{_shown(value)}” not recognised; possible answers: {_choices_en()}",
        )
    return choice
