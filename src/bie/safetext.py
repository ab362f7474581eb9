"""Text shown on a terminal: whatever an input holds, printing it can neither drive the terminal nor fake
a line.

Cell text, headers, sheet names and file names come from hostile files. Printed raw, an escape sequence
clears the screen (``ESC [2J``), plants a link (OSC 8), writes to the clipboard (OSC 52) or rewinds the line
(CR, backspace); a C1 control (``\\x9b``) does the same on some terminals; bidirectional overrides reorder
what is seen (« Trojan Source »); a line break inside a message can forge a second « Erreur : » line.

:func:`printable` shows every such character as a visible escape, the way Python writes it (``\\x1b``,
``\\x07``, ``\\r``, ``\\u202e``); a byte of a file name that is not UTF-8 (kept by Python as a lone
surrogate) is shown as ``\\xNN``, the byte itself. With ``one_line=True`` (messages, names, cells) line
breaks and tabs are escaped too (``\\n``, ``\\t``), so one message is one line; with ``one_line=False`` line
breaks are kept (CR LF and lone CR become LF). Backslashes are left alone (Windows paths stay readable).

:func:`json_printable` does the same for JSON text (escapes that JSON decodes back to the same string), and
:func:`terminal_replace` is the error handler the CLI gives its output streams, so that an encoding that
cannot write a character (``PYTHONIOENCODING=ascii``, a Windows console redirected to a file in cp1252)
prints a close equivalent instead of failing.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

__all__ = ["ERROR_HANDLER", "json_printable", "printable", "register_error_handler", "terminal_replace"]

#: Characters never printed raw: C0 controls but LF and tab, DEL, C1 controls, bidirectional controls,
#: line and paragraph separators, lone surrogates (undecodable bytes of a file name).
_UNSAFE = "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_MULTI_LINE = re.compile(f"[{_UNSAFE}]")
_ONE_LINE = re.compile(f"[\t\n{_UNSAFE}]")
_JSON = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_SHORT = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(char: str) -> str:
    code = ord(char)
    if char in _SHORT:
        return _SHORT[char]
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape): show the byte
        return f"\\x{code - 0xDC00:02x}"
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def printable(text: object, one_line: bool = True) -> str:
    """``text`` safe to print on a terminal: control characters shown as visible escapes.

    ``one_line=True`` also escapes line breaks and tabs, so the result is exactly one line."""
    value = text if isinstance(text, str) else str(text)
    if one_line:
        return _ONE_LINE.sub(lambda m: _escape(m.group()), value)
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _MULTI_LINE.sub(lambda m: _escape(m.group()), value)


def json_printable(text: str) -> str:
    """JSON text safe on a terminal: C1, bidirectional and separator characters and lone surrogates are
    written as ``\\uXXXX`` escapes (``json.dumps`` already escapes C0 controls), which JSON decodes back."""
    return _JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


#: Close equivalents for characters a legacy encoding cannot write (tried before accent stripping).
_FALLBACK = {
    "\u00a0": " ",
    "\u202f": " ",
    "\u2009": " ",
    "«": '"',
    "»": '"',
    "‹": "<",
    "›": ">",
    "“": '"',
    "”": '"',
    "„": '"',
    "‘": "'",
    "’": "'",
    "—": "-",
    "–": "-",
    "−": "-",
    "…": "...",
    "•": "*",
    "→": "->",
    "⇒": "=>",
    "✓": "v",
    "✗": "x",
    "€": "EUR",
    "œ": "oe",
    "Œ": "OE",
    "æ": "ae",
    "Æ": "AE",
    "ß": "ss",
    "×": "x",
    "⏎": "|",
}

ERROR_HANDLER = "bie-terminal"


def _encodable(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def _fallback(char: str, encoding: str) -> str:
    for candidate in (_FALLBACK.get(char), _strip_accents(char)):
        if candidate and _encodable(candidate, encoding):
            return candidate
    code = ord(char)
    if code <= 0xFFFF:
        return _escape(char)
    return f"\\U{code:08x}"


def _strip_accents(char: str) -> str:
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    return base if base != char else ""


def terminal_replace(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: each character the stream's encoding cannot write becomes a close equivalent
    (« é » → « e », « € » → « EUR », a narrow no-break space → a space) or a visible escape."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    chunk = error.object[error.start : error.end]
    return "".join(_fallback(c, error.encoding) for c in chunk), error.end


def register_error_handler() -> str:
    """Register :func:`terminal_replace` under :data:`ERROR_HANDLER` (idempotent) and return that name."""
    try:
        codecs.lookup_error(ERROR_HANDLER)
    except LookupError:
        codecs.register_error(ERROR_HANDLER, terminal_replace)
    return ERROR_HANDLER
