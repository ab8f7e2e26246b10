"""Windows (+ spans) -> padded tensors. The same features feed training and inference."""
from __future__ import annotations

from collections.abc import Sequence

import torch

from ie_model.decode import SpanGuess, gold_span_guesses, quantity_indices
from ie_model.encode import IGNORE, RELATION_CLASSES, Window
from ie_model.schema import ENTITY_LABELS, KINDS, Document

_ENTITY_ID = {label: i for i, label in enumerate(ENTITY_LABELS)}


def token_features(w: Window) -> dict:
    """Plain lists for the encoder's side of one window."""
    return {"input_ids": w.input_ids, "shape_ids": w.shape_ids, "sentence_ids": w.sentence_ids,
            "paragraph_ids": w.paragraph_ids}


def span_features(spans: Sequence[SpanGuess]) -> dict:
    """Plain lists for the spans the span heads should look at in one window."""
    return {"spans": [[s.first, s.last] for s in spans], "span_labels": [_ENTITY_ID[s.label] for s in spans],
            "heads": quantity_indices(list(spans))}


def training_features(w: Window, doc: Document) -> dict:
    """Token and span features on the gold spans, plus every target: tags, kinds, relations.

    Pairs across paragraphs and pairs with a QUANTITY tail are no candidates (IGNORE).
    """
    spans = gold_span_guesses(w, doc.entities)
    feats = {**token_features(w), **span_features(spans)}
    by_span = {(e.start, e.end, e.label): e for e in doc.entities}
    ids = [by_span[(s.start, s.end, s.label)].id for s in spans]
    gold = {(r.head, r.tail): RELATION_CLASSES.index(r.label) for r in doc.relations}
    kinds, relations = [], []
    for qi in feats["heads"]:
        q = by_span[(spans[qi].start, spans[qi].end, "QUANTITY")]
        kinds.append(KINDS.index(q.kind) if q.kind in KINDS else IGNORE)
        row = []
        for ti, t in enumerate(spans):
            same_paragraph = w.paragraph_ids[t.first] == w.paragraph_ids[spans[qi].first]
            row.append(gold.get((ids[qi], ids[ti]), 0) if t.label != "QUANTITY" and same_paragraph else IGNORE)
        relations.append(row)
    return {**feats, "tags": w.tags, "kind_labels": kinds, "relation_labels": relations}


def _pad(rows: list[list], value, width: int | None = None) -> torch.Tensor:
    width = max((len(r) for r in rows), default=0) if width is None else width
    return torch.tensor([list(r) + [value] * (width - len(r)) for r in rows], dtype=torch.long)


def token_width(lengths: Sequence[int], multiple: int = 1, limit: int | None = None) -> int:
    """The padded token length of a batch: its longest row rounded up to ``multiple``, but never past
    ``limit`` (the window length, which the encoder is known to accept) unless a row is longer."""
    longest = max(lengths, default=0)
    rounded = -(-longest // multiple) * multiple
    return longest if limit is not None and rounded > max(limit, longest) else rounded


def pair_groups(sizes: Sequence[tuple[int, int]], budget: int) -> list[list[int]]:
    """Indices of the windows that have quantities, grouped for the span heads so that a group's padded
    pair count (windows x most quantities x most spans) stays within ``budget``; a window larger than
    the budget is a group of its own. Windows of similar size go together, to waste little padding."""
    order = sorted((i for i, (q, _) in enumerate(sizes) if q), key=lambda i: -sizes[i][0] * sizes[i][1])
    groups: list[list[int]] = []
    most_q = most_s = 0
    for i in order:
        q, s = sizes[i]
        if groups and (len(groups[-1]) + 1) * max(most_q, q) * max(most_s, s) <= budget:
            groups[-1].append(i)
            most_q, most_s = max(most_q, q), max(most_s, s)
        else:
            groups.append([i])
            most_q, most_s = q, s
    return groups


def collate_tokens(rows: list[dict], pad_to_multiple_of: int = 1, max_width: int | None = None) -> dict[str, torch.Tensor]:
    """Pad token features into a batch. ``pad_to_multiple_of`` rounds the token axis up (capped at
    ``max_width``): fewer distinct shapes for the CPU kernels, see Extractor.PAD_TO_MULTIPLE_OF."""
    width = token_width([len(r["input_ids"]) for r in rows], pad_to_multiple_of, max_width)
    batch = {key: _pad([r[key] for r in rows], 0, width)
             for key in ("input_ids", "shape_ids", "sentence_ids", "paragraph_ids")}
    batch["attention_mask"] = _pad([[1] * len(r["input_ids"]) for r in rows], 0, width)
    return batch


def collate_spans(rows: list[dict]) -> dict[str, torch.Tensor]:
    """Pad span features into a batch (padding spans point at token 0 and are never heads)."""
    n_spans = max((len(r["spans"]) for r in rows), default=0)
    return {"spans": torch.tensor([r["spans"] + [[0, 0]] * (n_spans - len(r["spans"])) for r in rows],
                                  dtype=torch.long).reshape(len(rows), n_spans, 2),
            "span_labels": _pad([r["span_labels"] for r in rows], 0),
            "heads": _pad([r["heads"] for r in rows], 0)}


def collate(rows: list[dict], pad_to_multiple_of: int = 1, max_width: int | None = None) -> dict[str, torch.Tensor]:
    """Pad a list of window feature dicts into a batch; targets are padded with IGNORE."""
    batch = {**collate_tokens(rows, pad_to_multiple_of, max_width), **collate_spans(rows)}
    width, n_spans = batch["input_ids"].size(1), batch["spans"].size(1)
    if "tags" in rows[0]:
        batch["tags"] = _pad([r["tags"] for r in rows], IGNORE, width)
        batch["kind_labels"] = _pad([r["kind_labels"] for r in rows], IGNORE)
        n_heads = batch["heads"].size(1)
        batch["relation_labels"] = torch.full((len(rows), n_heads, n_spans), IGNORE, dtype=torch.long)
        for b, r in enumerate(rows):
            for qi, row in enumerate(r["relation_labels"]):
                batch["relation_labels"][b, qi, :len(row)] = torch.tensor(row, dtype=torch.long)
    return batch
