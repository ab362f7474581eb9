"""Reports built from an :class:`bie.audit.Audit`: the self-contained HTML page (:func:`render_html`)."""

from __future__ import annotations

from bie.report.html import render_html

__all__ = ["render_html"]
