"""The ``bie`` command: parses options, calls one library function, renders with rich.

click's own words (help headings, usage errors, plural forms included) are shown in French unless
``BIE_LANG=en`` or ``--lang en`` is on the command line: click marks them for gettext, and this package
gives it a small French catalogue. bie's own help texts: ``bie/data/labels_cli.yaml``
(:func:`bie_cli.main.localise`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

import click.core
import click.decorators
import click.exceptions
import click.formatting
import click.parser
import click.types

FRENCH = {
    "Usage:": "Utilisation :",
    "Options": "Options",
    "Commands": "Commandes",
    "Positional arguments": "Arguments",
    "Show the version and exit.": "Afficher la version et quitter.",
    "Show this message and exit.": "Afficher cette aide et quitter.",
    "%(prog)s, version %(version)s": "%(prog)s, version %(version)s",
    "default: {default}": "par défaut\u00a0: {default}",
    "Error: {message}": "Erreur : {message}",
    "Aborted!": "Interrompu.",
    "Missing argument": "Argument manquant",
    "Missing option": "Option manquante",
    "Missing parameter": "Paramètre manquant",
    "Missing {param_type}": "{param_type} manquant",
    "Missing parameter: {param_name}": "Paramètre manquant : {param_name}",
    "Missing command.": "Commande manquante.",
    "No such command {name!r}.": "Commande inconnue {name!r}.",
    "No such option {name!r}.": "Option inconnue {name!r}.",
    "Try '{command} {option}' for help.": "Essayez « {command} {option} » pour l'aide.",
    "Invalid value for {param_hint}: {message}": "Valeur invalide pour {param_hint} : {message}",
    "Invalid value: {message}": "Valeur invalide : {message}",
    "{value!r} is not one of {choices}.": "{value!r} ne fait pas partie de {choices}.",
    "{value!r} is not {choice}.": "{value!r} n'est pas {choice}.",
    "{value!r} is not a valid {number_type}.": "{value!r} n'est pas un {number_type} valide.",
    "{name} {filename!r} does not exist.": "{name} {filename!r} introuvable.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} est un dossier.",
    "{name} {filename!r} is a file.": "{name} {filename!r} est un fichier.",
    "file": "fichier",
    "directory": "dossier",
    "path": "chemin",
    "required": "obligatoire",
    "(dynamic)": "(variable)",
    "env var: {var}": "variable d'environnement : {var}",
    "Choose from:\n\t{choices}": "Choisissez parmi :\n\t{choices}",
    "Option {name!r} does not take a value.": "L'option {name!r} ne prend pas de valeur.",
    "Argument {name!r} takes {nargs} values.": "L'argument {name!r} attend {nargs} valeurs.",
    "Value must be an iterable.": "La valeur doit être une liste.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} illisible.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} non modifiable.",
    "{name} {filename!r} is not executable.": "{name} {filename!r} non exécutable.",
    "Could not open file {filename!r}: {message}": "Impossible d'ouvrir le fichier {filename!r} : {message}",
    "unknown error": "erreur inconnue",
    "{value!r} is not a valid boolean. Recognized values: {states}": (
        "{value!r} n'est pas un booléen valide. Valeurs reconnues : {states}"
    ),
}

#: click's messages with a plural form (``ngettext``): English singular → French singular and plural.
FRENCH_PLURAL = {
    "Did you mean {possibility}?": (
        "Vouliez-vous dire {possibility} ?",
        "(Vouliez-vous dire : {possibilities} ?)",
    ),
    "{value!r} is not {choice}.": (
        "{value!r} n'est pas {choice}.",
        "{value!r} ne fait pas partie de {choices}.",
    ),
    "Got unexpected extra argument ({args})": ("Argument en trop ({args})", "Arguments en trop ({args})"),
    "Option {name!r} requires an argument.": (
        "L'option {name!r} attend une valeur.",
        "L'option {name!r} attend {nargs} valeurs.",
    ),
    "Takes {nargs} values but 1 was given.": (
        "Attend {nargs} valeurs mais 1 a été donnée.",
        "Attend {nargs} valeurs mais {len} ont été données.",
    ),
    "{len_type} values are required, but {len_value} was given.": (
        "{len_type} valeurs sont attendues, mais {len_value} a été donnée.",
        "{len_type} valeurs sont attendues, mais {len_value} ont été données.",
    ),
}


#: The language asked for with ``--lang`` on the command line (read before click parses it, so that click's
#: own messages, usage errors included, follow it too).
_ARGV_LANG: list[str] = []


def lang_from_argv(argv: Sequence[str]) -> str | None:
    """Remember the value of ``--lang`` in ``argv`` (the last one wins) and return it."""
    found = None
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            found = argv[i + 1]
        elif arg.startswith("--lang="):
            found = arg.partition("=")[2]
    _ARGV_LANG[:] = [found] if found in ("fr", "en") else []
    return found


def current_lang() -> str:
    """``--lang`` from the command line, else ``BIE_LANG``, else French."""
    return _ARGV_LANG[0] if _ARGV_LANG else os.environ.get("BIE_LANG", "fr")


def _translator(original: Callable[[str], str]) -> Callable[[str], str]:
    def gettext(message: str) -> str:
        if current_lang() == "en":
            return original(message)
        return FRENCH.get(message, original(message))

    return gettext


def _plural_translator(original: Callable[[str, str, int], str]) -> Callable[[str, str, int], str]:
    def ngettext(singular: str, plural: str, n: int) -> str:
        french = FRENCH_PLURAL.get(singular)
        if current_lang() == "en" or french is None:
            return original(singular, plural, n)
        return french[0] if n == 1 else french[1]

    return ngettext


for _module in (click.core, click.decorators, click.exceptions, click.formatting, click.parser, click.types):
    _module._ = _translator(_module._)  # type: ignore[attr-defined]
    if hasattr(_module, "ngettext"):
        _module.ngettext = _plural_translator(_module.ngettext)  # type: ignore[attr-defined]
