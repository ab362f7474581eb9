"""A generator of contrats de ville for the consolidation (issue 12): N funding tables with different layouts
(title lines above the header, column names taken from the synonyms of ``columns.yaml``, CSV and xlsx), amount
bases (granted, requested, co-funder columns) and sizes, with the exact figures a reader must find in each,
computed from the amounts written (integer cents).

    contracts = generate(tmp_path, 20)
    contracts[0].path, contracts[0].basis, contracts[0].cents   # the file, its basis, its money in cents

Deterministic (one seed per contract), no network, fast: 200 contracts are written in a few seconds.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter

#: Titles, one of each kind a reader finds in a programmation (equality specific, transversal, neither).
TITLES = (
    "Permanence d'accès aux droits des femmes victimes de violences",
    "Atelier de remobilisation vers l'emploi des femmes du quartier",
    "Marche exploratoire de femmes pour le projet de renouvellement urbain",
    "Sport de proximité en pied d'immeuble, créneaux réservés aux filles le mercredi",
    "Ateliers sociolinguistiques pour adultes avec garde d'enfants pendant les séances",
    "Accompagnement à la scolarité des collégiens",
    "Médiation sociale et tranquillité publique dans les halls",
    "Chantier éducatif de rénovation d'une aire de jeux",
    "Festival de quartier et fête des voisins",
    "Soutien aux lycéens pour l'orientation",
)

#: Titles too short to judge.
VAGUE = ("Insertion", "Animations", "Projet jeunesse")

#: The QPV of the fictional territory (fixtures/README.md): code and name.
QPV = (
    ("QN07631M", "Les Hauts-de-Brenne"),
    ("QN07632M", "La Sablière"),
    ("QN07633M", "Les Peupliers"),
    ("QN07634M", "Le Val-Fleuri"),
    ("QN07635M", "Les Épinettes"),
    ("QN07636M", "Centre-Ancien – Gare"),
)
WHOLE = "Tous les QPV du contrat"


def siret(seed: int) -> str:
    """A 14-digit SIRET that passes the Luhn check (fictional: 9 leading digits from ``seed``)."""
    body = f"{(seed * 7919 + 210000000) % 10**9:09d}0001"
    for check in range(10):
        digits = [int(d) for d in body + str(check)]
        total = sum(d if i % 2 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(digits))
        if total % 10 == 0:
            return body + str(check)
    raise AssertionError("unreachable")


#: Grantors (attribuants): name and SIRET. Contracts share them, so grouping by grantor spans files.
GRANTORS = tuple(
    (name, siret(k + 1))
    for k, name in enumerate(
        (
            "Préfecture de la Brenne",
            "Val-de-Brenne Métropole",
            "Ville de Saint-Aubin-sur-Brenne",
            "Ville de Brennecourt",
            "Département de la Brenne",
        )
    )
)


@dataclass(frozen=True)
class Action:
    """One action written: its money on the file's basis in cents, its quartiers (codes; empty for the whole
    contract) and its grantor (index in :data:`GRANTORS`, None when the file has no grantor column)."""

    title: str
    cents: int
    qpv: tuple[str, ...]
    grantor: int | None
    women: int | None
    men: int | None


@dataclass(frozen=True)
class Contract:
    """One generated file and what bie must find in it."""

    path: Path
    layout: str
    basis: str
    actions: tuple[Action, ...]
    #: Rows excluded by reason (a total line), with their cents on the basis.
    excluded: tuple[tuple[str, int], ...] = ()

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def cents(self) -> int:
        """The money of the actions on the file's basis."""
        return sum(a.cents for a in self.actions)

    @property
    def input_cents(self) -> int:
        return self.cents + sum(c for _, c in self.excluded)

    @property
    def rows(self) -> int:
        """Data rows: actions and excluded lines."""
        return len(self.actions) + len(self.excluded)


def _french(cents: int) -> str:
    """« 12 345,60 » as officers type it (no-break space for thousands: cp1252 has it)."""
    euros, rest = divmod(cents, 100)
    return f"{euros:,}".replace(",", "\u00a0") + f",{rest:02d}"


def _dot(cents: int) -> str:
    euros, rest = divmod(cents, 100)
    return f"{euros}.{rest:02d}"


def _territory(rng: random.Random) -> tuple[str, tuple[str, ...]]:
    draw = rng.random()
    if draw < 0.15:
        return WHOLE, ()
    if draw < 0.3:
        (c1, n1), (c2, n2) = rng.sample(QPV, 2)
        return f"{c1} {n1} / {c2} {n2}", (c1, c2)
    code, name = rng.choice(QPV)
    return f"{code} - {name}", (code,)


LAYOUTS = ("programmation", "titled", "platform", "scdl", "cofunders", "stages")


