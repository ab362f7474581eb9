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


def is_singular(value: Any, lang: str = "fr") -> bool:
    """Whether a count takes the singular: 0 and 1 in French (« 0 cellule », « 1 cellule »), 1 in English."""
    try:
        number = abs(float(str(value).replace("\u202f", "").replace("\u00a0", "").replace(",", ".")))
    except ValueError:
        return False
    return number < 2 if lang == "fr" else number == 1


class _Formatter(string.Formatter):
    """``{n:plural:cellule|cellules}`` writes the word form that agrees with ``n`` in the language."""

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> Any:
        if format_spec.startswith("plural:"):
            one, _, other = format_spec[len("plural:") :].partition("|")
            return one if is_singular(value, self.lang) else other
        return super().format_field(value, format_spec)


def fmt_in(lang: str, template: str, **params: Any) -> str:
    """Fill ``template`` written in ``lang``; unknown placeholders are left visible instead of raising. Word
    forms that agree with a count are written ``{n:plural:singular|plural}`` (French: 0 and 1 take the
    singular; English: 1)."""
    return _Formatter(lang).vformat(template, (), _SafeDict(params))


def fmt(template: str, **params: Any) -> str:
    """:func:`fmt_in` for a template whose language is not known here (plural agreement as in French)."""
    return fmt_in("fr", template, **params)


NBSP = "\u00a0"
NNBSP = "\u202f"
MINUS = "\u2212"


class Numbers:
    """Numbers, money and percentages as a French or English reader writes them: the one formatter of
    every report and of the command line (« 1 234,50 € », « 12,5 % » ; "€1,234.50", "12.5%")."""

    def __init__(self, lang: str, na: str = "—") -> None:
        self.lang = check_lang(lang)
        self.na = na

    def _plain(self, value: float, decimals: int) -> str:
        text = f"{abs(value):,.{decimals}f}"
        if self.lang == "fr":
            text = text.replace(",", NNBSP).replace(".", ",")
        negative = value < 0 and float(f"{abs(value):.{decimals}f}") != 0
        return f"{MINUS}{text}" if negative else text

    def integer(self, value: float | None) -> str:
        return self.na if value is None else self._plain(value, 0)

    def decimal(self, value: float | None, digits: int = 2) -> str:
        return self.na if value is None else self._plain(value, digits)

    def money(self, value: float | None) -> str:
        if value is None:
            return self.na
        if self.lang == "fr":
            return f"{self._plain(value, 2)}{NBSP}€"
        text = self._plain(abs(value), 2)
        return f"{MINUS}€{text}" if value < 0 and float(f"{abs(value):.2f}") != 0 else f"€{text}"

    def pct(self, value: float | None, digits: int = 0) -> str:
        if value is None:
            return self.na
        shown = value * 100
        if digits == 0 and 0 < abs(shown) < 1:
            digits = 1
        if 0 < abs(shown) < 0.05 and digits == 1:
            bound = f"0{',' if self.lang == 'fr' else '.'}1"
            return f"< {bound}{NNBSP}%" if self.lang == "fr" else f"< {bound}%"
        text = self._plain(shown, digits)
        return f"{text}{NNBSP}%" if self.lang == "fr" else f"{text}%"

    def points(self, value: float) -> str:
        text = self._plain(value * 100, 1)
        return text if text.startswith(MINUS) or float(f"{value * 100:.1f}") == 0 else f"+{text}"


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"unsupported language {lang!r}; use one of {LANGS}")
    return lang


def error_message(code: str, lang: str = "fr", path: str | None = None, **params: Any) -> str:
    errors = load_data("messages.yaml")["errors"]
    entry = errors.get(code) or errors["error"]
    text = entry[check_lang(lang)]
    params = localise(params, lang)
    what = fmt_in(lang, text["what"], **params)
    fix = fmt_in(lang, text["fix"], **params)
    if path is None:
        return f"{what[:1].upper()}{what[1:]} {fix}"
    sep = " : " if lang == "fr" else ": "
    return f"{path}{sep}{what} {fix}"


def issue_catalogue() -> dict[str, dict[str, str]]:
    return dict(load_data("issues.yaml")["issues"])


def issue_message(code: str, lang: str = "fr", **params: Any) -> str:
    entry = issue_catalogue()[code]
    return fmt_in(lang, entry[check_lang(lang)], **localise(params, lang))


def issue_severity(code: str) -> str:
    return str(issue_catalogue()[code]["severity"])
