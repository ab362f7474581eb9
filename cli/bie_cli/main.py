"""Entry point of the ``bie`` command: each command parses its options, calls one library function and
renders the result with rich. Library errors become one line in the user's language, exit code 1."""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from rich.console import Console

from bie import __version__
from bie.errors import BieError
from bie.safetext import json_printable, printable, register_error_handler
from bie_cli import current_lang, lang_from_argv
from bie_cli.labels import t

F = TypeVar("F", bound=Callable[..., Any])

LANG = click.Choice(["fr", "en"])


def _console(stderr: bool = False) -> Console:
    from bie_cli.render import SafeConsole

    return SafeConsole(stderr=stderr, highlight=False, soft_wrap=False)


def _safe_streams() -> None:
    """Let stdout and stderr write any text whatever their encoding (``PYTHONIOENCODING=ascii``, a Windows
    console redirected to a file in cp1252): a character the encoding lacks becomes a close equivalent or a
    visible escape (:func:`bie.safetext.terminal_replace`) instead of a UnicodeEncodeError."""
    handler = register_error_handler()
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is None:
            continue
        try:
            reconfigure(errors=handler)
        except (ValueError, OSError, TypeError, AttributeError):
            continue


def echo(text: str, err: bool = False) -> None:
    """Print text that may quote an input (a path, a cell): control characters shown as escapes."""
    click.echo(printable(text, one_line=False), err=err)


def fail(message: str, lang: str) -> None:
    """Print one error line on stderr (never wrapped, control characters and line breaks shown as escapes,
    so a hostile value cannot forge a second line) and exit with code 1."""
    sep = " : " if lang == "fr" else ": "
    click.echo(click.style(t("error", lang), fg="red", bold=True) + sep + printable(message), err=True)
    sys.exit(1)


def handle_errors(func: F) -> F:
    """Turn library errors into one clear line; tracebacks only with ``--debug``."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        lang = kwargs.get("lang") or "fr"
        debug = kwargs.get("debug", False)
        try:
            return func(*args, **kwargs)
        except BieError as exc:
            if debug:
                raise
            fail(exc.message(lang), lang)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
            raise
        except KeyboardInterrupt:
            raise
        except Exception as exc:
            if debug:
                raise
            fail(t("unexpected", lang, detail=f"{exc.__class__.__name__}: {exc}"), lang)
        return None

    return wrapper  # type: ignore[return-value]


def common(func: F) -> F:
    """``--lang`` and ``--debug`` on every command."""
    func = click.option("--debug", is_flag=True, help="Afficher la trace complète en cas d'erreur.")(func)
    func = click.option(
        "--lang",
        type=LANG,
        default=lambda: os.environ.get("BIE_LANG", "fr"),
        show_default="fr",
        help="Langue des messages et des rapports (fr ou en).",
    )(func)
    return func


def _forget_help_options(command: click.Command) -> None:
    """click (8.1.8+) caches each command's help option, its help text translated once: in a process that
    runs bie several times (tests, a notebook), the first run's language would stick. Forget them."""
    command._help_option = None
    for sub in getattr(command, "commands", {}).values():
        _forget_help_options(sub)


class BieGroup(click.Group):
    """The ``bie`` group: before click parses anything, output streams that cannot fail on any character and
    ``--lang`` known (so that click's own messages, usage errors included, follow it)."""

    def main(self, args: Any = None, *more: Any, **kwargs: Any) -> Any:
        lang_from_argv(sys.argv[1:] if args is None else [str(a) for a in args])
        _forget_help_options(self)
        _safe_streams()
        return super().main(args, *more, **kwargs)

    # click's own errors (usage, bad values) quote what was typed, file names included: shown on one line,
    # control characters as escapes, like bie's errors.
    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        try:
            return super().make_context(*args, **kwargs)
        except click.ClickException as exc:
            exc.message = printable(exc.message)  # type: ignore[misc]  # click declares it Final
            raise

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.ClickException as exc:
            exc.message = printable(exc.message)  # type: ignore[misc]  # click declares it Final
            raise


