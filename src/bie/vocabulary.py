"""The column vocabulary (``bie/data/columns.yaml``) and header matching.

Headers are compared after folding: accents, case, punctuation, camelCase and spaces do not matter, so
« Intitulé de l'action », « INTITULE_DE_L_ACTION » and « intituleDeLAction » are the same key.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from bie.errors import Text
from bie.resources import load_data

#: Parsing kinds of canonical fields.
KINDS = ("id", "text", "amount", "count", "date", "year", "percent", "siret")
#: The amount stages, in the order of the basis: granted, else proposed, else requested.
STAGES = {
    "amount_requested": "requested",
    "amount_proposed": "proposed",
    "amount_granted": "granted",
    "total_cost": "total_cost",
    "amount_paid": "paid",
}

_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_NON_ALNUM = re.compile(r"[^a-z0-9%€]+")
_SPECIAL = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss", "’": "'", "ʼ": "'"})


def fold(text: str) -> str:
    """Lower-case ASCII words separated by single spaces (accents, punctuation and camelCase removed)."""
    text = _CAMEL.sub(" ", text.translate(_SPECIAL))
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return _NON_ALNUM.sub(" ", text).strip()


def key(text: str) -> str:
    """The matching key: folded, without spaces, without a trailing ``_0``-style index or ``*``."""
    folded = fold(text)
    folded = re.sub(r"( [0-9])$", "", folded)
    return folded.replace(" ", "")


@dataclass(frozen=True)
class Field:
    name: str
    kind: str
    label_fr: str
    label_en: str
    keys: frozenset[str]
    synonyms: tuple[str, ...]
    patterns: tuple[tuple[re.Pattern[str], float], ...]
    sources: tuple[str, ...]

    def label(self, lang: str = "fr") -> str:
        """The field's name for a reader (« Montant accordé », "Amount granted")."""
        return self.label_en if lang == "en" else self.label_fr


@dataclass(frozen=True)
class Funder:
    id: str
    label: str
    regex: re.Pattern[str]


@dataclass(frozen=True)
class Vocabulary:
    version: str
    fields: dict[str, Field]
    funders: tuple[Funder, ...]
    funding_group: tuple[re.Pattern[str], ...]
    beneficiary_group: tuple[re.Pattern[str], ...]
    stage_words: dict[str, re.Pattern[str]]
    amount_words: re.Pattern[str]
    total_words: re.Pattern[str]

    def match(self, header: str) -> tuple[str, float] | None:
        """Best canonical field for one header (without group context), with a confidence 0–1."""
        return _match(self, header)

    def funder(self, text: str) -> Funder | None:
        folded = fold(text)
        for funder in self.funders:
            if funder.regex.search(folded):
                return funder
        return None

    def is_funding_group(self, text: str) -> bool:
        folded = fold(text)
        return any(p.search(folded) for p in self.funding_group)

    def is_beneficiary_group(self, text: str) -> bool:
        folded = fold(text)
        return any(p.search(folded) for p in self.beneficiary_group)

    def stage_of(self, text: str) -> str | None:
        folded = fold(text)
        for stage, pattern in self.stage_words.items():
            if pattern.search(folded):
                return stage
        return None

    def has_amount_word(self, text: str) -> bool:
        return bool(self.amount_words.search(fold(text)) or "€" in text)


