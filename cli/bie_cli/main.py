"""Entry point of the ``bie`` command: each command parses its options, calls one library function and
renders the result with rich. Library errors become one line in the user's language, exit code 1."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click
from rich.console import Console

from bie import __version__
from bie.errors import BieError
from bie.safetext import json_printable, printable, register_error_handler
from bie_cli import current_lang, lang_from_argv
from bie_cli.labels import command_help, option_help, option_metavar, t, usage_word

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
    func = click.option("--debug", is_flag=True)(func)
    func = click.option("--lang", type=LANG, default=current_lang)(func)
    return func


def _forget_help_options(command: click.Command) -> None:
    """click (8.1.8+) caches each command's help option, its help text translated once: in a process that
    runs bie several times (tests, a notebook), the first run's language would stick. Forget them."""
    command._help_option = None
    for sub in getattr(command, "commands", {}).values():
        _forget_help_options(sub)


def localise(command: click.Command, lang: str, path: str = "") -> None:
    """Give ``command`` and its subcommands their help texts and usage words in ``lang``, from
    ``bie/data/labels_cli.yaml`` (:mod:`bie_cli.labels`): the help of each command (key: its path,
    ``rules.evaluate``), of each option and argument (``inspect.sheet``, else ``sheet``) and the words
    standing for their values (FICHIER / FILE). Run before click parses or formats anything."""
    text = command_help(path or "bie", lang)
    if text is not None:
        command.help = text
        command.short_help = None
    command.options_metavar = usage_word("options_metavar", lang)
    if isinstance(command, click.Group):
        command.subcommand_metavar = usage_word("subcommand_metavar", lang)
    for param in command.params:
        name = param.name or ""
        if isinstance(param, click.Option):
            param.help = option_help(path, name, lang) or param.help
        metavar = option_metavar(path, name, lang)
        if metavar is not None:
            param.metavar = metavar
    for name, sub in getattr(command, "commands", {}).items():
        localise(sub, lang, f"{path}.{name}" if path else name)


class BieGroup(click.Group):
    """The ``bie`` group: before click parses anything, output streams that cannot fail on any character and
    ``--lang`` known (so that click's own messages, usage errors included, follow it)."""

    def main(self, args: Any = None, *more: Any, **kwargs: Any) -> Any:
        lang_from_argv(sys.argv[1:] if args is None else [str(a) for a in args])
        localise(self, current_lang())
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
# ``bie --lang en tag …`` as well as ``bie tag --lang en …``: BieGroup.main reads it before click parses, and
# every command's ``--lang`` defaults to it (bie_cli.current_lang).
@click.option("--lang", type=LANG, expose_value=False)
def cli() -> None:
    """The ``bie`` group. Help texts of every command and option: ``bie/data/labels_cli.yaml``."""


def _sheet_arg(value: str | None) -> str | int | None:
    return value


@cli.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--sheet", "-s")
@click.option("--mapping", "-m", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--json", "as_json", is_flag=True)
@common
@handle_errors
def inspect(
    file: Path, sheet: str | None, mapping: Path | None, as_json: bool, lang: str, debug: bool
) -> None:
    """``bie inspect``: what bie understands of a file."""
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
        "--rules", "-r", "rules", multiple=True, type=click.Path(path_type=Path, dir_okay=False, exists=False)
    )(func)


def _questionnaire_option(func: F) -> F:
    return click.option("--questionnaire", "-q", type=click.Path(path_type=Path, dir_okay=False))(func)


def _read_options(func: F) -> F:
    func = click.option("--mapping", "-m", type=click.Path(path_type=Path, dir_okay=False))(func)
    func = click.option("--sheet", "-s")(func)
    return func


