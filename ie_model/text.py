"""Where sentences and paragraphs break. Encoding, decoding, assembly and corpus statistics all
ask the same question, so they share one answer."""
from __future__ import annotations

import bisect
import re

# A blank line (possibly holding spaces) separates paragraphs; a headline is a paragraph too.
PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n")
# End punctuation (and closing quotes) followed by space and a capital or digit, or a newline.
# ("<" too: corpus statistics split texts whose spans are masked as <LABEL>.)
# A blank line ends a sentence too; a single newline does not (lists: "losses include:\ntanks — 42").
SENTENCE_BREAK = re.compile(r"[.!?…][\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9<])|\n[ \t]*\n")

# A period after these ends no sentence ("as of Sept. 4", "Lt. Gen. Syrskyi", "the U.S. military").
ABBREVIATIONS = frozenset("""jan feb mar apr jun jul aug sep sept oct nov dec mr mrs ms dr gen lt col maj sgt capt
    cpl pvt adm brig cmdr st no nos vol approx est vs etc inc corp co u.s u.k u.n e.g i.e""".split())
_WORD_BEFORE = re.compile(r"([\w.]+)$")
_LONGEST_ABBREVIATION = 32


def _breaks(text: str, end: int | None = None):
    for m in SENTENCE_BREAK.finditer(text, 0, len(text) if end is None else end):
        if m.group().startswith("."):
            # Look back a bounded stretch: searching from 0 made long documents quadratic.
            word = _WORD_BEFORE.search(text, max(0, m.start() - _LONGEST_ABBREVIATION), m.start())
            if word and word.group(1).lower().rstrip(".") in ABBREVIATIONS:
                continue
        yield m


def paragraph_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in PARAGRAPH_BREAK.finditer(text)]


def sentence_starts(text: str) -> list[int]:
    """Where each sentence starts (one pass over the text; bisect it for any offset)."""
    return [0] + [m.end() for m in _breaks(text)]


def crosses_paragraph(text: str, start: int, end: int) -> bool:
    return PARAGRAPH_BREAK.search(text, start, end) is not None


def sentence_and_paragraph_index(text: str, offsets: list[int]) -> tuple[list[int], list[int]]:
    """For each char offset, the index of its sentence and of its paragraph in the text."""
    sentence_ends = [m.start() for m in _breaks(text)]
    paragraph_ends = [m.start() for m in PARAGRAPH_BREAK.finditer(text)]
    return ([bisect.bisect_right(sentence_ends, o) for o in offsets],
            [bisect.bisect_right(paragraph_ends, o) for o in offsets])


def split_sentences(text: str) -> list[str]:
    out, last = [], 0
    for m in _breaks(text):
        out.append(text[last:m.end()].strip())
        last = m.end()
    out.append(text[last:].strip())
    return [s for s in out if s]
