"""Label unannotated documents with an ensemble of trained models, as gold-format training data.

Several models trained alike disagree on the hard cases, and their average is right more often than
any one of them. Training one model on text the ensemble labelled passes some of that on at the
cost of a single model. The labels are the ensemble's, mistakes included: they are kept apart from
the hand-written gold (their own file, listed in a config's ``data.train``) and never evaluated on.

    python -m training.pseudo_label --teachers runs/a runs/b runs/c \\
        --input data/unlabeled/*.jsonl --output data/pseudo/pseudo.jsonl

Each output document keeps to the gold contract (``ie-model data validate`` passes): a QUANTITY the
ensemble tied to no CATEGORY makes no claim (``assemble``), so it is left out with its links, and a
QUANTITY keeps only its best category.
"""
from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

from ie_model.io.gold import check_document, write_gold
from ie_model.schema import Document, Entity, Relation


def pseudo_document(doc_id: str, text: str, entities: Sequence[Entity], relations: Sequence[Relation]) -> Document:
    """A predicted document as gold: no scores, one category per QUANTITY, none without."""
    best_category: dict[str, Relation] = {}
    for r in relations:
        if r.label == "category" and (r.head not in best_category or (r.score or 0) > (best_category[r.head].score or 0)):
            best_category[r.head] = r
    dropped = {e.id for e in entities if e.label == "QUANTITY" and e.id not in best_category}
    kept = [Entity(e.id, e.start, e.end, e.label, e.kind) for e in entities if e.id not in dropped]
    links = [Relation(r.head, r.tail, r.label) for r in relations
             if r.head not in dropped and r.tail not in dropped
             and (r.label != "category" or best_category[r.head] is r)]
    return Document(doc_id, text, kept, links)


def read_texts(paths: Sequence[str | Path]) -> list[tuple[str, str]]:
    """(id, text) of every line of JSONL files with "id" and "text"; ids must be unique."""
    rows, seen = [], set()
    for path in paths:
        with Path(path).open(encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                if not line.strip():
                    continue
                row = json.loads(line)
                doc_id, text = str(row["id"]), row["text"]
                if doc_id in seen or not text.strip():
                    raise ValueError(f"{path}:{lineno}: duplicate id or empty text ({doc_id!r})")
                seen.add(doc_id)
                rows.append((doc_id, text))
    return rows


def pseudo_label(extractor, rows: Sequence[tuple[str, str]]) -> list[Document]:
    preds = extractor.predict([text for _, text in rows])
    docs = [pseudo_document(doc_id, text, p.entities, p.relations) for (doc_id, text), p in zip(rows, preds)]
    for doc in docs:
        problems = check_document(doc)
        if problems:
            raise ValueError(f"{doc.id}: the labelled document breaks the gold contract: {problems}")
    return docs


def main() -> None:
    from ie_model.extractor import load
    from ie_model.io.gold import read_gold
    from training.thresholds import tune_relation_thresholds

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--teachers", nargs="+", required=True, help="model folders, trained alike (the ensemble)")
    p.add_argument("--input", nargs="+", required=True, help="JSONL files of {id, text}")
    p.add_argument("--output", type=Path, required=True)
    p.add_argument("--dev", nargs="*", default=["data/gold/dev.jsonl"],
                   help="gold to tune the ensemble's relation thresholds on (none: 0.5)")
    p.add_argument("--device", default="auto")
    args = p.parse_args()
    if any("test" in Path(f).name for f in args.dev):
        raise SystemExit("thresholds are tuned on dev, never on the test split")
    extractor = load(args.teachers, device=args.device)
    if args.dev:
        extractor.relation_threshold, dev = tune_relation_thresholds(extractor, read_gold(args.dev))
        print(f"ensemble of {len(args.teachers)} on dev: claim core {dev['claims_core']['f1']:.3f}, "
              f"thresholds {extractor.relation_threshold}", flush=True)
    rows = read_texts(args.input)
    docs = pseudo_label(extractor, rows)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    write_gold(docs, args.output)
    claims = sum(sum(1 for e in d.entities if e.label == "QUANTITY") for d in docs)
    meta = {"teachers": args.teachers, "inputs": args.input, "documents": len(docs), "claims": claims,
            "relation_thresholds": extractor.relation_threshold}
    args.output.with_suffix(".meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    print(json.dumps(meta))


if __name__ == "__main__":
    main()
