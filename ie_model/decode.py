"""Logits -> valid BIO spans -> relations; windows of one document merged.

Pure functions of arrays and windows (no torch here), so decoding is tested without a model.
"""
from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ie_model.encode import BIO_LABELS, RELATION_CLASSES, Window, span_tokens
from ie_model.guide_rules import SentenceOf, apply_guide_rules
from ie_model.schema import KINDS, Entity, Relation
from ie_model.text import crosses_paragraph

_NEG = -1e9


def _allowed_transitions() -> np.ndarray:
    """allowed[i, j]: tag j may follow tag i. I-X only continues B-X or I-X (strict IOB2)."""
    n = len(BIO_LABELS)
    allowed = np.ones((n, n), dtype=bool)
    for j, tag in enumerate(BIO_LABELS):
        if tag.startswith("I-"):
            for i, prev in enumerate(BIO_LABELS):
                allowed[i, j] = prev[2:] == tag[2:] and prev != "O"
    return allowed


def _within_paragraph(allowed: np.ndarray) -> np.ndarray:
    """Also no B-X right after a span of X. In the gold (1,359 documents) two spans of one label
    touch only across a paragraph break; inside a paragraph the tagger's "FDS | soldiers" as two
    categories is an error, and Viterbi must choose between one span and another label instead."""
    allowed = allowed.copy()
    for j, tag in enumerate(BIO_LABELS):
        if tag.startswith("B-"):
            for i, prev in enumerate(BIO_LABELS):
                if prev != "O" and prev[2:] == tag[2:]:
                    allowed[i, j] = False
    return allowed


_ALLOWED = _allowed_transitions()
_ALLOWED_IN_PARAGRAPH = _within_paragraph(_ALLOWED)
# Transition scores: 0 where allowed, _NEG where not; built once, used at every step of every window.
_ACROSS_PARAGRAPHS = np.where(_ALLOWED, 0.0, _NEG)
_WITHIN_PARAGRAPH = np.where(_ALLOWED_IN_PARAGRAPH, 0.0, _NEG)
_CAN_START = np.array([not t.startswith("I-") for t in BIO_LABELS])


def viterbi(log_probs: np.ndarray, new_paragraph: Sequence[bool] | None = None) -> list[int]:
    """The best tag sequence under strict IOB2 for (T, num_tags) log-probabilities. Two spans of one
    label may touch only where ``new_paragraph[t]`` says position t starts a new paragraph."""
    if len(log_probs) == 0:
        return []
    # The constraints only forbid: when the best tag of every token already forms an allowed sequence
    # (most windows), it is the best allowed sequence too, and the dynamic programme can be skipped.
    greedy = log_probs.argmax(1)
    if _is_allowed(greedy, new_paragraph):
        return greedy.tolist()
    return _best_allowed_path(log_probs, new_paragraph)


def _best_allowed_path(log_probs: np.ndarray, new_paragraph: Sequence[bool] | None) -> list[int]:
    score = np.where(_CAN_START, log_probs[0], _NEG)
    back = np.zeros((len(log_probs), len(BIO_LABELS)), dtype=np.int64)
    for t in range(1, len(log_probs)):
        starts_paragraph = new_paragraph is not None and new_paragraph[t]
        cand = score[:, None] + (_ACROSS_PARAGRAPHS if starts_paragraph else _WITHIN_PARAGRAPH)
        back[t] = cand.argmax(0)
        score = cand.max(0) + log_probs[t]
    path = [int(score.argmax())]
    for t in range(len(log_probs) - 1, 0, -1):
        path.append(int(back[t, path[-1]]))
    return path[::-1]


def _is_allowed(path: np.ndarray, new_paragraph: Sequence[bool] | None) -> bool:
    if not _CAN_START[path[0]]:
        return False
    prev, cur = path[:-1], path[1:]
    within = _ALLOWED_IN_PARAGRAPH[prev, cur]
    if new_paragraph is not None:
        within = np.where(np.asarray(new_paragraph, dtype=bool)[1:], _ALLOWED[prev, cur], within)
    return bool(within.all())


@dataclass
class SpanGuess:
    """A decoded span of one window, in token and char coordinates."""
    first: int          # token index of its first word start
    last: int           # token index of its last word start
    start: int          # char offsets in the document
    end: int
    label: str
    score: float


def decode_spans(w: Window, tag_log_probs: np.ndarray) -> list[SpanGuess]:
    """Strict-IOB2 spans of a window from its (L, num_tags) tag log-probabilities."""
    positions = w.word_starts
    paragraphs = [w.paragraph_ids[p] for p in positions]
    new_paragraph = [t > 0 and paragraphs[t] != paragraphs[t - 1] for t in range(len(positions))]
    path = viterbi(tag_log_probs[positions], new_paragraph)
    probs = np.exp(tag_log_probs[positions, path]).tolist() if positions else []
    spans, current = [], None
    for pos, tag_id, p in zip(positions, path, probs):
        tag = BIO_LABELS[tag_id]
        if tag.startswith("I-") and current is not None:
            current[1], current[3] = pos, current[3] + [p]
            continue
        if current is not None:
            spans.append(current)
        current = [pos, pos, tag[2:], [p]] if tag.startswith("B-") else None
    if current is not None:
        spans.append(current)
    return [SpanGuess(first, last, w.offsets[first][0], w.word_end[last], label, float(np.mean(ps)))
            for first, last, label, ps in spans]


def gold_span_guesses(w: Window, entities: list[Entity]) -> list[SpanGuess]:
    """Gold spans that lie whole inside the window, as the span heads see them."""
    out = []
    for e in entities:
        tokens = span_tokens(w, e.start, e.end)
        if tokens is not None:
            out.append(SpanGuess(tokens[0], tokens[1], e.start, e.end, e.label, 1.0))
    return out