@cli.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), required=True)
@_read_options
@_rules_option
@click.option("--overrides", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--codes", is_flag=True)
@common
@handle_errors
def tag(
    file: Path,
    output: Path,
    sheet: str | None,
    mapping: Path | None,
    rules: tuple[Path, ...],
    overrides: Path | None,
    codes: bool,
    lang: str,
    debug: bool,
) -> None:
    """``bie tag``: tag each action; words for readers unless ``--codes``."""
    from bie import tag_file
    from bie_cli.render import render_tag_summary

    result = tag_file(file, sheet=sheet, mapping=mapping, rules=rules, overrides=overrides, lang=lang)
    written = result.write(output, codes=codes)
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
@click.option("--row", type=RowNumber())
@click.option("--text")
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
    """``bie explain``: the decision for one action, step by step."""
    from bie.tagging import explain as explain_action
    from bie.tagging import load_rules
    from bie_cli.render import render_explanation

    pack = load_rules(list(rules))
    if text is not None:
        if file is not None or row is not None:
            raise click.UsageError(t("explain_text_alone", lang))
        render_explanation(_console(), explain_action(text=text, pack=pack), lang)
        return
    if file is None or row is None:
        raise click.UsageError(t("explain_needs", lang))
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
        raise click.BadParameter(t("formats_bad", current_lang(), formats=", ".join(FORMATS)))
    return chosen


def _quiet_option(func: F) -> F:
    return click.option("--quiet", is_flag=True)(func)


def _run_audit(
    files: list[Path],
    output: Path,
    formats: tuple[str, ...],
    lang: str,
    quiet: bool = False,
    json_actions: str = "all",
    **options: Any,
) -> None:
    from bie import audit as run_audit
    from bie.audit import JsonActions
    from bie_cli.render import audit_progress, render_audit_summary

    detail = cast("JsonActions", json_actions)  # one of click's choices
    console = _console()
    with audit_progress(console, lang, quiet) as step:
        result = run_audit(files, lang=lang, progress=step, **options)
        written = result.write(output, formats=formats, lang=lang, progress=step, json_actions=detail)
    if not quiet:
        render_audit_summary(console, result, written, lang)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--output", "-o", type=click.Path(path_type=Path, file_okay=False), default=Path("."), show_default=True
)
@click.option("--format", "-f", "formats", default="html,xlsx,json", show_default=True)
@click.option(
    "--json-actions",
    "json_actions",
    type=click.Choice(["all", "summary", "none"]),
    default="all",
    show_default=True,
)
@click.option("--funder")
@click.option("--title")
@_read_options
@_rules_option
@click.option("--overrides", type=click.Path(path_type=Path, dir_okay=False))
@_questionnaire_option
@_quiet_option
@common
@handle_errors
def audit(
    files: tuple[Path, ...],
    output: Path,
    formats: str,
    json_actions: str,
    funder: str | None,
    title: str | None,
    sheet: str | None,
    mapping: Path | None,
    rules: tuple[Path, ...],
    overrides: Path | None,
    questionnaire: Path | None,
    quiet: bool,
    lang: str,
    debug: bool,
) -> None:
    """``bie audit``: HTML, Excel and JSON reports."""
    _run_audit(
        list(files),
        output,
        _formats(formats),
        lang,
        quiet,
        json_actions,
        sheet=sheet,
        mapping=mapping,
        rules=rules,
        overrides=overrides,
        questionnaire=questionnaire,
        funder=funder,
        title=title,
    )


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--output", "-o", type=click.Path(path_type=Path, file_okay=False), required=True)
@click.option("--labels", "-l")
@click.option("--format", "-f", "formats", default="html,xlsx,json", show_default=True)
@_read_options
@_rules_option
@_quiet_option
@common
@handle_errors
def compare(
    files: tuple[Path, ...],
    output: Path,
    labels: str | None,
    formats: str,
    sheet: str | None,
    mapping: Path | None,
    rules: tuple[Path, ...],
    quiet: bool,
    lang: str,
    debug: bool,
) -> None:
    """``bie compare``: two or more periods of one contrat de ville, side by side."""
    from bie.comparison import compare as run_compare
    from bie_cli.render import audit_progress
    from bie_cli.render_compare import render_comparison_summary

    chosen = _formats(formats)
    if len(files) < 2:
        fail(t("compare_two", lang), lang)
    names = None if labels is None else [x.strip() for x in labels.split(",")]
    if names is not None and (len(names) != len(files) or not all(names)):
        fail(t("compare_labels", lang, n=len(names), periods=len(files)), lang)
    console = _console()
    with audit_progress(console, lang, quiet) as step:
        result = run_compare(
            list(files),
            labels=names,
            lang=lang,
            sheet=_sheet_arg(sheet),
            mapping=mapping,
            rules=list(rules),
            progress=step,
        )
        written = result.write(output, formats=chosen, lang=lang)
    if not quiet:
        render_comparison_summary(console, result, written, lang)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--output", "-o", type=click.Path(path_type=Path, file_okay=False), required=True)
