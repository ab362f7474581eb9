"""What a reader sees, scanned for internal ids and (in English) French words (issue 10).

Text that comes from the input file is the reader's own data and is set aside first: every cell, header,
sheet and file name of the input, and any quoted passage or text node found inside them. What is left was
written by bie, and must hold no internal id (``not_integrated``, ``amount_granted``, ``funding:``…) and, in
an English report, no French word.

``python -m tests.scan FILE [LANG]`` prints what it finds for one input.
"""

from __future__ import annotations

import html as html_lib
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import openpyxl

import bie
from bie.resources import load_data

#: Words that are French and not English (accents folded in the check). A word of this list in an English
#: report, outside the input's own text, is a leak.
_FRENCH = """les des du une et avec pour dans sur est sont aux cette ces qui que pas été être
    égalité intégrée spécifique examiner montant montants ligne lignes fichier porteur quartier crédits
    actions_ non prise compte somme cofinancements autres aucun aucune motif intitulé élément éléments
    toile faible moyen fort inconnu renseigné thématique pilier financement financeur
    annee année catégorie catégories règle règles"""
FRENCH_WORDS = frozenset(_FRENCH.split())

#: Names that stay French in every language (organisations, the titles of the French sources bie cites).
PROPER_NAMES = ("L'Être Égale", "Villes au Carré", "Centre Hubertine Auclert")

_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿœŒ_:]+(?:-[A-Za-zÀ-ÖØ-öø-ÿ]+)*")
_QUOTED = re.compile(r"«\s*(.*?)\s*»|“(.*?)”|\"(.*?)\"", re.S)


def internal_ids() -> frozenset[str]:
    """Ids a reader must never see: categories, audiences, review reasons, field ids with an underscore."""
    labels = load_data("labels.yaml")
    ids: set[str] = set()
    for group in ("categories", "audience", "review_reasons"):
        ids.update(k for k in labels[group] if "_" in k)
    ids.update(k for k in load_data("columns.yaml")["fields"] if "_" in k)
    ids.update({"funding:", "whole_contract", "not_given", "little_text", "aim_lead", "amount_basis"})
    return frozenset(ids)


@dataclass
class Finding:
    where: str
    kind: str  # "id" or "french"
    word: str
    context: str


class Data:
    """The input's own text: one big string to search passages in, and its set of cells."""

    def __init__(self, audit: bie.Audit) -> None:
        cells: set[str] = set()
        for res, name in zip(audit.inputs, audit.input_names, strict=True):
            cells.add(name)
            cells.add(Path(res.path).name)
            cells.update(str(c) for c in res.original.columns)
            cells.add(str(res.sheet))
            for col in res.original.columns:
                for v in res.original.get_column(col).cast(str).drop_nulls().unique().to_list():
                    cells.add(" ".join(str(v).split()))
            for v in res.ledger.get_column("text").drop_nulls().unique().to_list():
                cells.add(" ".join(str(v).split()))
        cells.update(PROPER_NAMES)
        cells.update(str(x) for x in load_data("method.yaml").get("sources", []))
        # The titles of the documents the « pistes d'actions » cite: quoted as published (bie.workshop).
        cells.update(str(s["title"]) for s in load_data("practices.yaml")["sources"].values())
        self.cells = {c for c in cells if c}
        self.joined = "\n".join(sorted(self.cells)).casefold()

    def holds(self, text: str) -> bool:
        t = " ".join(text.split()).strip(" …·|:;,.()[]*").casefold()
        return bool(t) and t in self.joined


def _strip_data(text: str, data: Data) -> str:
    """Remove quoted passages and whole text found in the input."""
    if data.holds(text):
        return ""

    def quoted(m: re.Match[str]) -> str:
        inner = next(g for g in m.groups() if g is not None)
        return " " if data.holds(inner) else m.group(0)

    text = _QUOTED.sub(quoted, text)
    # « title · carrier · id »: pieces of a cell
    pieces = [p for p in re.split(r" · | — |\n", text) if p.strip()]
    return " ".join(p for p in pieces if not data.holds(p))


