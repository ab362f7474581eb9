"""Shared helpers for the benchmarks: generated workbooks and interleaved timing."""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
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


def programmation(rows: int, path: Path | None = None, seed: int = 7) -> Path:
    """A programmation-like workbook: 16 columns, texts of 50–500 characters, some amounts typed as text."""
    path = path or DATA / f"programmation_{rows}.xlsx"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    wb = xlsxwriter.Workbook(path, {"constant_memory": True})
    ws = wb.add_worksheet("Programmation")
    ws.write_row(0, 0, HEADER)
    for i in range(1, rows + 1):
        title = rng.choice(PHRASES)
        state = rng.randint(1000, 50000)
        ws.write_row(
            i,
            0,
            [
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
            ],
        )
    wb.close()
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
