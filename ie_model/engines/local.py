"""Streaming extraction over a corpus on one machine.

Documents are read lazily, processed in chunks (a chunk is sorted by length inside the
extractor, so batches pad little), and written in input order as each chunk finishes: memory
depends on the chunk size, not on the corpus.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from ie_model.io.corpus import CorpusOptions, InputRecord, read_corpus
from ie_model.io.writers import completed_documents, open_writer, output_format
from ie_model.schema import Result

log = logging.getLogger("ie_model.extract")


@dataclass
class RunSummary:
    documents: int = 0
    claims: int = 0
    errors: int = 0
    skipped: int = 0          # already in the output when resuming
    seconds: float = 0.0

    def line(self) -> str:
        rate = self.documents / self.seconds if self.seconds else 0.0
        return (f"{self.documents} documents, {self.claims} claims, {self.errors} errors"
                + (f", {self.skipped} already done (resumed)" if self.skipped else "")
                + f" in {self.seconds:.1f}s ({rate:.1f} docs/s)")


def extract_records(extractor, records: list[InputRecord]) -> list[Result]:
    """Results for a chunk of records, in order; unreadable records and failing documents get an error."""
    good = [r for r in records if r.error is None]
    try:
        extracted = iter(extractor.extract([{"id": r.id, "text": r.text} for r in good]))
    except Exception:                                   # isolate the document that breaks the batch
        log.exception("a batch failed; retrying its documents one by one")
        extracted = iter(_one_by_one(extractor, good))
    return [Result(id=r.id, error=r.error) if r.error is not None else next(extracted) for r in records]


def _one_by_one(extractor, records: list[InputRecord]) -> Iterator[Result]:
    for r in records:
        try:
            yield extractor.extract([{"id": r.id, "text": r.text}])[0]
        except Exception as e:   # noqa: BLE001 - any failure becomes that document's error record
            yield Result(id=r.id, error=f"extraction failed: {type(e).__name__}: {e}")


def _chunks(records: Iterable[InputRecord], size: int) -> Iterator[list[InputRecord]]:
    it = iter(records)
    while chunk := list(islice(it, size)):
        yield chunk


def run_local(extractor, inputs: list[str], output: str | Path, options: CorpusOptions | None = None,
              fmt: str | None = None, resume: bool = False, chunk_size: int = 512,
              progress: bool = True) -> RunSummary:
    """Extract claims from every document of ``inputs`` into ``output``; one record per document."""
    from tqdm import tqdm

    output = Path(output)
    fmt = output_format(output, fmt)
    summary = RunSummary()
    start = time.perf_counter()
    summary.skipped = completed_documents(output, fmt) if resume else 0
    records = islice(read_corpus(inputs, options), summary.skipped, None)
    writer = open_writer(output, fmt, append=resume and summary.skipped > 0)
    bar = tqdm(desc="extract", unit="doc", disable=not progress, smoothing=0.1)
    try:
        index = summary.skipped
        for chunk in _chunks(records, chunk_size):
            results = extract_records(extractor, chunk)
            writer.write(index, results)
            index += len(results)
            summary.documents += len(results)
            summary.claims += sum(len(r.claims) for r in results)
            summary.errors += sum(r.error is not None for r in results)
            bar.update(len(results))
            bar.set_postfix(claims=summary.claims, errors=summary.errors)
    finally:
        bar.close()
        writer.close()
        summary.seconds = time.perf_counter() - start
    return summary
