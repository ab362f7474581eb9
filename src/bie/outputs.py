"""``bie.outputs``: where reports go, and how they are written without ever touching an input.

* Every input bie reads (data files and the mapping, rules, overrides and questionnaire files) is known by
  its identity on disk (device and inode, symbolic and hard links followed): :func:`check_not_input` refuses
  an output that is one of them, by identity and not by name, before anything is written.
* A report set (``<stem>.bie.html``, ``.xlsx``, ``.json``) is written all-or-nothing by
  :func:`write_set`: every format is rendered into a hidden temporary folder ``.bie-tmp-<pid>-XXXX/``
  inside the output folder, then moved in place with :func:`os.replace`, one file after the other; on any
  exception the temporary folder is removed.
* A lock on the output folder (``flock`` on the folder itself on POSIX, ``msvcrt`` on a ``.bie.lock`` file on
  Windows; the system releases it when the process dies, even by SIGKILL), held while the rendered files are
  moved in, keeps two runs writing to the same folder from mixing their reports: the folder ends with the
  whole set of one run or the other. A run waits up to :data:`LOCK_WAIT` seconds for the other to finish
  moving its files, then stops with :class:`~bie.errors.OutputLocked`.
* Leftovers of a killed run are removed by the next run in the same folder (:func:`clean_stale`): a run
  folder ``.bie-tmp-*`` as soon as its own lock (held by its run while it lives) is free, and the temporary
  files of the single-file writers (``.NAME.XXXXXXXX.tmp``) and old ``.bie-xlsx-*`` folders once older than
  :data:`STALE_AFTER` seconds. Nothing that does not match these names is ever deleted.
* Errors of the operating system while writing (disk full, permission denied, read-only file system, name
  too long) become an :class:`~bie.errors.OutputError` naming the target, with a plain detail.
* :func:`display_name` is the one function that turns an input's path into the text written in a report
  (non-UTF-8 bytes of a file name are shown as U+FFFD); :func:`distinct_names` tells apart inputs that share
  a file name by the shortest distinguishing end of their path (``2023/prog.xlsx``, ``2024/prog.xlsx``).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import sys
import tempfile
import time
import traceback
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bie.errors import OutputError, OutputIsInput, OutputLocked, Text

#: Seconds a second run waits for the lock of an output folder before giving up.
LOCK_WAIT = 10.0
#: Age (seconds) after which temporary files are deemed abandoned when no lock tells whether their run lives.
STALE_AFTER = 600.0
#: Age (seconds) under which an unlocked run folder is left alone (its run may be about to lock it).
RUN_GRACE = 10.0
LOCK_NAME = ".bie.lock"
RUN_PREFIX = ".bie-tmp-"
_RUN_RE = re.compile(r"^\.bie-tmp-\d+-[A-Za-z0-9_]+$")
_XLSX_RE = re.compile(r"^\.bie-xlsx-[A-Za-z0-9_]+$")
_ATOMIC_RE = re.compile(r"^\..+\.(html|xlsx|json|csv|svg)\.[A-Za-z0-9_]{8}\.tmp$", re.IGNORECASE)

FileId = tuple[int, int]


# ------------------------------------------------------------------------------------------ names
def display_name(path: str | os.PathLike[str]) -> str:
    """The text shown for ``path`` in a report: undecodable bytes of the name (held by Python as lone
    surrogates) become U+FFFD, so that every output can be encoded."""
    text = os.fspath(path)
    if not _has_surrogates(text):
        return text
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return "".join("\ufffd" if _has_surrogates(ch) else ch for ch in text)


def _has_surrogates(text: str) -> bool:
    return any("\ud800" <= ch <= "\udfff" for ch in text)


def distinct_names(paths: Sequence[str | os.PathLike[str]]) -> list[str]:
    """One display name per path: the file name, or the shortest end of the path that tells apart files
    with the same name (``2023/prog.xlsx``), or the name followed by ``[2]``, ``[3]``… as a last resort.
    The same path given twice gets the same name."""
    parts = [Path(os.path.abspath(os.fspath(p))).parts for p in paths]
    depth = [1] * len(paths)

    def name(i: int) -> str:
        return "/".join(parts[i][-depth[i] :])

    while True:
        groups: dict[str, set[tuple[str, ...]]] = {}
        for i in range(len(paths)):
            groups.setdefault(name(i), set()).add(parts[i])
        clash = [i for i in range(len(paths)) if len(groups[name(i)]) > 1 and depth[i] < len(parts[i])]
        if not clash:
            break
        for i in clash:
            depth[i] += 1
    out: list[str] = []
    seen: dict[str, list[tuple[str, ...]]] = {}
    for i in range(len(paths)):
        shown = display_name(name(i))
        owners = seen.setdefault(shown, [])
        if parts[i] not in owners:
            owners.append(parts[i])
        index = owners.index(parts[i])
        out.append(shown if index == 0 else f"{shown} [{index + 1}]")
    return out


def safe_stem(stem: str) -> str:
    """A stem for default output names that is a valid file name on every system."""
    text = display_name(stem)
    text = re.sub(r'[\x00-\x1f\x7f<>:"/\\|?*]', "_", text).strip(" .")
    return text or "audit"


# ------------------------------------------------------------------------------------------ identity
@dataclass(frozen=True)
class InputFile:
    """An input, by its path (as given) and its identity on disk."""

    path: str
    id: FileId


def file_id(path: str | os.PathLike[str]) -> FileId | None:
    """(device, inode) of ``path``, symbolic links followed; None when it does not exist."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return (st.st_dev, st.st_ino)


