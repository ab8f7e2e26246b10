"""The annotated corpus as a whole: building the gold splits and measuring coverage."""
from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ie_model.io.gold import GoldError, check_document, iter_gold, write_gold
from ie_model.schema import Document
from ie_model.text import paragraph_starts, split_sentences

TEST_PREFIX = "test_"      # data/gold/src/test_*.markup: the held-out test split
# data/gold/src/devw_*.markup: the dev_writers split, by writers who wrote nothing that is trained on.
# The hashed dev split shares its writers with train, so it flatters every model alike and picks between
# them by how well they learned those writers; test's writers are separate, and so are these.
DEV_WRITERS_PREFIX = "devw_"
DEV_SHARE = 0.12


def mask_spans(text: str, entities) -> str:
    """The text with every span replaced by its label: what stays is the frame."""
    out, last = [], 0
    for e in sorted(entities, key=lambda e: e.start):
        out.append(text[last:e.start])
        out.append(f"<{e.label}>")
        last = e.end
    out.append(text[last:])
    return "".join(out)


def split_of(doc_id: str) -> str:
    """train or dev, by a hash of the id: stable when documents are added or reordered."""
    h = int(hashlib.sha256(doc_id.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return "dev" if h < DEV_SHARE else "train"


def split_of_file(path: Path, doc_id: str) -> str:
    if path.name.startswith(TEST_PREFIX):
        return "test"
    if path.name.startswith(DEV_WRITERS_PREFIX):
        return "dev_writers"
    return split_of(doc_id)


def build_splits(src_dir: str | Path, out_dir: str | Path) -> dict[str, int]:
    """data/gold/src/*.markup -> train/dev/dev_writers/test.jsonl, validating every document.

    The test split is exactly the documents of ``test_*`` files and dev_writers those of ``devw_*``
    files, each written by writers of their own; everything else goes to train or dev by ``split_of``.
    """
    splits: dict[str, list[Document]] = {"train": [], "dev": [], "dev_writers": [], "test": []}
    seen: dict[str, Path] = {}
    for path in sorted(Path(src_dir).glob("*.markup")):
        for doc in iter_gold(path):
            if doc.id in seen:
                raise GoldError(doc.id, [f"id used in both {seen[doc.id].name} and {path.name}"])
            seen[doc.id] = path
            problems = check_document(doc)
            if problems:
                raise GoldError(f"{path.name}: {doc.id}", problems)
            splits[split_of_file(path, doc.id)].append(doc)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    return {name: write_gold(docs, out / f"{name}.jsonl") for name, docs in splits.items()}


@dataclass
class CorpusStats:
    documents: int = 0
    paragraphs: int = 0
    sentences: int = 0
    entities: Counter = field(default_factory=Counter)
    relations: Counter = field(default_factory=Counter)
    kinds: Counter = field(default_factory=Counter)
    categories: Counter = field(default_factory=Counter)
    parties: Counter = field(default_factory=Counter)
    conflicts: Counter = field(default_factory=Counter)
    frames: set = field(default_factory=set)

    @property
    def claims(self) -> int:
        return self.entities["QUANTITY"]

    def to_dict(self) -> dict:
        return {
            "documents": self.documents, "paragraphs": self.paragraphs, "sentences": self.sentences,
            "claims": self.claims,
            "distinct_frames": len(self.frames),
            "distinct_frame_share": round(len(self.frames) / max(self.sentences, 1), 3),
            "entities": dict(self.entities.most_common()), "relations": dict(self.relations.most_common()),
            "kinds": dict(self.kinds.most_common()), "categories": dict(self.categories.most_common()),
            "conflicts": dict(self.conflicts.most_common()),
            "parties": dict(self.parties.most_common(40)),
        }


def corpus_stats(docs) -> CorpusStats:
    from ie_model.normalize.lexicon import canonical_party, category_label, opponents_of

    st = CorpusStats()
    for doc in docs:
        st.documents += 1
        st.paragraphs += len(paragraph_starts(doc.text))
        for s in split_sentences(mask_spans(doc.text, doc.entities)):
            st.sentences += 1
            st.frames.add(s)
        doc_parties: set[str] = set()
        for e in doc.entities:
            st.entities[e.label] += 1
            if e.kind:
                st.kinds[e.kind] += 1
            if e.label == "CATEGORY":
                st.categories[category_label(e.text_in(doc.text))] += 1
            if e.label in ("ACTOR", "SOURCE"):
                party = canonical_party(e.text_in(doc.text))
                if party:
                    st.parties[party] += 1
                    doc_parties.add(party)
        # A conflict is a pair of opponents (parties.yaml) that a document names together.
        st.conflicts.update({" vs ".join(sorted((p, o))) for p in doc_parties for o in opponents_of(p)
                             if o in doc_parties})
        st.relations.update(r.label for r in doc.relations)
    return st
