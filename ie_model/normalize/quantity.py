"""Normalise a QUANTITY span: "more than 4,500" -> 4500 / 4500 / None / more_than.

The contract is ANNOTATION.md section 4. Pure standard library, so the post-processor
and the tests can use it without torch.

How a span is read, in order:
  1. normalise: lower case, one plain space for any run of Unicode spaces (no-break and
     thin spaces are thousands separators in the wild), one hyphen for any dash, edge
     punctuation off, a trailing "of" off ("dozens of");
  2. peel one approximator off the front ("more than", "~") and one off the back
     ("or more", "+", "or so"), both looked up in the tables below;
  3. read what is left as one amount (digits, a scaled decimal, English words, a vague
     plural) or, failing that, as a range ("30-40", "between 30 and 40").
Anything that does not fit is Quantity(None, None, None, None): the parser never guesses
and never raises.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from fractions import Fraction

__all__ = ["Quantity", "parse_quantity", "APPROXES", "PREFIX_APPROXIMATORS", "SUFFIX_APPROXIMATORS"]


@dataclass(frozen=True)
class Quantity:
    value: int | None = None    # the headline number (None when it cannot be parsed)
    lower: int | None = None
    upper: int | None = None
    approx: str | None = None   # one of APPROXES; None when unparsed

    def to_dict(self) -> dict:
        return {"value": self.value, "lower": self.lower, "upper": self.upper, "approx": self.approx}


UNPARSED = Quantity()
APPROXES = ("exact", "more_than", "at_least", "less_than", "at_most", "about", "range", "vague")

# ---------------------------------------------------------------------------------------
# Data tables. Extend these, not the code.
# ---------------------------------------------------------------------------------------

# Approximator words before the number. The longest phrase wins, so "nearly about"
# beats "nearly" and "just under" beats "under".
PREFIX_APPROXIMATORS: dict[str, str] = {
    **dict.fromkeys(["more than", "over", "upwards of", "in excess of", "above", ">",
                     "just over", "well over"], "more_than"),
    **dict.fromkeys(["at least", "no fewer than", "no less than", ">=", "\u2265"], "at_least"),
    **dict.fromkeys(["fewer than", "less than", "under", "below", "<"], "less_than"),
    **dict.fromkeys(["nearly", "almost", "up to", "as many as", "no more than", "at most",
                     "just under", "close to", "<=", "\u2264"], "at_most"),
    **dict.fromkeys(["about", "around", "roughly", "approximately", "approx.", "approx",
                     "some", "an estimated", "estimated", "est.", "nearly about", "circa",
                     "ca.", "c.", "~", "\u2248"], "about"),
}

# Approximator words after the number ("30 or more", "30-plus", "30+", "30 or so").
SUFFIX_APPROXIMATORS: dict[str, str] = {
    "or more": "at_least", "plus": "at_least", "+": "at_least",
    "or fewer": "at_most", "or less": "at_most",
    "or so": "about",
}

UNITS = {w: i for i, w in enumerate(
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen".split(), start=1)}
TENS = {w: 10 * i for i, w in enumerate(
    "twenty thirty forty fifty sixty seventy eighty ninety".split(), start=2)}
# Scales that close a group of words: "two thousand three hundred".
BIG_SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
# A number (digits or words) followed by one of these is multiplied by it.
WORD_SCALES = {"hundred": 100, "dozen": 12, "score": 20, **BIG_SCALES}
# Abbreviated scales glued to or spaced after digits: "2.5k", "1.5m", "2 bn".
ABBREV_SCALES = {"k": 10**3, "m": 10**6, "mn": 10**6, "mln": 10**6, "bn": 10**9, "bln": 10**9}

# Whole phrases with a fixed reading: (value, kind); kind "about" yields to an explicit
# approximator ("at least a couple" is at_least 2).
FIXED_PHRASES: dict[str, tuple[int, str]] = {
    "zero": (0, "exact"),
    "a couple": (2, "about"), "a pair": (2, "about"),
    "half a dozen": (6, "exact"), "a half dozen": (6, "exact"),
    "half a thousand": (500, "exact"), "half a million": (500_000, "exact"),
    "half a billion": (500_000_000, "exact"),
}

# Vague plurals, read conservatively as ACLED does (guide section 4).
VAGUE_PLURALS = {"tens": 10, "dozens": 12, "scores": 20, "hundreds": 100, "thousands": 10**3,
                 "millions": 10**6, "billions": 10**9}
# "tens of thousands" and kin; "dozens of thousands" is deliberately left out (unparsed).
VAGUE_PHRASES = {**VAGUE_PLURALS, **{
    f"{a} of {b}": VAGUE_PLURALS[a] * VAGUE_PLURALS[b]
    for a in ("tens", "hundreds") for b in ("thousands", "millions", "billions")}}
# Words that make a scale vague: "several hundred", "a few thousand", "many thousands".
VAGUE_MODIFIERS = ("several", "a few", "many")
VAGUE_SINGULAR = {"dozen": 12, "hundred": 100, "thousand": 10**3, "million": 10**6, "billion": 10**9}

# Longer input is not a quantity span; the cap also keeps int() far from its digit limit.
MAX_LEN = 300

_LOWER_BOUNDED = {"exact", "more_than", "at_least"}
_UPPER_BOUNDED = {"exact", "less_than", "at_most"}
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"), "-")
_EDGE_PUNCT = " .,;:!?'\"()[]{}\u2018\u2019\u201c\u201d\u00ab\u00bb\u2026*"

# ---------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------


def parse_quantity(text: str) -> Quantity:
    """Read a QUANTITY span; Quantity(None, None, None, None) when it cannot be read."""
    if not isinstance(text, str):
        return UNPARSED
    try:
        return _parse(text)
    except Exception:  # pragma: no cover - the contract is never to raise on odd input
        return UNPARSED


@functools.lru_cache(maxsize=1 << 14)    # pure, and figures repeat across a corpus; frozen results
def _parse(text: str) -> Quantity:
    s = _normalise(text)
    if not s or len(s) > MAX_LEN:
        return UNPARSED
    pre, s = _strip_prefix(s)
    suf, s = _strip_suffix(s)
    if pre and suf and pre != suf:      # "more than 30 or less": contradictory, do not pick one
        return UNPARSED
    approx = pre or suf
    single = _single(s)
    if single is not None:
        return _shape(*single, approx)
    rng = _range(s)
    # "about 30-40" is still the range; "more than 30-40" has no honest reading.
    if rng is not None and approx in (None, "about"):
        return Quantity(rng[0], rng[0], rng[1], "range")
    return UNPARSED


def _shape(value: int, kind: str, approx: str | None) -> Quantity:
    """Lay value out as value/lower/upper for its approximator (guide section 4)."""
    if kind == "vague":  # "at least hundreds" is still just hundreds
        return Quantity(value, value, None, "vague")
    approx = approx or kind
    return Quantity(value,
                    value if approx in _LOWER_BOUNDED else None,
                    value if approx in _UPPER_BOUNDED else None,
                    approx)


# ---------------------------------------------------------------------------------------
# Normalising and peeling approximators
# ---------------------------------------------------------------------------------------


def _normalise(text: str) -> str:
    # str.split() splits on every Unicode space (U+00A0, U+202F, U+2009 ...), so spaced
    # thousands all come out as "4 500".
    s = " ".join(text.split()).lower().translate(_DASHES).strip(_EDGE_PUNCT)
    if s.endswith(" of"):  # "dozens of", "a couple of": the span may end before the noun
        s = s[:-3].rstrip(_EDGE_PUNCT)
    return s


def _strip_prefix(s: str) -> tuple[str | None, str]:
    for phrase in sorted(PREFIX_APPROXIMATORS, key=len, reverse=True):
        if not s.startswith(phrase):
            continue
        rest = s[len(phrase):]
        # A word phrase must end at a word boundary ("some" is not the start of "someone");
        # symbols may touch the number (">30").
        if phrase[-1].isalnum() and not rest.startswith(" "):
            continue
        if rest.strip():
            return PREFIX_APPROXIMATORS[phrase], rest.strip()
    return None, s


def _strip_suffix(s: str) -> tuple[str | None, str]:
    for phrase in sorted(SUFFIX_APPROXIMATORS, key=len, reverse=True):
        if not s.endswith(phrase):
            continue
        head = s[: -len(phrase)]
        # "30 plus" and "30-plus" both count; "surplus" would not.
        if phrase[0].isalnum() and not head.endswith((" ", "-")):
            continue
        head = head.rstrip(" -")
        if head:
            return SUFFIX_APPROXIMATORS[phrase], head
    return None, s


# ---------------------------------------------------------------------------------------
# One amount
# ---------------------------------------------------------------------------------------


def _single(s: str) -> tuple[int, str] | None:
    """(value, kind) for one amount; kind is exact, about (fixed phrase) or vague."""
    if s in FIXED_PHRASES:
        return FIXED_PHRASES[s]
    vague = _vague(s)
    if vague is not None:
        return vague, "vague"
    ms = _mant_scale(s)
    if ms is None:
        return None
    n = ms[0] * ms[1]
    return (int(n), "exact") if n.denominator == 1 else None  # "4.5" is not a count


def _vague(s: str) -> int | None:
    if s in VAGUE_PHRASES:
        return VAGUE_PHRASES[s]
    for mod in VAGUE_MODIFIERS:
        if s.startswith(mod + " "):
            rest = s[len(mod) + 1:]
            return VAGUE_PHRASES.get(rest) or _scale_product(rest)
    return None


def _scale_product(s: str) -> int | None:
    """'hundred thousand' -> 100000; scales must grow left to right, else None."""
    values = [VAGUE_SINGULAR.get(t) for t in s.split()]
    if not values or None in values or values != sorted(set(values)):
        return None
    product = 1
    for v in values:
        product *= v
    return product


_ABBREV_RE = re.compile(r"(.*\d) ?(k|mn|mln|m|bn|bln)", re.ASCII)
_WORD_SCALE_RE = re.compile(r"(.+) (%s)" % "|".join(WORD_SCALES))


def _mant_scale(s: str) -> tuple[Fraction, int] | None:
    """Split an amount into mantissa and trailing scale: '2.5k' -> (5/2, 1000).

    Ranges need the two apart ("two to three thousand" shares the scale); an amount
    without a trailing scale word is (value, 1).
    """
    m = _ABBREV_RE.fullmatch(s)
    if m:
        mant = _digits(m[1], scaled=True)
        if mant is not None:
            return mant, ABBREV_SCALES[m[2]]
    m = _WORD_SCALE_RE.fullmatch(s)
    if m:
        mant = _digits(m[1], scaled=True)
        if mant is None:
            mant = _word_mantissa(m[1], m[2])
        if mant is not None:
            return mant, WORD_SCALES[m[2]]
    # No usable trailing scale: "two thousand three hundred" is read as a whole.
    whole = _digits(s, scaled=False)
    if whole is None:
        whole = _words(s)
    return None if whole is None else (Fraction(whole), 1)


def _word_mantissa(text: str, scale: str) -> Fraction | None:
    # The article stands for one ("a thousand"); word mantissas stay below the scale's
    # own range so "one million thousand" is not read as a billion.
    n = 1 if text == "a" else _words(text)
    cap = 100 if scale == "hundred" else 1000
    return Fraction(n) if n is not None and 0 < n < cap else None


# ---------------------------------------------------------------------------------------
# Digits
# ---------------------------------------------------------------------------------------

_PLAIN_RE = re.compile(r"\d+", re.ASCII)
_GROUPED_RE = re.compile(r"\d{1,3}([,. ])\d{3}(?:\1\d{3})*", re.ASCII)
_DECIMAL_RE = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d{1,3}(?: \d{3})+|\d+)\.\d+", re.ASCII)


def _digits(s: str, scaled: bool) -> Fraction | None:
    """Digits with thousands separators (, . space) or a decimal point.

    A dot before exactly three digits is a thousands separator ("4.500" = 4500) unless
    a scale word follows, where it is a decimal point ("1.500 million").
    """
    if _PLAIN_RE.fullmatch(s):
        return Fraction(int(s))
    m = _GROUPED_RE.fullmatch(s)
    if m and not (scaled and m[1] == "."):
        return Fraction(int(re.sub(r"\D", "", s)))
    if _DECIMAL_RE.fullmatch(s):
        return Fraction(re.sub(r"[, ]", "", s))
    return None


# ---------------------------------------------------------------------------------------
# English words
# ---------------------------------------------------------------------------------------


def _words(s: str) -> int | None:
    """Strict English cardinal: 'two thousand three hundred and five' -> 2305.

    Groups below a thousand, each closed by a scale that must shrink left to right;
    "and" may follow "hundred" or a big scale. Anything else is None, so "one two"
    is not 3.
    """
    toks = s.replace("-", " ").split()
    if toks == ["zero"]:
        return 0
    total, i, prev_scale = 0, 0, None
    while i < len(toks):
        group, i = _group(toks, i)
        if group is None:
            return None
        scale = BIG_SCALES.get(toks[i]) if i < len(toks) else None
        if scale is None:
            return total + group if i == len(toks) else None
        if prev_scale is not None and scale >= prev_scale:
            return None
        total, prev_scale, i = total + group * scale, scale, i + 1
        if i + 1 < len(toks) and toks[i] == "and":  # "two thousand and five"
            i += 1
    return total if toks else None


def _group(toks: list[str], i: int) -> tuple[int | None, int]:
    """One group below a thousand starting at toks[i]: 'a hundred and five', 'forty two'."""
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    if toks[i] == "a" and nxt in BIG_SCALES:  # "a thousand"
        return 1, i + 1
    hundreds = 0
    if nxt == "hundred" and (toks[i] == "a" or UNITS.get(toks[i], 10) < 10):
        hundreds, i = 100 * UNITS.get(toks[i], 1), i + 2
    needs_rest = hundreds and i < len(toks) and toks[i] == "and"
    if needs_rest:
        i += 1
    rest, j = _below_hundred(toks, i)
    if rest is None:
        return (hundreds, i) if hundreds and not needs_rest else (None, i)
    return hundreds + rest, j


def _below_hundred(toks: list[str], i: int) -> tuple[int | None, int]:
    if i >= len(toks):
        return None, i
    t = toks[i]
    if t in UNITS:
        return UNITS[t], i + 1
    if t in TENS:
        unit = UNITS.get(toks[i + 1], 10) if i + 1 < len(toks) else 10
        return (TENS[t] + unit, i + 2) if unit < 10 else (TENS[t], i + 1)
    return None, i


# ---------------------------------------------------------------------------------------
# Ranges
# ---------------------------------------------------------------------------------------


def _range(s: str) -> tuple[int, int] | None:
    """(lower, upper) for '30-40', '30 to 40', '30 or 40', 'between 30 and 40', 'from 30 to 40'.

    Word numbers may contain the connector ("between two hundred and fifty and three
    hundred"), so every split point is tried; exactly one distinct reading must survive.
    """
    if s.startswith("between "):
        body, seps = s[len("between "):], (" and ",)
    elif s.startswith("from "):
        body, seps = s[len("from "):], (" to ",)
    else:
        body, seps = s, (" to ", " or ", "-")
    found = {r for sep in seps for r in _splits(body, sep)}
    return found.pop() if len(found) == 1 else None


def _splits(body: str, sep: str):
    start = body.find(sep)
    while start != -1:
        r = _endpoints(body[:start].strip(), body[start + len(sep):].strip())
        if r is not None:
            yield r
        start = body.find(sep, start + 1)


def _endpoints(left: str, right: str) -> tuple[int, int] | None:
    lo, hi = _mant_scale(left), _mant_scale(right)
    if lo is None or hi is None:
        return None
    (lm, ls), (rm, rs) = lo, hi
    # "two to three thousand", "1.5-2 million": a bare lower end smaller than the upper
    # mantissa shares the upper end's scale; "900 to 1 million" does not.
    lower = lm * rs if ls == 1 and rs > 1 and lm < rm else lm * ls
    upper = rm * rs
    if lower.denominator != 1 or upper.denominator != 1 or not 0 <= lower < upper:
        return None
    return int(lower), int(upper)