def identify(paths: Iterable[str | os.PathLike[str] | None]) -> tuple[InputFile, ...]:
    """The identities of the inputs that exist (missing ones cannot be overwritten by an output)."""
    out: list[InputFile] = []
    for p in paths:
        if p is None:
            continue
        fid = file_id(p)
        if fid is not None:
            out.append(InputFile(os.fspath(p), fid))
    return tuple(out)


def check_not_input(target: str | os.PathLike[str], inputs: Iterable[InputFile]) -> None:
    """Refuse ``target`` if it is one of ``inputs`` (same device and inode)."""
    tid = file_id(target)
    if tid is None:
        return
    for inp in inputs:
        if inp.id == tid:
            raise OutputIsInput(display_name(target), input=display_name(inp.path))


# ------------------------------------------------------------------------------------------ errors
_ERRNO_DETAILS = {
    errno.ENOSPC: ("disque plein", "disk full"),
    errno.EDQUOT: ("quota disque dépassé", "disk quota exceeded"),
    errno.EACCES: ("permission refusée", "permission denied"),
    errno.EPERM: ("opération non permise", "operation not permitted"),
    errno.EROFS: ("système de fichiers en lecture seule", "read-only file system"),
    errno.ENAMETOOLONG: ("nom de fichier trop long", "file name too long"),
    errno.EISDIR: ("c'est un dossier", "it is a folder"),
    errno.ENOTDIR: ("un élément du chemin n'est pas un dossier", "a part of the path is not a folder"),
    errno.ENOENT: ("dossier introuvable", "folder not found"),
    errno.EEXIST: (
        "un fichier porte déjà ce nom à la place d'un dossier",
        "a file already has this name, not a folder",
    ),
    errno.EFBIG: ("fichier trop grand pour ce système de fichiers", "file too large for this file system"),
}


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    stack = [exc]
    while stack:
        e = stack.pop()
        if id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        stack.extend(a for a in e.args if isinstance(a, BaseException))
        stack.extend(x for x in (e.__cause__, e.__context__) if x is not None)


def root_oserror(exc: BaseException) -> OSError | None:
    """The operating-system error behind ``exc`` (xlsxwriter wraps them), if any."""
    for e in _chain(exc):
        if isinstance(e, OSError):
            return e
    return None


def os_error_detail(err: OSError) -> Text:
    """A plain, one-line description of an operating-system error."""
    known = _ERRNO_DETAILS.get(err.errno or -1)
    if known:
        return Text(*known)
    text = err.strerror or err.__class__.__name__
    return Text(text, text)


def neutralise(exc: BaseException) -> None:
    """Close, without writing anything more, the zip files left open by a writer that failed (xlsxwriter
    leaves its ``ZipFile`` to the garbage collector, whose second attempt to write prints
    "Exception ignored … Traceback" on a full disk)."""
    for e in _chain(exc):
        for frame, _ in traceback.walk_tb(e.__traceback__):
            for value in list(frame.f_locals.values()):
                if isinstance(value, zipfile.ZipFile) and value.fp is not None:
                    value._didModify = False  # type: ignore[attr-defined]
                    value._writing = False  # type: ignore[attr-defined]
                    with contextlib.suppress(Exception):
                        value.close()


