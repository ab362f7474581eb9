"""The workshop kit (issue 11): material for trainers built from a territory's own programmation, the
collection of the participants' answers, and the readout of where the room agrees.

    import bie.workshop
    kit = bie.workshop.prepare(["programmation_2024.xlsx"], "atelier/", participants=8, seed=1)
    kit.kit.actions[0].label                      # the actions chosen, with bie's answer for the trainer
    result = bie.workshop.score("atelier/formateur_corrige.xlsx", ["reponses_P01.xlsx", ...], "restitution/")
    result.score.fleiss.kappa                     # agreement of the room (Fleiss kappa)

:func:`prepare` audits the files, chooses the actions (:mod:`bie.workshop.select`), builds the kit
(:mod:`bie.workshop.kit`) and writes, all or nothing, the participant workbooks, the printable cards, the
blank web poster, the answer key (HTML and xlsx) and the facilitator guide. :func:`score` reads the answer
key and the filled workbooks or an online form's CSV export (:mod:`bie.workshop.answers`), scores them
(:mod:`bie.workshop.scoring`, statistics in :mod:`bie.workshop.stats`) and writes the readout.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bie.i18n import check_lang, fmt_in
from bie.progress import LegacyProgress, Progress, reporter, stage

__all__ = ["PreparedKit", "ScoredWorkshop", "file_names", "prepare", "score"]


@dataclass(frozen=True)
class PreparedKit:
    """What :func:`prepare` built and wrote."""

    kit: Any
    written: tuple[Path, ...]


@dataclass(frozen=True)
class ScoredWorkshop:
    """What :func:`score` read, computed and wrote."""

    kit: Any
    answers: Any
    score: Any
    written: tuple[Path, ...]


def file_names(lang: str) -> dict[str, str]:
    """The names of the files of a kit and a readout in ``lang`` (``workshop_words.yaml``, ``files``)."""
    from bie.workshop.kit import words

    return dict(words(check_lang(lang))["files"])


def prepare(
    files: str | Path | Sequence[str | Path],
    output: str | Path,
    *,
    actions: int = 12,
    seed: int = 0,
    participants: int | None = None,
    lang: str = "fr",
    title: str | None = None,
    sheet: str | int | None = None,
    mapping: str | Path | None = None,
    rules: Sequence[str | Path] = (),
    progress: Progress | LegacyProgress | None = None,
) -> PreparedKit:
    """Prepare a workshop from ``files`` into the folder ``output`` (created if needed; written all or
    nothing, never over an input): ``actions`` actions chosen with ``seed``; one workbook per participant
    (or table) when ``participants`` is given, else one workbook to copy. ``progress``: the audit's stages
    (:mod:`bie.progress`), then ``workshop-select`` and ``workshop-write``."""
    import bie
    from bie.outputs import identify, write_set
    from bie.workshop import material, workbook
    from bie.workshop.kit import build_kit

    lang = check_lang(lang)
    report = reporter(progress)
    paths = [files] if isinstance(files, str | Path) else list(files)
    audit = bie.audit(paths, sheet=sheet, mapping=mapping, rules=rules, lang=lang, progress=report)
    with stage(report, "workshop-select"):
        kit = build_kit(audit, n=actions, seed=seed, participants=participants, lang=lang, title=title)
    names = file_names(lang)

    def text(render: Callable[[], str]) -> Callable[[Path], None]:
        def write(path: Path) -> None:
            path.write_text(render(), encoding="utf-8")

        return write

    def participant_workbook(participant: str) -> Callable[[Path], None]:
        def write(path: Path) -> None:
            workbook.write_participant_workbook(kit, participant, path)

        return write

    renders: list[tuple[str, Callable[[Path], None]]] = []
    for participant in kit.participants:
        name = fmt_in(lang, names["workbook_for"], id=participant) if participant else names["workbook"]
        renders.append((name, participant_workbook(participant)))
    renders += [
        (names["cards"], text(lambda: material.render_cards(kit))),
        (names["poster"], text(lambda: material.render_poster(lang))),
        (names["poster_svg"], text(lambda: material.render_poster_svg(lang))),
        (names["key"], text(lambda: material.render_key(kit))),
        (names["key_workbook"], lambda path: workbook.write_key_workbook(kit, path)),
        (names["guide"], text(lambda: material.render_guide(kit))),
    ]
    inputs = identify([*paths, *([mapping] if mapping else []), *rules])
    with stage(report, "workshop-write"):
        written = write_set(output, renders, (*audit.input_files, *inputs))
    return PreparedKit(kit=kit, written=tuple(written))


def score(
    key: str | Path,
    answers: Sequence[str | Path],
    output: str | Path | None = None,
    *,
    progress: Progress | LegacyProgress | None = None,
) -> ScoredWorkshop:
    """Score the ``answers`` (filled workbooks, online form CSV exports) against the answer ``key``; write
    the readout (HTML and xlsx) into ``output`` when given, in the kit's language (its texts and bie's
    reasons were written in it when the kit was prepared). Raises :class:`bie.errors.WorkshopError`
    listing every problem of the key and answer files; nothing is written unless everything was read.
    ``progress``: stages ``workshop-read``, ``workshop-score``, ``workshop-write`` (:mod:`bie.progress`)."""
    from bie.outputs import identify, write_set
    from bie.workshop import readout
    from bie.workshop.answers import read_answers, read_key
    from bie.workshop.scoring import score_answers

    report = reporter(progress)
    with stage(report, "workshop-read"):
        the_key = read_key(key)
        kit = the_key.kit
        if kit is None:  # pragma: no cover - read_key refuses a key without its kit
            raise ValueError("the answer key holds no workshop")
        the_answers = read_answers(answers, the_key)
    with stage(report, "workshop-score"):
        result = score_answers(
            the_key.categories,
            the_answers.participants,
            bie_elements=the_key.bie_elements,
            web_scores=the_key.web_scores,
        )
    written: list[Path] = []
    if output is not None:
        names = file_names(kit.lang)

        def html(path: Path) -> None:
            path.write_text(readout.render_readout(kit, result), encoding="utf-8")

        def xlsx(path: Path) -> None:
            readout.write_readout_workbook(kit, result, path, answers=the_answers.participants)

        with stage(report, "workshop-write"):
            written = write_set(
                output,
                [(names["readout"], html), (names["readout_workbook"], xlsx)],
                identify([key, *answers]),
            )
    return ScoredWorkshop(kit=kit, answers=the_answers, score=result, written=tuple(written))
