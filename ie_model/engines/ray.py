"""Extraction on a Ray cluster with Ray Data.

Files are read on the workers (a file is the unit of parallel reading, so shard big corpora into
many files), each document goes through the same reader as the local engine (same ids, same error
records), a pool of actors runs the model (each loads it once; ``num_gpus`` per actor when the
cluster has GPUs), and the driver streams the results, in input order, into sharded output files.

Ray is an optional dependency (``pip install ie-model[ray]``), imported only here.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

from ie_model.engines.local import RunSummary, extract_records
from ie_model.io.corpus import CorpusOptions, InputRecord, corpus_files, read_corpus
from ie_model.io.writers import open_writer, rows_of


def _require_ray():
    try:
        import ray
    except ImportError as e:   # pragma: no cover - depends on the environment
        raise RuntimeError("the Ray engine needs Ray: pip install 'ie-model[ray]'") from e
    return ray


def _records_of_file(row: dict, options: CorpusOptions) -> list[dict]:
    """One input file, read on a worker -> its records, exactly as the local reader makes them."""
    return [{"id": r.id, "text": r.text, "error": r.error} for r in read_corpus([row["path"]], options)]


class _ExtractorActor:
    """Holds one model for its whole life; called on batches of records.

    Returns what the driver writes: a JSON line per document, or (CSV/Parquet) the document's
    rows as JSON, their doc_index filled in by the driver that knows the global order.
    """

    def __init__(self, model_path: str | list[str] | None, device: str, batch_size: int, fmt: str, precision: str):
        from ie_model.extractor import load

        self.extractor = load(model_path, device=device, batch_size=batch_size, precision=precision)
        self.fmt = fmt

    def __call__(self, batch: dict) -> dict:
        # Ray turns an all-None column into floats (NaN): only real strings count as text or error.
        records = [InputRecord(str(i), t if isinstance(t, str) else None, e if isinstance(e, str) else None)
                   for i, t, e in zip(batch["id"], batch["text"], batch["error"])]
        results = extract_records(self.extractor, records)
        if self.fmt == "jsonl":
            payload = [json.dumps(r.to_dict(), ensure_ascii=False) for r in results]
        else:
            payload = [json.dumps(rows_of(0, r), ensure_ascii=False) for r in results]
        return {"payload": payload, "claims": [len(r.claims) for r in results],
                "failed": [r.error is not None for r in results]}


def run_ray(inputs: list[str], output_dir: str | Path, model_path: str | Path | list | None = None,
            options: CorpusOptions | None = None, address: str | None = None, num_actors: int | None = None,
            num_gpus_per_actor: float = 0.0, cpus_per_actor: float = 1.0, batch_size: int = 32,
            device: str = "auto", shard_size: int = 100_000, fmt: str = "jsonl",
            precision: str = "auto") -> RunSummary:
    """Claims of every document of ``inputs`` into ``output_dir/part-NNNNN.<fmt>``, in input order."""
    ray = _require_ray()
    options = options or CorpusOptions()
    start = time.perf_counter()
    if not ray.is_initialized():
        ray.init(address=address, ignore_reinit_error=True, log_to_driver=False)
    ray.data.DataContext.get_current().execution_options.preserve_order = True
    files = corpus_files(inputs)
    if not files or "-" in files:
        raise ValueError("the Ray engine reads files and folders (not standard input)")
    if isinstance(model_path, (list, tuple)):           # an ensemble: every actor loads every member
        model_path = [str(Path(p).resolve()) for p in model_path]
    else:
        model_path = str(Path(model_path).resolve()) if model_path else None
    if num_actors is None:
        resources = ray.cluster_resources()
        num_actors = (max(1, int(resources.get("GPU", 0) // num_gpus_per_actor)) if num_gpus_per_actor
                      else max(1, int(resources.get("CPU", 1) // (2 * cpus_per_actor))))
    ds = (ray.data.from_items([{"file_index": i, "path": f} for i, f in enumerate(files)])
          # Reading is light next to the model: a fraction of a CPU, so it never waits behind the actors.
          .flat_map(lambda row: _records_of_file(row, options), num_cpus=0.25)
          .map_batches(_ExtractorActor, batch_size=batch_size * 4, concurrency=num_actors,
                       fn_constructor_kwargs={"model_path": model_path, "device": device,
                                              "batch_size": batch_size, "fmt": fmt, "precision": precision},
                       num_gpus=num_gpus_per_actor or None, num_cpus=cpus_per_actor))
    summary = RunSummary()
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    writer, shard = None, -1
    try:
        for batch in ds.iter_batches(batch_size=256, batch_format="numpy"):
            for payload, claims, failed in zip(batch["payload"], batch["claims"], batch["failed"]):
                if summary.documents % shard_size == 0:
                    if writer is not None:
                        writer.close()
                    shard += 1
                    writer = open_writer(out / f"part-{shard:05d}.{fmt}", fmt, append=False)
                if fmt == "jsonl":
                    writer.write_lines([str(payload)])
                else:
                    writer.write_rows([{**row, "doc_index": summary.documents} for row in json.loads(str(payload))])
                summary.documents += 1
                summary.claims += int(claims)
                summary.errors += bool(failed)
    finally:
        if writer is not None:
            writer.close()
    summary.seconds = time.perf_counter() - start
    return summary
