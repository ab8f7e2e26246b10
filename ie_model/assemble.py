"""Entities + relations (+ scores) -> normalised claims (ANNOTATION.md section 6).

A pure function of a Document, so the same code turns gold annotations and model
predictions into claims, and can be tested with no model.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from ie_model.normalize.lexicon import canonical_party, category_label
from ie_model.normalize.quantity import parse_quantity
from ie_model.schema import CategoryField, Claim, Document, Entity, PartyField, QuantityField, Relation, TimeField
from ie_model.text import paragraph_starts, sentence_starts

# Words a span may start with that make it a description of a speaker already named
# ("the think tank", "the ministry"), which then refers back to the previous source.
DETERMINERS = ("the ", "this ", "that ", "its ", "their ")


@cache
def _cumulative_cues() -> re.Pattern[str]:
    raw = resources.files("ie_model.normalize").joinpath("data/cumulative.yaml").read_text("utf-8")
    return re.compile("|".join(f"(?:{c})" for c in yaml.safe_load(raw)["cues"]), re.IGNORECASE)


@dataclass
class _Links:
    """The relations of one quantity, best first for single-valued roles."""
    category: Entity | None
    category_score: float
    affected: list[Entity]
    agent: list[Entity]
    source: list[Entity]
    time: Entity | None


def assemble(doc: Document) -> list[Claim]:
    """Claims of a document in text order of their quantities, one per QUANTITY linked to a category.

    A claim is how many *of what* (the guide: exactly one category): a QUANTITY the model could not
    tie to any CATEGORY is kept among the entities but makes no claim. Every gold QUANTITY has one,
    so such a claim could never be right; leaving them out raised dev claim core F1 by 0.3-0.7 on
    each of 11 models; entities and relations are as they were.
    """
    # Everything per document is computed once: assembly stays linear in long documents.
    by_id = {e.id: e for e in doc.entities}
    source_party = _resolve_sources(doc)
    starts = paragraph_starts(doc.text)
    sentences = sentence_starts(doc.text)
    by_head: dict[str, list[Relation]] = {}
    for r in doc.relations:
        by_head.setdefault(r.head, []).append(r)
    named = sorted((e.end, e.start, source_party[e.id]) for e in doc.entities
                   if e.label == "SOURCE" and source_party.get(e.id))
    quantities = sorted((e for e in doc.entities if e.label == "QUANTITY"), key=lambda e: e.start)
    claims, paragraphs = [], []
    for q in quantities:
        links = _links_of(q, by_head.get(q.id, []), by_id)
        speaker = _speaker(q, links, named, source_party)
        sentence_start = sentences[bisect.bisect_right(sentences, q.start) - 1]
        claims.append(_claim(doc, q, links, source_party, speaker, sentence_start))
        paragraphs.append(_index_of(starts, q.start))
    # A count with no category can still carry the source or time its paragraph's next counts inherit.
    _inherit_in_paragraphs(claims, paragraphs)
    return [c for c in claims if c.category is not None]


def _links_of(q: Entity, relations: list[Relation], by_id: dict[str, Entity]) -> _Links:
    mine = [r for r in relations if r.head == q.id and r.tail in by_id]

    def tails(label: str) -> list[tuple[Entity, float]]:
        found = [(by_id[r.tail], 1.0 if r.score is None else r.score) for r in mine if r.label == label]
        return sorted(found, key=lambda pair: -pair[1])

    def in_text_order(label: str) -> list[Entity]:
        return sorted((e for e, _ in tails(label)), key=lambda e: e.start)

    category, time = tails("category"), tails("time")
    return _Links(category=category[0][0] if category else None,
                  category_score=category[0][1] if category else 0.0,
                  affected=in_text_order("affected"), agent=in_text_order("agent"),
                  source=in_text_order("source"), time=time[0][0] if time else None)


def _resolve_sources(doc: Document) -> dict[str, str | None]:
    """Canonical party of every SOURCE span, reading the document in order.

    A bare description ("the General Staff", "the think tank") names no party itself, so it
    takes the party of the source it refers back to: the last earlier one with the same head noun
    ("the ministry" -> "the Defence Ministry", even when that one names no party), else the last
    one that named a party.
    """
    out: dict[str, str | None] = {}
    previous: str | None = None
    heads: dict[str, str | None] = {}          # head noun -> party of the last source ending in it
    for e in sorted((e for e in doc.entities if e.label == "SOURCE"), key=lambda e: e.start):
        text = e.text_in(doc.text)
        party = canonical_party(text, speaker=previous)
        head = text.split()[-1].lower() if text.split() else ""
        if party is None and _is_description(text):
            party = heads[head] if head in heads else previous
        out[e.id] = party
        heads[head] = party
        previous = party or previous
    return out


def _is_description(text: str) -> bool:
    low = text.lower()
    return low.startswith(DETERMINERS) and text[len(text.split()[0]):] == low[len(text.split()[0]):]


def _speaker(q: Entity, links: _Links, named: list[tuple[int, int, str]],
             source_party: dict[str, str | None]) -> str | None:
    """Who reports this count: its own source, else the last source named before it.

    ``named``: (end, start, party) of the sources that name a party, sorted by end."""
    for s in links.source:
        if source_party.get(s.id):
            return source_party[s.id]
    earlier = named[:bisect.bisect_right(named, (q.start, float("inf"), ""))]
    return max(earlier, key=lambda n: n[1])[2] if earlier else None


def _claim(doc: Document, q: Entity, links: _Links, source_party: dict[str, str | None],
           speaker: str | None, sentence_start: int) -> Claim:
    text = doc.text
    parsed = parse_quantity(q.text_in(text))
    quantity = QuantityField(q.text_in(text), q.start, q.end, parsed.value, parsed.lower,
                             parsed.upper, parsed.approx)
    affected = [_party(text, a, canonical_party(a.text_in(text), speaker=speaker)) for a in links.affected]
    category = None
    if links.category is not None:
        c = links.category
        category = CategoryField(c.text_in(text), c.start, c.end, _category(c.text_in(text), affected))
    score = (1.0 if q.score is None else q.score) * (links.category_score if category else 1.0)
    return Claim(
        kind=q.kind, quantity=quantity, category=category, affected=affected,
        agent=[_party(text, a, canonical_party(a.text_in(text), speaker=speaker)) for a in links.agent],
        source=[_party(text, s, source_party.get(s.id)) for s in links.source],
        time=TimeField(links.time.text_in(text), links.time.start, links.time.end) if links.time else None,
        cumulative=_is_cumulative(text, q, links, sentence_start),
        score=score,
    )


def _category(text: str, affected: list[PartyField]) -> str:
    label = category_label(text)
    # "casualties"/"killed" of a named side are that side's fighters (guide section 4).
    if label == "people" and affected:
        return "personnel"
    return label


def _party(text: str, e: Entity, canonical: str | None) -> PartyField:
    return PartyField(e.text_in(text), e.start, e.end, canonical)


def _is_cumulative(text: str, q: Entity, links: _Links, sentence_start: int) -> bool:
    parts = [text[sentence_start:q.end]]
    if links.category is not None:
        parts.append(text[links.category.start:links.category.end + 40])
    if links.time is not None:
        parts.append(links.time.text_in(text))
    return any(_cumulative_cues().search(p) for p in parts)


def _inherit_in_paragraphs(claims: list[Claim], paragraphs: list[int]) -> None:
    """A claim with no source/time of its own takes those of the previous claim of its paragraph.

    Time passes only between claims of the same cumulativeness: a day's tally must not give
    its "over the past day" to the running total that follows it.
    """
    last: Claim | None = None
    for claim, paragraph, prev_paragraph in zip(claims, paragraphs, [None] + paragraphs[:-1]):
        if paragraph != prev_paragraph:
            last = None
        if last is not None:
            if not claim.source and last.source:
                claim.source = [PartyField(p.text, p.start, p.end, p.canonical, inherited=True)
                                for p in last.source]
            if claim.time is None and last.time is not None and claim.cumulative == last.cumulative:
                t = last.time
                claim.time = TimeField(t.text, t.start, t.end, inherited=True)
        last = claim


def _index_of(starts: list[int], offset: int) -> int:
    return sum(1 for s in starts if s <= offset) - 1
