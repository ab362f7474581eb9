"""« Pistes d'actions »: documented practices for the weak elements and broken links of a web diagnosis.

The practices are data (``bie/data/practices.yaml``): each names the web elements and/or links it
strengthens, says what to do in French and English, and cites its public sources. :func:`suggest` returns,
for a group's diagnosis, the practices that answer each weak element and each broken link, in the model's
order, each practice once per element or link it answers.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bie.errors import ConfigError, Text
from bie.resources import data_path, key_problem, load_data
from bie.web.model import WebModel, load_model

__all__ = ["Practice", "Source", "Suggestion", "load_practices", "suggest"]

FILE = "practices.yaml"


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    href: str


@dataclass(frozen=True)
class Practice:
    id: str
    elements: tuple[str, ...]
    links: tuple[tuple[str, str], ...]
    fr: str
    en: str
    sources: tuple[Source, ...]

    def text(self, lang: str) -> str:
        return self.en if lang == "en" else self.fr


@dataclass(frozen=True)
class Suggestion:
    """The practices answering one weak element (``element``) or one broken link (``link``)."""

    element: str | None
    link: tuple[str, str] | None
    practices: tuple[Practice, ...]


def _error(where: str, detail: Text) -> ConfigError:
    return ConfigError(str(data_path(FILE)), detail=Text(f"{where} : {detail.fr}", f"{where}: {detail.en}"))


def _texts(raw: Any, where: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(x, str) and x.strip() for x in raw):
        raise _error(where, Text("une liste de textes est attendue", "a list of texts is expected"))
    return tuple(raw)


@functools.lru_cache(maxsize=2)
def load_practices(model: WebModel | None = None) -> tuple[Practice, ...]:
    """The practices of ``practices.yaml``, checked against the web model (every element and link they name
    exists, every source they cite is listed, ids are unique)."""
    model = model or load_model()
    data: Mapping[str, Any] = load_data(FILE)
    raw_sources = data.get("sources")
    if not isinstance(raw_sources, Mapping):
        raise _error(
            "sources",
            Text("un objet {id: {title, href}} est attendu", "an {id: {title, href}} object is expected"),
        )
    sources: dict[str, Source] = {}
    for sid, s in raw_sources.items():
        problem = (
            key_problem(s, {"title", "href"})
            if isinstance(s, Mapping)
            else Text("objet attendu", "object expected")
        )
        if problem is not None:
            raise _error(f"sources.{sid}", problem)
        sources[str(sid)] = Source(str(sid), str(s["title"]), str(s["href"]))
    elements = set(model.ids)
    links = {(link.source, link.target) for link in model.links}
    out: list[Practice] = []
    seen: set[str] = set()
    for k, p in enumerate(data.get("practices") or []):
        where = f"practices[{k}]"
        if isinstance(p, Mapping) and p.get("id"):
            where = f"{where} ({p['id']})"
        problem = (
            key_problem(p, {"id", "fr", "en", "sources"}, {"elements", "links"})
            if isinstance(p, Mapping)
            else Text("objet attendu", "object expected")
        )
        if problem is not None:
            raise _error(where, problem)
        pid = str(p["id"])
        if pid in seen:
            raise _error(where, Text("identifiant déjà utilisé", "id already used"))
        seen.add(pid)
        els = _texts(p.get("elements", []), where)
        unknown = [e for e in els if e not in elements]
        if unknown:
            raise _error(
                where,
                Text(f"élément inconnu : {', '.join(unknown)}", f"unknown element: {', '.join(unknown)}"),
            )
        pairs = []
        for text in _texts(p.get("links", []), where):
            a, sep, b = text.partition(">")
            if not sep or (a.strip(), b.strip()) not in links:
                raise _error(
                    where, Text(f"lien inconnu du modèle : {text}", f"link not in the model: {text}")
                )
            pairs.append((a.strip(), b.strip()))
        if not els and not pairs:
            raise _error(where, Text("ni élément ni lien", "neither element nor link"))
        cited = _texts(p["sources"], where)
        missing = [s for s in cited if s not in sources]
        if missing:
            raise _error(
                where,
                Text(f"source non listée : {', '.join(missing)}", f"source not listed: {', '.join(missing)}"),
            )
        for lang in ("fr", "en"):
            if not isinstance(p[lang], str) or not p[lang].strip():
                raise _error(where, Text(f"« {lang} » doit être un texte", f'"{lang}" must be a text'))
        out.append(
            Practice(
                id=pid,
                elements=els,
                links=tuple(pairs),
                fr=" ".join(str(p["fr"]).split()),
                en=" ".join(str(p["en"]).split()),
                sources=tuple(sources[s] for s in cited),
            )
        )
    return tuple(out)


def suggest(
    weak: Iterable[str], broken: Iterable[tuple[str, str]], model: WebModel | None = None
) -> tuple[Suggestion, ...]:
    """The practices for each weak element (model order) then each broken link (model order)."""
    model = model or load_model()
    practices = load_practices(model)
    weak_set = set(weak)
    broken_set = set(broken)
    out: list[Suggestion] = []
    for element in model.ids:
        if element in weak_set:
            found = tuple(p for p in practices if element in p.elements)
            out.append(Suggestion(element, None, found))
    for link in model.links:
        pair = (link.source, link.target)
        if pair in broken_set:
            out.append(Suggestion(None, pair, tuple(p for p in practices if pair in p.links)))
    return tuple(out)


def sources_of(suggestions: Sequence[Suggestion]) -> tuple[Source, ...]:
    """Every source cited by ``suggestions``, once, in order of first citation."""
    found: dict[str, Source] = {}
    for s in suggestions:
        for p in s.practices:
            for src in p.sources:
                found.setdefault(src.id, src)
    return tuple(found.values())
