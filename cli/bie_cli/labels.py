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
    "unmapped_title": {
        "fr": "Colonnes non reconnues (conservées, non utilisées)",
        "en": "Unrecognised columns (kept, not used)",
    },
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
    "reason.continuation": {
        "fr": "ligne de suite (rattachée à son action)",
        "en": "continuation row (folded into its action)",
    },
    "reason.duplicate": {
        "fr": "ligne récapitulative (double compte évité)",
        "en": "summary row (double count avoided)",
    },
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
    "explain_excluded": {
        "fr": (
            "la ligne {row} n'est pas une action ({reason}) : rien à expliquer. "
            "Utilisez « bie inspect » pour voir le devenir de chaque ligne."
        ),
        "en": (
            "row {row} is not an action ({reason}): nothing to explain. "
            'Use "bie inspect" to see what became of each row.'
        ),
    },
    "explain_no_row": {
        "fr": (
            "{file} : la ligne {row} n'existe pas dans le tableau lu. "
            "Vérifiez le numéro (celui affiché par le tableur)."
        ),
        "en": "{file}: row {row} is not in the table read. Check the number (the one your spreadsheet shows)."
        "",
    },
    "written": {"fr": "Écrit", "en": "Written"},
    "rules_version": {"fr": "Règles", "en": "Rules"},
    "categories_title": {"fr": "Actions par catégorie", "en": "Actions by category"},
    "category": {"fr": "Catégorie", "en": "Category"},
    "share": {"fr": "Part", "en": "Share"},
    "amount": {"fr": "Montant", "en": "Amount"},
    "mismatches": {
        "fr": "Déclarations du porteur contredites par le texte",
        "en": "Applicant declarations contradicted by the text",
    },
    "zones": {"fr": "Zones lues", "en": "Zones read"},
    "zone": {"fr": "Zone", "en": "Zone"},
    "text": {"fr": "Texte", "en": "Text"},
    "rules_fired": {"fr": "Règles déclenchées", "en": "Rules fired"},
    "rule": {"fr": "Règle", "en": "Rule"},
    "evidence": {"fr": "Preuve", "en": "Evidence"},
    "words": {"fr": "Mots trouvés", "en": "Words found"},
    "none": {"fr": "(aucune)", "en": "(none)"},
    "neutralised": {
        "fr": "Neutralisées par un piège (ne comptent pas)",
        "en": "Neutralised by a trap (not counted)",
    },
    "steps": {"fr": "Décision, étape par étape", "en": "Decision, step by step"},
    "result": {"fr": "Résultat", "en": "Result"},
    "dac": {"fr": "marqueur CAD", "en": "DAC marker"},
    "eu_weight": {"fr": "pondération UE", "en": "EU weight"},
    "confidence_word": {"fr": "confiance", "en": "confidence"},
    "audience": {"fr": "Public", "en": "Audience"},
    "declared": {"fr": "Déclaration du porteur", "en": "Applicant's declaration"},
    "agrees": {"fr": "concorde avec le texte", "en": "agrees with the text"},
    "disagrees": {"fr": "ne concorde pas avec le texte", "en": "does not agree with the text"},
    "not_compared": {"fr": "non comparée", "en": "not compared"},
    "override": {"fr": "Décision manuelle", "en": "Manual decision"},
    # bie rules evaluate
    "eval.title": {"fr": "Évaluation du marqueur", "en": "Evaluation of the tagger"},
    "eval.rules": {"fr": "règles", "en": "rules"},
    "eval.part": {"fr": "partie", "en": "part"},
    "eval.part.dev": {"fr": "dev (réglage)", "en": "dev (tuning)"},
    "eval.part.test": {"fr": "test (mis à part)", "en": "test (set aside)"},
    "eval.part.all": {"fr": "toutes", "en": "all"},
    "eval.measured": {"fr": "Textes mesurés", "en": "Texts measured"},
    "eval.skipped": {"fr": "non mesurés", "en": "not measured"},
    "eval.skip.no_category": {"fr": "sans catégorie attendue", "en": "no expected category"},
    "eval.skip.manual_decision": {"fr": "décision manuelle", "en": "manual decision"},
    "eval.skip.local_overlay": {"fr": "surcouche locale", "en": "local overlay"},
    "eval.skip.no_label": {"fr": "étiquette vide", "en": "empty label"},
    "eval.nothing": {
        "fr": "Aucun texte étiqueté dans cette partie : rien à mesurer.",
        "en": "No labelled text in this part: nothing to measure.",
    },
    "eval.parts_title": {"fr": "Résultats par partie", "en": "Results by part"},
    "eval.texts": {"fr": "Textes", "en": "Texts"},
    "eval.accuracy": {"fr": "Exactitude", "en": "Accuracy"},
    "eval.macro_f1": {"fr": "Macro-F1", "en": "Macro-F1"},
    "eval.classes_title": {"fr": "Scores par catégorie — {group}", "en": "Scores by category — {group}"},
    "eval.category": {"fr": "Catégorie", "en": "Category"},
    "eval.precision": {"fr": "Précision", "en": "Precision"},
    "eval.recall": {"fr": "Rappel", "en": "Recall"},
    "eval.support": {"fr": "Attendus", "en": "Expected"},
    "eval.predicted": {"fr": "Obtenus", "en": "Predicted"},
    "eval.confusion_title": {
        "fr": "Matrice de confusion — {group} (lignes : attendu ; colonnes : obtenu)",
        "en": "Confusion matrix — {group} (rows: expected; columns: predicted)",
    },
    "eval.expected_obtained": {"fr": "Attendu \\ obtenu", "en": "Expected \\ predicted"},
    "eval.calibration_title": {
        "fr": "Calibration — {group} (confiance annoncée et exactitude observée)",
        "en": "Calibration — {group} (stated confidence and observed accuracy)",
    },
    "eval.bin": {"fr": "Confiance", "en": "Confidence"},
    "eval.mean_confidence": {"fr": "Confiance moyenne", "en": "Mean confidence"},
    "eval.observed": {"fr": "Exactitude observée", "en": "Observed accuracy"},
    "eval.ece": {"fr": "Écart moyen de calibration", "en": "Expected calibration error"},
    "eval.disagreements_title": {"fr": "Désaccords ({count})", "en": "Disagreements ({count})"},
    "eval.no_disagreement": {"fr": "Aucun désaccord.", "en": "No disagreement."},
    "eval.expected": {"fr": "Attendu", "en": "Expected"},
    "eval.obtained": {"fr": "Obtenu", "en": "Predicted"},
    "eval.confidence": {"fr": "Confiance", "en": "Confidence"},
    "eval.rules_fired": {"fr": "Règles", "en": "Rules"},
    "eval.total": {"fr": "ensemble", "en": "overall"},
    "eval.cal_title": {
        "fr": "Calibration de la confiance — règles {version}, partie {part}, {texts} textes",
        "en": "Confidence calibration — rules {version}, part {part}, {texts} texts",
    },
    "eval.cal_step": {"fr": "Étape de la décision", "en": "Decision step"},
    "eval.cal_score": {"fr": "Score de preuve", "en": "Evidence score"},
    "eval.cal_right": {"fr": "Bien classés", "en": "Right"},
    "eval.cal_confidence": {"fr": "Confiance donnée", "en": "Confidence given"},
    "eval.cal_written": {"fr": "Calibration écrite : {path}", "en": "Calibration written: {path}"},
    "eval.cal_not_written": {
        "fr": "Rien n'est écrit : ajoutez --output FICHIER pour enregistrer cette calibration.",
        "en": "Nothing written: add --output FILE to save this calibration.",
    },
    "eval.step.little_text": {"fr": "Intitulé seul (à examiner)", "en": "Title only (to review)"},
    "eval.step.contradiction": {
        "fr": "Preuves contradictoires (à examiner)",
        "en": "Contradictory evidence (to review)",
    },
    "eval.step.aim_lead": {
        "fr": "Objectif d'égalité en tête (spécifique)",
        "en": "Equality as main aim (specific)",
    },
    "eval.step.secondary": {
        "fr": "Objectif secondaire ou mesure (intégrée)",
        "en": "Secondary aim or measure (integrated)",
    },
    "eval.step.ambiguous": {"fr": "Indice sans preuve (à examiner)", "en": "Hint without proof (to review)"},
    "eval.step.none": {"fr": "Aucune preuve (non prise en compte)", "en": "No evidence (not integrated)"},
}


def t(key: str, lang: str, **params: object) -> str:
    text = LABELS[key][lang]
    return text.format(**params) if params else text


def money(value: float, lang: str) -> str:
    """12 500,00 € (fr) or €12,500.00 (en)."""
    if lang == "fr":
        return f"{value:,.2f}".replace(",", "\u202f").replace(".", ",") + "\u00a0€"
    return f"€{value:,.2f}"
