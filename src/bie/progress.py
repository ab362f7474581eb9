"""Progress of a long run (an audit, its reports, a workshop), reported through a callback.

The library never draws anything: :func:`bie.audit`, :meth:`bie.Audit.write` and the functions built on
them call ``progress(stage, done, total)``; the ``bie`` command turns the calls into one progress bar per
stage (on a terminal only), a notebook or a server may log them::

    def show(stage: str, done: int, total: int) -> None:
        print(stage, done, total)

    audit = bie.audit(["programmation.xlsx"], progress=show)
    audit.write("rapports/", progress=show)

``stage``
    A key among :data:`STAGES` (``"read"``, ``"tag"``, ``"web"``, ``"analyse"``, ``"html"``, ``"xlsx"``,
    ``"json"``; the workshop adds its own, see :mod:`bie.workshop`), optionally followed by ``":"`` and a
    detail: the reading stage names the file being read, ``"read:programmation_2024.xlsx"``
    (:func:`split_stage` parts them). The key is an identifier, not words for a reader: the ``bie`` command
    words each stage from its catalogue (``step_<key>`` in ``labels_cli.yaml``).
``done``, ``total``
    How far the stage is: files read out of the files given (``read``), actions tagged out of the actions
    (``tag``), actions written out of the actions (``json``). ``total == 0`` means unknown: a stage without
    a natural count (``web``, ``analyse``, ``html``, ``xlsx``) reports ``(0, 0)`` when it starts and
    ``(1, 1)`` when it ends. Every stage reports ``done == 0`` first; its last call has ``done == total``.
    Stages come one after the other: a stage that starts ends the previous one.

The callback is called from the thread running the audit, often (once per chunk of rows): keep it cheap.
An exception it raises stops the run.

Up to bie 0.1 the callback took one argument, ``progress("read:<file>")``, ``progress("tag")``…: such a
callback is still accepted (:func:`reporter` recognises it) and receives exactly those messages, once per
stage; it is deprecated and will be refused in 1.0 (see CHANGELOG.md).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, cast

__all__ = ["STAGES", "LegacyProgress", "Progress", "reporter", "split_stage", "stage"]

#: ``progress(stage, done, total)``: see the module's documentation.
Progress = Callable[[str, int, int], None]

#: ``progress(stage)``, the one-argument form of bie 0.1: still accepted, deprecated.
LegacyProgress = Callable[[str], Any]

#: The stages of an audit, in the order they come: reading each file, tagging the actions, placing them on
#: the web of institutionalisation, the analysis, then one per report written.
STAGES = ("read", "tag", "web", "analyse", "html", "xlsx", "json")


def split_stage(stage: str) -> tuple[str, str]:
    """``("read", "programmation.xlsx")`` for ``"read:programmation.xlsx"``; ``("tag", "")`` for ``"tag"``."""
    key, _, detail = stage.partition(":")
    return key, detail


def _ignore(_stage: str, _done: int, _total: int) -> None:
    return None


def _one_argument(callback: Callable[..., Any]) -> bool:
    """Whether ``callback`` takes the one-argument form of earlier versions (and not three arguments)."""
    try:
        signature = inspect.signature(callback)
    except (TypeError, ValueError):  # some builtins have no signature: taken as the current form
        return False
    try:
        signature.bind("stage", 0, 0)
    except TypeError:
        try:
            signature.bind("stage")
        except TypeError:
            return False
        return True
    return False


class _Legacy:
    """A one-argument callback of earlier versions, called with the stage (``read:<file>``, ``tag``…) when
    it starts: once per stage, and for a stage with a detail once per item (each file read, even one given
    twice: every call before the last, ``done < total``, starts one)."""

    def __init__(self, callback: LegacyProgress) -> None:
        self.callback = callback
        self.last: str | None = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self.last or (split_stage(stage)[1] and done < total):
            self.last = stage
            self.callback(stage)


def reporter(progress: Progress | LegacyProgress | None) -> Progress:
    """A callback that can always be called: ``progress`` itself, a no-op for None, and for a one-argument
    callback of earlier versions an adapter that calls it once per stage with the stage."""
    if progress is None:
        return _ignore
    if _one_argument(progress):
        return _Legacy(cast(LegacyProgress, progress))
    return cast(Progress, progress)


@contextmanager
def stage(progress: Progress, key: str) -> Iterator[None]:
    """Report a stage without a count: ``(key, 0, 0)`` on entry and ``(key, 1, 1)`` when it ends well."""
    progress(key, 0, 0)
    yield
    progress(key, 1, 1)
