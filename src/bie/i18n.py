"""Messages in French (default) and English, from ``bie/data/messages.yaml`` and ``issues.yaml``."""

from __future__ import annotations

import string
from typing import Any

from bie.errors import Text
from bie.resources import load_data

LANGS = ("fr", "en")


class _SafeDict(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class Money:
    """An amount in euros kept exact (integer cents), shown the way each language writes money."""

    __slots__ = ("cents",)

    def __init__(self, cents: int) -> None:
        self.cents = int(cents)

    @classmethod
    def euros(cls, value: float) -> Money:
        return cls(round(value * 100))

    def format(self, lang: str = "fr") -> str:
        sign = "-" if self.cents < 0 else ""
        euros, rest = divmod(abs(self.cents), 100)
        if lang == "en":
            return f"{sign}€{euros:,}.{rest:02d}"
        return f"{sign}{euros:,}".replace(",", "\u202f") + f",{rest:02d}\u00a0€"

    def __str__(self) -> str:
        return self.format("fr")

    def __repr__(self) -> str:
        return f"Money({self.cents})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Money) and other.cents == self.cents

    def __hash__(self) -> int:
        return hash(self.cents)


def localise(params: dict[str, Any], lang: str) -> dict[str, Any]:
    """Parameters ready for a template in ``lang`` (amounts and phrases written in that language)."""
    return {k: v.format(lang) if isinstance(v, Money | Text) else v for k, v in params.items()}


def fmt(template: str, **params: Any) -> str:
    """Fill ``template``; unknown placeholders are left visible instead of raising."""
    return string.Formatter().vformat(template, (), _SafeDict(params))


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"unsupported language {lang!r}; use one of {LANGS}")
    return lang


def error_message(code: str, lang: str = "fr", path: str | None = None, **params: Any) -> str:
    errors = load_data("messages.yaml")["errors"]
    entry = errors.get(code) or errors["error"]
    text = entry[check_lang(lang)]
    params = localise(params, lang)
    what = fmt(text["what"], **params)
    fix = fmt(text["fix"], **params)
    if path is None:
        return f"{what[:1].upper()}{what[1:]} {fix}"
    sep = " : " if lang == "fr" else ": "
    return f"{path}{sep}{what} {fix}"


def issue_catalogue() -> dict[str, dict[str, str]]:
    return dict(load_data("issues.yaml")["issues"])


def issue_message(code: str, lang: str = "fr", **params: Any) -> str:
    entry = issue_catalogue()[code]
    return fmt(entry[check_lang(lang)], **localise(params, lang))


def issue_severity(code: str) -> str:
    return str(issue_catalogue()[code]["severity"])
