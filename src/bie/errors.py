"""One exception hierarchy for the whole library.

Every error has a stable ``code`` (a slug that never changes, used in docs and tests), the ``path`` of the
file concerned when there is one, and ``params`` that fill the message templates kept in
``bie/data/messages.yaml`` (French and English); a parameter that is itself a phrase is a :class:`Text`
carrying both languages. ``str(error)`` gives the French message; the CLI calls
:meth:`BieError.message` with the user's language.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar


class Text:
    """A phrase written in each language, for a message parameter (``str()`` gives the French)."""

    __slots__ = ("en", "fr")

    def __init__(self, fr: str, en: str) -> None:
        self.fr = fr
        self.en = en

    def format(self, lang: str = "fr") -> str:
        return self.en if lang == "en" else self.fr

    def __str__(self) -> str:
        return self.fr

    def __repr__(self) -> str:
        return f"Text({self.fr!r}, {self.en!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Text) and (other.fr, other.en) == (self.fr, self.en)

    def __hash__(self) -> int:
        return hash((self.fr, self.en))


class BieError(Exception):
    """Base class of every error raised on purpose by bie."""

    code: ClassVar[str] = "error"

    def __init__(self, path: str | Path | None = None, **params: Any) -> None:
        self.path = str(path) if path is not None else None
        self.params: dict[str, Any] = params
        super().__init__(self.message("fr"))

    def message(self, lang: str = "fr") -> str:
        """The full one-line message: the file, what is wrong, what to do."""
        from bie.i18n import error_message

        return error_message(self.code, lang, path=self.path, **self.params)


class InputError(BieError):
    """The input file cannot be read as a funding table."""

    code = "input-error"


class FileNotFound(InputError):
    """The input path does not exist or is not a file."""

    code = "file-not-found"


class EmptyFile(InputError):
    """The file is empty (0 bytes) or holds no cell at all."""

    code = "empty-file"


class NotASpreadsheet(InputError):
    """The bytes are not those of any supported spreadsheet or text format."""

    code = "not-a-spreadsheet"


class UnsupportedFormat(InputError):
    """A known format that bie does not read (PDF, Numbers, Word…)."""

    code = "unsupported-format"


class EncryptedWorkbook(InputError):
    """A workbook protected by a password to open."""

    code = "encrypted-workbook"


class TruncatedFile(InputError):
    """The file is cut short (incomplete download or copy)."""

    code = "truncated-file"


class CorruptFile(InputError):
    """The container is readable but its content is malformed."""

    code = "corrupt-file"


class UndecodableText(InputError):
    """A text file whose bytes decode in none of the supported encodings."""

    code = "undecodable-text"


class UnbalancedQuote(InputError):
    """A CSV quote that is never closed swallows the following lines into one cell, and bie cannot tell
    where the quoted field was meant to end (when it can, the rows are recovered with a warning)."""

    code = "unbalanced-quote"


class UnsafeFile(InputError):
    """The file would use unbounded memory or time if read: refused before parsing."""

    code = "unsafe-file"


class FileTooLarge(UnsafeFile):
    code = "file-too-large"


class DecompressionBomb(UnsafeFile):
    code = "decompression-bomb"


class XmlEntities(UnsafeFile):
    code = "xml-entities"


class SheetTooLarge(UnsafeFile):
    code = "sheet-too-large"


class SheetTooWide(SheetTooLarge):
    """The table uses more columns than ``Limits.max_columns`` (checked before the cell count)."""

    code = "sheet-too-wide"


class ReaderCrashed(InputError):
    """The spreadsheet engine failed on this file (caught panic, killed child process)."""

    code = "reader-crashed"


class NoHeaderFound(InputError):
    """No sheet has a row that looks like the header of a funding table."""

    code = "no-header"


class SheetNotFound(InputError):
    """The sheet asked for with ``sheet=`` does not exist."""

    code = "sheet-not-found"


class ConfigError(BieError):
    """A file given to configure bie (mapping, rules, overrides, questionnaire) is invalid."""

    code = "config-error"


class MappingError(ConfigError):
    code = "mapping-invalid"


class RulesError(ConfigError):
    code = "rules-invalid"


class OverridesError(ConfigError):
    code = "overrides-invalid"


class QuestionnaireError(ConfigError):
    code = "questionnaire-invalid"


class WorkshopError(ConfigError):
    """The workshop's answers (participant workbooks, online form export) or its answer key cannot be read;
    ``detail`` lists every problem found (file, sheet, cell), nothing is half-read."""

    code = "workshop-invalid"


class CorpusError(ConfigError):
    """A labelled corpus given to ``bie rules evaluate`` is invalid (unknown label, missing label column)."""

    code = "corpus-invalid"


class FunderNotFound(BieError):
    """``funder=`` (``--funder``) matches no co-funder column of the files read."""

    code = "funder-not-found"


class FunderEmpty(BieError):
    """``funder=`` (``--funder``) is empty or holds no letter or digit: it would match every co-funder."""

    code = "funder-empty"


class OutputError(BieError):
    """A report cannot be written where asked."""

    code = "output-error"


class OutputIsInput(OutputError):
    """An output would replace one of the inputs (same file on disk, whatever its name)."""

    code = "output-is-input"


class OutputLocked(OutputError):
    """Another run of bie is writing to the same output folder."""

    code = "output-locked"


def all_error_classes() -> list[type[BieError]]:
    """Every concrete error class, for documentation and tests."""
    seen: list[type[BieError]] = []
    stack: list[type[BieError]] = [BieError]
    while stack:
        cls = stack.pop()
        seen.append(cls)
        stack.extend(sorted(cls.__subclasses__(), key=lambda c: c.__name__, reverse=True))
    return seen
