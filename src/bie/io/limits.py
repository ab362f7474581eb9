"""Bounds that keep a hostile or broken input from exhausting memory or time."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Reading limits. The defaults accept any real contrat de ville or subsidy file seen so far with a
    wide margin (the largest national export we know of has about 25,000 actions)."""

    #: Largest input file accepted, in bytes: a decade of national history (1,000,000 actions with texts
    #: of a few hundred characters) is about 560 MB as CSV; read in bounded memory (docs/performance.md).
    max_file_bytes: int = 1024 * 1024 * 1024
    #: Largest inflated size of one zip member (xlsx/ods part), in bytes.
    max_member_bytes: int = 1536 * 1024 * 1024
    #: Largest inflated size of all zip members together, in bytes.
    max_total_bytes: int = 2560 * 1024 * 1024
    #: Highest inflate ratio accepted for a member larger than ``ratio_floor_bytes``.
    max_ratio: float = 100.0
    ratio_floor_bytes: int = 16 * 1024 * 1024
    #: Largest cell grid (rows × columns of the used range) handed to the spreadsheet engine.
    max_cells: int = 40_000_000
    #: Largest number of columns kept (a funding table has a few dozen).
    max_columns: int = 2000
    #: Seconds allowed to the sandboxed reader of legacy formats (.xls, .xlsb).
    sandbox_timeout_s: float = 300.0
    #: Address-space limit of the sandboxed reader, in bytes (Unix only).
    sandbox_memory_bytes: int = 6 * 1024 * 1024 * 1024
    #: Excel's own limit on the length of a cell; longer cells are flagged.
    max_cell_chars: int = 32_767
    #: Largest configuration file (rules, decisions, mapping, web model), in bytes: the shipped rule
    #: packs are about 50 KB; a decisions file for 25,000 actions is a few MB.
    max_config_bytes: int = 16 * 1024 * 1024
    #: Deepest nesting accepted in a YAML configuration file (bie's own files use 5 levels; PyYAML
    #: recurses once per level and would exhaust the interpreter stack on 50,000 ``[``).
    max_config_depth: int = 100
    #: Most YAML nodes a configuration file may expand to once its aliases (``*name``) are followed:
    #: refuses « billion laughs » documents, whose ten anchors of ten aliases make 10^10 nodes.
    max_config_nodes: int = 1_000_000
    #: Amounts above this many euros (absolute value) are implausible: flagged and left out of every sum.
    #: ``None`` takes ``implausible_above`` from ``bie/data/amounts.yaml`` (10 billion €, rationale there).
    max_amount_euros: float | None = None


DEFAULT_LIMITS = Limits()
