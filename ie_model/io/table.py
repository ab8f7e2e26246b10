"""Claims as a fixed-width table for people reading a terminal."""
from __future__ import annotations

from ie_model.schema import Claim, PartyField

COLUMNS = ("quantity", "value", "lower", "upper", "approx", "category", "kind", "affected", "agent",
           "source", "time", "cum")


def _parties(parties: list[PartyField]) -> str:
    # Two spans of one party ("the General Staff", "Kyiv") read as that party once.
    names = dict.fromkeys(p.canonical or f"?{p.text}" for p in parties)
    return ", ".join(names) + ("*" if any(p.inherited for p in parties) else "")


def _row(c: Claim) -> list[str]:
    q = c.quantity
    time = "" if c.time is None else c.time.text + ("*" if c.time.inherited else "")
    return [q.text, *("" if v is None else str(v) for v in (q.value, q.lower, q.upper, q.approx)),
            c.category.label if c.category else "", c.kind or "", _parties(c.affected), _parties(c.agent),
            _parties(c.source), time[:40], "yes" if c.cumulative else ""]


def claims_table(claims: list[Claim]) -> str:
    """One line a claim; `*` marks a source or time inherited from an earlier claim."""
    rows = [list(COLUMNS)] + [_row(c) for c in claims]
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
