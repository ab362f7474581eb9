"""Words the command line shows (French by default, English with ``--lang en``)."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "error": {"fr": "Erreur", "en": "Error"},
    "unexpected": {
        "fr": "erreur inattendue ({detail}). Relancez avec --debug pour le détail et signalez-la.",
        "en": "unexpected error ({detail}). Run again with --debug for details and report it.",
    },
    "file": {"fr": "Fichier", "en": "File"},
    "format": {"fr": "Format", "en": "Format"},
    "sheet": {"fr": "Feuille lue", "en": "Sheet read"},
    "sheets": {"fr": "Feuilles", "en": "Sheets"},
    "encoding": {"fr": "Encodage", "en": "Encoding"},
    "delimiter": {"fr": "Séparateur", "en": "Delimiter"},
    "header_rows": {"fr": "Ligne(s) d'en-tête", "en": "Header row(s)"},
    "actions": {"fr": "Actions", "en": "Actions"},
    "rows": {"fr": "Lignes source", "en": "Source rows"},
    "columns_title": {"fr": "Colonnes reconnues", "en": "Recognised columns"},
    "field": {"fr": "Champ", "en": "Field"},
    "source_header": {"fr": "Colonne du fichier", "en": "Column in the file"},
    "confidence": {"fr": "Confiance", "en": "Confidence"},
    "unmapped_title": {"fr": "Colonnes non reconnues (conservées, non utilisées)", "en": "Unrecognised columns (kept, not used)"},
    "rows_title": {"fr": "Devenir des lignes", "en": "What became of each row"},
    "reason": {"fr": "Motif", "en": "Reason"},
    "count": {"fr": "Nombre", "en": "Count"},
    "examples": {"fr": "Exemples (lignes)", "en": "Examples (rows)"},
    "amounts_title": {"fr": "Montants des actions", "en": "Amounts of the actions"},
    "stage": {"fr": "Étape", "en": "Stage"},
    "total": {"fr": "Total", "en": "Total"},
    "funders_title": {"fr": "Montants par financeur", "en": "Amounts by funder"},
    "funder": {"fr": "Financeur", "en": "Funder"},
    "issues_title": {"fr": "Qualité des données", "en": "Data quality"},
    "code": {"fr": "Code", "en": "Code"},
    "severity": {"fr": "Gravité", "en": "Severity"},
    "first": {"fr": "Premier cas", "en": "First case"},
    "no_issue": {"fr": "Aucun problème relevé.", "en": "No problem found."},
    "row": {"fr": "ligne", "en": "row"},
    "reason.action": {"fr": "action", "en": "action"},
    "reason.blank": {"fr": "ligne vide", "en": "blank row"},
    "reason.header": {"fr": "en-tête ou titre", "en": "header or title"},
    "reason.section": {"fr": "intertitre (pilier, thème)", "en": "section heading (pillar, theme)"},
    "reason.total": {"fr": "total ou sous-total", "en": "total or subtotal"},
    "reason.note": {"fr": "note ou commentaire", "en": "note or comment"},
    "reason.continuation": {"fr": "ligne de suite (rattachée à son action)", "en": "continuation row (folded into its action)"},
    "reason.duplicate": {"fr": "ligne récapitulative (double compte évité)", "en": "summary row (double count avoided)"},
    "stage.requested": {"fr": "Demandé", "en": "Requested"},
    "stage.proposed": {"fr": "Proposé", "en": "Proposed"},
    "stage.granted": {"fr": "Accordé", "en": "Granted"},
    "stage.total_cost": {"fr": "Coût total des actions", "en": "Total cost of the actions"},
    "severity.error": {"fr": "erreur", "en": "error"},
    "severity.warning": {"fr": "à vérifier", "en": "check"},
    "severity.info": {"fr": "information", "en": "info"},
    "sheet.read": {"fr": "lue", "en": "read"},
    "sheet.hidden": {"fr": "masquée, ignorée", "en": "hidden, skipped"},
    "sheet.empty": {"fr": "vide, ignorée", "en": "empty, skipped"},
    "sheet.not_chosen": {"fr": "non retenue", "en": "not chosen"},
    "sheet.unreadable": {"fr": "illisible", "en": "unreadable"},
    "sheet.no_header": {"fr": "sans en-tête reconnu", "en": "no recognisable header"},
}


def t(key: str, lang: str, **params: object) -> str:
    text = LABELS[key][lang]
    return text.format(**params) if params else text


def money(value: float, lang: str) -> str:
    """12 500,00 € (fr) or €12,500.00 (en)."""
    if lang == "fr":
        return f"{value:,.2f}".replace(",", "\u202f").replace(".", ",") + "\u00a0€"
    return f"€{value:,.2f}"
