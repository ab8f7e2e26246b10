"""Why claims fail the "core" match: an error breakdown of a model's claims against gold.

    python benchmarks/claim_errors.py                         # default model, data/gold/dev.jsonl
    python benchmarks/claim_errors.py --model models/full --examples 3
    python benchmarks/claim_errors.py --gold data/gold/train.jsonl --save-predictions runs/train_pred.jsonl
    python benchmarks/claim_errors.py --predictions runs/train_pred.jsonl --gold data/gold/train.jsonl

Gold and predicted claims are assembled with ``ie_model.assemble`` (as the evaluation does) and
paired by identical quantity span. A core match (``evaluation.claim_key``) needs the same
quantity, category, affected and agent spans; every pair that misses it is explained field by field:

- quantity: ``missed`` (no predicted claim on the gold quantity span), ``boundary`` (a predicted
  quantity overlaps it with other offsets), ``spurious`` (a predicted quantity overlapping no gold one);
- category: ``missing`` (the predicted claim has none), ``boundary`` (overlapping span),
  ``wrong`` (a span that does not overlap the gold one);
- affected / agent (sets of spans): ``missing`` (gold spans the prediction lacks), ``extra``
  (predicted spans gold lacks), ``boundary`` (overlapping spans), ``swapped`` (the gold span is
  linked with the other role), ``different`` (both missing and extra spans).

For missing links a cause is also counted: the gold span was not predicted as an entity at all
(``no-entity``), the entity was predicted but not linked (``no-link``), or the gold link crosses a
sentence boundary, which decoding never predicts for affected/agent (``cross-sentence``); and for
extra links whether the predicted span is a gold ACTOR left unlinked in this claim
(``gold-actor-not-linked``), overlaps some other gold span (``overlaps-other-gold-span``, e.g. an
actor word split off a gold CATEGORY), or is no gold span at all (``not-a-gold-span``).

The "F1 if fixed" column is the claim core F1 reached if every pair whose only error is that
row were a match (an upper bound on what fixing that cause alone can gain).

Never point this at the held-out test split (data/gold/test.jsonl).
"""
from __future__ import annotations

import argparse
import bisect
import json
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ie_model.assemble import assemble  # noqa: E402
from ie_model.evaluation import claim_key  # noqa: E402
from ie_model.io.gold import read_gold  # noqa: E402
from ie_model.schema import Claim, Document  # noqa: E402
from ie_model.text import sentence_starts  # noqa: E402

ROLES = ("affected", "agent")
SHORT = {"quantity": "Q", "category": "C", "affected": "AFF", "agent": "AGT"}


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


@dataclass
class PairError:
    """What separates one gold claim from its predicted counterpart (None: no counterpart)."""
    doc: Document
    pred_doc: Document
    gold: Claim | None
    pred: Claim | None
    errors: list[str] = field(default_factory=list)     # e.g. "category:boundary", "affected:missing"
    causes: list[str] = field(default_factory=list)     # e.g. "affected:missing:no-link"

    @property
    def signature(self) -> str:
        return " + ".join(self.errors)


# ---- predictions -------------------------------------------------------------------------

def predict(gold: list[Document], model: str | None, threads: int) -> list[Document]:
    import torch

    import ie_model

    torch.set_num_threads(threads)
    extractor = ie_model.load(model, device="cpu")
    preds = extractor.predict([d.text for d in gold])
    return [Document(g.id, g.text, p.entities, p.relations) for g, p in zip(gold, preds)]


def save_predictions(docs: list[Document], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps(d.to_dict(), ensure_ascii=False) + "\n")


def load_predictions(gold: list[Document], path: Path) -> list[Document]:
    by_id = {}
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                d = Document.from_dict(json.loads(line))
                by_id[d.id] = d
    missing = [g.id for g in gold if g.id not in by_id]
    if missing:
        raise SystemExit(f"{path}: no prediction for {len(missing)} gold documents (e.g. {missing[0]})")
    return [by_id[g.id] for g in gold]


# ---- comparison --------------------------------------------------------------------------