@click.group(cls=BieGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="bie")
def cli() -> None:
    """bie : audit du budget intégrant l'égalité (BIE) des contrats de ville.

    Lit les tableaux de financement (programmations, exports de plateformes, fichiers SCDL),
    marque chaque action (spécifique, égalité intégrée, non prise en compte, à examiner),
    la situe sur la toile de l'institutionnalisation et produit des rapports.
    """


def _sheet_arg(value: str | None) -> str | int | None:
    return value


@cli.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--sheet", "-s", help="Feuille à lire (nom, ou numéro à partir de 1). Par défaut : la mieux reconnue."
)
@click.option(
    "--mapping",
    "-m",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Fichier YAML de correspondance des colonnes.",
)
@click.option("--json", "as_json", is_flag=True, help="Écrire un objet JSON sur la sortie standard.")
@common
@handle_errors
def inspect(
    file: Path, sheet: str | None, mapping: Path | None, as_json: bool, lang: str, debug: bool
) -> None:
    """Décrire ce que bie comprend d'un fichier : feuille, en-tête, colonnes, lignes, montants, problèmes."""
    from bie import read
    from bie_cli.render import render_inspect, resolve_sheet

    result = read(file, sheet=resolve_sheet(file, sheet), mapping=mapping)
    if as_json:
        # \u escapes when the output cannot write every character (the JSON stays exact and valid).
        encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "")
        plain = encoding.startswith("utf")
        text = json.dumps(result.to_inspect_dict(lang), ensure_ascii=not plain, indent=2, default=str)
        click.echo(json_printable(text))
        return
    render_inspect(_console(), result, lang)


def _rules_option(func: F) -> F:
    return click.option(
        "--rules",
        "-r",
        "rules",
        multiple=True,
        type=click.Path(path_type=Path, dir_okay=False, exists=False),
        help="Surcouche locale de règles (YAML) ; option répétable.",
    )(func)


def _questionnaire_option(func: F) -> F:
    return click.option(
        "--questionnaire",
        "-q",
        type=click.Path(path_type=Path, dir_okay=False),
        help="Questionnaire territorial rempli (produit par « bie web questionnaire »).",
    )(func)


def _read_options(func: F) -> F:
    func = click.option(
        "--mapping",
        "-m",
        type=click.Path(path_type=Path, dir_okay=False),
        help="Fichier YAML de correspondance des colonnes.",
    )(func)
    func = click.option("--sheet", "-s", help="Feuille à lire (nom, ou numéro à partir de 1).")(func)
    return func


@cli.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="Fichier à écrire : .xlsx, .csv (séparateur « ; », UTF-8) ou .json.",
)
@_read_options
@_rules_option
@click.option(
    "--overrides",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Décisions manuelles (YAML ou CSV) qui l'emportent sur les règles.",
)
@common
@handle_errors
def tag(
    file: Path,
    output: Path,
    sheet: str | None,
    mapping: Path | None,
    rules: tuple[Path, ...],
    overrides: Path | None,
    lang: str,
    debug: bool,
) -> None:
    """Marquer chaque action (spécifique, égalité intégrée, non prise en compte, à examiner) avec ses motifs.

    Écrit les actions avec leurs colonnes d'origine et les colonnes du marquage."""
    from bie import tag_file
    from bie_cli.render import render_tag_summary

    result = tag_file(file, sheet=sheet, mapping=mapping, rules=rules, overrides=overrides, lang=lang)
    written = result.write(output)
    render_tag_summary(_console(), result, written, lang)


ROW_MESSAGES = {
    "fr": "« {value} » n'est pas un numéro de ligne : donnez le numéro affiché par le tableur (1, 2, 3…).",
    "en": '"{value}" is not a row number: give the number your spreadsheet shows (1, 2, 3…).',
}


if TYPE_CHECKING:  # click >= 8.2 types its ParamType; 8.1 (still supported) cannot be subscripted
    _IntParam = click.ParamType[int, Any]
else:
    _IntParam = click.ParamType


