"""Span, relation and claim scores of predictions against gold documents.

- spans: seqeval, strict IOB2, over words (a regex word split independent of any tokenizer);
- relations: strict: head span, tail span and label must all match;
- claims: "core" matches quantity span, category span and the actor spans of both roles;
  "full" adds the source and time spans (after paragraph inheritance, on both sides);
- kind accuracy and normalised-value accuracy over the gold quantities.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from seqeval.metrics import classification_report
from seqeval.scheme import IOB2

from ie_model.assemble import assemble
from ie_model.schema import ENTITY_LABELS, RELATION_LABELS, Claim, Document

WORD = re.compile(r"\w+|[^\w\s]")


def _bio(doc: Document) -> list[str]:
    spans = sorted((e.start, e.end, e.label) for e in doc.entities)
    tags = []
    for m in WORD.finditer(doc.text):
        tag = "O"
        for s, e, label in spans:
            if s <= m.start() < e:
                tag = ("B-" if m.start() <= s else "I-") + label
                if tag.startswith("I-") and tags and tags[-1] == "O":
                    tag = "B-" + label     # a span starting mid-word still opens on its first word
                break
        tags.append(tag)
    return tags


def _prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4),
            "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0, "support": n_gold}


def _set_scores(gold: list[set], pred: list[set]) -> dict[str, float]:
    tp = sum(len(g & p) for g, p in zip(gold, pred))
    return _prf(tp, sum(len(p) for p in pred), sum(len(g) for g in gold))


def _relation_keys(doc: Document, label: str | None = None) -> set:
    by_id = {e.id: e for e in doc.entities}
    return {((by_id[r.head].start, by_id[r.head].end), (by_id[r.tail].start, by_id[r.tail].end, by_id[r.tail].label),
             r.label) for r in doc.relations if (label is None or r.label == label)
            and r.head in by_id and r.tail in by_id}


def _spans(parties) -> frozenset:
    return frozenset((p.start, p.end) for p in parties)


def claim_key(c: Claim, full: bool = False) -> tuple:
    key = ((c.quantity.start, c.quantity.end), (c.category.start, c.category.end) if c.category else None,
           _spans(c.affected), _spans(c.agent))
    if full:
        key += (_spans(c.source), (c.time.start, c.time.end) if c.time else None)
    return key


def evaluate_documents(gold: Sequence[Document], pred: Sequence[Document]) -> dict:
    """All scores, as a JSON-ready dict. ``pred[i]`` is the prediction for ``gold[i]``."""
    if [g.id for g in gold] != [p.id for p in pred]:
        raise ValueError("predictions must come in the order of the gold documents")
    report = classification_report([_bio(g) for g in gold], [_bio(p) for p in pred], mode="strict",
                                   scheme=IOB2, output_dict=True, zero_division=0)
    entities = {label: {k: round(float(v), 4) for k, v in report[label].items()}
                for label in ENTITY_LABELS if label in report}
    entities["micro"] = {k: round(float(v), 4) for k, v in report["micro avg"].items()}
    relations = {label: _set_scores([_relation_keys(g, label) for g in gold], [_relation_keys(p, label) for p in pred])
                 for label in RELATION_LABELS}
    relations["micro"] = _set_scores([_relation_keys(g) for g in gold], [_relation_keys(p) for p in pred])
    gold_claims = [assemble(g) for g in gold]
    pred_claims = [assemble(p) for p in pred]
    scores = {"entities": entities, "relations": relations,
              "claims_core": _set_scores([{claim_key(c) for c in cs} for cs in gold_claims],
                                         [{claim_key(c) for c in cs} for cs in pred_claims]),
              "claims_full": _set_scores([{claim_key(c, True) for c in cs} for cs in gold_claims],
                                         [{claim_key(c, True) for c in cs} for cs in pred_claims])}
    scores.update(_quantity_scores(gold_claims, pred_claims))
    scores["documents"] = len(gold)
    return scores


def evaluate_model(extractor, gold: Sequence[Document], batch_size: int | None = None) -> dict:
    """All scores of an extractor's predictions on gold documents (their texts, re-predicted)."""
    preds = extractor.predict([g.text for g in gold], batch_size)
    return evaluate_documents(gold, [Document(g.id, g.text, p.entities, p.relations) for g, p in zip(gold, preds)])


def _quantity_scores(gold_claims: list[list[Claim]], pred_claims: list[list[Claim]]) -> dict:
    kinds, values, total = Counter(), 0, 0
    for gs, ps in zip(gold_claims, pred_claims):
        for g in gs:
            total += 1
            match = next((p for p in ps if p.quantity.start < g.quantity.end and g.quantity.start < p.quantity.end),
                         None)
            if match is None:
                continue
            kinds["matched"] += 1
            kinds["correct"] += match.kind == g.kind
            gq, pq = g.quantity, match.quantity
            values += (gq.value, gq.lower, gq.upper, gq.approx) == (pq.value, pq.lower, pq.upper, pq.approx)
    return {"kind_accuracy": round(kinds["correct"] / kinds["matched"], 4) if kinds["matched"] else 0.0,
            "value_accuracy": round(values / total, 4) if total else 0.0, "quantities": total}


def summary_line(scores: dict) -> str:
    return (f"entities F1 {scores['entities']['micro']['f1-score']:.3f}  relations F1 "
            f"{scores['relations']['micro']['f1']:.3f}  claims core F1 {scores['claims_core']['f1']:.3f}  "
            f"full F1 {scores['claims_full']['f1']:.3f}  kind acc {scores['kind_accuracy']:.3f}  "
            f"value acc {scores['value_accuracy']:.3f}")
