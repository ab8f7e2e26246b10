"""How often two annotators agree, and where a model stands between them.

    python benchmarks/agreement.py [--model ie_model/default_model]

``data/gold/agreement/`` holds documents of dev_writers (the 64 "dw13" ones), dev and the seed article
as annotated a second time, from their plain text and the guide alone, by annotators who never saw the
gold (brief: ``data/gold/briefs/second_annotator.md``). Each group is scored three ways with the project's
evaluation: the second annotator against the gold (the agreement a model can hope for), the model against
the gold (what the bars measure) and the model against the second annotator.
Nothing here is ever trained on; the held-out test split is not part of it.
"""
from __future__ import annotations

import argparse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLD = [ROOT / "data" / "gold" / "dev_writers.jsonl", ROOT / "data" / "gold" / "dev.jsonl",
        ROOT / "data" / "examples" / "seed_article.jsonl"]


def group_of(doc_id: str) -> str:
    return "seed article" if doc_id == "seed-article" else "dw13" if doc_id.startswith("y") else "dev sample"


def main() -> None:
    from ie_model.evaluation import evaluate_documents
    from ie_model.extractor import load
    from ie_model.io.gold import read_gold
    from ie_model.schema import Document

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default=None, help="model folder (default: the shipped model)")
    args = p.parse_args()
    gold = {d.id: d for path in GOLD for d in read_gold(path)}
    second = [d for f in sorted((ROOT / "data" / "gold" / "agreement").glob("*.markup")) for d in read_gold(f)]
    extractor = load(args.model, device="cpu")
    predicted = {d.id: Document(d.id, d.text, p.entities, p.relations)
                 for d, p in zip(second, extractor.predict([d.text for d in second]))}
    print("| documents | compared | n | claim core F1 | claim full F1 | entity F1 | relation F1 |")
    print("|---|---|---|---|---|---|---|")
    for group in ("dw13", "dev sample", "seed article"):
        docs = [d for d in second if group_of(d.id) == group]
        ref, model = [gold[d.id] for d in docs], [predicted[d.id] for d in docs]
        for name, a, b in (("second annotator vs gold", ref, docs), ("model vs gold", ref, model),
                           ("model vs second annotator", docs, model)):
            s = evaluate_documents(a, b)
            print(f"| {group} | {name} | {len(docs)} | {s['claims_core']['f1']:.3f} | {s['claims_full']['f1']:.3f} "
                  f"| {s['entities']['micro']['f1-score']:.3f} | {s['relations']['micro']['f1']:.3f} |")


if __name__ == "__main__":
    main()