def _span(m) -> tuple[int, int]:
    return (m.start, m.end)


def _compare_roles(gold: Claim, pred: Claim, role: str, gold_doc: Document, pred_doc: Document,
                   sentences: list[int]) -> tuple[str | None, list[str]]:
    other = "agent" if role == "affected" else "affected"
    g = {_span(p) for p in getattr(gold, role)}
    p = {_span(x) for x in getattr(pred, role)}
    if g == p:
        return None, []
    only_g, only_p = g - p, p - g
    boundary = {(a, b) for a in only_g for b in only_p if _overlaps(a, b)}
    only_g -= {a for a, _ in boundary}
    only_p -= {b for _, b in boundary}
    swapped = only_g & {_span(x) for x in getattr(pred, other)}
    causes = []
    pred_entities = {(e.start, e.end) for e in pred_doc.entities if e.label == "ACTOR"}
    q = _span(gold.quantity)
    for a in only_g - swapped:
        if _sentence(sentences, a[0]) != _sentence(sentences, q[0]):
            causes.append(f"{role}:missing:cross-sentence")
        elif a not in pred_entities:
            causes.append(f"{role}:missing:no-entity")
        else:
            causes.append(f"{role}:missing:no-link")
    gold_actors = {(e.start, e.end) for e in gold_doc.entities if e.label == "ACTOR"}
    for b in only_p:
        if b in {_span(x) for x in getattr(gold, other)}:
            causes.append(f"{role}:extra:other-role-in-gold")
        elif b in gold_actors:
            causes.append(f"{role}:extra:gold-actor-not-linked")
        elif any(_overlaps(b, (e.start, e.end)) for e in gold_doc.entities):
            causes.append(f"{role}:extra:overlaps-other-gold-span")
        else:
            causes.append(f"{role}:extra:not-a-gold-span")
    if swapped and not (only_g - swapped) and not boundary:
        kind = "swapped"
    elif boundary and not only_g and not only_p:
        kind = "boundary"
    elif only_g and only_p:
        kind = "different"
    elif only_g:
        kind = "missing"
    elif only_p:
        kind = "extra"
    else:
        kind = "different"   # boundary mixed with missing/extra
    return kind, causes


def _sentence(sentences: list[int], offset: int) -> int:
    return bisect.bisect_right(sentences, offset) - 1


def compare_pair(gold_doc: Document, pred_doc: Document, gold: Claim, pred: Claim) -> PairError:
    err = PairError(gold_doc, pred_doc, gold, pred)
    gc, pc = gold.category, pred.category
    if gc is None:   # only in unvalidated gold: every gold QUANTITY has exactly one category
        if pc is not None:
            err.errors.append("category:extra")
    elif pc is None:
        err.errors.append("category:missing")
        pred_cats = {_span(e) for e in pred_doc.entities if e.label == "CATEGORY"}
        err.causes.append("category:missing:" + ("no-link" if _span(gc) in pred_cats else "no-entity"))
    elif _span(gc) != _span(pc):
        if _overlaps(_span(gc), _span(pc)):
            err.errors.append("category:boundary")
        else:
            err.errors.append("category:wrong")
            pred_cats = {_span(e) for e in pred_doc.entities if e.label == "CATEGORY"}
            err.causes.append("category:wrong:" + ("gold-span-is-entity" if _span(gc) in pred_cats
                                                  else "gold-span-not-entity"))
    sentences = sentence_starts(gold_doc.text)
    for role in ROLES:
        kind, causes = _compare_roles(gold, pred, role, gold_doc, pred_doc, sentences)
        if kind:
            err.errors.append(f"{role}:{kind}")
            err.causes.extend(causes)
    return err


