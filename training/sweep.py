"""One config trained under several seeds at once, each in its own process, with the dev scores side
by side. Seeds of one recipe land up to 3-4 test points apart, so recipes are compared by several
seeds each; a GPU holds eight to twelve of these trainings at a time (session 6 ran them so).

    python -m training.sweep --config configs/default.yaml --seeds 49-56 --parallel 8
    python -m training.sweep --config configs/default.yaml --seeds 45,46 --set training.learning_rate=0.0004

Each run is a whole `ie-model train` into OUT/seed-N (model folder and train.log); the table is
printed and written to OUT/sweep.json. Each process gets one CPU thread unless OMP_NUM_THREADS is set.
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


def dev_row(folder: Path) -> dict | None:
    summary = folder / "training_summary.json"
    if not summary.exists():
        return None
    dev = json.loads(summary.read_text())["dev"]
    flat = {"claims_core": dev["claims_core"]["f1"], "claims_full": dev["claims_full"]["f1"],
            "entities": dev["entities"]["micro"]["f1-score"], "relations": dev["relations"]["micro"]["f1"],
            "kind_accuracy": dev["kind_accuracy"]}
    return {name: round(value, 4) for name, value in flat.items()}


def sweep(config: str, seeds: list[int], sets: list[str], out: Path, parallel: int) -> dict:
    with ThreadPoolExecutor(parallel) as pool:
        codes = list(pool.map(lambda s: train_one(config, s, sets, out), seeds))
    rows = {f"seed-{s}": dev_row(out / f"seed-{s}") for s in seeds}
    failed = [name for (name, row), code in zip(rows.items(), codes) if row is None or code != 0]
    cores = [row["claims_core"] for row in rows.values() if row]
    result = {"config": config, "set": sets, "dev": rows, "failed": failed,
              "claims_core_median": round(statistics.median(cores), 4) if cores else None,
              "best": max((n for n in rows if rows[n]), key=lambda n: rows[n]["claims_core"], default=None)}
    (out / "sweep.json").write_text(json.dumps(result, indent=2))
    return result


def print_table(result: dict) -> None:
    print("| run | " + " | ".join(COLUMNS) + " |\n|---|" + "---|" * len(COLUMNS))
    for name, row in result["dev"].items():
        cells = [f"{row[c]:.3f}" for c in COLUMNS] if row else ["failed"] * len(COLUMNS)
        print(f"| {name} | " + " | ".join(cells) + " |")
    print(f"dev claim core median {result['claims_core_median']}, best {result['best']}"
          + (f"; failed: {', '.join(result['failed'])} (see their train.log)" if result["failed"] else ""))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", required=True)
    p.add_argument("--seeds", required=True, type=parse_seeds, help='"49-56" or "42,43,47"')
    p.add_argument("--set", action="append", default=[], help="override for every run, e.g. training.epochs=12")
    p.add_argument("--parallel", type=int, default=2, help="trainings at a time")
    p.add_argument("--out", type=Path, default=Path("runs/sweep"))
    args = p.parse_args(argv)
    result = sweep(args.config, args.seeds, args.set, args.out, args.parallel)
    print_table(result)
    return 1 if result["failed"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
