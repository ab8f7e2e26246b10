"""Streaming extraction over a corpus on one machine.

Documents are read lazily, processed in chunks (a chunk is sorted by length inside the
extractor, so batches pad little), and written in input order as each chunk finishes: memory
depends on the chunk size, not on the corpus.
"""
from __future__ import annotations

import logging
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
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


def _results_in_processes(make_extractor: Callable, chunks: Iterable[list[InputRecord]],
                          workers: int) -> Iterator[list[Result]]:
    """Chunks through ``workers`` processes, each with its own model and share of the CPU threads.

    On CPU one process leaves cores idle while it tokenizes, decodes and assembles in Python;
    several processes keep the matrix products going. Results come back in input order, with at
    most two chunks in flight per worker so memory does not grow with the corpus.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    threads = max(1, (os.cpu_count() or 1) // workers)
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                             initializer=_start_worker, initargs=(make_extractor, threads)) as pool:
        in_flight: deque = deque()
        for chunk in chunks:
            in_flight.append(pool.submit(_worker_results, chunk))
            if len(in_flight) >= 2 * workers:
                yield in_flight.popleft().result()
        while in_flight:
            yield in_flight.popleft().result()


_worker_extractor = None


def _start_worker(make_extractor: Callable, threads: int) -> None:
    global _worker_extractor
    import torch

    torch.set_num_threads(threads)
    _worker_extractor = make_extractor()


def _worker_results(chunk: list[InputRecord]) -> list[Result]:
    return extract_records(_worker_extractor, chunk)


def run_local(extractor, inputs: list[str], output: str | Path, options: CorpusOptions | None = None,
              fmt: str | None = None, resume: bool = False, chunk_size: int = 512,
              progress: bool = True, workers: int = 1) -> RunSummary:
    """Extract claims from every document of ``inputs`` into ``output``; one record per document.

    ``extractor``: an Extractor, or a picklable function that makes one (``functools.partial(
    ie_model.load, path, device="cpu")``), which ``workers`` > 1 needs: each worker process
    loads its own model.
    """
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
        chunks = _chunks(records, chunk_size)
        if workers > 1:
            if not callable(extractor):
                raise TypeError("workers > 1 needs a function that makes the extractor, not an extractor")
            chunk_results = _results_in_processes(extractor, chunks, workers)
        else:
            extractor = extractor() if callable(extractor) else extractor
            chunk_results = (extract_records(extractor, chunk) for chunk in chunks)
        for results in chunk_results:
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
