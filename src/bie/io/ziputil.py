"""Stream the parts of a zip container (xlsx, ods) with bounds on what they inflate to.

A zip member's declared size can lie; what counts is what the inflater produces. Each XML part is inflated
here, in chunks, before any spreadsheet engine sees the file: a part that would inflate beyond the limits,
or that declares XML entities (billion laughs, XXE), is refused. isal's inflater is used when available:
it is about 4× faster than zlib, which keeps this check cheap next to the real parse.
"""

from __future__ import annotations

import re
import struct
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from bie.errors import CorruptFile, DecompressionBomb, FileTooLarge, Text, TruncatedFile, XmlEntities
from bie.io.limits import Limits

try:  # pragma: no cover - both branches are exercised depending on the environment
    from isal import isal_zlib as _zlib
except ImportError:  # pragma: no cover
    import zlib as _zlib  # type: ignore[no-redef]

ZLIB_ERROR: type[Exception] = getattr(_zlib, "error")  # noqa: B009 - the stubs type it as an instance
CHUNK = 8 * 1024 * 1024
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")

ChunkHandler = Callable[[bytes], None]


def _mb(n: int) -> int:
    return max(1, round(n / 2**20))


def _raw_chunks(fh: BinaryIO, info: zipfile.ZipInfo) -> Iterator[bytes]:
    if info.header_offset < 0:
        # A damaged central directory can point before the start of the file (seek would raise OSError).
        raise TruncatedFile(
            None,
            detail=Text(
                f"position impossible pour « {info.filename} »", f"impossible offset for “{info.filename}”"
            ),
        )
    fh.seek(info.header_offset)
    header = fh.read(_LOCAL_HEADER.size)
    if len(header) != _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
        raise TruncatedFile(
            None,
            detail=Text(
                f"en-tête manquant pour « {info.filename} »", f"missing header for “{info.filename}”"
            ),
        )
    fields = _LOCAL_HEADER.unpack(header)
    name_len, extra_len = fields[-2], fields[-1]
    fh.seek(info.header_offset + _LOCAL_HEADER.size + name_len + extra_len)
    remaining = info.compress_size
    while remaining > 0:
        block = fh.read(min(CHUNK, remaining))
        if not block:
            raise TruncatedFile(
                None, detail=Text(f"partie « {info.filename} » coupée", f"part “{info.filename}” cut short")
            )
        remaining -= len(block)
        yield block


def iter_member(
    zf: zipfile.ZipFile, fh: BinaryIO, info: zipfile.ZipInfo, limits: Limits, budget: list[int]
) -> Iterator[bytes]:
    """Yield the inflated bytes of ``info`` in chunks, enforcing the size and ratio limits.

    ``budget`` is a one-element list holding the bytes still allowed for the whole container."""
    produced = 0

    def account(n: int) -> None:
        nonlocal produced
        produced += n
        budget[0] -= n
        too_big = produced > limits.max_member_bytes or budget[0] < 0
        ratio = produced / max(1, info.compress_size)
        if too_big or (produced > limits.ratio_floor_bytes and ratio > limits.max_ratio):
            raise DecompressionBomb(
                None, member=info.filename, size_mb=_mb(max(produced, info.file_size)), ratio=round(ratio)
            )

    if info.flag_bits & 0x1:
        raise CorruptFile(
            None, detail=Text(f"partie chiffrée « {info.filename} »", f"encrypted part “{info.filename}”")
        )
    if info.compress_type == zipfile.ZIP_STORED:
        for block in _raw_chunks(fh, info):
            account(len(block))
            yield block
        return
    if info.compress_type != zipfile.ZIP_DEFLATED:
        with zf.open(info) as member:
            while block := member.read(CHUNK):
                account(len(block))
                yield block
        return
    inflater = _zlib.decompressobj(-15)
    try:
        for block in _raw_chunks(fh, info):
            data = block
            while data:
                out = inflater.decompress(data, CHUNK)
                account(len(out))
                if out:
                    yield out
                data = inflater.unconsumed_tail
        tail = inflater.flush()
        if tail:
            account(len(tail))
            yield tail
    except ZLIB_ERROR as exc:
        raise CorruptFile(
            None,
            detail=Text(
                f"partie « {info.filename} » illisible ({exc})", f"part “{info.filename}” unreadable ({exc})"
            ),
        ) from exc


