"""Result output: JSONL (section 6 records), CSV or Parquet (one row per claim).

Each batch of records reaches the file in one write of whole lines, so a killed run leaves
complete lines behind (and ``--resume`` trims anything after the last newline).
"""
from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path
from typing import Protocol

from ie_model.schema import Claim, Result

# The flat form of a claim, for tables: CSV, Parquet, pandas.
CLAIM_COLUMNS = ("doc_index", "id", "error", "claim", "kind", "quantity", "start", "end", "value", "lower", "upper",
                 "approx", "category", "category_label", "affected", "affected_text", "agent", "agent_text",
                 "source", "source_text", "source_inherited", "time", "time_inherited", "cumulative", "score")


def _join(values) -> str | None:
    values = [v for v in values if v]
    return "; ".join(values) if values else None


def without_scores(record):
    """A JSON output record (or any part of one) with every "score" left out: what two runs must agree
    on when their scores may differ in the last digits (other thread counts, batch neighbours)."""
    return json.loads(json.dumps(record), object_hook=lambda d: {k: v for k, v in d.items() if k != "score"})


def claim_row(doc_index: int, result: Result, index: int | None, c: Claim | None) -> dict:
    """One row: a claim of a document, or the document alone (no claims, or an error)."""
    row = dict.fromkeys(CLAIM_COLUMNS)
    row.update(doc_index=doc_index, id=result.id, error=result.error, claim=index)
    if c is None:
        return row
    q = c.quantity
    row.update(kind=c.kind, quantity=q.text, start=q.start, end=q.end, value=q.value, lower=q.lower, upper=q.upper,
               approx=q.approx, category=c.category.text if c.category else None,
               category_label=c.category.label if c.category else None,
               affected=_join(p.canonical for p in c.affected), affected_text=_join(p.text for p in c.affected),
               agent=_join(p.canonical for p in c.agent), agent_text=_join(p.text for p in c.agent),
               source=_join(p.canonical for p in c.source), source_text=_join(p.text for p in c.source),
               source_inherited=any(p.inherited for p in c.source) if c.source else None,
               time=c.time.text if c.time else None, time_inherited=c.time.inherited if c.time else None,
               cumulative=c.cumulative, score=round(c.score, 4))
    return row


def rows_of(doc_index: int, result: Result) -> list[dict]:
    if not result.claims:
        return [claim_row(doc_index, result, None, None)]
    return [claim_row(doc_index, result, i, c) for i, c in enumerate(result.claims)]


class ResultWriter(Protocol):
    def write(self, first_index: int, results: list[Result]) -> None: ...
    def close(self) -> None: ...


def _append_whole(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


class JsonlWriter:
    def __init__(self, path: Path, append: bool = False):
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC), 0o644)

    def write(self, first_index: int, results: list[Result]) -> None:
        self.write_lines([json.dumps(r.to_dict(), ensure_ascii=False) for r in results])

    def write_lines(self, lines: list[str]) -> None:
        _append_whole(self.fd, "".join(line + "\n" for line in lines).encode("utf-8"))

    def close(self) -> None:
        os.close(self.fd)


class CsvWriter:
    def __init__(self, path: Path, append: bool = False):
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC), 0o644)
        if not append or os.fstat(self.fd).st_size == 0:
            _append_whole(self.fd, (",".join(CLAIM_COLUMNS) + "\n").encode())

    def write(self, first_index: int, results: list[Result]) -> None:
        self.write_rows([row for i, r in enumerate(results) for row in rows_of(first_index + i, r)])

    def write_rows(self, rows: list[dict]) -> None:
        buf = io.StringIO()
        csv.DictWriter(buf, CLAIM_COLUMNS, lineterminator="\n").writerows(rows)
        _append_whole(self.fd, buf.getvalue().encode("utf-8"))

    def close(self) -> None:
        os.close(self.fd)


class ParquetWriter:
    def __init__(self, path: Path):
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.schema = pa.schema([
            ("doc_index", pa.int64()), ("id", pa.string()), ("error", pa.string()), ("claim", pa.int64()),
            ("kind", pa.string()), ("quantity", pa.string()), ("start", pa.int64()), ("end", pa.int64()),
            ("value", pa.int64()), ("lower", pa.int64()), ("upper", pa.int64()), ("approx", pa.string()),
            ("category", pa.string()), ("category_label", pa.string()), ("affected", pa.string()),
            ("affected_text", pa.string()), ("agent", pa.string()), ("agent_text", pa.string()),
            ("source", pa.string()), ("source_text", pa.string()), ("source_inherited", pa.bool_()),
            ("time", pa.string()), ("time_inherited", pa.bool_()), ("cumulative", pa.bool_()),
            ("score", pa.float64())])
        self.writer = pq.ParquetWriter(path, self.schema)

    def write(self, first_index: int, results: list[Result]) -> None:
        self.write_rows([row for i, r in enumerate(results) for row in rows_of(first_index + i, r)])

    def write_rows(self, rows: list[dict]) -> None:
        import pyarrow as pa

        self.writer.write_table(pa.Table.from_pylist(rows, schema=self.schema))

    def close(self) -> None:
        self.writer.close()


def output_format(path: str | Path, explicit: str | None = None) -> str:
    if explicit:
        return explicit
    suffix = Path(path).suffix.lower()
    return {".csv": "csv", ".parquet": "parquet"}.get(suffix, "jsonl")


def completed_documents(path: Path, fmt: str) -> int:
    """How many input documents an interrupted output already holds, after trimming a torn tail.

    JSONL: one line a document. CSV: rows carry doc_index; the last document's rows are dropped
    and redone, since a kill may have cut it between rows.
    """
    if not path.exists() or path.stat().st_size == 0:
        return 0
    if fmt == "parquet":
        raise ValueError("--resume works with JSONL or CSV output; Parquet files cannot be appended to")
    data = path.read_bytes()
    keep = data[:data.rfind(b"\n") + 1]
    if fmt == "jsonl":
        _truncate(path, len(keep))
        return keep.count(b"\n")
    lines = keep.decode("utf-8").splitlines(keepends=True)
    rows = _csv_rows_with_line_ends(lines)
    if not rows:
        _truncate(path, len(lines[0].encode("utf-8")) if lines else 0)
        return 0
    last = int(rows[-1][0]["doc_index"])
    kept_lines = max((end for row, end in rows if int(row["doc_index"]) < last), default=1)
    _truncate(path, len("".join(lines[:kept_lines]).encode("utf-8")))
    return last


def _csv_rows_with_line_ends(lines: list[str]) -> list[tuple[dict, int]]:
    """Each CSV row with the number of lines read up to its end: a quoted field may hold newlines,
    so rows and lines do not line up one to one."""
    read = 0

    def counted():
        nonlocal read
        for line in lines:
            read += 1
            yield line

    reader = csv.DictReader(counted())
    rows = []
    for row in reader:
        if row.get("doc_index", "").isdigit():      # a row cut by the kill may lack its index
            rows.append((row, read))
    return rows


def _truncate(path: Path, size: int) -> None:
    with path.open("r+b") as f:
        f.truncate(size)


def open_writer(path: Path, fmt: str, append: bool) -> ResultWriter:
    if fmt == "jsonl":
        return JsonlWriter(path, append)
    if fmt == "csv":
        return CsvWriter(path, append)
    if fmt == "parquet":
        return ParquetWriter(path)
    raise ValueError(f"unknown output format {fmt!r} (jsonl, csv or parquet)")
