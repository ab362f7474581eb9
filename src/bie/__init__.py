"""bie: audit the budget intégrant l'égalité of contrat de ville funding tables.

The library does the work; the ``bie`` command is a thin layer over it::

    import bie
    result = bie.read("programmation.xlsx")
    result.actions        # polars DataFrame, one row per action, canonical columns
    result.ledger         # what became of every source row
    result.issues         # data-quality problems, each with its cell
"""

from bie._version import __version__
from bie.audit import Audit, audit
from bie.comparison import Comparison, compare
from bie.consolidate import Consolidation, consolidate
from bie.errors import BieError
from bie.io.limits import Limits
from bie.issues import Issue
from bie.model import ReadResult
from bie.reader import read
from bie.tagfile import TaggedFile, tag_file

__all__ = [
    "Audit",
    "BieError",
    "Comparison",
    "Consolidation",
    "Issue",
    "Limits",
    "ReadResult",
    "TaggedFile",
    "__version__",
    "audit",
    "compare",
    "consolidate",
    "read",
    "tag_file",
]