def _scan_text(text: str, where: str, lang: str, data: Data, ids: frozenset[str]) -> Iterator[Finding]:
    rest = _strip_data(text, data)
    if not rest.strip():
        return
    for m in _WORD.finditer(rest):
        word = m.group(0)
        context = rest[max(0, m.start() - 40) : m.end() + 40].replace("\n", " ")
        if word in ids or word.startswith("funding:"):
            yield Finding(where, "id", word, context)
        elif lang == "en" and word.casefold() in FRENCH_WORDS and not data.holds(word):
            yield Finding(where, "french", word, context)


def html_texts(page: str) -> Iterator[str]:
    """The text nodes a reader sees (scripts, styles and attributes aside; SVG text included)."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    body = re.sub(r"<!--.*?-->", " ", body, flags=re.S)
    for node in re.split(r"<[^>]+>", body):
        text = html_lib.unescape(node).strip()
        if text:
            yield text
    for attr in re.findall(r'\s(?:aria-label|title|alt|placeholder)="([^"]*)"', body):
        if attr.strip():
            yield html_lib.unescape(attr)


def xlsx_texts(path: Path) -> Iterator[tuple[str, str]]:
    wb = openpyxl.load_workbook(path, read_only=True)
    for ws in wb.worksheets:
        yield ws.title, ws.title
        for row in ws.iter_rows(values_only=True):
            for v in row:
                if isinstance(v, str) and v.strip():
                    yield ws.title, v


def scan(audit: bie.Audit, lang: str, out_dir: Path, cli_text: str = "") -> list[Finding]:
    data = Data(audit)
    ids = internal_ids()
    found: list[Finding] = []
    for text in html_texts(audit.to_html(lang)):
        found.extend(_scan_text(text, "html", lang, data, ids))
    xlsx = audit.to_excel(out_dir / f"scan-{lang}.xlsx", lang)
    for sheet, text in xlsx_texts(xlsx):
        found.extend(_scan_text(text, f"xlsx:{sheet}", lang, data, ids))
    for line in cli_text.splitlines():
        found.extend(_scan_text(line, "cli", lang, data, ids))
    return found


def scan_files(audit: bie.Audit, lang: str, files: Iterable[Path]) -> list[Finding]:
    """:func:`scan` on outputs already written (.html, .svg, .xlsx): the workshop kit and its readout."""
    data = Data(audit)
    ids = internal_ids()
    found: list[Finding] = []
    for path in files:
        if path.suffix in (".html", ".svg"):
            for text in html_texts(path.read_text(encoding="utf-8")):
                found.extend(_scan_text(text, path.name, lang, data, ids))
        elif path.suffix == ".xlsx":
            for sheet, text in xlsx_texts(path):
                if sheet != "_bie":  # the hidden sheet holds ids for bie itself, never shown
                    found.extend(_scan_text(text, f"{path.name}:{sheet}", lang, data, ids))
    return found


def summary_text(audit: bie.Audit, lang: str) -> str:
    """What ``bie audit`` prints, rendered by the CLI's own function."""
    import io

    from rich.console import Console

    from bie_cli.render import render_audit_summary

    buffer = io.StringIO()
    render_audit_summary(Console(file=buffer, width=200, color_system=None), audit, [], lang)
    return buffer.getvalue()


def _group(findings: Iterable[Finding]) -> dict[tuple[str, str, str], list[str]]:
    out: dict[tuple[str, str, str], list[str]] = {}
    for f in findings:
        out.setdefault((f.where, f.kind, f.word), []).append(f.context)
    return out


def main(argv: list[str]) -> int:
    import tempfile

    path = Path(argv[0])
    langs = argv[1:] or ["fr", "en"]
    audit = bie.audit(path)
    with tempfile.TemporaryDirectory() as tmp:
        for lang in langs:
            found = scan(audit, lang, Path(tmp), summary_text(audit, lang))
            for (where, kind, word), contexts in sorted(_group(found).items()):
                print(f"[{lang}] {where:24} {kind:6} {word!r:24} ×{len(contexts)}  …{contexts[0]}…")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