@click.option("--by", type=click.Choice(["file", "grantor", "territory"]), default="file", show_default=True)
@click.option("--basis", type=click.Choice(["granted", "proposed", "requested", "funders"]))
@click.option("--format", "-f", "formats", default="html,xlsx,json", show_default=True)
@_read_options
@_rules_option
@_quiet_option
@common
@handle_errors
def consolidate(
    files: tuple[Path, ...],
    output: Path,
    by: str,
    basis: str | None,
    formats: str,
    sheet: str | None,
    mapping: Path | None,
    rules: tuple[Path, ...],
    quiet: bool,
    lang: str,
    debug: bool,
) -> None:
    """``bie consolidate``: many contrats de ville (files or folders) in one view."""
    from bie.consolidate import consolidate as run_consolidate
    from bie.consolidate import table_files
    from bie_cli.render_consolidate import consolidate_progress, render_consolidation_summary

    chosen = _formats(formats)
    if not table_files(list(files)):
        fail(t("cons_empty", lang, paths=", ".join(str(f) for f in files)), lang)
    console = _console()
    with consolidate_progress(console, lang, quiet) as progress:
        result = run_consolidate(
            list(files),
            by=by,
            lang=lang,
            progress=progress,
            basis=basis,
            sheet=_sheet_arg(sheet),
            mapping=mapping,
            rules=list(rules),
        )
    written = result.write(output, formats=chosen, lang=lang)
    if not quiet:
        render_consolidation_summary(console, result, written, lang)


@cli.command()
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("bie-demo"),
    show_default=True,
)
@common
@handle_errors
def demo(output: Path, lang: str, debug: bool) -> None:
    """``bie demo``: audit the demonstration workbook."""
    from bie.resources import demo_workbook

    _run_audit(
        [demo_workbook()],
        output,
        FORMATS,
        lang,
        title=t("demo_title", lang),
    )


class _DefaultGroup(click.Group):
    """``bie web FILE`` runs the default subcommand; ``bie web questionnaire`` the named one."""

    default = "svg"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        i = 0  # after the group's own --lang
        while i < len(args) and (args[i] == "--lang" or args[i].startswith("--lang=")):
            i += 2 if args[i] == "--lang" else 1
        if i < len(args) and args[i] not in self.commands and args[i] not in ("-h", "--help"):
            args = [*args[:i], self.default, *args[i:]]
        return super().parse_args(ctx, args)


@cli.group(cls=_DefaultGroup)
@click.option("--lang", type=LANG, expose_value=False)
def web() -> None:
    """``bie web``: the web of institutionalisation."""


@web.command("svg")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), required=True)
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
    """``bie web svg`` (``bie web FILE``): draw a territory's web."""
    from bie import audit as run_audit

    result = run_audit(
        list(files), sheet=sheet, mapping=mapping, rules=rules, questionnaire=questionnaire, lang=lang
    )
    result.write_svg(output, lang)
    echo(f"{t('written', lang)} : {output}" if lang == "fr" else f"{t('written', lang)}: {output}")
    echo(result.web_text(lang))


