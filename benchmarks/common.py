"""Shared helpers for the benchmarks: generated workbooks and interleaved timing."""

from __future__ import annotations

import itertools
import random
import statistics
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import xlsxwriter

DATA = Path(__file__).resolve().parent / "_data"

PHRASES = [
    "Atelier de remobilisation vers l'emploi des femmes du quartier",
    "Accompagnement à la scolarité des collégiennes et collégiens",
    "Sport de proximité en pied d'immeuble, créneaux réservés aux filles le mercredi",
    "Médiation sociale et tranquillité publique dans les halls",
    "Ateliers sociolinguistiques pour adultes avec garde d'enfants",
    "Permanence d'accès aux droits des femmes victimes de violences",
    "Chantier éducatif de rénovation d'une aire de jeux",
    "Festival de quartier et fête des voisins",
    "Marche exploratoire de femmes pour le projet de renouvellement urbain",
    "Égalité des chances : soutien aux lycéens",
]
HEADER = [
    "N° dossier",
    "Année",
    "Porteur",
    "Intitulé de l'action",
    "Objectifs",
    "Description",
    "Pilier",
    "Quartier",
    "Date de dépôt",
    "Montant État",
    "Montant Ville",
    "Montant Région",
    "Coût total",
    "Femmes",
    "Hommes",
    "Nombre de bénéficiaires",
]


def _records(rows: int, seed: int = 7) -> Iterator[list[object]]:
    """The rows of the generated programmation (header excluded), the same for the xlsx and the CSV."""
    rng = random.Random(seed)
    for i in range(1, rows + 1):
        title = rng.choice(PHRASES)
        state = rng.randint(1000, 50000)
        yield [
            f"DA{i:08d}-1",
            2024,
            f"Association {i % 997}",
            f"{title} n°{i}",
            " ".join(rng.choices(PHRASES, k=2)),
            " ".join(rng.choices(PHRASES, k=5)),
            f"Pilier {1 + i % 3}",
            "QN09301M",
            "12/03/2024",
            state,
            rng.randint(0, 20000),
            "12\u202f500,00 €" if i % 1000 == 0 else rng.randint(0, 9000),
            state * 3,
            rng.randint(0, 80),
            rng.randint(0, 80),
            rng.randint(0, 160),
        ]


def programmation(rows: int, path: Path | None = None, seed: int = 7) -> Path:
    """A programmation-like workbook: 16 columns, texts of 50–500 characters, some amounts typed as text.

    Written once in ``benchmarks/_data/`` (git-ignored) with xlsxwriter in ``constant_memory`` mode: about
    20 s per 100,000 rows on a busy 2-core machine, minutes for 1M. Excel's limit is 1,048,576 rows per
    sheet: 1,000,000 actions and the header fit."""
    path = path or DATA / f"programmation_{rows}.xlsx"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    wb = xlsxwriter.Workbook(partial, {"constant_memory": True})
    ws = wb.add_worksheet("Programmation")
    ws.write_row(0, 0, HEADER)
    for i, record in enumerate(_records(rows, seed), start=1):
        ws.write_row(i, 0, record)
    wb.close()
    partial.replace(path)  # an interrupted generation never leaves a truncated workbook in the cache
    return path


def programmation_csv(rows: int, encoding: str = "utf-8", path: Path | None = None, seed: int = 7) -> Path:
    """The same content as :func:`programmation` as a CSV export: ``;`` separator, CRLF line ends, UTF-8 or
    cp1252 (what a French Excel writes; its narrow no-break space becomes a no-break space, which cp1252
    has). Written once in ``benchmarks/_data/`` with polars, 50,000 rows at a time (about 4 s per 100,000)."""
    import polars as pl

    suffix = "" if encoding == "utf-8" else f".{encoding}"
    path = path or DATA / f"programmation_{rows}{suffix}.csv"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    records = _records(rows, seed)
    with partial.open("wb") as handle:
        for start in range(0, max(rows, 1), 50_000):
            chunk = list(itertools.islice(records, 50_000))
            columns = list(zip(*chunk, strict=True)) if chunk else [() for _ in HEADER]
            frame = pl.DataFrame(
                {name: [str(v) for v in col] for name, col in zip(HEADER, columns, strict=True)},
                schema=dict.fromkeys(HEADER, pl.String),
            )
            text = frame.write_csv(separator=";", include_header=start == 0, line_terminator="\r\n")
            if encoding != "utf-8":
                text = text.replace("\u202f", "\xa0")
            handle.write(text.encode(encoding))
    partial.replace(path)
    return path


def timed(runs: dict[str, Callable[[], object]], rounds: int = 5) -> dict[str, list[float]]:
    """Run each function once per round, interleaved, so a noisy machine affects all of them alike."""
    out: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, fn in runs.items():
            start = time.perf_counter()
            fn()
            out[name].append(time.perf_counter() - start)
    return out


def report(times: dict[str, list[float]], baseline: str) -> None:
    base = times[baseline]
    print(f"{'method':<34}{'median s':>10}{'min s':>9}   ratio (median of rounds)")
    print(f"{'':<34}{'':>10}{'':>9}   baseline: {baseline}")
    for name, values in times.items():
        ratios = [v / b for v, b in zip(values, base, strict=True)]
        print(
            f"{name:<34}{statistics.median(values):>10.2f}{min(values):>9.2f}{statistics.median(ratios):>11.2f}×"
        )
