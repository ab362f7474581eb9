"""The workshop kit: what :func:`bie.workshop.prepare` decides once and every piece of material lays out.

:func:`build_kit` turns an audit into a :class:`Kit`: the actions chosen by :func:`bie.workshop.select.select`
with the text participants read (never bie's answer), and, kept apart for the trainer, bie's category, its
reasons in the officer's words, the definition to recall and a discussion question. The participant
workbooks, the cards, the answer key and the facilitator guide only lay the kit out.

A kit has an identifier (:attr:`Kit.id`): a digest of the files audited, the rules, the seed and the actions
chosen. Every workbook and the answer key carry it, so that ``bie workshop score`` refuses the answers of
another kit.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from bie.i18n import check_lang, fmt_in
from bie.report.model import action_label, category_label, reason_texts, review_why
from bie.resources import load_data
from bie.vocabulary import field_label
from bie.workshop.select import ROLES, Selection, select

__all__ = ["CHOICES", "KIT_FIELDS", "Kit", "KitAction", "build_kit", "participant_ids", "words"]

KIT_KIND = "bie-atelier-kit"
"""Identifies a kit serialised by :meth:`Kit.to_dict`."""

CHOICES: tuple[str, ...] = ("specific", "transversal", "not_integrated", "dont_know")
"""The answers a participant can give, in the order of the drop-down."""

KIT_FIELDS: tuple[str, ...] = (
    "title",
    "objectives",
    "description",
    "carrier",
    "pillar",
    "theme",
    "declared_equality",
)
"""The fields of an action participants read, in this order (those the file has)."""

MAX_PARTICIPANTS = 60
"""More workbooks than this is not a workshop; the limit keeps a typo (``--participants 800``) harmless."""


def words(lang: str) -> dict[str, Any]:
    """``workshop_words.yaml`` resolved to ``lang`` one level down: ``words("fr")["roles"]["trap"]``."""
    data = load_data("workshop_words.yaml")
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, Mapping) and lang in value:
            out[key] = str(value[lang])
        elif isinstance(value, Mapping):
            out[key] = {
                k: (str(v[lang]) if isinstance(v, Mapping) and lang in v else v) for k, v in value.items()
            }
        else:
            out[key] = value
    return out


@dataclass(frozen=True)
class KitAction:
    """One action of the exercise.

    What participants read: ``number``, ``label`` (its title, else the start of its text) and ``fields``
    (field label, text) in :data:`KIT_FIELDS` order. What only the trainer sees: where it comes from, why it
    was chosen (``roles`` and their words in ``why``), bie's ``category`` with its words, ``reasons``, the
    web elements it strengthens, the ``definition`` to recall and the discussion ``question``."""

    number: int
    label: str
    fields: tuple[tuple[str, str], ...]
    file: str | None
    row: int | None
    roles: tuple[str, ...]
    why: tuple[str, ...]
    category: str
    category_label: str
    reasons: tuple[str, ...]
    review_reason: str
    confidence: float | None
    web_elements: tuple[str, ...]
    definition: str
    question: str
    amount: float | None


@dataclass(frozen=True)
class Kit:
    """Everything the material shows, in one language."""

    id: str
    lang: str
    seed: int
    title: str
    sources: tuple[str, ...]
    rules_version: str
    web_version: str
    actions: tuple[KitAction, ...]
    missing: tuple[str, ...]
    participants: tuple[str, ...]
    #: Web element id → label, in model order (the participant workbook's list and the poster).
    elements: Mapping[str, str]
    #: Web element id → bie's score from the file (0–3, None when a funding table cannot show it): what the
    #: readout sets beside the group's diagnosis.
    web_scores: Mapping[str, int | None]
    #: The weak elements and broken links of the file's web (bie's report): the answer key's « pistes ».
    weak: tuple[str, ...] = ()
    broken: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: what the answer key keeps (in a hidden sheet) so that ``score`` needs nothing else."""
        out = asdict(self)
        out["kind"] = KIT_KIND
        out["elements"] = [[k, v] for k, v in self.elements.items()]
        out["web_scores"] = [[k, v] for k, v in self.web_scores.items()]
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Kit:
        """The kit :meth:`to_dict` wrote; :class:`ValueError` when ``data`` is not one."""
        if not isinstance(data, Mapping) or data.get("kind") != KIT_KIND:
            raise ValueError("not a bie workshop kit")
        try:
            actions = tuple(
                KitAction(
                    **{
                        **a,
                        "fields": tuple((str(k), str(v)) for k, v in a["fields"]),
                        "roles": tuple(a["roles"]),
                        "why": tuple(a["why"]),
                        "reasons": tuple(a["reasons"]),
                        "web_elements": tuple(a["web_elements"]),
                    }
                )
                for a in data["actions"]
            )
            return cls(
                id=str(data["id"]),
                lang=check_lang(str(data["lang"])),
                seed=int(data["seed"]),
                title=str(data["title"]),
                sources=tuple(str(x) for x in data["sources"]),
                rules_version=str(data["rules_version"]),
                web_version=str(data["web_version"]),
                actions=actions,
                missing=tuple(str(x) for x in data["missing"]),
                participants=tuple(str(x) for x in data["participants"]),
                elements={str(k): str(v) for k, v in data["elements"]},
                web_scores={str(k): (None if v is None else int(v)) for k, v in data["web_scores"]},
                weak=tuple(str(x) for x in data.get("weak", ())),
                broken=tuple((str(a), str(b)) for a, b in data.get("broken", ())),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"not a bie workshop kit ({exc.__class__.__name__}: {exc})") from exc

    def action(self, number: int) -> KitAction:
        for a in self.actions:
            if a.number == number:
                return a
        raise KeyError(number)