def analyse(gold_docs: list[Document], pred_docs: list[Document]) -> tuple[list[PairError], dict]:
    """Every core error of the corpus, and the gold/pred/tp claim counts."""
    errors: list[PairError] = []
    totals = Counter()
    for gd, pd in zip(gold_docs, pred_docs):
        gold_claims, pred_claims = assemble(gd), assemble(pd)
        totals["gold"] += len(gold_claims)
        totals["pred"] += len(pred_claims)
        pred_by_q = {_span(c.quantity): c for c in pred_claims}
        gold_by_q = {_span(c.quantity): c for c in gold_claims}
        pred_keys = {claim_key(c) for c in pred_claims}
        totals["tp"] += len({claim_key(c) for c in gold_claims} & pred_keys)
        for g in gold_claims:
            q = _span(g.quantity)
            p = pred_by_q.get(q)
            if p is None:
                near = next((c for c in pred_claims if _overlaps(_span(c.quantity), q)
                             and _span(c.quantity) not in gold_by_q), None)
                errors.append(PairError(gd, pd, g, near, ["quantity:boundary" if near else "quantity:missed"]))
            elif claim_key(g) != claim_key(p):
                errors.append(compare_pair(gd, pd, g, p))
        for p in pred_claims:
            q = _span(p.quantity)
            if q not in gold_by_q and not any(_overlaps(q, k) for k in gold_by_q):
                errors.append(PairError(gd, pd, None, p, ["quantity:spurious"]))
    return errors, dict(totals)


# ---- reporting ---------------------------------------------------------------------------

def _f1(tp: int, n_gold: int, n_pred: int) -> float:
    return 2 * tp / (n_gold + n_pred) if n_gold + n_pred else 0.0


def _fixed_f1(totals: dict, signature_errors: list[PairError]) -> float:
    """Core F1 if these errors were fixed (a pair becomes a match; a spurious claim goes away)."""
    tp, pred = totals["tp"], totals["pred"]
    for e in signature_errors:
        if e.gold is None:
            pred -= 1
        elif e.pred is None:
            tp, pred = tp + 1, pred + 1
        else:
            tp += 1
    return _f1(tp, totals["gold"], pred)


def _cost(e: PairError) -> int:
    """The error's weight in FN + FP: a wrong pair costs one of each."""
    return 2 if (e.gold is not None and e.pred is not None) else 1


def print_tables(errors: list[PairError], totals: dict) -> None:
    tp, n_gold, n_pred = totals["tp"], totals["gold"], totals["pred"]
    fn, fp = n_gold - tp, n_pred - tp
    print(f"claims: gold {n_gold}  pred {n_pred}  core TP {tp}  FN {fn}  FP {fp}  "
          f"P {tp / max(n_pred, 1):.3f}  R {tp / max(n_gold, 1):.3f}  F1 {_f1(tp, n_gold, n_pred):.3f}")
    print(f"error units (FN+FP) {fn + fp}; a wrong pair counts 2, a missed or spurious quantity 1\n")

    by_field = Counter(x for e in errors for x in e.errors)
    only = defaultdict(list)
    for e in errors:
        if len(e.errors) == 1:
            only[e.errors[0]].append(e)
    units = fn + fp
    print("| error (any pair showing it) | pairs | alone | share of FN+FP (alone) | F1 if fixed (alone) |")
    print("|---|---:|---:|---:|---:|")
    for name, n in sorted(by_field.items(), key=lambda kv: (kv[0].split(":")[0], -kv[1])):
        alone = only.get(name, [])
        share = sum(_cost(e) for e in alone) / units if units else 0
        print(f"| {name} | {n} | {len(alone)} | {share:.1%} | {_fixed_f1(totals, alone):.3f} |")

    fields = Counter(x.split(":")[0] for e in errors for x in set(e.errors))
    print("\n| field wrong (pairs) | " + " | ".join(SHORT) + " |")
    print("|---|" + "---:|" * len(SHORT))
    print("| pairs | " + " | ".join(str(fields.get(f, 0)) for f in SHORT) + " |")

    print("\n| combination | pairs | F1 if fixed |")
    print("|---|---:|---:|")
    combos = defaultdict(list)
    for e in errors:
        combos[e.signature].append(e)
    for sig, es in sorted(combos.items(), key=lambda kv: -len(kv[1])):
        print(f"| {sig} | {len(es)} | {_fixed_f1(totals, es):.3f} |")

    causes = Counter(c for e in errors for c in e.causes)
    if causes:
        print("\n| cause of a missing/extra/wrong link | links |")
        print("|---|---:|")
        for c, n in causes.most_common():
            print(f"| {c} | {n} |")
    print()