class RowNumber(_IntParam):
    """A row number as the spreadsheet shows it: a whole number (of any size: one beyond the table is
    reported as absent by the command, never as an overflow); the command refuses 0 and negatives."""

    name = "integer"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        text = str(value).strip()
        digits = text[1:] if text[:1] in "+-" else text
        if digits.isascii() and digits.isdigit():
            return int(text)
        lang = current_lang()
        self.fail(ROW_MESSAGES["en" if lang == "en" else "fr"].format(value=printable(text)), param, ctx)


@cli.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False), required=False)
@click.option(
    "--row", type=RowNumber(), help="Ligne de l'action dans le fichier (numéro vu dans le tableur)."
)
@click.option("--text", help="Texte d'une action : la première ligne est l'intitulé, la suite les objectifs.")
@_read_options
@_rules_option
@common
@handle_errors
def explain(
    file: Path | None,
    row: int | None,
    text: str | None,
    sheet: str | None,
    mapping: Path | None,
    rules: tuple[Path, ...],
    lang: str,
    debug: bool,
) -> None:
    """Expliquer la décision pour une action : zones lues, règles déclenchées, pièges, étapes."""
    from bie.tagging import explain as explain_action
    from bie.tagging import load_rules
    from bie_cli.render import render_explanation

    pack = load_rules(list(rules))
    if text is not None:
        if file is not None or row is not None:
            raise click.UsageError("--text s'utilise sans fichier ni --row.")
        render_explanation(_console(), explain_action(text=text, pack=pack), lang)
        return
    if file is None or row is None:
        raise click.UsageError("donnez un fichier et --row N, ou --text « … ».")
    if row < 1:
        raise click.BadParameter(ROW_MESSAGES[lang].format(value=row), param_hint="'--row'")
    from bie import read

    result = read(file, sheet=sheet, mapping=mapping)
    last = result.ledger.get_column("row").max() if result.ledger.height else 0
    if not isinstance(last, int) or row > last:
        fail(t("explain_no_row", lang, row=row, file=file), lang)
    match = result.actions.filter(result.actions.get_column("_row") == row)
    if match.height == 0:
        ledger = result.ledger.filter(result.ledger.get_column("row") == row)
        if ledger.height:
            entry = ledger.row(0, named=True)
            reason = entry["reason"]
            if reason == "continuation":
                match = result.actions.filter(result.actions.get_column("_row") == entry["action_row"])
            else:
                fail(t("explain_excluded", lang, row=row, reason=t(f"reason.{reason}", lang)), lang)
        else:
            fail(t("explain_no_row", lang, row=row, file=file), lang)
    from bie.tagging import INPUT_COLUMNS

    action = {k: v for k, v in match.row(0, named=True).items() if k in INPUT_COLUMNS}
    render_explanation(_console(), explain_action(row=action, pack=pack), lang)


FORMATS = ("html", "xlsx", "json")


def _formats(value: str) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(f.strip().lower().lstrip(".") for f in value.split(",") if f.strip()))
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise click.BadParameter(f"formats possibles : {', '.join(FORMATS)} (séparés par des virgules)")
    return chosen


