"""Text -> windows of model inputs. ONE path for training and inference.

Words are the tokenizer's pre-tokens (whitespace and punctuation split), so ``4,500`` is three
words and ``Kyiv's`` is ``Kyiv`` ``'`` ``s``: every span boundary of the guide falls on a word
boundary. Labels and predictions live on the first sub-token of each word (as in HF run_ner).

The tokenizer is uncased, so each token carries a word-shape id (case pattern of its word and
whether the word opens a sentence) that the model adds to its input embeddings.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ie_model.schema import ENTITY_LABELS, RELATION_LABELS, Document
from ie_model.text import sentence_and_paragraph_index

# BIO tags over the entity labels; "O" is 0 so that padding-free defaults mean "outside".
BIO_LABELS = ("O",) + tuple(f"{p}-{label}" for label in ENTITY_LABELS for p in ("B", "I"))
TAG_ID = {t: i for i, t in enumerate(BIO_LABELS)}
# Relation classes of a (QUANTITY, span) pair; "none" is 0.
RELATION_CLASSES = ("none",) + RELATION_LABELS
IGNORE = -100

# Word shapes: 0 special token; then case class (1..6) + 6 when the word opens a sentence.
SHAPE_SPECIAL, NUM_SHAPES = 0, 13
_SENTENCE_OPENERS = ".!?:\n"


def word_shape(word: str, opens_sentence: bool) -> int:
    letters = [c for c in word if c.isalpha()]
    if not letters:
        case = 1 if any(c.isdigit() for c in word) else 2
    elif all(c.islower() for c in letters):
        case = 3
    elif letters[0].isupper() and all(c.islower() for c in letters[1:]):
        case = 4
    elif all(c.isupper() for c in letters):
        case = 5
    else:
        case = 6
    return case + (6 if opens_sentence else 0)


def _opens_sentence(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in " \t\"'“‘([":
        i -= 1
    return i < 0 or text[i] in _SENTENCE_OPENERS


@dataclass
class Window:
    """One encoder input: a slice of one document's tokens with [CLS]/[SEP] around it."""
    doc: int                                   # index of its document in the encoded batch
    input_ids: list[int]
    shape_ids: list[int]
    offsets: list[tuple[int, int]]             # char offsets per token; (0, 0) for specials
    word_end: list[int]                        # char end of the token's word at word starts, else -1
    sentence_ids: list[int]                    # index of the token's sentence / paragraph in the document:
    paragraph_ids: list[int]                   # the relation head sees how far apart two spans are
    own_start: int = 0                         # chars this window answers for when windows merge
    own_end: int = 1 << 62
    tags: list[int] = field(default_factory=list)   # training only: BIO id at word starts, IGNORE elsewhere

    def __len__(self) -> int:
        return len(self.input_ids)

    @property
    def word_starts(self) -> list[int]:
        return [i for i, e in enumerate(self.word_end) if e >= 0]


@dataclass
class _Tokens:
    ids: list[int]
    offsets: list[tuple[int, int]]
    word_ids: list[int]


def _tokenize(tokenizer, texts: Sequence[str]) -> list[_Tokens]:
    enc = tokenizer(list(texts), add_special_tokens=False, return_offsets_mapping=True,
                    return_attention_mask=False, return_token_type_ids=False, verbose=False)
    return [_Tokens(enc["input_ids"][i], [tuple(o) for o in enc["offset_mapping"][i]], enc.word_ids(i))
            for i in range(len(texts))]


def encode(tokenizer, texts: Sequence[str], max_length: int = 256, overlap: int = 64) -> list[Window]:
    """Windows for a batch of texts, in text order; long texts give several overlapping windows."""
    windows: list[Window] = []
    for doc_index, (text, toks) in enumerate(zip(texts, _tokenize(tokenizer, texts))):
        windows.extend(_windows_of(doc_index, text, toks, tokenizer, max_length, overlap))
    return windows


def _windows_of(doc_index: int, text: str, toks: _Tokens, tokenizer, max_length: int,
                overlap: int) -> list[Window]:
    n, content = len(toks.ids), max_length - 2
    word_first, word_last = _word_bounds(toks.word_ids)
    shapes = [0] * n
    for w, first in word_first.items():
        start, end = toks.offsets[first][0], toks.offsets[word_last[w]][1]
        s = word_shape(text[start:end], _opens_sentence(text, start))
        for t in range(first, word_last[w] + 1):
            shapes[t] = s
    bounds, start = [], 0
    while True:
        end = min(start + content, n)
        bounds.append((start, end))
        if end >= n:
            break
        nxt = max(end - overlap, start + 1)
        while nxt < end and toks.word_ids[nxt] == toks.word_ids[nxt - 1]:
            nxt += 1                                       # never start a window inside a word
        start = nxt
    sentence_ids, paragraph_ids = sentence_and_paragraph_index(text, [s for s, _ in toks.offsets])
    windows = []
    for a, b in bounds:
        word_end = [-1] + [toks.offsets[word_last[toks.word_ids[t]]][1] if word_first[toks.word_ids[t]] == t
                           else -1 for t in range(a, b)] + [-1]
        windows.append(Window(doc=doc_index,
                              input_ids=[tokenizer.cls_token_id] + toks.ids[a:b] + [tokenizer.sep_token_id],
                              shape_ids=[SHAPE_SPECIAL] + shapes[a:b] + [SHAPE_SPECIAL],
                              offsets=[(0, 0)] + toks.offsets[a:b] + [(0, 0)], word_end=word_end,
                              sentence_ids=[sentence_ids[a] if b > a else 0] + sentence_ids[a:b]
                              + [sentence_ids[b - 1] if b > a else 0],
                              paragraph_ids=[paragraph_ids[a] if b > a else 0] + paragraph_ids[a:b]
                              + [paragraph_ids[b - 1] if b > a else 0]))
    _assign_ownership(windows)
    return windows


def _word_bounds(word_ids: list[int]) -> tuple[dict[int, int], dict[int, int]]:
    first, last = {}, {}
    for t, w in enumerate(word_ids):
        first.setdefault(w, t)
        last[w] = t
    return first, last


def _assign_ownership(windows: list[Window]) -> None:
    """Split overlaps at their middle: each char belongs to the window where it is most central."""
    for left, right in zip(windows, windows[1:]):
        overlap_start = right.offsets[1][0]
        overlap_end = left.offsets[-2][1]
        middle = (overlap_start + overlap_end) // 2
        left.own_end = right.own_start = middle


def tag_windows(windows: list[Window], docs: Sequence[Document]) -> None:
    """Training targets: the BIO tag of each word start from the gold spans."""
    for w in windows:
        doc = docs[w.doc]
        spans = sorted((e.start, e.end, e.label) for e in doc.entities)
        tags = [IGNORE] * len(w)
        for t in w.word_starts:
            tags[t] = TAG_ID["O"]
            start = w.offsets[t][0]
            for s, e, label in spans:
                if s <= start < e:
                    tags[t] = TAG_ID[("B-" if start == s else "I-") + label]
                    break
        w.tags = tags


def span_tokens(w: Window, start: int, end: int) -> tuple[int, int] | None:
    """First and last word-start token of a char span inside the window, or None if cut off."""
    inside = [t for t in w.word_starts if start <= w.offsets[t][0] < end]
    if not inside or w.offsets[inside[0]][0] != start or w.word_end[inside[-1]] != end:
        return None
    return inside[0], inside[-1]
