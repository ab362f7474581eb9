"""Entry point of the ``bie`` command: each command parses its options, calls one library function and
renders the result with rich. Library errors become one line in the user's language, exit code 1."""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console

from bie import __version__
from bie.errors import BieError
from bie_cli.labels import t

F = TypeVar("F", bound=Callable[..., Any])

LANG = click.Choice(["fr", "en"])


def _console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def fail(message: str, lang: str) -> None:
    """Print one error line on stderr (never wrapped) and exit with code 1."""
    sep = " : " if lang == "fr" else ": "
    click.echo(click.style(t("error", lang), fg="red", bold=True) + sep + message, err=True)
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
        "--lang", type=LANG, default=lambda: os.environ.get("BIE_LANG", "fr"), show_default="fr",
        help="Langue des messages et des rapports (fr ou en).",
    )(func)
    return func


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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
@click.option("--sheet", "-s", help="Feuille à lire (nom, ou numéro à partir de 1). Par défaut : la mieux reconnue.")
@click.option("--mapping", "-m", type=click.Path(path_type=Path, dir_okay=False),
              help="Fichier YAML de correspondance des colonnes.")
@click.option("--json", "as_json", is_flag=True, help="Écrire un objet JSON sur la sortie standard.")
@common
@handle_errors
def inspect(file: Path, sheet: str | None, mapping: Path | None, as_json: bool, lang: str, debug: bool) -> None:
    """Décrire ce que bie comprend d'un fichier : feuille, en-tête, colonnes, lignes, montants, problèmes."""
    from bie import read
    from bie_cli.render import render_inspect, resolve_sheet

    result = read(file, sheet=resolve_sheet(file, sheet), mapping=mapping)
    if as_json:
        click.echo(json.dumps(result.to_inspect_dict(lang), ensure_ascii=False, indent=2, default=str))
        return
    render_inspect(_console(), result, lang)


def main() -> None:
    cli(prog_name="bie")
