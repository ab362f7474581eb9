"""Find the header of a funding table in a raw sheet, and flatten two-row headers.

Officers' tables have title and note rows above the header, and often a two-row header: a parent cell merged
over several columns (« Financements sollicités » over « État (BOP 147) », « Ville »…) with cells merged
vertically beside it (« Porteur »). The header is the row whose cells best match the column vocabulary; the
row below (or above) joins it when it completes it. Names are flattened to « parent / child ».
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bie.io.raw import ROW, Merge, RawSheet, col_letters
from bie.issues import Issue
from bie.vocabulary import Vocabulary, fold, key

#: Rows scanned for a header.
SCAN_ROWS = 40
_NUMBER = re.compile(r"^[\s€+\-–()]*[0-9][0-9\s.,'’\u00a0\u202f]*(€|eur|euros)?\s*%?\s*$", re.I)


@dataclass
class Header:
    """Where the header is and what each column is called."""

    #: 0-based positions (in the sheet frame) of the header rows, top to bottom.
    positions: list[int]
    #: 1-based row numbers as the user sees them.
    rows: list[int]
    #: One flattened, unique name per text column of the frame (``c0``…); ``None`` for a column with
    #: neither a title nor any value (dropped).
    names: list[str | None]
    #: Parent and child label of each column (parent is empty for one-row headers).
    parents: list[str]
    children: list[str]
    score: float
    issues: list[Issue] = field(default_factory=list)


def _clean(value: object) -> str:
    if value is None:
        return ""
    text = str(value).replace("\u00a0", " ").replace("\u202f", " ")
    return re.sub(r"\s+", " ", text).strip()


#: Scores of cells already seen, per vocabulary (kept alive here, so its id cannot be reused): the same
#: header cells come back in every file of a consolidation, and scoring one costs tens of microseconds.
_SCORES: dict[int, tuple[Vocabulary, dict[tuple[str, frozenset[str]], float]]] = {}
_SCORES_MAX = 200_000


def _cell_score(vocab: Vocabulary, text: str, extra: frozenset[str] = frozenset()) -> float:
    if not text:
        return 0.0
    entry = _SCORES.get(id(vocab))
    if entry is None or entry[0] is not vocab:
        if len(_SCORES) >= 8:  # vocabularies built by tests or tools: keep a few
            _SCORES.clear()
        entry = _SCORES[id(vocab)] = (vocab, {})
    seen = entry[1]
    score = seen.get((text, extra))
    if score is None:
        if len(seen) >= _SCORES_MAX:
            seen.clear()
        score = seen[(text, extra)] = _score(vocab, text, extra)
    return score


def _score(vocab: Vocabulary, text: str, extra: frozenset[str]) -> float:
    if extra and key(text) in extra:
        return 1.0
    if _NUMBER.match(text):
        return -0.6
    if len(text) > 90:
        return -0.4
    found = vocab.match(text)
    if found is not None and found[1] >= 0.7:
        return found[1]
    if vocab.funder(text) is not None and len(text) <= 40:
        return 0.5
    if vocab.is_funding_group(text) or vocab.is_beneficiary_group(text):
        return 0.4
    return 0.0


def row_score(vocab: Vocabulary, cells: list[str], extra: frozenset[str] = frozenset()) -> tuple[float, int]:
    """Score of one candidate header row and the number of recognised cells. ``extra`` holds the matching
    keys of column names given in a mapping file, which count as recognised."""
    scores = [_cell_score(vocab, c, extra) for c in cells]
    recognised = sum(1 for s in scores if s >= 0.7)
    return sum(scores), recognised


def _merge_at(merges: list[Merge], row: int, col: int) -> Merge | None:
    for m in merges:
        if m.row0 <= row <= m.row1 and m.col0 <= col <= m.col1:
            return m
    return None


def find_header(sheet: RawSheet, vocab: Vocabulary, extra: frozenset[str] = frozenset()) -> Header | None:
    """The best header of ``sheet`` or ``None`` when no row looks like one."""
    frame = sheet.frame
    if frame is None or frame.height == 0:
        return None
    cols = [c for c in frame.columns if c.startswith("c")]
    head = frame.head(SCAN_ROWS)
    grid = [[_clean(v) for v in row] for row in head.select(cols).iter_rows()]
    best: tuple[float, int] | None = None
    for i, cells in enumerate(grid):
        score, recognised = row_score(vocab, cells, extra)
        if recognised >= 2 and score >= 1.5 and (best is None or score > best[0] + 1e-9):
            best = (score, i)
    if best is None:
        return None
    score, h = best
    # Merges in frame coordinates: frame row i is sheet row (i), frame column j is sheet column first_col + j.
    merges = [
        Merge(m.row0, m.col0 - sheet.first_col, m.row1, m.col1 - sheet.first_col)
        for m in sheet.merges
        if m.col1 >= sheet.first_col
    ]
    rows_of = head.get_column(ROW).to_list()
    # Frame rows map to sheet rows through _row (1-based); merges use 0-based sheet rows.
    sheet_row = {i: rows_of[i] - 1 for i in range(len(rows_of))}
    positions = [h]
    child = _child_row(grid, h, merges, sheet_row, vocab)
    if child is not None:
        positions.append(child)
    else:
        parent = _parent_row(grid, h, merges, sheet_row, vocab)
        if parent is not None:
            positions.insert(0, parent)
    below = frame.slice(positions[-1] + 1)
    has_data = [below.get_column(c).null_count() < below.height for c in cols]
    return _flatten(sheet, grid, positions, merges, sheet_row, cols, score, rows_of, has_data)


def _nonempty(cells: list[str]) -> list[int]:
    return [j for j, c in enumerate(cells) if c]


def _horizontal_merges(merges: list[Merge], sheet_row: int) -> list[Merge]:
    return [m for m in merges if m.row0 == sheet_row and m.col1 > m.col0]


def _child_row(
    grid: list[list[str]], h: int, merges: list[Merge], sheet_row: dict[int, int], vocab: Vocabulary
) -> int | None:
    if h + 1 >= len(grid):
        return None
    top, below = grid[h], grid[h + 1]
    cells = _nonempty(below)
    if not cells or any(_NUMBER.match(below[j]) for j in cells):
        return None
    known = sum(
        1
        for j in cells
        if (vocab.match(below[j]) or (None, 0.0))[1] >= 0.7 or vocab.funder(below[j]) is not None
    )
    if known == 0:
        return None
    spans = _horizontal_merges(merges, sheet_row[h])
    if spans and any(m.col0 <= j <= m.col1 for m in spans for j in cells):
        return h + 1
    vertical = [m for m in merges if m.row0 == sheet_row[h] and m.row1 >= sheet_row[h + 1]]
    if vertical:
        return h + 1
    # No merge information (.xls, .csv): the child cells sit mostly where the top row is empty, or under
    # a group label.
    under_group = 0
    for j in cells:
        k = j
        while k >= 0 and not top[k]:
            k -= 1
        if not top[j] or (k >= 0 and (vocab.is_funding_group(top[k]) or vocab.is_beneficiary_group(top[k]))):
            under_group += 1
    return h + 1 if under_group * 2 >= len(cells) else None


def _parent_row(
    grid: list[list[str]], h: int, merges: list[Merge], sheet_row: dict[int, int], vocab: Vocabulary
) -> int | None:
    if h == 0:
        return None
    above = grid[h - 1]
    cells = _nonempty(above)
    if not cells:
        return None
    spans = _horizontal_merges(merges, sheet_row[h - 1])
    width = max(1, len(_nonempty(grid[h])))
    if spans:
        widest = max(m.col1 - m.col0 + 1 for m in spans)
        if len(cells) >= 2 or widest < 0.8 * width:
            return h - 1
        return None
    groups = [j for j in cells if vocab.is_funding_group(above[j]) or vocab.is_beneficiary_group(above[j])]
    if groups and (len(cells) >= 2 or groups[0] > 0) and not any(_NUMBER.match(above[j]) for j in cells):
        return h - 1
    return None


def _flatten(
    sheet: RawSheet,
    grid: list[list[str]],
    positions: list[int],
    merges: list[Merge],
    sheet_row: dict[int, int],
    cols: list[str],
    score: float,
    rows_of: list[int],
    has_data: list[bool],
) -> Header:
    width = len(cols)
    issues: list[Issue] = []
    if len(positions) == 1:
        parents = [""] * width
        children = list(grid[positions[0]])
    else:
        p, c = positions
        top, bottom = grid[p], grid[c]
        parents, children = [""] * width, [""] * width
        prev_group = ""
        for j in range(width):
            m = _merge_at(merges, sheet_row[p], j)
            if m is not None and m.col1 > m.col0 and 0 <= m.col0 < width:
                parent = top[m.col0]
            elif m is not None and m.row1 >= sheet_row[c]:
                parent = top[m.col0] if 0 <= m.col0 < width else ""
            else:
                parent = top[j]
                if not parent and not merges and bottom[j] and prev_group:
                    parent = prev_group
            child_merge = _merge_at(merges, sheet_row[c], j)
            child = bottom[j]
            if child_merge is not None and child_merge.row0 < sheet_row[c]:
                child = ""  # covered by a vertical merge from the row above
            parents[j], children[j] = parent, child
            prev_group = parent if (parent and bottom[j]) else ""
        issues.append(
            Issue(
                "header-two-rows",
                sheet=sheet.name,
                params={"rows": " et ".join(str(rows_of[i]) for i in positions)},
            )
        )
    names: list[str | None] = []
    seen: dict[str, int] = {}
    for j in range(width):
        parent, child = parents[j], children[j]
        name = f"{parent} / {child}" if parent and child and fold(parent) != fold(child) else child or parent
        if not name and not has_data[j]:
            names.append(None)
            continue
        if not name:
            name = f"Colonne {col_letters(sheet.first_col + j)}"
            issues.append(Issue("header-empty", sheet=sheet.name, params={"renamed": name}))
        base = name
        if name in seen:
            seen[base] += 1
            name = f"{base} ({seen[base]})"
            issues.append(Issue("header-duplicate", sheet=sheet.name, params={"name": base, "renamed": name}))
        else:
            seen[name] = 1
        names.append(name)
    return Header(
        positions=positions,
        rows=[rows_of[i] for i in positions],
        names=names,
        parents=parents,
        children=children,
        score=score,
        issues=issues,
    )