def _compile(pattern: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:  # pragma: no cover - guarded by tests on the shipped file
        raise ValueError(f"bad regex in {where}: {pattern!r}: {exc}") from exc


def build_vocabulary(data: dict[str, Any]) -> Vocabulary:
    fields: dict[str, Field] = {}
    for name, spec in data["fields"].items():
        synonyms = tuple(str(s) for s in spec.get("synonyms", []))
        patterns = tuple(
            (_compile(p["regex"], f"fields.{name}"), float(p["confidence"])) for p in spec.get("patterns", [])
        )
        if spec["kind"] not in KINDS:
            raise ValueError(f"unknown kind {spec['kind']!r} for field {name}")
        fields[name] = Field(
            name=name,
            kind=spec["kind"],
            label_fr=spec["label_fr"],
            label_en=spec["label_en"],
            keys=frozenset(key(s) for s in synonyms),
            synonyms=synonyms,
            patterns=patterns,
            sources=tuple(spec.get("sources", [])),
        )
    groups = data["groups"]
    return Vocabulary(
        version=str(data["version"]),
        fields=fields,
        funders=tuple(Funder(f["id"], f["label"], _compile(f["regex"], "funders")) for f in data["funders"]),
        funding_group=tuple(_compile(g["regex"], "groups.funding") for g in groups["funding"]),
        beneficiary_group=tuple(
            _compile(g["regex"], "groups.beneficiaries") for g in groups["beneficiaries"]
        ),
        stage_words={k: _compile(v, "groups.stage_words") for k, v in groups["stage_words"].items()},
        amount_words=_compile(data["amount_words"], "amount_words"),
        total_words=_compile(data["total_words"], "total_words"),
    )


@functools.cache
def vocabulary() -> Vocabulary:
    """The vocabulary shipped with bie."""
    return build_vocabulary(load_data("columns.yaml"))


#: Prefix of the per-funder amount fields (``funding:État (BOP 147)``), as :mod:`bie.mapping` names them.
FUNDING_FIELD_PREFIX = "funding:"


def field_label(field_id: str, lang: str = "fr") -> str:
    """The one way to show a field to a reader: its label from ``columns.yaml`` in ``lang``
    (``amount_granted`` → « Montant accordé »), a funder's column as « Financement : État (BOP 147) »; an id
    bie does not know is returned as is."""
    if field_id.startswith(FUNDING_FIELD_PREFIX):
        funder = field_id[len(FUNDING_FIELD_PREFIX) :]
        words = load_data("labels.yaml")["funding_field"]
        return str(words["en" if lang == "en" else "fr"]).format(funder=funder)
    found = vocabulary().fields.get(field_id)
    return found.label(lang) if found is not None else field_id


def field_text(field_id: str) -> Text:
    """:func:`field_label` in both languages, for a message parameter."""
    return Text(field_label(field_id, "fr"), field_label(field_id, "en"))


@functools.cache
def _keys_by_length(vocab_id: int) -> dict[int, list[tuple[str, str]]]:
    vocab = _VOCABS[vocab_id]
    out: dict[int, list[tuple[str, str]]] = {}
    for f in vocab.fields.values():
        for k in sorted(f.keys):
            out.setdefault(len(k), []).append((k, f.name))
    return out


_VOCABS: dict[int, Vocabulary] = {}


@functools.lru_cache(maxsize=65536)
def _match_cached(vocab_id: int, header: str) -> tuple[str, float] | None:
    vocab = _VOCABS[vocab_id]
    k = key(header)
    if not k:
        return None
    for f in vocab.fields.values():
        if k in f.keys:
            return f.name, 1.0
    folded = fold(header)
    best: tuple[str, float] | None = None
    for f in vocab.fields.values():
        for pattern, confidence in f.patterns:
            if pattern.search(folded) and (best is None or confidence > best[1]):
                best = (f.name, confidence)
    if best is not None:
        return best
    # Typos seen in real files (« idBeneficiare », « pourentagesubvention », « nom_des_beneficaires »):
    # only header-sized strings are compared, and only with synonyms of about the same length.
    if 6 <= len(k) <= 60 and not any(ch.isdigit() for ch in k):
        by_length = _keys_by_length(vocab_id)
        spread = max(2, len(k) // 10)
        for length in range(len(k) - spread, len(k) + spread + 1):
            for synonym_key, name in by_length.get(length, ()):
                matcher = difflib.SequenceMatcher(None, k, synonym_key)
                if (
                    matcher.real_quick_ratio() >= 0.9
                    and matcher.quick_ratio() >= 0.9
                    and matcher.ratio() >= 0.9
                ):
                    return name, 0.7
    return None


def _match(vocab: Vocabulary, header: str) -> tuple[str, float] | None:
    if len(header) > 200:
        return None
    _VOCABS.setdefault(id(vocab), vocab)
    return _match_cached(id(vocab), header)