def _mark(text: str, spans: list[tuple[int, int, str]], lo: int, hi: int) -> str:
    out, pos = [], lo
    for s, e, tag in sorted(spans):
        if s < pos or e > hi:
            continue
        out.append(text[pos:s] + f"[{text[s:e]}|{tag}]")
        pos = e
    out.append(text[pos:hi])
    return " ".join("".join(out).split())


def _claim_spans(c: Claim | None) -> list[tuple[int, int, str]]:
    if c is None:
        return []
    spans = [(c.quantity.start, c.quantity.end, "Q")]
    if c.category:
        spans.append((c.category.start, c.category.end, "C"))
    spans += [(a.start, a.end, "AFF") for a in c.affected] + [(a.start, a.end, "AGT") for a in c.agent]
    return spans


def render(e: PairError, width: int = 400) -> str:
    text = e.doc.text
    g, p = _claim_spans(e.gold), _claim_spans(e.pred)
    offsets = [s for s, _, _ in g + p] + [t for _, t, _ in g + p]
    starts = sentence_starts(text)
    lo = starts[_sentence(starts, min(offsets))]
    nxt = bisect.bisect_right(starts, max(offsets) - 1)
    hi = starts[nxt] if nxt < len(starts) else len(text)
    if hi - lo > width:   # long sentences (tables): centre on the quantity
        q = (e.gold or e.pred).quantity.start
        lo, hi = max(lo, min(min(offsets), q - width // 2)), min(hi, max(max(offsets), q + width // 2))
    lines = [f"  [{e.doc.id}] {e.signature}" + (f"   ({', '.join(e.causes)})" if e.causes else "")]
    lines.append("    gold: " + (_mark(text, g, lo, hi) if e.gold else "(no claim)"))
    lines.append("    pred: " + (_mark(text, p, lo, hi) if e.pred else "(no claim)"))
    return "\n".join(lines)


def print_examples(errors: list[PairError], n: int, by: str) -> None:
    groups = defaultdict(list)
    for e in errors:
        keys = [e.signature] if by == "combination" else e.errors
        for k in keys:
            groups[k].append(e)
    for k, es in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        print(f"### {k} ({len(es)})")
        for e in es[:n]:
            print(render(e))
        print()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", help="model folder (default: the shipped default model)")
    ap.add_argument("--gold", default=str(ROOT / "data" / "gold" / "dev.jsonl"), help="gold JSONL (default: dev)")
    ap.add_argument("--examples", type=int, default=0, metavar="N", help="print N examples per error category")
    ap.add_argument("--by", choices=("field", "combination"), default="field",
                    help="group examples by single field error (default) or by exact combination")
    ap.add_argument("--only", help="print examples only for categories containing this string")
    ap.add_argument("--predictions", help="read predictions (JSONL documents) instead of running a model")
    ap.add_argument("--save-predictions", help="write the model's predictions here for later --predictions runs")
    ap.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    args = ap.parse_args(argv)

    if Path(args.gold).name.startswith("test") or "/src/test_" in args.gold:
        raise SystemExit("the test split is held out: run this on dev or train")
    gold = read_gold(args.gold)
    if args.predictions:
        preds = load_predictions(gold, Path(args.predictions))
    else:
        preds = predict(gold, args.model, args.threads)
        if args.save_predictions:
            save_predictions(preds, Path(args.save_predictions))
    errors, totals = analyse(gold, preds)
    print(f"gold {args.gold}  model {args.predictions or args.model or 'default'}  documents {len(gold)}\n")
    print_tables(errors, totals)
    if args.examples:
        shown = [e for e in errors if not args.only or args.only in e.signature]
        print_examples(shown, args.examples, args.by)


if __name__ == "__main__":
    main()
