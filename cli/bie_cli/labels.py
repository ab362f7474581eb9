"""Words the command line shows (French by default, English with ``--lang en``), from
``bie/data/labels_cli.yaml``: the words of each command's output (:func:`t`) and the help of each command
and option (:func:`command_help`, :func:`option_help`)."""

from __future__ import annotations

import functools
from typing import Any

from bie.resources import load_data


@functools.cache
def catalogue() -> dict[str, Any]:
    """``labels_cli.yaml`` (loaded once)."""
    return dict(load_data("labels_cli.yaml"))


def _lang(lang: str) -> str:
    return "en" if lang == "en" else "fr"


#: French typography: a no-break space before « : ; ? ! » and inside « », so that click's wrapping never
#: leaves a colon or a guillemet alone at the start of a line.
_FRENCH_SPACES = {
    " :": "\u00a0:",
    " ;": "\u00a0;",
    " ?": "\u00a0?",
    " !": "\u00a0!",
    "« ": "«\u00a0",
    " »": "\u00a0»",
}


def _typeset(text: str, lang: str) -> str:
    if _lang(lang) != "fr":
        return text
    for plain, fixed in _FRENCH_SPACES.items():
        text = text.replace(plain, fixed)
    return text


def _block(text: str) -> str:
    """click's « keep this paragraph as it is » marker: a line holding ``\\b`` in the YAML file."""
    return "\n".join("\b" if line.strip() == "\\b" else line for line in text.split("\n"))


def t(key: str, lang: str, **params: object) -> str:
    text = str(catalogue()["words"][key][_lang(lang)])
    return text.format(**params) if params else text


def usage_word(key: str, lang: str) -> str:
    """``[OPTIONS]`` and ``COMMAND [ARGS]...`` of the usage line."""
    return str(catalogue()["usage"][key][_lang(lang)])


def command_help(path: str, lang: str) -> str | None:
    """The help of the command ``path`` (``inspect``, ``rules.evaluate``; ``bie`` for the group)."""
    entry = catalogue()["commands"].get(path)
    return None if entry is None else _block(_typeset(str(entry[_lang(lang)]), lang))


def _option(path: str, name: str) -> dict[str, Any] | None:
    options: dict[str, dict[str, Any]] = catalogue()["options"]
    entry = options.get(f"{path}.{name}") if path else None
    return entry if entry is not None else options.get(name)


def option_help(path: str, name: str, lang: str) -> str | None:
    """The help of option ``name`` of command ``path``: its own entry (``inspect.sheet``), else the one
    shared by every command (``sheet``); ``None`` when there is none."""
    entry = _option(path, name)
    return None if entry is None or _lang(lang) not in entry else _typeset(str(entry[_lang(lang)]), lang)


def option_metavar(path: str, name: str, lang: str) -> str | None:
    """The word standing for an option's value or an argument in the usage (FICHIER / FILE)."""
    entry = _option(path, name)
    if entry is None or "metavar" not in entry:
        return None
    return str(entry["metavar"][_lang(lang)])


def money(value: float, lang: str) -> str:
    """12 500,00 € (fr) or €12,500.00 (en)."""
    if lang == "fr":
        return f"{value:,.2f}".replace(",", "\u202f").replace(".", ",") + "\u00a0€"
    return f"€{value:,.2f}"
