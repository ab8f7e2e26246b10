"""Where extraction time goes: the encoder, the span heads, and the Python around them (tokenizing,
Viterbi, relation merging, guide rules, claim assembly), from cProfile over one in-process run.

    python benchmarks/profile_extract.py [--model DIR] [--docs 400] [--device cpu|cuda]

On a GPU the encoder and heads shrink and the Python part stays: it bounds a process's documents per
second there, whatever the card.
"""
from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

STAGES = {  # label -> (file suffix, function name) whose cumulative time is reported
    "encoder": ("ie_model/modeling/model.py", "encode"),
    "span heads (kind, relations)": ("ie_model/modeling/model.py", "span_heads"),
    "Viterbi and span features": ("ie_model/decode.py", "decode_spans"),
    "windows (tokenize, word shapes)": ("ie_model/encode.py", "encode"),
    "merge windows, guide rules": ("ie_model/decode.py", "merge_document"),
    "claim assembly": ("ie_model/assemble.py", "assemble"),
}


def stage_seconds(stats: pstats.Stats) -> dict[str, float]:
    out = dict.fromkeys(STAGES, 0.0)
    for (path, _, name), (_, _, _, cumulative, _) in stats.stats.items():
        for label, (suffix, function) in STAGES.items():
            if name == function and path.replace("\\", "/").endswith(suffix):
                out[label] += cumulative
    return out


def main() -> None:
    from benchmarks.throughput import make_corpus
    from ie_model.extractor import load

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default=None, help="model folder (default: the shipped model)")
    p.add_argument("--docs", type=int, default=400)
    p.add_argument("--device", default="cpu")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        make_corpus(corpus, args.docs)
        texts = [json.loads(line)["text"] for line in corpus.open(encoding="utf-8")]
    extractor = load(args.model, device=args.device)
    extractor.extract(texts[:32])                     # warm-up: kernels, caches
    profile = cProfile.Profile()
    start = time.perf_counter()
    profile.runcall(extractor.extract, texts)
    total = time.perf_counter() - start
    seconds = stage_seconds(pstats.Stats(profile))
    print(f"{len(texts)} documents, device {args.device}, precision {extractor.precision}: {total:.2f} s "
          f"under the profiler ({len(texts) / total:.1f} docs/s)")
    for label, s in seconds.items():
        print(f"  {label:34s} {s:6.2f} s  {100 * s / total:5.1f}%")
    python = total - seconds["encoder"] - seconds["span heads (kind, relations)"]
    print(f"  {'everything but encoder and heads':34s} {python:6.2f} s  {100 * python / total:5.1f}%  "
          f"(a ceiling of {len(texts) / python:.0f} docs/s a process where the model costs nothing)")


if __name__ == "__main__":
    main()
