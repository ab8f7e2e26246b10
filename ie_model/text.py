"""Where sentences and paragraphs break. Encoding, decoding, assembly and corpus statistics all
ask the same question, so they share one answer."""
from __future__ import annotations

import bisect
import re

# A blank line (possibly holding spaces) separates paragraphs; a headline is a paragraph too.
PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n")
# End punctuation (and closing quotes) followed by space and a capital or digit, or a newline.
SENTENCE_BREAK = re.compile(r"[.!?…][\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9])|\n")


def paragraph_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in PARAGRAPH_BREAK.finditer(text)]


def sentence_start_before(text: str, offset: int) -> int:
    """Start of the sentence that holds ``offset``."""
    return max((m.end() for m in SENTENCE_BREAK.finditer(text, 0, offset)), default=0)


def crosses_paragraph(text: str, start: int, end: int) -> bool:
    return PARAGRAPH_BREAK.search(text, start, end) is not None


def sentence_and_paragraph_index(text: str, offsets: list[int]) -> tuple[list[int], list[int]]:
    """For each char offset, the index of its sentence and of its paragraph in the text."""
    sentence_ends = [m.start() for m in SENTENCE_BREAK.finditer(text)]
    paragraph_ends = [m.start() for m in PARAGRAPH_BREAK.finditer(text)]
    return ([bisect.bisect_right(sentence_ends, o) for o in offsets],
            [bisect.bisect_right(paragraph_ends, o) for o in offsets])


def split_sentences(text: str) -> list[str]:
    out, last = [], 0
    for m in SENTENCE_BREAK.finditer(text):
        out.append(text[last:m.end()].strip())
        last = m.end()
    out.append(text[last:].strip())
    return [s for s in out if s]
