"""Per-label relation thresholds, tuned on the dev split.

The relation head's probabilities are not calibrated alike for every label: an adapter may be
sure of sources and timid about agents. After training, each of affected / agent / source / time
gets the threshold that maximises dev claim F1 (core + full), one label at a time, on a coarse
grid so that 69 dev documents cannot be overfitted much. The model runs once; only decoding is
repeated. The result goes into the model's config (``relation_thresholds``), which the extractor reads.

    python -m training.thresholds --model runs/lora3 [--dev data/gold/dev.jsonl]
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from ie_model.decode import merge_document
from ie_model.evaluation import evaluate_documents
from ie_model.schema import Document

LABELS = ("affected", "agent", "source", "time")
GRID = (0.3, 0.4, 0.5, 0.6, 0.7)
MIN_GAIN = 0.005        # move off 0.5 only for at least half a point of dev F1


def tune_relation_thresholds(extractor, dev_docs: list[Document]) -> tuple[dict[str, float], dict]:
    """Thresholds per relation label, and the dev scores they give."""
    windows = extractor.window_predictions([d.text for d in dev_docs])

    def scores(thresholds: dict[str, float]) -> dict:
        preds = [Document(d.id, d.text, *merge_document(w, d.text, thresholds)) for d, w in zip(dev_docs, windows)]
        return evaluate_documents(dev_docs, preds)

    def objective(s: dict) -> float:
        return s["claims_core"]["f1"] + s["claims_full"]["f1"]

    thresholds = {label: 0.5 for label in LABELS}
    best = objective(scores(thresholds))
    for label in LABELS:
        for value in GRID:
            trial = {**thresholds, label: value}
            score = objective(scores(trial))
            if score > best + MIN_GAIN:
                thresholds, best = trial, score
    return thresholds, scores(thresholds)


def tune_saved_model(folder: Path, dev_docs: list[Document], device: str = "cpu") -> tuple[dict[str, float], dict]:
    """Tune a saved model's thresholds, write them into its config.json; the thresholds and dev scores."""
    from ie_model.extractor import load

    extractor = load(folder, device=device)
    thresholds, dev = tune_relation_thresholds(extractor, dev_docs)
    config_path = Path(folder) / "config.json"
    config = json.loads(config_path.read_text())
    config["relation_thresholds"] = thresholds
    config_path.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
    return thresholds, dev


def main() -> None:
    from ie_model.io.gold import read_gold

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", type=Path, required=True, help="saved model folder; its config.json is updated")
    p.add_argument("--dev", nargs="+", default=["data/gold/dev.jsonl"])
    args = p.parse_args()
    if any("test" in Path(f).name for f in args.dev):
        raise SystemExit("thresholds are tuned on dev, never on the test split")
    thresholds, dev = tune_saved_model(args.model, read_gold(args.dev), device="cpu")
    print(json.dumps({"relation_thresholds": thresholds, "dev_claims_core_f1": dev["claims_core"]["f1"],
                      "dev_claims_full_f1": dev["claims_full"]["f1"]}))


if __name__ == "__main__":
    main()
