"""What ``bie workshop prepare`` and ``bie workshop score`` print: the actions chosen (for the trainer's
eyes), the files written, the room's agreement and the actions that divide it. Words: labels_cli.yaml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bie.i18n import Numbers
from bie.workshop.kit import words
from bie_cli.labels import t
from bie_cli.render import safe


def _written(console: Console, written: tuple[Path, ...], lang: str) -> None:
    sep = " : " if lang == "fr" else ": "
    for path in written:
        console.print(f"{t('written', lang)}{sep}[bold]{safe(path)}[/]", soft_wrap=True)


def render_prepared(console: Console, prepared: Any, lang: str) -> None:
    kit = prepared.kit
    table = Table(title=t("ws_title", lang, id=safe(kit.id), n=len(kit.actions)), title_justify="left")
    table.add_column(t("ws_number", lang), justify="right")
    table.add_column(t("ws_action", lang), max_width=48)
    table.add_column(t("ws_category", lang))
    table.add_column(t("ws_why", lang), max_width=40)
    roles = words(kit.lang)["role_names"]
    for a in kit.actions:
        why = "; ".join(safe(roles[r]) for r in a.roles if r in roles)
        table.add_row(str(a.number), safe(a.label), safe(a.category_label), why)
    console.print(table)
    for missing in kit.missing:
        console.print(f"[yellow]⚠ {safe(missing)}[/]")
    console.print()
    _written(console, prepared.written, lang)


def render_scored(console: Console, scored: Any, lang: str) -> None:
    result = scored.score
    kit = scored.kit
    n = Numbers(lang)
    sep = " : " if lang == "fr" else ": "
    console.print(t("ws_participants", lang, n=len(result.participants)))
    fleiss = result.fleiss
    if fleiss is None or fleiss.kappa is None:
        console.print(t("ws_room_none", lang))
    else:
        band = words(lang)["landis_koch"]["bands"][fleiss.band]
        ci = ""
        if fleiss.ci_low is not None and fleiss.ci_high is not None:
            ci = f" [{n.decimal(fleiss.ci_low, 2)} ; {n.decimal(fleiss.ci_high, 2)}]"
        scale = words(lang)["landis_koch"]["scale"]
        room = t("ws_room", lang, actions=result.fleiss_actions)
        console.print(f"[bold]{room}{sep}{n.decimal(fleiss.kappa, 2)}[/]{ci} — {safe(band)} ({safe(scale)})")
    split = [a for a in result.actions if a.split]
    if split:
        console.print(f"[bold]{t('ws_split', lang)}[/]")
        for number in result.agenda:
            a = result.action(number)
            if a.split:
                console.print(f"  {number}. {safe(kit.action(number).label)}")
    else:
        console.print(t("ws_none_split", lang))
    console.print()
    _written(console, scored.written, lang)
    html = [p for p in scored.written if p.suffix == ".html"]
    if html:
        console.print(f"{t('ws_open', lang)}{sep}{safe(html[0].resolve().as_uri())}", soft_wrap=True)
