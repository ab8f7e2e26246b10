"""Inline claim markup -> gold documents (the format of ANNOTATION.md section 5).

The markup is how people (and the generator's frames) write annotated text quickly:
documents start with ``=== <id>``; spans are ``[surface|LABEL#key]``; relation lines
``@ q1 category c1``; kind lines ``@ q1 kind loss``. Offsets come out exact because the
text is rebuilt from the markup, never searched for.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

SPAN = re.compile(r"\[([^\[\]|]+)\|(QUANTITY|CATEGORY|ACTOR|SOURCE|TIME)#(\w+)\]")
KINDS = ("loss", "action", "other")


class MarkupError(ValueError):
    """A markup document that cannot be turned into a gold document."""


def parse_document(doc_id: str, body: str) -> dict:
    """One document's markup (text lines and ``@`` lines) -> a gold dict.

    Structural checks only (syntax, unknown keys); the meaning (relation types, one
    category per quantity...) is checked by ``ie_model.io.gold.validate``.
    """
    lines = body.split("\n")
    marked = "\n".join(l for l in lines if not l.startswith("@")).strip("\n")
    commands = [l.split()[1:] for l in lines if l.startswith("@")]
    text, entities = _strip_spans(doc_id, marked)
    by_key = {e["id"]: e for e in entities}
    relations = []
    for cmd in commands:
        if len(cmd) != 3:
            raise MarkupError(f"{doc_id}: bad line '@ {' '.join(cmd)}' (want '@ HEAD LABEL TAIL')")
        head, label, tail = cmd
        if head not in by_key:
            raise MarkupError(f"{doc_id}: unknown key {head!r} in '@ {' '.join(cmd)}'")
        if label == "kind":
            if tail not in KINDS:
                raise MarkupError(f"{doc_id}: kind {tail!r} of {head} is not one of {KINDS}")
            by_key[head]["kind"] = tail
            continue
        if tail not in by_key:
            raise MarkupError(f"{doc_id}: unknown key {tail!r} in '@ {' '.join(cmd)}'")
        relations.append({"head": head, "tail": tail, "label": label})
    return {"id": doc_id, "text": text, "entities": entities, "relations": relations}


def _strip_spans(doc_id: str, marked: str) -> tuple[str, list[dict]]:
    pieces, entities, seen, last, length = [], [], set(), 0, 0
    for m in SPAN.finditer(marked):
        before = marked[last:m.start()]
        pieces.append(before)
        length += len(before)
        surface, label, key = m.groups()
        if key in seen:
            raise MarkupError(f"{doc_id}: key {key} is used twice")
        seen.add(key)
        entities.append({"id": key, "start": length, "end": length + len(surface), "label": label})
        pieces.append(surface)
        length += len(surface)
        last = m.end()
    pieces.append(marked[last:])
    text = "".join(pieces)
    leftover = re.search(r"\[[^\]]*\|", text)
    if leftover:
        raise MarkupError(f"{doc_id}: markup not understood near {text[leftover.start():][:60]!r}")
    return text, entities


def iter_markup(source: str | Path) -> Iterator[dict]:
    """Gold dicts of a markup file (path) in file order."""
    doc_id, body = None, []
    for line in Path(source).read_text(encoding="utf-8").split("\n"):
        if line.startswith("=== "):
            if doc_id is not None:
                yield parse_document(doc_id, "\n".join(body))
            doc_id, body = line[4:].strip(), []
        elif doc_id is not None:
            body.append(line)
    if doc_id is not None:
        yield parse_document(doc_id, "\n".join(body))
