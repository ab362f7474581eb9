"""Generate docs/erreurs.md from the message catalogues (run: python -m bie.docgen --write).

A test fails when the file is out of date, so every error and issue code is documented."""

from __future__ import annotations

import sys
from pathlib import Path

from bie.errors import all_error_classes
from bie.resources import load_data

HEADER = """# Erreurs et problèmes signalés

*Ce fichier est produit à partir des catalogues de messages (`python -m bie.docgen --write`) ; un test
vérifie qu'il est à jour.*

## Erreurs bloquantes

Quand bie ne peut pas lire un fichier ou un fichier de configuration, il s'arrête avec **une ligne** qui nomme
le fichier, dit ce qui ne va pas et ce qu'il faut faire (code de sortie 1). Chaque erreur a un code stable,
utilisable dans la bibliothèque Python (`BieError.code`).

| Code | Classe Python | Message (ce qui ne va pas) | Ce qu'il faut faire |
|---|---|---|---|
"""

ISSUES = """
## Problèmes signalés (qualité des données)

Les autres problèmes n'arrêtent pas la lecture : bie les rassemble, avec leur cellule (feuille, ligne vue
dans le tableur, colonne), dans la sortie de `bie inspect`, la section « Qualité des données » du rapport et
la feuille du même nom du classeur. Gravité : **erreur** (un chiffre peut être faux), **à vérifier**,
**information** (ce que bie a fait).

| Code | Gravité | Message |
|---|---|---|
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def errors_markdown() -> str:
    messages = load_data("messages.yaml")["errors"]
    lines = [HEADER]
    for cls in all_error_classes():
        entry = messages.get(cls.code)
        if entry is None:
            continue
        fr = entry["fr"]
        lines.append(f"| `{cls.code}` | `{cls.__name__}` | {_cell(fr['what'])} | {_cell(fr['fix'])} |\n")
    lines.append(ISSUES)
    severity = {"error": "erreur", "warning": "à vérifier", "info": "information"}
    for code, entry in sorted(load_data("issues.yaml")["issues"].items()):
        lines.append(f"| `{code}` | {severity[entry['severity']]} | {_cell(entry['fr'])} |\n")
    return "".join(lines)


def fields_markdown() -> str:
    """The table of canonical fields, for docs/lecture.md."""
    from bie.vocabulary import vocabulary

    kinds = {
        "id": "identifiant (texte)",
        "text": "texte",
        "amount": "montant (€)",
        "count": "nombre entier",
        "date": "date",
        "year": "année",
        "percent": "pourcentage",
        "siret": "SIRET (texte)",
    }
    lines = ["| Champ | Sens | Lu comme | Exemples d'intitulés reconnus |", "|---|---|---|---|"]
    for field in vocabulary().fields.values():
        examples = ", ".join(f"« {s} »" for s in field.synonyms[:4])
        lines.append(f"| `{field.name}` | {field.label_fr} | {kinds[field.kind]} | {_cell(examples)} |")
    lines.append(
        "| `funding:<nom>` | une colonne par cofinanceur, son nom gardé | montant (€) | "
        "« Financements sollicités / Ville », « Montant État », « Part CAF » |"
    )
    return "\n".join(lines) + "\n"


def fill_block(text: str, name: str, content: str) -> str:
    start, end = f"<!-- {name}:début -->", f"<!-- {name}:fin -->"
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{content}{end}{tail}"


def method_markdown() -> str:
    method = load_data("method.yaml")
    parts = []
    for section in method["sections"]:
        text = (
            section["fr"]
            .replace(" Ici : {basis}.", "")
            .replace("{rules_version}", "versionné")
            .replace("{web_version}", "versionné")
        )
        parts.append(f"### {section['title']['fr']}\n\n{text.strip()}\n")
    return "\n".join(parts)


_OP_FR = {"lt": "<", "le": "≤", "gt": ">", "ge": "≥"}


def _condition(cond: dict[str, object]) -> str:
    threshold = cond["threshold"]
    shown = f"{float(threshold) * 100:g} %" if cond.get("format") == "percent" else f"{threshold}"  # type: ignore[arg-type]
    return f"`{cond['metric']}` {_OP_FR[str(cond['op'])]} {shown}"


def findings_markdown() -> str:
    """The table of findings with their thresholds, for docs/methodologie.md."""
    lines = ["| Constat | Affiché quand | Sauf si | Texte | Source |", "|---|---|---|---|---|"]
    for f in load_data("findings.yaml")["findings"]:
        unless = "<br>".join(_condition({"format": f.get("format"), **c}) for c in f.get("unless", [])) or "—"
        sources = "; ".join(f["sources"])
        cells = [f"`{f['id']}`", _condition(f), unless, f["fr"], sources]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


def sources_markdown() -> str:
    return "".join(f"- {s}\n" for s in load_data("method.yaml")["sources"])


def write_all(root: Path) -> None:
    (root / "docs" / "erreurs.md").write_text(errors_markdown(), encoding="utf-8")
    lecture = root / "docs" / "lecture.md"
    lecture.write_text(
        fill_block(lecture.read_text(encoding="utf-8"), "champs", fields_markdown()), encoding="utf-8"
    )
    method = root / "docs" / "methodologie.md"
    text = fill_block(method.read_text(encoding="utf-8"), "méthode", method_markdown())
    text = fill_block(text, "constats", findings_markdown())
    method.write_text(fill_block(text, "sources", sources_markdown()), encoding="utf-8")


def main(argv: list[str]) -> int:
    if "--write" in argv:
        write_all(Path(__file__).resolve().parents[2])
    else:
        sys.stdout.write(errors_markdown())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
