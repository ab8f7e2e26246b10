"""Gold documents (ANNOTATION.md section 5): reading, writing and validation.

Reads JSONL and the inline markup alike, so hand-written sources and built splits go
through the same checks.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from ie_model.io.markup import iter_markup
from ie_model.schema import ENTITY_LABELS, KINDS, RELATION_TAIL, Document
from ie_model.text import crosses_paragraph


class GoldError(ValueError):
    """A gold document that breaks the annotation contract."""

    def __init__(self, doc_id: str, problems: list[str]):
        self.doc_id, self.problems = doc_id, problems
        super().__init__(f"{doc_id}: " + "; ".join(problems))


def iter_gold(path: str | Path) -> Iterator[Document]:
    """Documents of a gold file, ``.jsonl`` or ``.markup``, unvalidated."""
    path = Path(path)
    if path.suffix == ".markup":
        for d in iter_markup(path):
            yield Document.from_dict(d)
        return
    with path.open(encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                yield Document.from_dict(json.loads(line))
            except (json.JSONDecodeError, KeyError, TypeError, ValueError) as e:
                raise GoldError(f"{path}:{lineno}", [f"not a gold document: {e}"]) from e


def read_gold(paths: str | Path | Iterable[str | Path], validate: bool = True) -> list[Document]:
    """All documents of one or more gold files; raises GoldError on the first bad one."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    docs = [d for p in paths for d in iter_gold(p)]
    if validate:
        for doc in docs:
            problems = check_document(doc)
            if problems:
                raise GoldError(doc.id, problems)
    return docs


def write_gold(docs: Iterable[Document], path: str | Path) -> int:
    n = 0
    with Path(path).open("w", encoding="utf-8") as f:
        for doc in docs:
            f.write(json.dumps(doc.to_dict(), ensure_ascii=False) + "\n")
            n += 1
    return n


def check_document(doc: Document) -> list[str]:
    """Every way the document breaks the contract, as readable reasons (empty when fine)."""
    return _check_entities(doc) + _check_relations(doc)


def _check_entities(doc: Document) -> list[str]:
    problems, seen = [], set()
    for e in doc.entities:
        where = f"entity {e.id} [{e.start}:{e.end}]"
        if e.id in seen:
            problems.append(f"{where}: duplicate id")
        seen.add(e.id)
        if e.label not in ENTITY_LABELS:
            problems.append(f"{where}: unknown label {e.label!r}")
        if not 0 <= e.start < e.end <= len(doc.text):
            problems.append(f"{where}: offsets outside the text (length {len(doc.text)})")
            continue
        surface = e.text_in(doc.text)
        if surface != surface.strip():
            problems.append(f"{where}: span {surface!r} has surrounding whitespace")
        if e.label == "QUANTITY" and e.kind not in KINDS:
            problems.append(f"{where}: QUANTITY {surface!r} needs a kind in {KINDS}, has {e.kind!r}")
        if e.label != "QUANTITY" and e.kind is not None:
            problems.append(f"{where}: only a QUANTITY has a kind")
    spans = sorted((e.start, e.end, e.id) for e in doc.entities)
    for (s1, e1, id1), (s2, _, id2) in zip(spans, spans[1:]):
        if s2 < e1:
            problems.append(f"entities {id1} and {id2} overlap")
    return problems


def _check_relations(doc: Document) -> list[str]:
    problems, seen = [], set()
    by_id = {e.id: e for e in doc.entities}
    for r in doc.relations:
        where = f"relation {r.head} -{r.label}-> {r.tail}"
        if (r.head, r.tail, r.label) in seen:
            problems.append(f"{where}: duplicate")
        seen.add((r.head, r.tail, r.label))
        head, tail = by_id.get(r.head), by_id.get(r.tail)
        if head is None or tail is None:
            problems.append(f"{where}: unknown entity id")
            continue
        if r.label not in RELATION_TAIL:
            problems.append(f"{where}: unknown relation label")
            continue
        if head.label != "QUANTITY" or tail.label != RELATION_TAIL[r.label]:
            problems.append(f"{where}: wrong types {head.label} -> {tail.label} "
                            f"(want QUANTITY -> {RELATION_TAIL[r.label]})")
        if crosses_paragraph(doc.text, min(head.start, tail.start), max(head.end, tail.end)):
            problems.append(f"{where}: crosses a paragraph break")
    for q in (e for e in doc.entities if e.label == "QUANTITY"):
        n = sum(1 for r in doc.relations if r.head == q.id and r.label == "category")
        if n != 1:
            problems.append(f"QUANTITY {q.id} {q.text_in(doc.text)!r} has {n} category relations (want 1)")
    return problems
