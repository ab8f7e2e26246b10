"""Corpus input: JSONL, CSV, Parquet, plain-text files, folders of them, and standard input.

Every input document becomes exactly one InputRecord, in input order. A record that cannot be
read (bad JSON, a missing or empty text, bad encoding, too long) carries an ``error`` instead of
a text, so that one bad line never stops or shifts the rest of the corpus.
"""
from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
TEXT_SUFFIXES = (".txt",)
DEFAULT_MAX_CHARS = 2_000_000      # ~300k words: far beyond any article, short of a memory problem


@dataclass
class InputRecord:
    id: str
    text: str | None
    error: str | None = None


@dataclass
class CorpusOptions:
    id_field: str = "id"
    text_field: str = "text"
    max_chars: int = DEFAULT_MAX_CHARS


def corpus_files(inputs: Iterable[str | Path]) -> list[str]:
    """The files behind the inputs, in reading order: folders expand to their readable files
    (recursively, sorted); "-" (standard input) stays as it is."""
    files: list[str] = []
    for item in inputs:
        path = Path(item)
        if str(item) == "-":
            files.append("-")
        elif path.is_dir():
            files += [str(p) for p in sorted(path.rglob("*")) if p.is_file() and _readable(p)]
        elif path.exists():
            files.append(str(path))
        else:
            raise FileNotFoundError(f"input not found: {path}")
    return files


def read_corpus(inputs: Iterable[str | Path], options: CorpusOptions | None = None) -> Iterator[InputRecord]:
    """Records of every input, in order: files by their suffix, folders file by file (sorted)."""
    options = options or CorpusOptions()
    for name in corpus_files(inputs):
        if name == "-":
            yield from _read_jsonl_stream(sys.stdin.buffer, "stdin", options)
        else:
            yield from _read_file(Path(name), options)


def _readable(path: Path) -> bool:
    return path.suffix.lower() in JSONL_SUFFIXES + TEXT_SUFFIXES + (".csv", ".parquet")


def _read_file(path: Path, options: CorpusOptions) -> Iterator[InputRecord]:
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        with path.open("rb") as f:
            yield from _read_jsonl_stream(f, str(path), options)
    elif suffix == ".csv":
        yield from _read_csv(path, options)
    elif suffix == ".parquet":
        yield from _read_parquet(path, options)
    else:
        yield _checked(str(path), _decode(path.read_bytes()), options)


def _decode(raw: bytes) -> str | UnicodeDecodeError:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        return e


def _checked(doc_id: str, text, options: CorpusOptions) -> InputRecord:
    if isinstance(text, UnicodeDecodeError):
        return InputRecord(doc_id, None, f"bad encoding: not UTF-8 (byte {text.start})")
    if text is None:
        return InputRecord(doc_id, None, f"missing text field {options.text_field!r}")
    if not isinstance(text, str):
        return InputRecord(doc_id, None, f"text field {options.text_field!r} is {type(text).__name__}, not a string")
    if not text.strip():
        return InputRecord(doc_id, None, "empty text")
    if len(text) > options.max_chars:
        return InputRecord(doc_id, None, f"text too long: {len(text)} characters (limit {options.max_chars})")
    if any("\ud800" <= c <= "\udfff" for c in text):
        return InputRecord(doc_id, None, "bad encoding: text has unpaired surrogates")
    return InputRecord(doc_id, text)


def _read_jsonl_stream(stream: IO[bytes], name: str, options: CorpusOptions) -> Iterator[InputRecord]:
    for lineno, raw in enumerate(stream, 1):
        if not raw.strip():
            continue
        fallback_id = f"{name}:{lineno}"
        line = _decode(raw)
        if isinstance(line, UnicodeDecodeError):
            yield _checked(fallback_id, line, options)
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            yield InputRecord(fallback_id, None, f"bad JSON: {e.msg} (column {e.colno})")
            continue
        if not isinstance(obj, dict):
            yield InputRecord(fallback_id, None, f"bad record: a JSON {type(obj).__name__}, not an object")
            continue
        doc_id = obj.get(options.id_field)
        yield _checked(fallback_id if doc_id is None else str(doc_id), obj.get(options.text_field), options)


def _read_csv(path: Path, options: CorpusOptions) -> Iterator[InputRecord]:
    # surrogateescape keeps undecodable bytes visible per record instead of failing the file.
    with path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames is None or options.text_field not in reader.fieldnames:
            raise ValueError(f"{path}: no column {options.text_field!r} (columns: {reader.fieldnames})")
        for rowno, row in enumerate(reader, 1):
            doc_id = row.get(options.id_field) or f"{path}:{rowno}"
            yield _checked(doc_id, row.get(options.text_field), options)


def _read_parquet(path: Path, options: CorpusOptions) -> Iterator[InputRecord]:
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    names = pf.schema_arrow.names
    if options.text_field not in names:
        raise ValueError(f"{path}: no column {options.text_field!r} (columns: {names})")
    columns = [options.text_field] + ([options.id_field] if options.id_field in names else [])
    rowno = 0
    for batch in pf.iter_batches(columns=columns, batch_size=1024):
        data = batch.to_pydict()
        for i, text in enumerate(data[options.text_field]):
            rowno += 1
            doc_id = data.get(options.id_field, [None] * len(data[options.text_field]))[i]
            yield _checked(f"{path}:{rowno}" if doc_id is None else str(doc_id), text, options)

