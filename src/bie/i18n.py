"""Messages in French (default) and English, from ``bie/data/messages.yaml`` and ``issues.yaml``."""

from __future__ import annotations

import string
from typing import Any

from bie.resources import load_data

LANGS = ("fr", "en")


class _SafeDict(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


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
    return fmt(entry[check_lang(lang)], **params)


def issue_severity(code: str) -> str:
    return str(issue_catalogue()[code]["severity"])
