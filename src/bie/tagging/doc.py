"""Generate the rule list of ``docs/regles.md`` from a rule pack (French Markdown).

``python -m bie.tagging.doc`` prints the list; ``python -m bie.tagging.doc --write docs/regles.md``
replaces the part of the file between the markers ``<!-- regles:debut -->`` and ``<!-- regles:fin -->``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from bie.tagging.rules import EVIDENCE_KINDS, Rule, RulePack, load_rules

__all__ = ["BEGIN", "END", "rules_markdown", "update_file"]

BEGIN = "<!-- regles:debut -->"
END = "<!-- regles:fin -->"

_KIND_TITLES = {
    "aim": "Objectifs d'égalité (aim)",
    "measure": "Mesures concrètes (measure)",
    "audience_women": "Public féminin (audience_women)",
    "audience_men": "Public masculin (audience_men)",
    "audience_mixed": "Public mixte (audience_mixed)",
    "trap": "Pièges lexicaux (trap)",
    "negation": "Négations (negation)",
    "ambiguous": "Mentions ambiguës (ambiguous)",
    "clause": "Marqueurs d'incise (clause)",
    "vague": "Textes trop pauvres (vague)",
    "declaration": "Égalité déclarée (declaration)",
}
_STRENGTH_FR = {"strong": "forte", "medium": "moyenne", "weak": "faible"}


def _md(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _source(rule: Rule) -> list[str]:
    out = []
    for s in rule.sources:
        where = f"[{_md(s.title)}]({s.href})" if s.href else f"{_md(s.title)} (`{s.file}`)"
        extra = ", ".join(x for x in (s.section, s.date) if x)
        out.append(f"  - {where}{f' — {extra}' if extra else ''}")
    return out


def _rule_block(rule: Rule) -> list[str]:
    lines = [f"#### `{rule.id}` — {_md(rule.title)}", ""]
    meta = [f"preuve : `{rule.evidence}`"]
    if rule.evidence in ("aim", "measure"):
        meta.append(f"force : {_STRENGTH_FR[rule.strength]}")
    meta.append("zones : " + ", ".join(f"`{z}`" for z in rule.zones))
    if rule.category:
        accepts = ", ".join(f"`{a}`" for a in rule.accepts) or "—"
        meta.append(f"catégorie déclarée : `{rule.category}` (cohérente avec : {accepts})")
    validity = f"valable depuis le {rule.valid_from.isoformat()}"
    if rule.valid_until:
        validity += f" jusqu'au {rule.valid_until.isoformat()}"
    meta.append(validity)
    meta.append(f"revue le {rule.last_reviewed.isoformat()}")
    lines.append("- " + " ; ".join(meta))
    if rule.title_en:
        lines.append(f"- En anglais : {_md(rule.title_en)}")
    lines.append(f"- Pourquoi : {_md(rule.rationale)}")
    lines.append("- Motifs :")
    lines += [f"  - `{p}`" for p in rule.patterns]
    if rule.exclusions:
        lines.append("- Exclusions (la règle ne lit pas un texte qui contient) :")
        lines += [f"  - `{p}`" for p in rule.exclusions]
    lines.append("- Sources :")
    lines += _source(rule)
    lines.append("")
    return lines


def rules_markdown(pack: RulePack) -> str:
    """The list of every rule of ``pack``, grouped by evidence kind, in French Markdown."""
    lines = [
        f"Jeu de règles **{pack.name}**, version **{pack.full_version}** (valable depuis le "
        f"{pack.valid_from.isoformat()}) : {len(pack.rules)} règles.",
        "",
        "| Type de preuve | Nombre de règles |",
        "|---|---|",
    ]
    for kind in EVIDENCE_KINDS:
        n = sum(1 for r in pack.rules if r.evidence == kind)
        if n:
            lines.append(f"| {_KIND_TITLES[kind]} | {n} |")
    lines.append("")
    if pack.changelog:
        lines += ["### Historique des versions", ""]
        for entry in pack.changelog:
            lines.append(f"- **{entry.version}** ({entry.date.isoformat()}) :")
            lines += [f"  - {_md(change)}" for change in entry.changes]
        lines.append("")
    for kind, meaning in EVIDENCE_KINDS.items():
        rules = [r for r in pack.rules if r.evidence == kind]
        if not rules:
            continue
        lines += [f"### {_KIND_TITLES[kind]}", "", f"*{meaning[:1].upper()}{meaning[1:]}.*", ""]
        for r in rules:
            lines += _rule_block(r)
    return "\n".join(lines).rstrip() + "\n"


def update_file(path: Path, pack: RulePack) -> bool:
    """Replace the generated part of ``path``; return True when the file changed."""
    text = path.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        raise ValueError(f"{path}: markers {BEGIN} / {END} not found")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    new = f"{head}{BEGIN}\n\n{rules_markdown(pack)}\n{END}{tail}"
    if new != text:
        path.write_text(new, encoding="utf-8")
        return True
    return False


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Liste des règles du marqueur égalité (Markdown).")
    parser.add_argument("--write", type=Path, help="fichier Markdown à mettre à jour entre les marqueurs")
    args = parser.parse_args(argv)
    pack = load_rules()
    if args.write:
        changed = update_file(args.write, pack)
        print(f"{args.write}: {'mis à jour' if changed else 'déjà à jour'}")
    else:
        sys.stdout.write(rules_markdown(pack))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
