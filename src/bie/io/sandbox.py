"""Read legacy binary workbooks (.xls, .xlsb) in a child process with memory and time limits.

Their cell grids cannot be measured cheaply before parsing (no XML to scan), so calamine runs in a separate
interpreter: if it aborts or runs away on a hostile file, only the child dies, and the user gets a clear
error instead of a dead terminal. The child writes each sheet as an Arrow IPC file in a private temporary
folder; the parent reads them back.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import polars as pl

from bie.errors import CorruptFile, EncryptedWorkbook, ReaderCrashed, Text
from bie.io.limits import Limits
from bie.io.raw import RawBook, RawSheet


def _lower_limit(kind: int, soft: int, hard: int) -> None:
    """Lower a resource limit to ``(soft, hard)``, never above what the process already has: a limit set by
    the user (``ulimit -v``) or the system below bie's is kept as it is, never an error. An unprivileged
    process may lower its hard limit but not raise it."""
    import resource

    try:
        cur_soft, cur_hard = resource.getrlimit(kind)
        inf = resource.RLIM_INFINITY
        new_hard = hard if cur_hard == inf else min(hard, cur_hard)
        new_soft = min(soft, new_hard)
        if cur_soft != inf:
            new_soft = min(new_soft, cur_soft)
        resource.setrlimit(kind, (new_soft, new_hard))
    except (ValueError, OSError):  # pragma: no cover - a platform that refuses: the timeout still applies
        pass


def _limit_child(memory: int, seconds: float) -> None:  # pragma: no cover - runs in the child
    import resource

    _lower_limit(resource.RLIMIT_AS, memory, memory)
    cpu = int(seconds) + 1
    _lower_limit(resource.RLIMIT_CPU, cpu, cpu + 5)


def read_sandboxed(path: Path, fmt: str, limits: Limits, only: str | int | None = None) -> RawBook:
    with tempfile.TemporaryDirectory(prefix="bie-") as tmp:
        cmd = [sys.executable, "-m", "bie.io.sandbox", str(path), tmp, json.dumps(only), fmt]
        preexec = None
        if os.name == "posix":
            mem, secs = limits.sandbox_memory_bytes, limits.sandbox_timeout_s

            def preexec() -> None:  # pragma: no cover - runs in the child
                _limit_child(mem, secs)

        env = dict(os.environ, POLARS_MAX_THREADS="1")
        try:
            proc = subprocess.run(  # noqa: PLW1510 - the return code is examined below
                cmd, capture_output=True, timeout=limits.sandbox_timeout_s, preexec_fn=preexec, env=env
            )
        except subprocess.TimeoutExpired as exc:
            raise ReaderCrashed(
                path,
                detail=Text(
                    f"lecture interrompue après {limits.sandbox_timeout_s:.0f} s",
                    f"reading stopped after {limits.sandbox_timeout_s:.0f} s",
                ),
            ) from exc
        meta_path = Path(tmp) / "meta.json"
        if proc.returncode != 0 or not meta_path.exists():
            err_path = Path(tmp) / "error.json"
            if err_path.exists():
                err = json.loads(err_path.read_text(encoding="utf-8"))
                if err.get("kind") == "encrypted":
                    raise EncryptedWorkbook(path)
                raise CorruptFile(path, detail=err.get("detail", "?"))
            detail: Text | str
            if proc.returncode < 0:
                sig = signal.Signals(-proc.returncode).name
                detail = Text(
                    f"arrêt du lecteur ({sig}) : mémoire ou temps dépassé",
                    f"reader stopped ({sig}): memory or time limit reached",
                )
            else:
                tail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["?"]
                detail = tail[0][:160]
            raise ReaderCrashed(path, detail=detail)
        meta: list[dict[str, Any]] = json.loads(meta_path.read_text(encoding="utf-8"))
        book = RawBook(path=str(path), format=fmt, sheets=[])
        for entry in meta:
            sheet = RawSheet(name=entry["name"], index=entry["index"], visible=entry["visible"])
            if entry.get("file"):
                sheet.frame = pl.read_ipc(io.BytesIO((Path(tmp) / entry["file"]).read_bytes()))
            book.sheets.append(sheet)
        return book


def _child(path: str, out: str, only_json: str, fmt: str) -> int:  # pragma: no cover - runs in the child
    import fastexcel

    from bie.io.xlsx import _frame_from_fastexcel, calamine_source

    only = json.loads(only_json)
    outdir = Path(out)
    try:
        reader = fastexcel.read_excel(calamine_source(Path(path), fmt))
        meta = []
        for index, name in enumerate(reader.sheet_names):
            entry: dict[str, Any] = {"name": name, "index": index, "visible": True, "file": None}
            if only is None or only in (name, index):
                sheet = reader.load_sheet(index, header_row=None, dtypes="string", skip_rows=0)
                entry["visible"] = sheet.visible == "visible"
                if entry["visible"] or only is not None:
                    df = sheet.to_polars()
                    if df.width:
                        frame = _frame_from_fastexcel(df)
                        entry["file"] = f"sheet{index}.arrow"
                        frame.write_ipc(outdir / entry["file"])
            meta.append(entry)
    except fastexcel.FastExcelError as exc:
        text = str(exc)
        kind = "encrypted" if ("password" in text.lower() or "encrypt" in text.lower()) else "corrupt"
        (outdir / "error.json").write_text(
            json.dumps({"kind": kind, "detail": text.splitlines()[0][:160] if text else "?"}),
            encoding="utf-8",
        )
        return 2
    (outdir / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(_child(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else "xls"))
