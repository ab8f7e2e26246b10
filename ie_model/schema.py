"""The contract of shared/ANNOTATION.md as typed dataclasses.

Gold data (section 5) and extractor output (section 6) are read and written only through
these classes, so every other module works with one vocabulary.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ENTITY_LABELS = ("QUANTITY", "CATEGORY", "ACTOR", "SOURCE", "TIME")
RELATION_LABELS = ("category", "affected", "agent", "source", "time")
# The label a relation's tail must carry; the head is always a QUANTITY.
RELATION_TAIL = {"category": "CATEGORY", "affected": "ACTOR", "agent": "ACTOR",
                 "source": "SOURCE", "time": "TIME"}
KINDS = ("loss", "action", "other")
APPROX = ("exact", "more_than", "at_least", "less_than", "at_most", "about", "range", "vague")


@dataclass
class Entity:
    id: str
    start: int
    end: int
    label: str
    kind: str | None = None          # QUANTITY only: loss, action or other
    score: float | None = None       # model confidence; None for gold

    def text_in(self, text: str) -> str:
        return text[self.start:self.end]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "start": self.start, "end": self.end, "label": self.label}
        if self.kind is not None:
            out["kind"] = self.kind
        if self.score is not None:
            out["score"] = round(self.score, 4)
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Entity:
        return cls(id=str(d["id"]), start=int(d["start"]), end=int(d["end"]), label=d["label"],
                   kind=d.get("kind"), score=d.get("score"))


@dataclass
class Relation:
    head: str
    tail: str
    label: str
    score: float | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"head": self.head, "tail": self.tail, "label": self.label}
        if self.score is not None:
            out["score"] = round(self.score, 4)
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Relation:
        return cls(head=str(d["head"]), tail=str(d["tail"]), label=d["label"], score=d.get("score"))


@dataclass
class Document:
    id: str
    text: str
    entities: list[Entity] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)

    def entity(self, entity_id: str) -> Entity:
        return self._by_id()[entity_id]

    def _by_id(self) -> dict[str, Entity]:
        return {e.id: e for e in self.entities}

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text,
                "entities": [e.to_dict() for e in self.entities],
                "relations": [r.to_dict() for r in self.relations]}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Document:
        return cls(id=str(d["id"]), text=d["text"],
                   entities=[Entity.from_dict(e) for e in d.get("entities", [])],
                   relations=[Relation.from_dict(r) for r in d.get("relations", [])])


# ---- claim fields (section 6) ------------------------------------------------------------


@dataclass
class Mention:
    """A span of the document, as every claim field starts."""
    text: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end}


@dataclass
class QuantityField(Mention):
    value: int | None = None
    lower: int | None = None
    upper: int | None = None
    approx: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "value": self.value, "lower": self.lower,
                "upper": self.upper, "approx": self.approx}


@dataclass
class CategoryField(Mention):
    label: str = "other"

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "label": self.label}


@dataclass
class PartyField(Mention):
    """An actor (affected/agent) or a source: the span and the party it stands for."""
    canonical: str | None = None
    inherited: bool = False           # sources only: taken from an earlier claim of the paragraph

    def to_dict(self, with_inherited: bool = False) -> dict[str, Any]:
        out = {**super().to_dict(), "canonical": self.canonical}
        if with_inherited:
            out["inherited"] = self.inherited
        return out


@dataclass
class TimeField(Mention):
    inherited: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "inherited": self.inherited}


@dataclass
class Claim:
    """One count stated in a text, with what it counts, whose, by whom, when and who says so.

    A claim may name several parties in one role ("Ethiopian and Eritrean soldiers"): the
    lists keep all of them in text order; the output's ``affected``/``agent``/``source`` hold the
    first, and ``affected_also`` (etc.) the rest when there are any.
    """
    kind: str | None
    quantity: QuantityField
    category: CategoryField | None = None
    affected: list[PartyField] = field(default_factory=list)
    agent: list[PartyField] = field(default_factory=list)
    source: list[PartyField] = field(default_factory=list)
    time: TimeField | None = None
    cumulative: bool = False
    score: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "quantity": self.quantity.to_dict(),
                               "category": self.category.to_dict() if self.category else None}
        for role in ("affected", "agent", "source"):
            parties: list[PartyField] = getattr(self, role)
            with_inherited = role == "source"
            out[role] = parties[0].to_dict(with_inherited) if parties else None
            if len(parties) > 1:
                out[f"{role}_also"] = [p.to_dict(with_inherited) for p in parties[1:]]
        out["time"] = self.time.to_dict() if self.time else None
        out["cumulative"] = self.cumulative
        out["score"] = round(self.score, 4)
        return out


@dataclass
class Result:
    """One output record (section 6): exactly one per input document."""
    id: str
    claims: list[Claim] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "claims": [c.to_dict() for c in self.claims],
                "entities": [e.to_dict() for e in self.entities],
                "relations": [r.to_dict() for r in self.relations],
                "error": self.error}
