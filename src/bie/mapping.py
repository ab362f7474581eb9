"""Map the columns of a table to bie's canonical fields, with a confidence, and read mapping files.

A mapping file (YAML) overrides or completes the guess::

    # mapping.yaml
    sheet: Programmation 2024          # optional
    header_rows: [5, 6]                # optional: rows as numbered in Excel / LibreOffice
    columns:
      "Intitulé de l'action": title
      "Financements sollicités / Ville": {funding: Ville, stage: requested}
      "Observations": ignore

Column names are those ``bie inspect`` prints (two-row headers flattened to « parent / child »).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bie.errors import MappingError, Text
from bie.issues import Issue
from bie.layout import Header
from bie.resources import key_problem, load_yaml_file
from bie.vocabulary import Vocabulary, fold

FUNDING_PREFIX = "funding:"
STAGE_NAMES = ("requested", "proposed", "granted")
_BARE_SIRET = re.compile(r"^(n|no|numero|code|num)?\s*(siret|siren|siret siren|siren siret)( 1)?$")
_TOTAL_WORD = re.compile(r"^(total|totaux|ensemble|sous total|total general|somme)\b")
_AMOUNT_STRIP = re.compile(
    r"\b(montants?|mt|financements?|subventions?|part|participations?|contributions?|apports?|"
    r"sollicit\w*|demand\w*|accord\w*|attribu\w*|propos\w*|vot\w*|allou\w*|octroy\w*|"
    r"en euros?|euros?|eur)\b|€|\(\s*\)",
    re.I,
)


@dataclass
class FundingColumn:
    column: str  # frame column (c0…)
    header: str  # source header
    funder: str  # funder name as written
    funder_id: str | None
    stage: str | None


@dataclass
class ColumnMapping:
    """Result of mapping: canonical field -> frame column, with confidences and what was left unmapped."""

    fields: dict[str, str] = field(default_factory=dict)  # field -> frame column
    headers: dict[str, str] = field(default_factory=dict)  # frame column -> source header
    confidence: dict[str, float] = field(default_factory=dict)  # field (or funding:…) -> confidence
    funding: list[FundingColumn] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)  # frame columns
    ignored: list[str] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    def header_of(self, name: str) -> str:
        """Source header of a canonical field or funding column name."""
        if name.startswith(FUNDING_PREFIX):
            for f in self.funding:
                if f"{FUNDING_PREFIX}{f.funder}" == name:
                    return f.header
        return self.headers[self.fields[name]]


@dataclass
class MappingFile:
    path: str
    sheet: str | None = None
    header_rows: list[int] | None = None
    columns: dict[str, Any] = field(default_factory=dict)


def load_mapping(path: str | Path, vocab: Vocabulary) -> MappingFile:
    data = load_yaml_file(path, MappingError)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise MappingError(
            path,
            detail=Text(
                "le fichier doit être un dictionnaire YAML (clés sheet, header_rows, columns)",
                "the file must be a YAML mapping (keys sheet, header_rows, columns)",
            ),
        )
    problem = key_problem(data, frozenset(), {"sheet", "header_rows", "columns", "version", "description"})
    if problem is not None:
        raise MappingError(path, detail=problem)
    rows = data.get("header_rows")
    if rows is not None:
        if isinstance(rows, int):
            rows = [rows]
        if not (isinstance(rows, list) and rows and all(isinstance(r, int) and r >= 1 for r in rows)):
            raise MappingError(
                path,
                detail=Text(
                    "header_rows doit être un numéro de ligne ou une liste de numéros (≥ 1)",
                    "header_rows must be a row number or a list of row numbers (≥ 1)",
                ),
            )
        if len(rows) > 2:
            raise MappingError(
                path,
                detail=Text(
                    "header_rows : deux lignes d'en-tête au plus", "header_rows: two header rows at most"
                ),
            )
    columns = data.get("columns") or {}
    if not isinstance(columns, dict):
        raise MappingError(
            path,
            detail=Text(
                "columns doit associer des intitulés de colonnes à des champs",
                "columns must map column headings to fields",
            ),
        )
    for header, target in columns.items():
        if target == "ignore" or (isinstance(target, str) and target in vocab.fields):
            continue
        if (
            isinstance(target, dict)
            and set(target) <= {"funding", "stage"}
            and isinstance(target.get("funding"), str)
        ):
            if target.get("stage") not in (None, *STAGE_NAMES):
                stage = target.get("stage")
                raise MappingError(
                    path,
                    detail=Text(
                        f"étape inconnue « {stage} » pour « {header} »",
                        f"unknown stage “{stage}” for “{header}”",
                    ),
                )
            continue
        known = ", ".join(sorted(vocab.fields))
        raise MappingError(
            path,
            detail=Text(
                f"« {header} » : champ inconnu « {target} » "
                f"(champs possibles : {known}, ignore, ou {{funding: NOM}})",
                f"“{header}”: unknown field “{target}” "
                f"(possible fields: {known}, ignore, or {{funding: NAME}})",
            ),
        )
    sheet = data.get("sheet")
    return MappingFile(
        path=str(path), sheet=None if sheet is None else str(sheet), header_rows=rows, columns=columns
    )


def _funder_name(vocab: Vocabulary, parent: str, child: str, header: str) -> str:
    stripped = _AMOUNT_STRIP.sub(" ", header)
    stripped = re.sub(r"\s+", " ", stripped).strip(" -:/")
    if stripped.startswith("(") and stripped.endswith(")") and stripped.count("(") == 1:
        stripped = stripped[1:-1].strip()
    return stripped or header


def map_columns(
    header: Header, vocab: Vocabulary, mapping_file: MappingFile | None = None, sheet: str | None = None
) -> ColumnMapping:
    """Guess the canonical field of every column, then apply the mapping file."""
    result = ColumnMapping()
    candidates: list[tuple[float, int, str, str]] = []  # (confidence, index, field, column)
    forced: dict[str, Any] = {}
    if mapping_file is not None:
        present = {n for n in header.names if n}
        for wanted, target in mapping_file.columns.items():
            if wanted in present:
                forced[wanted] = target
            else:
                result.issues.append(Issue("mapping-unknown-column", sheet=sheet, params={"name": wanted}))
    funding_parents = _funding_parents(header, vocab)
    for j, name in enumerate(header.names):
        if name is None:
            continue
        column = f"c{j}"
        result.headers[column] = name
        parent, child = header.parents[j], header.children[j]
        if name in forced:
            target = forced[name]
            if target == "ignore":
                result.ignored.append(column)
            elif isinstance(target, dict):
                funder = str(target["funding"])
                found = vocab.funder(funder)
                result.funding.append(
                    FundingColumn(column, name, funder, found.id if found else None, target.get("stage"))
                )
                result.confidence[f"{FUNDING_PREFIX}{funder}"] = 1.0
            else:
                candidates.append((2.0, j, str(target), column))
            continue
        guess = _guess(vocab, name, parent, child, parent in funding_parents)
        if guess is None:
            result.unmapped.append(column)
        elif guess[0] == "funding":
            _, funder, funder_id, stage, confidence = guess
            result.funding.append(FundingColumn(column, name, funder, funder_id, stage))
            result.confidence[f"{FUNDING_PREFIX}{funder}"] = confidence
        else:
            _, fld, confidence = guess[:3]
            candidates.append((confidence, j, fld, column))
    _disambiguate_siret(candidates, header, vocab)
    taken: set[str] = set()
    winners: dict[str, tuple[float, int, str]] = {}
    for confidence, j, fld, column in sorted(candidates, key=lambda c: (-c[0], c[1])):
        if fld in winners:
            other = winners[fld]
            result.unmapped.append(column)
            result.issues.append(
                Issue(
                    "column-conflict",
                    sheet=sheet,
                    column=result.headers[column],
                    params={"name": result.headers[column], "other": result.headers[other[2]], "field": fld},
                )
            )
            continue
        winners[fld] = (confidence, j, column)
        taken.add(column)
        result.fields[fld] = column
        result.confidence[fld] = min(1.0, confidence)
    # Funders named twice (e.g. requested and granted stages) get the stage in their name.
    names = [f.funder for f in result.funding]
    for f in result.funding:
        if names.count(f.funder) > 1 and f.stage:
            old = f"{FUNDING_PREFIX}{f.funder}"
            f.funder = f"{f.funder} ({f.stage})"
            result.confidence[f"{FUNDING_PREFIX}{f.funder}"] = result.confidence.pop(old, 1.0)
    result.unmapped.sort(key=lambda c: int(c[1:]))
    for column in result.unmapped:
        result.issues.append(
            Issue(
                "column-unmapped",
                sheet=sheet,
                column=result.headers[column],
                params={"name": result.headers[column]},
            )
        )
    return result


def _funding_parents(header: Header, vocab: Vocabulary) -> set[str]:
    """Parent labels that head one column per co-funder: a funding word, and at least two funder names below
    (« Informations relatives à la subvention » over « Objet », « Montant »… is not one)."""
    children: dict[str, list[str]] = {}
    for parent, child in zip(header.parents, header.children, strict=True):
        if parent and child:
            children.setdefault(parent, []).append(child)
    out = set()
    for parent, kids in children.items():
        funders = sum(1 for k in kids if vocab.funder(k) is not None)
        enough = funders >= 2 or (funders == 1 and len(kids) == 1)
        if vocab.is_funding_group(parent) and enough and funders * 2 >= len(kids):
            out.add(parent)
    return out


def _guess(
    vocab: Vocabulary, name: str, parent: str, child: str, funding_group: bool
) -> tuple[Any, ...] | None:
    folded_child = fold(child) if child else ""
    if parent and funding_group and child:
        stage = vocab.stage_of(parent) or vocab.stage_of(child)
        if _TOTAL_WORD.match(folded_child):
            return ("field", f"amount_{stage or 'requested'}", 0.9)
        funder = vocab.funder(child)
        direct = vocab.match(child)
        if (
            funder is not None
            or direct is None
            or direct[0] not in ("total_cost", "women", "men", "beneficiaries_total")
        ):
            return ("funding", child, funder.id if funder else None, stage, 0.95 if funder else 0.75)
    if parent and vocab.is_beneficiary_group(parent) and child:
        if re.match(r"^(femmes?|filles?|f|dont femmes|feminin)$", folded_child):
            return ("field", "women", 0.95)
        if re.match(r"^(hommes?|garcons?|h|dont hommes|masculin)$", folded_child):
            return ("field", "men", 0.95)
        if _TOTAL_WORD.match(folded_child) or folded_child in ("nombre", "nb", "effectif"):
            return ("field", "beneficiaries_total", 0.95)
    if child and parent:
        # The child label says what the column is; the parent only groups it (« Informations relatives
        # à la subvention / Objet de la subvention »).
        part = vocab.match(child)
        if part is not None and part[1] >= 0.8:
            return ("field", part[0], part[1] * 0.95)
    full = vocab.match(name)
    funder = vocab.funder(child or name)
    if funder is not None and vocab.has_amount_word(child or name) and not (full and full[1] >= 1.0):
        stage = vocab.stage_of(name)
        return ("funding", _funder_name(vocab, parent, child, child or name), funder.id, stage, 0.85)
    if child and parent:
        part = vocab.match(child)
        if part is not None:
            return ("field", part[0], part[1] * 0.95)
    if full is not None:
        return ("field", full[0], full[1] * (0.9 if parent and child else 1.0))
    if child and parent:
        part = vocab.match(parent)
        if part is not None and vocab.fields[part[0]].kind in ("text", "id"):
            return ("field", part[0], part[1] * 0.8)
    return None


def _disambiguate_siret(
    candidates: list[tuple[float, int, str, str]], header: Header, vocab: Vocabulary
) -> None:
    """A bare « SIRET » column belongs to the name column nearest on its left (grantor or carrier)."""
    by_index = {j: fld for _, j, fld, _ in candidates}
    for k, (confidence, j, fld, column) in enumerate(candidates):
        name = header.names[j] or ""
        if fld not in ("carrier_id", "grantor_id") or not _BARE_SIRET.match(fold(name)):
            continue
        owner = None
        for left in range(j - 1, -1, -1):
            if by_index.get(left) in ("carrier", "grantor"):
                owner = by_index[left]
                break
        if owner is None:
            continue
        target = "grantor_id" if owner == "grantor" else "carrier_id"
        candidates[k] = (confidence, j, target, column)
        by_index[j] = target
