"""One config trained under several seeds at once, each in its own process, with the dev scores side
by side. Seeds of one recipe land up to 3-4 test points apart, so recipes are compared by several
seeds each; a GPU holds eight to twelve of these trainings at a time (session 6 ran them so).

    python -m training.sweep --config configs/default.yaml --seeds 49-56 --parallel 8
    python -m training.sweep --config configs/default.yaml --seeds 45,46 --set training.learning_rate=0.0004

Each run is a whole `ie-model train` into OUT/seed-N (model folder and train.log); each model is then
also scored on the held-out writers' split (`--validate`, data/gold/dev_writers.jsonl), and the table,
with the mean and standard error over seeds of each split's claim core F1, is printed and written to
OUT/sweep.json. Compare recipes by those means: across 14 models of session 7 no single split ranked
seeds the way test did. Each process gets one CPU thread unless OMP_NUM_THREADS is set.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

COLUMNS = ("claims_core", "claims_full", "entities", "relations", "kind_accuracy")
VALIDATION = Path("data/gold/dev_writers.jsonl")


def parse_seeds(text: str) -> list[int]:
    """"49-56" or "42,43,47" (or both: "42,45-47")."""
    seeds = []
    for part in text.split(","):
        low, _, high = part.partition("-")
        seeds.extend(range(int(low), int(high or low) + 1))
    return seeds


def train_one(config: str, seed: int, sets: list[str], out: Path) -> int:
    folder = out / f"seed-{seed}"
    folder.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "ie_model.cli", "train", "--config", config,
               "--set", f"training.seed={seed}", "--set", f"training.output_dir={folder}"]
    for item in sets:
        command += ["--set", item]
    env = {"OMP_NUM_THREADS": "1", **os.environ, "TOKENIZERS_PARALLELISM": "false"}
    with (folder / "train.log").open("w") as log:
        return subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, env=env, check=False).returncode


def _flat(scores: dict) -> dict:
    flat = {"claims_core": scores["claims_core"]["f1"], "claims_full": scores["claims_full"]["f1"],
            "entities": scores["entities"]["micro"]["f1-score"], "relations": scores["relations"]["micro"]["f1"],
            "kind_accuracy": scores["kind_accuracy"]}
    return {name: round(value, 4) for name, value in flat.items()}


def dev_row(folder: Path) -> dict | None:
    summary = folder / "training_summary.json"
    if not summary.exists():
        return None
    return _flat(json.loads(summary.read_text())["dev"])


def validation_row(folder: Path, gold_files: list[Path]) -> dict:
    """The saved model's scores on other gold (by default the held-out writers' split)."""
    from ie_model.evaluation import evaluate_model
    from ie_model.extractor import load
    from ie_model.io.gold import read_gold

    return _flat(evaluate_model(load(folder), read_gold(gold_files)))


def _mean_and_error(values: list[float]) -> list[float] | None:
    if not values:
        return None
    error = statistics.stdev(values) / len(values) ** 0.5 if len(values) > 1 else 0.0
    return [round(statistics.mean(values), 4), round(error, 4)]


def sweep(config: str, seeds: list[int], sets: list[str], out: Path, parallel: int,
          validate: list[Path] | None = None) -> dict:
    with ThreadPoolExecutor(parallel) as pool:
        codes = list(pool.map(lambda s: train_one(config, s, sets, out), seeds))
    rows = {f"seed-{s}": dev_row(out / f"seed-{s}") for s in seeds}
    failed = [name for (name, row), code in zip(rows.items(), codes) if row is None or code != 0]
    trained = [name for name in rows if name not in failed]
    held_out = {name: validation_row(out / name, validate) for name in trained} if validate else {}
    cores = [rows[name]["claims_core"] for name in trained]
    result = {"config": config, "set": sets, "dev": rows, "validation_files": [str(v) for v in validate or []],
              "validation": held_out, "failed": failed,
              "claims_core_median": round(statistics.median(cores), 4) if cores else None,
              "dev_core_mean_se": _mean_and_error(cores),
              "validation_core_mean_se": _mean_and_error([row["claims_core"] for row in held_out.values()]),
              "best": max(trained, key=lambda n: rows[n]["claims_core"], default=None)}
    (out / "sweep.json").write_text(json.dumps(result, indent=2))
    return result


def print_table(result: dict) -> None:
    print("| run | split | " + " | ".join(COLUMNS) + " |\n|---|---|" + "---|" * len(COLUMNS))
    for name, row in result["dev"].items():
        for split, scores in (("dev", row), ("validation", result["validation"].get(name))):
            if split == "validation" and scores is None:
                continue
            cells = [f"{scores[c]:.3f}" for c in COLUMNS] if scores else ["failed"] * len(COLUMNS)
            print(f"| {name} | {split} | " + " | ".join(cells) + " |")
    for split in ("dev", "validation"):
        if result[f"{split}_core_mean_se"]:
            mean, error = result[f"{split}_core_mean_se"]
            print(f"{split} claim core mean {mean:.4f} ± {error:.4f} (standard error over seeds)")
    print(f"dev claim core median {result['claims_core_median']}, best on dev {result['best']}"
          + (f"; failed: {', '.join(result['failed'])} (see their train.log)" if result["failed"] else ""))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", required=True)
    p.add_argument("--seeds", required=True, type=parse_seeds, help='"49-56" or "42,43,47"')
    p.add_argument("--set", action="append", default=[], help="override for every run, e.g. training.epochs=12")
    p.add_argument("--parallel", type=int, default=2, help="trainings at a time")
    p.add_argument("--out", type=Path, default=Path("runs/sweep"))
    p.add_argument("--validate", type=Path, nargs="*", default=[VALIDATION] if VALIDATION.exists() else [],
                   help=f"gold files to score every model on besides dev (default {VALIDATION}; none: skip)")
    args = p.parse_args(argv)
    result = sweep(args.config, args.seeds, args.set, args.out, args.parallel, args.validate)
    print_table(result)
    return 1 if result["failed"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