def output_error(target: str | os.PathLike[str], exc: BaseException) -> OutputError | None:
    """The :class:`OutputError` for an exception raised while writing ``target``, or None if it is not an
    error of the system (a bug, to be raised as is)."""
    err = root_oserror(exc)
    if err is None:
        return None
    neutralise(exc)
    return OutputError(display_name(target), detail=os_error_detail(err))


# ------------------------------------------------------------------------------------------ lock, clean
@contextlib.contextmanager
def output_lock(directory: Path, wait: float | None = None) -> Iterator[None]:
    """Hold the lock of ``directory`` (waiting at most ``wait`` seconds, :data:`LOCK_WAIT` by default)."""
    wait = LOCK_WAIT if wait is None else wait
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows CI only
        import msvcrt

        try:
            fd = os.open(directory / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as exc:
            raise OutputError(display_name(directory), detail=os_error_detail(exc)) from exc

        def acquire() -> bool:
            try:
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            except OSError:
                return False
            return True

        def release() -> None:
            with contextlib.suppress(OSError):
                os.lseek(fd, 0, os.SEEK_SET)
                msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

    else:
        import fcntl

        try:
            fd = os.open(directory, os.O_RDONLY)
        except OSError as exc:
            raise OutputError(display_name(directory), detail=os_error_detail(exc)) from exc

        def acquire() -> bool:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            except OSError:  # a file system without locks: unique temporary names still keep runs apart
                return True
            return True

        def release() -> None:
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_UN)

    try:
        deadline = time.monotonic() + wait
        while not acquire():
            if time.monotonic() >= deadline:
                raise OutputLocked(display_name(directory), seconds=f"{wait:g}")
            time.sleep(0.1)
        try:
            yield
        finally:
            release()
    finally:
        os.close(fd)


def _try_lock(fd: int) -> bool | None:
    """Take an exclusive lock on ``fd`` without waiting: True if taken, False if held by another process,
    None where locks are not available (Windows for folders, some network file systems)."""
    if sys.platform == "win32":  # pragma: no cover
        return None
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError:
        return None
    return True


def _run_is_over(path: str) -> bool | None:
    """Whether the run that owns the folder ``path`` is over (its lock is free); None if unknown."""
    if sys.platform == "win32":  # pragma: no cover
        return None
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        return _try_lock(fd)
    finally:
        os.close(fd)  # releases the lock just taken


def _pid_alive(pid: int) -> bool:
    """Whether a process ``pid`` runs on this machine (True when it cannot be told)."""
    if sys.platform == "win32":  # pragma: no cover - os.kill would end the process there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):
        return True
    return True


def clean_stale(directory: Path, now: float | None = None, inputs: Iterable[InputFile] = ()) -> list[str]:
    """Remove what killed runs of bie left in ``directory``; returns the names removed.

    A run folder ``.bie-tmp-<pid>-XXXX`` is locked by its run as long as the run lives (the system releases
    the lock when the process dies, even by SIGKILL): it is removed once its lock is free and either the
    process named in it is gone or it is older than :data:`RUN_GRACE` seconds (the moment between the
    creation of the folder and its lock); where locks are not available, once older than
    :data:`STALE_AFTER`.
    ``.bie-xlsx-*`` folders and ``.NAME.XXXXXXXX.tmp`` files (NAME ending in .html, .xlsx, .json, .csv or
    .svg) are removed when older than :data:`STALE_AFTER`. Symbolic links are never followed nor removed,
    and nothing else is ever touched; an input of the current run is never removed, whatever its name."""
    now = time.time() if now is None else now
    protected = {i.id for i in inputs}
    removed: list[str] = []
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return removed
    for entry in entries:
        name = entry.name
        if not name.startswith("."):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
            is_dir = entry.is_dir(follow_symlinks=False)
            is_file = entry.is_file(follow_symlinks=False)
        except OSError:
            continue
        age = now - st.st_mtime
        if is_dir and _RUN_RE.match(name):
            young = age <= RUN_GRACE and _pid_alive(int(name.split("-")[2]))
            over = False if young else _run_is_over(entry.path)
            if not (over or (over is None and age > STALE_AFTER)):
                continue
            shutil.rmtree(entry.path, ignore_errors=True)
        elif is_dir and _XLSX_RE.match(name) and age > STALE_AFTER:
            shutil.rmtree(entry.path, ignore_errors=True)
        elif (
            is_file and _ATOMIC_RE.match(name) and age > STALE_AFTER and file_id(entry.path) not in protected
        ):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
        else:
            continue
        if not os.path.lexists(entry.path):
            removed.append(name)
    return removed


