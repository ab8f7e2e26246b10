"""Surface forms of counts: digits, word numbers, scale words, approximators, ranges, vague plurals.

Every form here is one that the quantity span of ANNOTATION.md covers (approximator and range
words inside the span). ``render`` never produces ``a total of``, ``another``, ``more`` and the
like: those are frame words, outside the span.
"""
from __future__ import annotations

import math
import random

ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
        "nineteen"]
TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]

# approximators before the number (kept inside the QUANTITY span)
PREFIXES = ["more than", "over", "at least", "up to", "nearly", "almost", "about", "around",
            "roughly", "some", "an estimated", "fewer than", "less than", "approximately",
            "as many as", "close to"]
PREFIX_WEIGHTS = [10, 6, 7, 4, 4, 2, 5, 4, 2, 3, 2, 1, 1, 2, 2, 1]
# vague plurals and the value range they stand for
VAGUE = [("dozens", 24, 99), ("scores", 40, 99), ("hundreds", 100, 999), ("thousands", 1000, 9999),
         ("tens of thousands", 10000, 99999), ("hundreds of thousands", 100000, 999999)]
VAGUE_WORDS = tuple(v[0] for v in VAGUE)


def words(n: int, rng: random.Random | None = None) -> str:
    """English words for 0 <= n < 1000 (``forty-two``, ``a hundred and five``)."""
    if n < 20:
        return ONES[n]
    if n < 100:
        t, o = divmod(n, 10)
        return TENS[t] + ("-" + ONES[o] if o else "")
    h, rest = divmod(n, 100)
    head = "a hundred" if h == 1 and rng is not None and rng.random() < 0.5 else ONES[h] + " hundred"
    return head if rest == 0 else f"{head} and {words(rest)}"


def digits(n: int, rng: random.Random) -> str:
    """4,500 (mostly), 4500 or 4 500."""
    if n < 1000:
        return str(n)
    r = rng.random()
    if r < 0.78 or 1800 <= n <= 2100:     # 2000 without a comma reads as a year
        return f"{n:,}"
    if r < 0.92 and n < 100000:
        return str(n)
    return f"{n:,}".replace(",", " ")


def round_sig(n: int, rng: random.Random) -> int:
    """A round figure near n, as approximate counts are written (4,500, 300, 1,200)."""
    if n < 20:
        return n
    mag = 10 ** int(math.log10(n))
    step = mag if rng.random() < 0.5 else max(mag // 10, 1) * rng.choice([5, 1])
    step = max(step, 5 if n < 100 else 10)
    return max(step, int(round(n / step)) * step)


def scaled(n: int, rng: random.Random) -> str | None:
    """1.2 million, 11 thousand, 2.5k: only for round values."""
    if n >= 1_000_000:
        v = round(n / 1_000_000, 1)
        s = f"{v:g}"
        return f"{s} million"
    if n >= 10_000 and n % 1000 == 0:
        k = n // 1000
        if rng.random() < 0.15:
            return f"{k}k"
        return f"{k} thousand"
    if 1000 <= n < 10_000 and n % 100 == 0 and rng.random() < 0.3:
        v = n / 1000
        return f"{v:g}k"
    return None


def plain(n: int, rng: random.Random, allow_words: bool = True) -> str:
    """An exact figure: digits, or words for small numbers."""
    if allow_words and n <= 20 and rng.random() < 0.45:
        return words(n, rng)
    if allow_words and n < 1000 and rng.random() < 0.08:
        return words(n, rng)
    return digits(n, rng)


def render(n: int, rng: random.Random, *, approx: bool = True, vague: bool = True,
           ranges: bool = True, allow_words: bool = True, start: bool = False) -> str:
    """One surface form for a count of about n (n >= 2); start: it opens a sentence."""
    n = max(2, int(n))
    if start and n < 100 and rng.random() < 0.6:
        return words(n, rng)
    r = rng.random()
    if vague and r < 0.045 and n >= 24:
        fits = [w for w, lo, hi in VAGUE if lo <= n <= hi * 3]
        if fits:
            return fits[0] if rng.random() < 0.8 else rng.choice(fits)
    if ranges and r < 0.10 and n >= 6:
        lo = round_sig(n, rng) if n >= 20 else n
        hi = lo + max(2, round_sig(max(2, lo // rng.choice([3, 4, 5, 10])), rng))
        form = rng.choice(["{a}-{b}", "{a} to {b}", "between {a} and {b}", "{a}–{b}", "{a} to {b}"])
        if hi <= 20 and "-" not in form and "–" not in form and rng.random() < 0.5:
            a, b = words(lo), words(hi)
        else:
            a, b = (f"{lo:,}", f"{hi:,}") if hi >= 10000 or rng.random() < 0.8 else (str(lo), str(hi))
        return form.format(a=a, b=b)
    if approx and r < 0.36 and n >= 10:
        v = round_sig(n, rng)
        num = scaled(v, rng) if v >= 1000 and rng.random() < 0.35 else None
        num = num or plain(v, rng, allow_words)
        if rng.random() < 0.08 and v >= 5:
            return f"{num} or more"
        return rng.choices(PREFIXES, PREFIX_WEIGHTS)[0] + " " + num
    if r < 0.42 and n >= 10000:
        v = round_sig(n, rng)
        s = scaled(v, rng)
        if s:
            return s
    return plain(n, rng, allow_words)


def is_vague(surface: str) -> bool:
    return surface.lower() in VAGUE_WORDS