def bad_member_name(path: Path | None, exc: UnicodeDecodeError) -> CorruptFile:
    """A zip entry flagged UTF-8 whose name is not (Python's zipfile cannot list such an archive)."""
    raw = exc.object[max(0, exc.start - 20) : exc.end + 20]
    text = bytes(raw).decode("utf-8", "backslashreplace")
    shown = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)
    return CorruptFile(
        path,
        detail=Text(
            f"nom de partie de l'archive zip qui n'est pas de l'UTF-8 valide : « {shown} »",
            f"zip archive part name that is not valid UTF-8: “{shown}”",
        ),
    )


def guard_file(path: Path, limits: Limits) -> None:
    """The guards every spreadsheet bie opens goes through, whatever it is for (input, questionnaire): the
    file size, then, for a zip container, every XML part inflated within the size, ratio and entity limits
    (before openpyxl or calamine sees it). Errors name ``path``."""
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise FileTooLarge(path, size_mb=round(size / 2**20), limit_mb=round(limits.max_file_bytes / 2**20))
    with path.open("rb") as fh:
        head = fh.read(4)
    if head.startswith(b"PK"):
        scan_container(path, limits)


_ROOT = re.compile(rb"<[A-Za-z_]")


def check_prolog(name: str, chunk: bytes, seen: bytes) -> tuple[bytes, bool]:
    """Refuse DTDs: a spreadsheet part never needs one, the entity attacks (billion laughs, quadratic
    blowup, XXE) all do. A DTD can only stand before the root element, so only the prolog is searched.
    Returns the prolog seen so far and whether the root element was reached."""
    window = seen + chunk
    root = _ROOT.search(window)
    prolog = window if root is None else window[: root.start()]
    if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
        raise XmlEntities(None, member=name)
    return prolog[-64:], root is not None


def scan_container(
    path: Path,
    limits: Limits,
    handlers: dict[str, ChunkHandler] | None = None,
    collect: set[str] | None = None,
    only: set[str] | None = None,
    skip: set[str] | None = None,
) -> dict[str, bytes]:
    """Inflate every XML part of the container once, within the limits.

    ``handlers`` maps member names to callables fed each chunk (used to scan sheets on the fly);
    members named in ``collect`` are returned whole (small parts such as workbook.xml). ``only`` restricts
    the pass to some members, ``skip`` leaves some out (already checked)."""
    handlers = handlers or {}
    collect = collect or set()
    out: dict[str, bytes] = {}
    budget = [limits.max_total_bytes]
    try:
        with zipfile.ZipFile(path) as zf, path.open("rb") as fh:
            for info in zf.infolist():
                if info.is_dir() or (only is not None and info.filename not in only):
                    continue
                if skip is not None and info.filename in skip:
                    continue
                lower = info.filename.lower()
                if not lower.endswith((".xml", ".rels", ".vml")) and info.filename not in collect:
                    # Binary parts (images, vbaProject.bin) are never parsed by the readers bie uses.
                    continue
                handler = handlers.get(info.filename)
                keep = info.filename in collect
                parts: list[bytes] = []
                seen, in_body = b"", False
                for chunk in iter_member(zf, fh, info, limits, budget):
                    if not in_body:
                        seen, in_body = check_prolog(info.filename, chunk, seen)
                    if handler is not None:
                        handler(chunk)
                    if keep:
                        parts.append(chunk)
                if keep:
                    out[info.filename] = b"".join(parts)
    except zipfile.BadZipFile as exc:
        raise TruncatedFile(path, detail=str(exc)) from exc
    except UnicodeDecodeError as exc:
        raise bad_member_name(path, exc) from exc
    except (TruncatedFile, CorruptFile, DecompressionBomb, XmlEntities) as exc:
        if exc.path is None:
            raise type(exc)(path, **exc.params) from exc
        raise
    return out