def _one(directory: Path, k: int) -> Contract:
    rng = random.Random(f"contract-{k}")
    layout = LAYOUTS[k % len(LAYOUTS)]
    size = 3 + (k * 37) % 45 + rng.randint(0, 5)
    grantor = k % len(GRANTORS)
    rows: list[list[object]] = []
    actions: list[Action] = []
    excluded: list[tuple[str, int]] = []
    state_cents = 0
    for i in range(size):
        # one action in seven has a title too short to judge (« à examiner »)
        title = rng.choice(VAGUE) if rng.random() < 1 / 7 else f"{rng.choice(TITLES)} ({k + 1}-{i + 1})"
        cents = rng.randint(50, 4000) * 100 + rng.choice((0, 0, 50, rng.randint(1, 99)))
        shown, qpv = _territory(rng)
        women = rng.randint(0, 60) if rng.random() < 0.7 else None
        men = rng.randint(0, 60) if women is not None else None
        carrier = f"Association {rng.choice(('Tremplin', 'Les Liens', 'Horizons', 'Brenne Solidaire'))} {k}"
        who = grantor
        if layout == "scdl" and i % 3 == 2:  # an open-data file lists two grantors
            who = (grantor + 1) % len(GRANTORS)
        if layout == "programmation":
            rows.append([f"PV{k:03d}-{i:03d}", title, carrier, shown, cents / 100, women, men])
            actions.append(Action(title, cents, qpv, None, women, men))
        elif layout == "titled":
            declared = rng.choice(("Oui – action spécifique", "Oui – de manière transversale", "Non"))
            name, sid = GRANTORS[who]
            rows.append([f"T{k:03d}{i:03d}", carrier, title, shown, cents / 100, declared, name, sid])
            actions.append(Action(title, cents, qpv, who, None, None))
        elif layout == "platform":
            w = "" if women is None else str(women)
            m = "" if men is None else str(men)
            rows.append([f"DA{k:04d}{i:04d}-1", carrier, title, shown, _french(cents), w, m])
            actions.append(Action(title, cents, qpv, None, women, men))
        elif layout == "scdl":
            name, sid = GRANTORS[who]
            rows.append([name, sid, "2024-04-06", carrier, siret(1000 + k * 100 + i), title, _dot(cents)])
            actions.append(Action(title, cents, (), who, None, None))
        elif layout == "cofunders":
            state = rng.randint(0, cents)
            city = cents - state
            state_cents += state
            name, _sid = GRANTORS[who]
            rows.append([f"CF-{k}-{i}", title, carrier, name, shown, state / 100, city / 100, women, men])
            actions.append(Action(title, cents, qpv, who, women, men))
        else:  # stages: requested and granted, the basis is granted
            requested = cents + rng.randint(0, 500) * 100
            rows.append([f"ST{k}/{i}", title, carrier, shown, requested / 100, cents / 100])
            actions.append(Action(title, cents, qpv, None, None, None))
    stem = f"contrat_{k + 1:03d}"
    if layout == "programmation":
        path = directory / f"{stem}.xlsx"
        header = ["N° dossier", "Intitulé de l'action", "Porteur", "Quartier", "Montant accordé"]
        _xlsx(path, [[*header, "Femmes", "Hommes"], *rows])
        basis = "granted"
    elif layout == "titled":
        path = directory / f"{stem}.xlsx"
        header = ["Référence", "Structure porteuse", "Intitulé", "Quartiers concernés", "Subvention demandée"]
        head = [
            *header,
            "Prise en compte de l'égalité F/H",
            "Collectivité attribuante",
            "SIRET de l'attribuant",
        ]
        title_lines: list[list[object]] = [
            [f"Contrat de ville — programmation 2024 (contrat {k + 1})"],
            ["Document de travail"],
            [],
        ]
        _xlsx(path, [*title_lines, head, *rows])
        basis = "requested"
    elif layout == "platform":
        path = directory / f"{stem}.csv"
        head = ["Numéro de dossier", "Raison sociale", "Intitulé de l'action", "Quartiers", "Montant demandé"]
        _csv(path, [[*head, "Femmes", "Hommes"], *rows], ";", "cp1252")
        basis = "requested"
    elif layout == "scdl":
        path = directory / f"{stem}.csv"
        head = [
            "nomAttribuant",
            "idAttribuant",
            "dateConvention",
            "nomBeneficiaire",
            "idBeneficiaire",
            "objet",
        ]
        _csv(path, [[*head, "montant"], *rows], ",", "utf-8")
        basis = "granted"
    elif layout == "cofunders":
        path = directory / f"{stem}.xlsx"
        total = sum(a.cents for a in actions)
        head = [
            "N° dossier",
            "Intitulé de l'action",
            "Porteur",
            "Autorité administrative",
            "Quartier",
            "Montant État",
        ]
        total_row: list[object] = [
            "Total",
            None,
            None,
            None,
            None,
            state_cents / 100,
            (total - state_cents) / 100,
        ]
        _xlsx(path, [[*head, "Montant Ville", "Femmes", "Hommes"], *rows, total_row])
        excluded.append(("total", total))
        basis = "funders"
    else:
        path = directory / f"{stem}.xlsx"
        head = ["Code dossier", "Intitulé du projet", "Porteur de projet", "QPV", "Montant demandé"]
        _xlsx(path, [[*head, "Montant accordé"], *rows])
        basis = "granted"
    return Contract(path, layout, basis, tuple(actions), tuple(excluded))


def _xlsx(path: Path, rows: Sequence[Sequence[object]]) -> None:
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    book.set_properties({"created": dt.datetime(2024, 1, 15)})
    sheet = book.add_worksheet("Programmation")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    book.close()


def _csv(path: Path, rows: Sequence[Sequence[object]], delimiter: str, encoding: str) -> None:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\r\n")
        writer.writerows([["" if v is None else v for v in row] for row in rows])


def generate(directory: str | Path, n: int) -> list[Contract]:
    """Write ``n`` contracts in ``directory`` (created if needed) and return what each holds."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    return [_one(out, k) for k in range(n)]