@dataclass
class WindowPrediction:
    """What the model said about one window, ready to merge with its neighbours."""
    window: Window
    spans: list[SpanGuess]
    kind_probs: np.ndarray          # (Q, K) for the QUANTITY spans, in span order
    relation_probs: np.ndarray      # (Q, S, R)


def quantity_indices(spans: list[SpanGuess]) -> list[int]:
    return [i for i, s in enumerate(spans) if s.label == "QUANTITY"]


def merge_document(preds: list[WindowPrediction], text: str, relation_threshold: float | Mapping[str, float] = 0.5,
                   category_floor: float = 0.1) -> tuple[list[Entity], list[Relation]]:
    """Entities and relations of one document from its windows, without duplicates.

    ``relation_threshold``: the probability an affected/agent/source/time link needs, one for all
    or one per label (tuned on dev, see training/thresholds.py; a label left out takes 0.5).

    Each window answers for the spans that start in the chars it owns (the middle of each overlap),
    so a span seen by two windows is kept once, from the window where it sits most centrally. A span
    that starts in one window's chars may end in the next one's, where that window can have read
    its end as a span of its own ("more than [many analysts]"): the earlier span is kept, so that
    no two entities overlap.
    """
    entities: dict[tuple[int, int, str], Entity] = {}
    relations: dict[tuple[str, str, str], Relation] = {}
    kept_until = 0
    for p in sorted(preds, key=lambda p: p.window.own_start):
        own = sorted((s for s in p.spans if p.window.own_start <= s.start < p.window.own_end), key=lambda s: s.start)
        for s in own:
            key = (s.start, s.end, s.label)
            if key in entities or s.start < kept_until:
                continue
            entities[key] = Entity(id=f"e{len(entities) + 1}", start=s.start, end=s.end, label=s.label,
                                   score=s.score)
            kept_until = s.end
    for p in preds:
        for qi, si in enumerate(quantity_indices(p.spans)):
            q = p.spans[si]
            head = entities.get((q.start, q.end, q.label))
            if head is None or not p.window.own_start <= q.start < p.window.own_end:
                continue
            head.kind = KINDS[int(p.kind_probs[qi].argmax())]
            for rel in _relations_of(p, qi, q, text, entities, relation_threshold, category_floor):
                relations.setdefault((rel.head, rel.tail, rel.label), rel)
    ordered = sorted(entities.values(), key=lambda e: e.start)
    return apply_guide_rules(text, ordered, list(relations.values()), _window_sentences(preds))


def _window_sentences(preds: list[WindowPrediction]) -> SentenceOf:
    """Sentence of a char offset from the windows' token sentence ids: encoding split the document
    into sentences already, and a second split would cost another pass over it."""
    sentence_at = {}
    for p in preds:
        for t in p.window.word_starts:
            sentence_at[p.window.offsets[t][0]] = p.window.sentence_ids[t]
    starts = sorted(sentence_at)
    ids = [sentence_at[s] for s in starts]
    return lambda offset: ids[max(bisect.bisect_right(starts, offset) - 1, 0)] if ids else 0


def _relations_of(p: WindowPrediction, qi: int, q: SpanGuess, text: str,
                  entities: dict[tuple[int, int, str], Entity], threshold: float | Mapping[str, float],
                  category_floor: float):
    floor = (lambda label: threshold.get(label, 0.5)) if isinstance(threshold, Mapping) else (lambda label: threshold)
    head_id = entities[(q.start, q.end, q.label)].id
    candidates: list[tuple[str, Entity, float]] = []
    spans_by_id: dict[str, SpanGuess] = {}
    for ti, t in enumerate(p.spans):
        tail = entities.get((t.start, t.end, t.label))
        if tail is None or t.label == "QUANTITY" or _crosses_paragraph(text, q, t):
            continue
        spans_by_id[tail.id] = t
        probs = p.relation_probs[qi, ti]
        for r, label in enumerate(RELATION_CLASSES[1:], start=1):
            candidates.append((label, tail, float(probs[r])))
    # The guide links affected/agent only inside the count's own sentence.
    sentence = p.window.sentence_ids
    candidates = [c for c in candidates if c[0] not in ("affected", "agent")
                  or sentence[spans_by_id[c[1].id].first] == sentence[q.first]]
    out: list[Relation] = []
    # Exactly one category per quantity (the guide), and at most one time: the best one.
    for label, at_least in (("category", category_floor), ("time", floor("time"))):
        best = max((c for c in candidates if c[0] == label), key=lambda c: c[2], default=None)
        if best is not None and best[2] >= at_least:
            out.append(Relation(head_id, best[1].id, label, best[2]))
    for label, tail, prob in candidates:
        if label in ("affected", "agent", "source") and prob >= floor(label):
            out.append(Relation(head_id, tail.id, label, prob))
    return _one_role_per_actor(out)


def _one_role_per_actor(relations: list[Relation]) -> list[Relation]:
    """An actor is either affected or agent of a count, not both: keep the likelier role."""
    best: dict[str, Relation] = {}
    rest = []
    for r in relations:
        if r.label in ("affected", "agent"):
            if r.tail not in best or (r.score or 0) > (best[r.tail].score or 0):
                best[r.tail] = r
        else:
            rest.append(r)
    return rest + list(best.values())


def _crosses_paragraph(text: str, a: SpanGuess, b: SpanGuess) -> bool:
    return crosses_paragraph(text, min(a.start, b.start), max(a.end, b.end))