def _run_audit(files: list[Path], output: Path, formats: tuple[str, ...], lang: str, **options: Any) -> None:
    from bie import audit as run_audit
    from bie_cli.render import audit_progress, render_audit_summary

    console = _console()
    with audit_progress(console, lang) as step:
        result = run_audit(files, lang=lang, progress=step, **options)
        written = result.write(output, formats=formats, lang=lang, progress=step)
    render_audit_summary(console, result, written, lang)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("."),
    show_default=True,
    help="Dossier où écrire les rapports.",
)
@click.option(
    "--format",
    "-f",
    "formats",
    default="html,xlsx,json",
    show_default=True,
    help="Rapports à écrire, séparés par des virgules : html, xlsx, json.",
)
@click.option(
    "--funder",
    help="Ne retenir que le financement d'un cofinanceur : tout ou partie du nom de sa colonne, accents et "
    "majuscules indifférents (« etat » retient « État (BOP 147) ») ; plusieurs colonnes désignées "
    "s'additionnent ; un nom qui n'en désigne aucune, ou vide, est une erreur.",
)
@click.option("--title", help="Titre du rapport.")
@_read_options
@_rules_option
@click.option(
    "--overrides",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Décisions manuelles (YAML ou CSV) qui l'emportent sur les règles.",
)
@_questionnaire_option
@common
@handle_errors
def audit(
    files: tuple[Path, ...],
    output: Path,
    formats: str,
    funder: str | None,
    title: str | None,
    sheet: str | None,
    mapping: Path | None,
    rules: tuple[Path, ...],
    overrides: Path | None,
    questionnaire: Path | None,
    lang: str,
    debug: bool,
) -> None:
    """Auditer un ou plusieurs tableaux : rapport HTML, classeur Excel et JSON.

    Écrit DOSSIER/<nom>.bie.html, <nom>.bie.xlsx et <nom>.bie.json (<nom> : le nom du fichier lu
    sans son extension, ou « audit » pour plusieurs fichiers), tous ou aucun. Un rapport n'écrase
    jamais un fichier lu (tableau, correspondance, règles, décisions, questionnaire)."""
    _run_audit(
        list(files),
        output,
        _formats(formats),
        lang,
        sheet=sheet,
        mapping=mapping,
        rules=rules,
        overrides=overrides,
        questionnaire=questionnaire,
        funder=funder,
        title=title,
    )


@cli.command()
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("bie-demo"),
    show_default=True,
    help="Dossier où écrire les rapports de démonstration.",
)
@common
@handle_errors
def demo(output: Path, lang: str, debug: bool) -> None:
    """Auditer le classeur de démonstration fourni avec bie et dire où ouvrir le rapport."""
    from bie.resources import demo_workbook

    _run_audit(
        [demo_workbook()],
        output,
        FORMATS,
        lang,
        title="Démonstration — programmation 2024 (données fictives)"
        if lang == "fr"
        else "Demo — 2024 programming (fictitious data)",
    )


class _DefaultGroup(click.Group):
    """``bie web FILE`` runs the default subcommand; ``bie web questionnaire`` the named one."""

    default = "svg"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = [self.default, *args]
        return super().parse_args(ctx, args)


@cli.group(cls=_DefaultGroup)
def web() -> None:
    """La toile de l'institutionnalisation : image SVG d'un territoire, questionnaire territorial.

    \b
    bie web FICHIER -o toile.svg          dessine la toile à partir des financements
    bie web questionnaire -o questionnaire.xlsx   écrit le questionnaire à remplir"""


@web.command("svg")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="Fichier SVG à écrire.",
)
@_questionnaire_option
@_read_options
@_rules_option
@common
@handle_errors
def web_svg(
    files: tuple[Path, ...],
    output: Path,
    questionnaire: Path | None,
    sheet: str | None,
    mapping: Path | None,
    rules: tuple[Path, ...],
    lang: str,
    debug: bool,
) -> None:
    """Dessiner la toile d'un territoire (SVG) à partir de ses financements."""
    from bie import audit as run_audit

    result = run_audit(
        list(files), sheet=sheet, mapping=mapping, rules=rules, questionnaire=questionnaire, lang=lang
    )
    result.write_svg(output, lang)
    echo(f"{t('written', lang)} : {output}" if lang == "fr" else f"{t('written', lang)}: {output}")
    echo(result.web_text(lang))


@web.command("questionnaire")
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="Classeur .xlsx à écrire.",
)
@common
@handle_errors
def web_questionnaire(output: Path, lang: str, debug: bool) -> None:
    """Écrire le questionnaire territorial à remplir (ce que les financements ne montrent pas)."""
    from bie.web import write_questionnaire

    write_questionnaire(output, lang=lang)
    echo(f"{t('written', lang)} : {output}" if lang == "fr" else f"{t('written', lang)}: {output}")