# ------------------------------------------------------------------------------------------ writers
Render = Callable[[Path], None]


def write_set(
    directory: str | os.PathLike[str],
    renders: Sequence[tuple[str, Render]],
    inputs: Iterable[InputFile] = (),
    wait: float | None = None,
) -> list[Path]:
    """Write the files ``renders`` (name, function that writes the file at a given path) into
    ``directory`` all-or-nothing (see the module docstring); returns the paths written.

    Every target is checked against ``inputs`` first; the files are rendered in a locked run folder
    ``.bie-tmp-<pid>-XXXX`` inside ``directory``, then moved in place under the lock of ``directory``
    (waiting at most ``wait`` seconds for another run to finish moving its own files)."""
    out = Path(directory)
    inputs = tuple(inputs)
    targets = [out / name for name, _ in renders]
    for target in targets:
        check_not_input(target, inputs)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(display_name(out), detail=os_error_detail(exc)) from exc
    clean_stale(out, inputs=inputs)
    try:
        run = Path(tempfile.mkdtemp(prefix=f"{RUN_PREFIX}{os.getpid()}-", dir=out))
    except OSError as exc:
        raise OutputError(display_name(out), detail=os_error_detail(exc)) from exc
    run_fd: int | None = None
    try:
        if sys.platform != "win32":
            with contextlib.suppress(OSError):
                run_fd = os.open(run, os.O_RDONLY)
                _try_lock(run_fd)  # held until this run ends: the run folder is not stale
        staged: list[tuple[Path, Path]] = []
        for (name, render), target in zip(renders, targets, strict=True):
            tmp = run / name
            try:
                render(tmp)
            except Exception as exc:
                err = output_error(target, exc)
                if err is None:
                    raise
                raise err from exc
            staged.append((tmp, target))
        with output_lock(out, wait):
            for _tmp, target in staged:
                check_not_input(target, inputs)
            for tmp, target in staged:
                try:
                    os.replace(tmp, target)
                except OSError as exc:
                    raise OutputError(display_name(target), detail=os_error_detail(exc)) from exc
    finally:
        shutil.rmtree(run, ignore_errors=True)
        if run_fd is not None:
            os.close(run_fd)
    return targets


class atomic_path:
    """Yield a temporary path next to ``target``; rename it onto ``target`` only if the block succeeds.

    ``target`` is refused if it is one of ``inputs``; an operating-system error in the block becomes an
    :class:`OutputError` naming ``target``; the temporary file is removed on any exception. The folder of
    ``target`` is created if missing, unless ``create_parent`` is false."""

    def __init__(self, target: Path, inputs: Iterable[InputFile] = (), create_parent: bool = True) -> None:
        self.target = Path(target)
        self.inputs = tuple(inputs)
        self.create_parent = create_parent
        self.tmp: Path | None = None

    def __enter__(self) -> Path:
        check_not_input(self.target, self.inputs)
        try:
            if self.create_parent:
                self.target.parent.mkdir(parents=True, exist_ok=True)
            clean_stale(self.target.parent)
            fd, name = tempfile.mkstemp(prefix=f".{self.target.name}.", suffix=".tmp", dir=self.target.parent)
        except OSError as exc:
            raise OutputError(display_name(self.target), detail=os_error_detail(exc)) from exc
        os.close(fd)
        self.tmp = Path(name)
        return self.tmp

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        assert self.tmp is not None
        if exc_type is not None:
            with contextlib.suppress(OSError):
                self.tmp.unlink(missing_ok=True)
            if isinstance(exc, Exception):
                err = output_error(self.target, exc)
                if err is not None:
                    raise err from exc
            return
        try:
            check_not_input(self.target, self.inputs)
            # mkstemp creates the file readable by its owner only; give it the usual permissions.
            mask = os.umask(0)
            os.umask(mask)
            os.chmod(self.tmp, 0o666 & ~mask)
            os.replace(self.tmp, self.target)
        except OSError as err:
            self.tmp.unlink(missing_ok=True)
            raise OutputError(display_name(self.target), detail=os_error_detail(err)) from err
        except OutputError:
            self.tmp.unlink(missing_ok=True)
            raise


def write_text_atomic(target: Path, text: str, inputs: Iterable[InputFile] = ()) -> None:
    """Write ``text`` (UTF-8, ``\\n`` line ends) to ``target`` atomically, refusing an input."""
    with atomic_path(target, inputs) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="\n")
