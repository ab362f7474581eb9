"""Generate docs/reference-cli.md from the commands themselves (run: python -m bie_cli.docgen).

A test fails when the file is out of date, so the reference cannot drift from the code."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from bie_cli import lang_from_argv
from bie_cli.main import _forget_help_options, cli, localise

HEADER = """# Référence de la ligne de commande

*Ce fichier est produit à partir du code (`python -m bie_cli.docgen --write`) ; un test vérifie qu'il est à
jour. Pour l'usage pas à pas, voir le [guide](guide.md).*

Toutes les commandes acceptent `--lang fr|en` (langue des messages et des rapports, français par défaut, ou
la variable d'environnement `BIE_LANG`) et `--debug` (trace complète en cas d'erreur). Une erreur s'affiche
sur une ligne : le fichier, ce qui ne va pas, ce qu'il faut faire ; le code de sortie est alors 1 (2 pour une
option mal écrite).
"""


def _commands(ctx: click.Context) -> list[click.Context]:
    group = ctx.command
    assert isinstance(group, click.Group)
    out: list[click.Context] = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is None:
            continue
        sub = click.Context(command, info_name=name, parent=ctx)
        out.append(sub)
        if isinstance(command, click.Group):
            out.extend(_commands(sub))
    return out


def render() -> str:
    """The reference, in French whatever ``BIE_LANG`` says."""
    lang_from_argv(["--lang", "fr"])
    try:
        localise(cli, "fr")
        # click caches each command's help option with its text translated once: an English run earlier in the
        # same process would leave « -h, --help » in English here.
        _forget_help_options(cli)
        parts = [HEADER]
        root = click.Context(cli, info_name="bie", terminal_width=100, **cli.context_settings)
        parts.append("## bie\n\n```text\n" + cli.get_help(root).rstrip() + "\n```\n")
        for ctx in _commands(root):
            parts.append(f"## {ctx.command_path}\n\n```text\n{ctx.command.get_help(ctx).rstrip()}\n```\n")
    finally:
        lang_from_argv([])
    return "\n".join(parts)


def main(argv: list[str]) -> int:
    target = Path(__file__).resolve().parents[2] / "docs" / "reference-cli.md"
    text = render()
    if "--write" in argv:
        target.write_text(text, encoding="utf-8")
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