@cli.group("rules")
def rules_group() -> None:
    """Le jeu de règles du marqueur : mesurer ce qu'il vaut sur des textes étiquetés à la main.

    \b
    bie rules evaluate tests/rules tests/corpus/real.yaml            partie « dev »
    bie rules evaluate tests/rules tests/corpus/real.yaml --part test   partie mise à part
    bie rules calibrate tests/corpus/real.yaml                          ajuster la confiance"""


@rules_group.command("evaluate")
@click.argument("corpus", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--part",
    type=click.Choice(["dev", "test", "all"]),
    default="dev",
    show_default=True,
    help="Textes mesurés : « dev » (ceux sur lesquels on règle), « test » (mis à part : mesurer, ne jamais "
    "régler en les lisant) ou « all » (les deux, avec les scores de chaque partie).",
)
@click.option(
    "--split",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Partage dev/test des cas YAML. Par défaut : split.yaml à côté des cas ou dans un dossier corpus/ "
    "voisin ; un cas qu'il ne cite pas est « dev ».",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Écrire tout le résultat en JSON sur la sortie standard."
)
@_rules_option
@common
@handle_errors
def rules_evaluate(
    corpus: tuple[Path, ...],
    part: str,
    split: Path | None,
    as_json: bool,
    rules: tuple[Path, ...],
    lang: str,
    debug: bool,
) -> None:
    """Mesurer le marqueur sur des corpus étiquetés : précision, rappel et F1 par catégorie, macro-F1,
    matrice de confusion, calibration de la confiance et désaccords.

    CORPUS : fichiers de cas YAML (ou un dossier de cas), corpus réel YAML (« textes »), ou tableaux CSV
    ou Excel avec une colonne d'étiquette (« etiquette », « label » ou « categorie ») et, au besoin, une
    colonne « partie » (dev ou test)."""
    from bie.tagging import load_rules
    from bie.tagging.evaluate import evaluate
    from bie_cli.render_evaluate import render_evaluation

    result = evaluate(list(corpus), part=part, pack=load_rules(list(rules)), split=split)
    if as_json:
        encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "")
        text = json.dumps(result.to_dict(lang), ensure_ascii=not encoding.startswith("utf"), indent=2)
        click.echo(json_printable(text))
        return
    render_evaluation(_console(), result, lang)


@rules_group.command("calibrate")
@click.argument("corpus", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--part",
    type=click.Choice(["dev", "test", "all"]),
    default="dev",
    show_default=True,
    help="Textes sur lesquels la confiance est ajustée ; « dev » seulement pour le fichier livré (la partie "
    "« test » sert à mesurer la calibration, pas à la régler).",
)
@click.option(
    "--split",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Partage dev/test des cas YAML (comme pour « bie rules evaluate »).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Écrire la calibration (YAML) dans ce fichier, par exemple src/bie/data/calibration.yaml ; "
    "sans cette option, la table est seulement affichée.",
)
@_rules_option
@common
@handle_errors
def rules_calibrate(
    corpus: tuple[Path, ...],
    part: str,
    split: Path | None,
    output: Path | None,
    rules: tuple[Path, ...],
    lang: str,
    debug: bool,
) -> None:
    """Ajuster la confiance sur des corpus étiquetés : pour chaque étape de la décision et chaque tranche de
    score de preuve, la part de textes bien classés (méthode : docs/regles.md §2.8).

    CORPUS : comme pour « bie rules evaluate ». Le fichier livré est ajusté sur la partie « dev » du corpus
    réel seul : bie rules calibrate tests/corpus/real.yaml -o src/bie/data/calibration.yaml"""
    from bie.outputs import identify, write_text_atomic
    from bie.tagging import load_rules
    from bie.tagging.evaluate import calibrate
    from bie_cli.render_evaluate import render_calibration

    result = calibrate(list(corpus), part=part, pack=load_rules(list(rules)), split=split)
    if output is not None:
        write_text_atomic(output, result.to_yaml(), identify([*corpus, *rules, split]))
    render_calibration(_console(), result, lang, output)


def main() -> None:
    cli(prog_name="bie")