def participant_ids(count: int | None) -> tuple[str, ...]:
    """``P01``… for ``count`` participants (or tables); one shared workbook (``""``) when ``count`` is
    None."""
    if count is None:
        return ("",)
    if not 1 <= count <= MAX_PARTICIPANTS:
        raise ValueError(f"participants must be between 1 and {MAX_PARTICIPANTS}")
    return tuple(f"P{i:02d}" for i in range(1, count + 1))


def _kit_id(audit: Any, selection: Selection) -> str:
    meta = audit.meta
    payload = {
        "inputs": sorted(str(i.get("sha256") or "") for i in meta["inputs"]),
        "rules": meta["rules_version"],
        "seed": selection.seed,
        "picks": [[p.file, p.row] for p in selection.picks],
    }
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode("utf-8")).hexdigest()
    return digest[:12]


def _clean(value: Any) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def build_kit(
    audit: Any,
    *,
    n: int = 12,
    seed: int = 0,
    participants: int | None = None,
    lang: str = "fr",
    title: str | None = None,
) -> Kit:
    """The kit of ``audit`` (a :class:`bie.audit.Audit`): ``n`` actions chosen with ``seed``, one workbook
    per participant when ``participants`` is given."""
    lang = check_lang(lang)
    ids = participant_ids(participants)
    pack = audit.pack
    if pack is None:
        from bie.tagging.rules import load_rules

        pack = load_rules()
    selection = select(audit.actions, pack, n=n, seed=seed)
    w = words(lang)
    report = audit.report(lang)
    frame = audit.actions
    rows = frame.to_dicts() if frame.height <= 50_000 else None
    actions = []
    for pick in selection.picks:
        r: dict[str, Any] = rows[pick.index] if rows is not None else frame.row(pick.index, named=True)
        fields = tuple(
            (field_label(f, lang), _clean(r.get(f)))
            for f in KIT_FIELDS
            if f in frame.columns and _clean(r.get(f))
        )
        category = pick.category
        teaching = next((role for role in pick.roles if role in ROLES), None)
        question_key = teaching or category
        confidence = r.get("confidence")
        amount = r.get("_amount")
        actions.append(
            KitAction(
                number=pick.number,
                label=action_label(r, fmt_in(lang, w["untitled"], n=pick.number)),
                fields=fields,
                file=pick.file,
                row=pick.row,
                roles=pick.roles,
                why=tuple(w["roles"][role] for role in pick.roles),
                category=category,
                category_label=category_label(category, lang),
                reasons=tuple(text for _, text in reason_texts(r.get("reasons"), lang, report.rule_titles)),
                review_reason=review_why(r, lang),
                confidence=None if confidence is None else float(confidence),
                web_elements=tuple(str(e) for e in (r.get("web_elements") or [])),
                definition=w["definitions"].get(category, ""),
                question=w["questions"].get(question_key, ""),
                amount=None if amount is None else float(amount),
            )
        )
    return Kit(
        id=_kit_id(audit, selection),
        lang=lang,
        seed=seed,
        title=title or fmt_in(lang, w["default_title"], names=", ".join(i.name for i in report.meta.inputs)),
        sources=tuple(i.name for i in report.meta.inputs),
        rules_version=report.meta.rules_version,
        web_version=report.meta.web_version,
        actions=tuple(actions),
        missing=tuple(fmt_in(lang, w["missing_role"], role=w["role_names"][m]) for m in selection.missing),
        participants=ids,
        elements={e.id: e.label for e in report.web.elements},
        web_scores={e.id: e.score for e in report.web.elements},
        weak=tuple(str(w) for w in report.web.data.get("weak") or ()),
        broken=tuple((str(b["from"]), str(b["to"])) for b in report.web.data.get("broken_links") or ()),
    )


def kit_rows(kit: Kit) -> Sequence[tuple[int, str]]:
    """(number, label) of each action, in order: what a workbook's rows hold."""
    return [(a.number, a.label) for a in kit.actions]
