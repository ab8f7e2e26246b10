"""Accuracy of one or more models, side by side, on the held-out test split and the seed article.

    python benchmarks/quality.py ie_model/default_model models/full [--int8] [--data dev_writers]

``--data`` picks other gold sets: ``dev_writers`` (writers who wrote nothing trained on) is the one
to choose between models by, without looking at test.

Prints one row per model and data set (entity, relation, claim core/full F1, kind and value
accuracy) and writes the full scores to runs/quality.json.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = {"dev": ROOT / "data" / "gold" / "dev.jsonl", "dev_writers": ROOT / "data" / "gold" / "dev_writers.jsonl",
        "test": ROOT / "data" / "gold" / "test.jsonl", "seed": ROOT / "data" / "examples" / "seed_article.jsonl"}


def score(model: str, gold_path: Path, quantize: str | None) -> dict:
    from ie_model.evaluation import evaluate_model
    from ie_model.extractor import load
    from ie_model.io.gold import read_gold

    gold = read_gold(gold_path)
    extractor = load(model, device="cpu", quantize=quantize)
    start = time.perf_counter()
    scores = evaluate_model(extractor, gold)
    scores["seconds"] = round(time.perf_counter() - start, 2)      # predicting and scoring
    scores["precision"] = "int8" if quantize else extractor.precision   # auto: bf16 on CPUs that have it
    return scores


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("models", nargs="+")
    p.add_argument("--int8", action="store_true", help="also score each model int8-quantized")
    p.add_argument("--data", nargs="+", choices=list(DATA), default=["test", "seed"])
    args = p.parse_args()
    variants = [(m, None) for m in args.models] + ([(m, "int8") for m in args.models] if args.int8 else [])
    rows, everything = [], {}
    for model, quantize in variants:
        for name in args.data:
            path = DATA[name]
            s = score(model, path, quantize)
            everything[f"{model}|{s['precision']}|{name}"] = s
            rows.append((f"{model} ({s['precision']})", name, s["entities"]["micro"]["f1-score"],
                         s["relations"]["micro"]["f1"], s["claims_core"]["f1"], s["claims_full"]["f1"],
                         s["kind_accuracy"], s["value_accuracy"]))
    header = ("model", "data", "entity F1", "relation F1", "claim core F1", "claim full F1", "kind acc", "value acc")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for r in rows:
        print("| " + " | ".join([r[0], r[1]] + [f"{v:.3f}" for v in r[2:]]) + " |")
    out = ROOT / "runs" / "quality.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(everything, indent=2))


if __name__ == "__main__":
    main()