@web.command("questionnaire")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), required=True)
@common
@handle_errors
def web_questionnaire(output: Path, lang: str, debug: bool) -> None:
    """``bie web questionnaire``: write the questionnaire to fill in."""
    from bie.web import write_questionnaire

    write_questionnaire(output, lang=lang)
    echo(f"{t('written', lang)} : {output}" if lang == "fr" else f"{t('written', lang)}: {output}")


@cli.group("rules")
@click.option("--lang", type=LANG, expose_value=False)
def rules_group() -> None:
    """``bie rules``: measure and calibrate the rule set."""


@rules_group.command("evaluate")
@click.argument("corpus", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--part", type=click.Choice(["dev", "test", "all"]), default="dev", show_default=True)
@click.option("--split", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--json", "as_json", is_flag=True)
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
    """``bie rules evaluate``: scores of the tagger on labelled corpora."""
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
@click.option("--part", type=click.Choice(["dev", "test", "all"]), default="dev", show_default=True)
@click.option("--split", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False))
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
    """``bie rules calibrate``: tune the confidence on labelled corpora."""
    from bie.outputs import identify, write_text_atomic
    from bie.tagging import load_rules
    from bie.tagging.evaluate import calibrate
    from bie_cli.render_evaluate import render_calibration

    result = calibrate(list(corpus), part=part, pack=load_rules(list(rules)), split=split)
    if output is not None:
        write_text_atomic(output, result.to_yaml(), identify([*corpus, *rules, split]))
    render_calibration(_console(), result, lang, output)


@cli.group("workshop")
@click.option("--lang", type=LANG, expose_value=False)
def workshop_group() -> None:
    """``bie workshop``: a training workshop built from a territory's own file."""


@workshop_group.command("prepare")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--output", "-o", type=click.Path(path_type=Path, file_okay=False), required=True)
@click.option("--actions", "-n", type=click.IntRange(1, 60), default=12, show_default=True)
@click.option("--seed", type=click.IntRange(0), default=0, show_default=True)
@click.option("--participants", "-p", type=click.IntRange(1, 60))
@click.option("--title")
@_read_options
@_rules_option
@_quiet_option
@common
@handle_errors
def workshop_prepare(
    files: tuple[Path, ...],
    output: Path,
    actions: int,
    seed: int,
    participants: int | None,
    title: str | None,
    sheet: str | None,
    mapping: Path | None,
    rules: tuple[Path, ...],
    quiet: bool,
    lang: str,
    debug: bool,
) -> None:
    """``bie workshop prepare``: the material of a workshop."""
    from bie.workshop import prepare
    from bie_cli.render import audit_progress
    from bie_cli.render_workshop import render_prepared

    console = _console()
    with audit_progress(console, lang, quiet) as step:
        prepared = prepare(
            list(files),
            output,
            actions=actions,
            seed=seed,
            participants=participants,
            lang=lang,
            title=title,
            sheet=_sheet_arg(sheet),
            mapping=mapping,
            rules=rules,
            progress=step,
        )
    if not quiet:
        render_prepared(console, prepared, lang)


@workshop_group.command("score")
@click.argument("key", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("answers", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--output", "-o", type=click.Path(path_type=Path, file_okay=False), required=True)
@_quiet_option
@common
@handle_errors
def workshop_score(
    key: Path, answers: tuple[Path, ...], output: Path, quiet: bool, lang: str, debug: bool
) -> None:
    """``bie workshop score``: read the answers out."""
    from bie.workshop import score
    from bie_cli.render import audit_progress
    from bie_cli.render_workshop import render_scored

    console = _console()
    with audit_progress(console, lang, quiet) as step:
        scored = score(key, list(answers), output, progress=step)
    if not quiet:
        render_scored(console, scored, lang)


def main() -> None:
    cli(prog_name="bie")
