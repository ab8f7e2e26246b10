"""parse_quantity against ANNOTATION.md section 4: a table of cases, then properties."""
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ie_model.normalize import quantity as qmod
from ie_model.normalize.quantity import Quantity, parse_quantity

NONE = (None, None, None, None)


def ex(n):
    return (n, n, n, "exact")


def vague(n):
    return (n, n, None, "vague")


def rng(lo, hi):
    return (lo, lo, hi, "range")


CASES = [
    # --- exact digits and separators ---
    ("42", ex(42)),
    ("0", ex(0)),
    ("393,290", ex(393290)),
    ("4,500", ex(4500)),
    ("4.500", ex(4500)),                      # dot + three digits, no scale: thousands
    ("4.500.000", ex(4_500_000)),
    ("4 500", ex(4500)),
    ("4\u202f500", ex(4500)),                 # narrow no-break space
    ("4\u00a0500", ex(4500)),                 # no-break space
    ("4\u2009500", ex(4500)),                 # thin space
    ("1,234,567", ex(1_234_567)),
    ("  42. ", ex(42)),                       # edge whitespace and punctuation
    ("(42)", ex(42)),
    ("\u201c42\u201d", ex(42)),
    ("2022", ex(2022)),                       # a bare year cannot be told apart
    # --- scaled decimals ---
    ("1.2 million", ex(1_200_000)),
    ("1.500 million", ex(1_500_000)),         # with a scale word the dot is decimal
    ("11 thousand", ex(11_000)),
    ("2.5k", ex(2500)),
    ("3K", ex(3000)),
    ("1.5m", ex(1_500_000)),
    ("2 bn", ex(2_000_000_000)),
    ("2bn", ex(2_000_000_000)),
    ("2 billion", ex(2_000_000_000)),
    ("3.5 mln", ex(3_500_000)),
    ("1,200 thousand", ex(1_200_000)),
    ("11 hundred", ex(1100)),
    # --- word numbers ---
    ("one", ex(1)),
    ("five", ex(5)),
    ("Fourteen", ex(14)),
    ("nineteen", ex(19)),
    ("twenty", ex(20)),
    ("forty-two", ex(42)),
    ("Forty-two", ex(42)),
    ("forty two", ex(42)),
    ("a hundred", ex(100)),
    ("a hundred and five", ex(105)),
    ("one hundred five", ex(105)),
    ("one hundred and five", ex(105)),
    ("two thousand three hundred", ex(2300)),
    ("two thousand and five", ex(2005)),
    ("a thousand", ex(1000)),
    ("a million", ex(1_000_000)),
    ("a hundred thousand", ex(100_000)),
    ("twenty-five thousand", ex(25_000)),
    ("fifteen hundred", ex(1500)),
    ("one million two hundred thousand", ex(1_200_000)),
    ("zero", ex(0)),
    ("a dozen", ex(12)),
    ("two dozen", ex(24)),
    ("half a dozen", ex(6)),
    ("half a million", ex(500_000)),
    ("a score", ex(20)),
    ("a couple", (2, None, None, "about")),
    ("a couple of", (2, None, None, "about")),
    ("a pair", (2, None, None, "about")),
    ("at least a couple", (2, 2, None, "at_least")),
    # --- more_than ---
    ("more than 4,500", (4500, 4500, None, "more_than")),
    ("More than 4,500", (4500, 4500, None, "more_than")),
    ("over 300", (300, 300, None, "more_than")),
    ("upwards of 1,000", (1000, 1000, None, "more_than")),
    ("in excess of 2 million", (2_000_000, 2_000_000, None, "more_than")),
    ("above 50", (50, 50, None, "more_than")),
    (">50", (50, 50, None, "more_than")),
    ("> 50", (50, 50, None, "more_than")),
    ("more than a dozen", (12, 12, None, "more_than")),
    # --- at_least ---
    ("at least 20", (20, 20, None, "at_least")),
    ("At least twenty", (20, 20, None, "at_least")),
    ("no fewer than 7", (7, 7, None, "at_least")),
    ("no less than 7", (7, 7, None, "at_least")),
    ("30 or more", (30, 30, None, "at_least")),
    ("30-plus", (30, 30, None, "at_least")),
    ("30 plus", (30, 30, None, "at_least")),
    ("30+", (30, 30, None, "at_least")),
    ("1,000+", (1000, 1000, None, "at_least")),
    # --- less_than ---
    ("fewer than 10", (10, None, 10, "less_than")),
    ("less than 100", (100, None, 100, "less_than")),
    ("under 50", (50, None, 50, "less_than")),
    ("below 5", (5, None, 5, "less_than")),
    ("<5", (5, None, 5, "less_than")),
    # --- at_most ---
    ("nearly 1,000", (1000, None, 1000, "at_most")),
    ("almost 400", (400, None, 400, "at_most")),
    ("up to 15", (15, None, 15, "at_most")),
    ("as many as 60", (60, None, 60, "at_most")),
    ("no more than 3", (3, None, 3, "at_most")),
    ("at most 3", (3, None, 3, "at_most")),
    ("just under 500", (500, None, 500, "at_most")),
    ("close to 2,000", (2000, None, 2000, "at_most")),
    ("30 or fewer", (30, None, 30, "at_most")),
    # --- about ---
    ("about 200", (200, None, None, "about")),
    ("around 200", (200, None, None, "about")),
    ("roughly 200", (200, None, None, "about")),
    ("approximately 200", (200, None, None, "about")),
    ("some 200", (200, None, None, "about")),
    ("an estimated 200", (200, None, None, "about")),
    ("estimated 200", (200, None, None, "about")),
    ("nearly about 200", (200, None, None, "about")),
    ("circa 200", (200, None, None, "about")),
    ("~200", (200, None, None, "about")),
    ("~ 200", (200, None, None, "about")),
    ("200 or so", (200, None, None, "about")),
    ("about 200 or so", (200, None, None, "about")),
    ("some 1.2 million", (1_200_000, None, None, "about")),
    # --- ranges ---
    ("30-40", rng(30, 40)),
    ("30\u201340", rng(30, 40)),
    ("30 \u2013 40", rng(30, 40)),
    ("30 to 40", rng(30, 40)),
    ("between 30 and 40", rng(30, 40)),
    ("Between 30 and 40", rng(30, 40)),
    ("from 30 to 40", rng(30, 40)),
    ("30 or 40", rng(30, 40)),
    ("1,000-1,500", rng(1000, 1500)),
    ("two to three thousand", rng(2000, 3000)),
    ("between two and three hundred", rng(200, 300)),   # the scale serves both ends
    ("between 5 and 10 thousand", rng(5000, 10_000)),
    ("between 1.5 and 2 million", rng(1_500_000, 2_000_000)),
    ("30-40 thousand", rng(30_000, 40_000)),
    ("2.5k-3k", rng(2500, 3000)),
    ("900 to 1 million", rng(900, 1_000_000)),   # 900 > 1: the scale is not shared
    ("one or two dozen", rng(12, 24)),
    ("five or six", rng(5, 6)),
    ("between two hundred and fifty and three hundred", rng(250, 300)),
    ("between 1 and ONE HUNDRED TWENTY FIVE THOUSAND", rng(1000, 125_000)),  # shared, any case
    ("between 1 and one hundred twenty five thousand", rng(1000, 125_000)),
    ("between 1 and 125,000", rng(1, 125_000)),           # a digit upper end has no scale to share
    ("between one thousand and one hundred one thousand one hundred one", rng(1000, 101_101)),
    ("between 1,000 and one hundred and one thousand one hundred and one", rng(1000, 101_101)),
    ("about 30-40", rng(30, 40)),
    ("some 30 to 40", rng(30, 40)),
    # --- vague ---
    ("tens", vague(10)),
    ("dozens", vague(12)),
    ("Dozens", vague(12)),
    ("dozens of", vague(12)),
    ("scores", vague(20)),
    ("hundreds", vague(100)),
    ("thousands", vague(1000)),
    ("tens of thousands", vague(10_000)),
    ("hundreds of thousands", vague(100_000)),
    ("millions", vague(1_000_000)),
    ("several hundred", vague(100)),
    ("several thousand", vague(1000)),
    ("a few hundred", vague(100)),
    ("a few thousand", vague(1000)),
    ("several dozen", vague(12)),
    ("several hundred thousand", vague(100_000)),
    ("many thousands", vague(1000)),
    ("at least hundreds", vague(100)),
    ("more than dozens", vague(12)),
    ("some hundreds", vague(100)),
    ("nearly thousands", vague(1000)),
    # --- cannot parse ---
    ("", NONE),
    ("   ", NONE),
    ("...", NONE),
    ("several", NONE),
    ("many", NONE),
    ("some", NONE),
    ("a few", NONE),
    ("a", NONE),
    ("more than", NONE),
    ("T-72", NONE),
    ("Su-34", NONE),
    ("S-300", NONE),
    ("F-16", NONE),
    ("February 3", NONE),
    ("third", NONE),
    ("3rd", NONE),
    ("30%", NONE),
    ("$30", NONE),
    ("30 km", NONE),
    ("4.5", NONE),                            # not a whole count
    ("4,50", NONE),
    ("1 2", NONE),
    ("one two", NONE),
    ("hundred", NONE),
    ("dozen", NONE),
    ("dozens of thousands", NONE),            # left out on purpose
    ("hundreds or thousands", NONE),
    ("40-30", NONE),                          # a range must rise
    # 1000..101101 or ("one thousand and one hundred") 1100..1101: two readings, no guess
    ("between one thousand and one hundred and one thousand one hundred and one", NONE),
    ("more than 30-40", NONE),                # only "about" words combine with a range
    ("more than 30 or less", NONE),           # contradictory approximators
    ("30 and 40", NONE),                      # a list, not a range
    ("a total of 30", NONE),                  # cumulative cue is outside the span
    ("one thousand one thousand", NONE),
    ("1.234.567 million", NONE),
    ("-5", NONE),
    ("one and a half million", NONE),         # not supported: no guessing
    ("30-odd", NONE),
    ("9" * 400, NONE),                        # too long to be a span
]


@pytest.mark.parametrize("text,expected", CASES, ids=[repr(c[0])[:40] for c in CASES])
def test_table(text, expected):
    q = parse_quantity(text)
    assert (q.value, q.lower, q.upper, q.approx) == expected


def test_case_count():
    assert len(CASES) >= 80


def test_to_dict_and_frozen():
    q = parse_quantity("more than 4,500")
    assert q.to_dict() == {"value": 4500, "lower": 4500, "upper": None, "approx": "more_than"}
    assert parse_quantity("many").to_dict() == {"value": None, "lower": None, "upper": None,
                                                "approx": None}
    with pytest.raises(AttributeError):
        q.value = 1  # frozen


@pytest.mark.parametrize("odd", [None, 42, b"42", ["42"], 4.5])
def test_non_str_never_raises(odd):
    assert parse_quantity(odd) == Quantity(None, None, None, None)


# ---------------------------------------------------------------------------------------
# Property-based round trips
# ---------------------------------------------------------------------------------------

FAST = settings(max_examples=200, deadline=None, database=None)
NUMS = st.integers(min_value=0, max_value=10**9)
SMALL = st.integers(min_value=0, max_value=10**7 - 1)

_UNITS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen "
          "fourteen fifteen sixteen seventeen eighteen nineteen").split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def _below_100(n, hyphen):
    if n < 20:
        return _UNITS[n]
    tens, unit = divmod(n, 10)
    if not unit:
        return _TENS[tens]
    return f"{_TENS[tens]}{'-' if hyphen else ' '}{_UNITS[unit]}"


def _below_1000(n, use_and, hyphen):
    hundreds, rest = divmod(n, 100)
    words = [_UNITS[hundreds], "hundred"] if hundreds else []
    if rest:
        if hundreds and use_and:
            words.append("and")
        words.append(_below_100(rest, hyphen))
    return words


def to_words(n, use_and=False, hyphen=True):
    """English cardinal for 0 <= n < 10**7; British 'and' when use_and."""
    assert 0 <= n < 10**7
    if n == 0:
        return "zero"
    words = []
    for scale, name in ((10**6, "million"), (10**3, "thousand"), (1, "")):
        group = n // scale % 1000
        if not group:
            continue
        # British style also puts "and" before a last group below 100 ("one thousand and five").
        if scale == 1 and use_and and words and group < 100:
            words.append("and")
        words += _below_1000(group, use_and, hyphen) + ([name] if name else [])
    return " ".join(words)


def test_to_words_helper():
    assert to_words(0) == "zero"
    assert to_words(42) == "forty-two"
    assert to_words(105, use_and=True) == "one hundred and five"
    assert to_words(1005, use_and=True) == "one thousand and five"
    assert to_words(6_000_042, hyphen=False) == "six million forty two"
    assert to_words(2_345_678) == "two million three hundred forty-five thousand six hundred seventy-eight"


def digit_forms(n):
    plain, commas = str(n), f"{n:,}"
    return [plain, commas, commas.replace(",", " "), commas.replace(",", "."),
            commas.replace(",", "\u202f"), commas.replace(",", "\u00a0")]


def word_forms(n):
    forms = [to_words(n, a, h) for a in (False, True) for h in (False, True)]
    return forms + [forms[-1].capitalize(), forms[0].upper()]


@FAST
@given(NUMS)
def test_digit_forms_round_trip(n):
    for text in digit_forms(n):
        assert parse_quantity(text) == Quantity(n, n, n, "exact"), text


@FAST
@given(SMALL)
def test_word_forms_round_trip(n):
    for text in word_forms(n):
        assert parse_quantity(text) == Quantity(n, n, n, "exact"), text


WRAPPERS = [
    ("more than {}", lambda n: Quantity(n, n, None, "more_than")),
    ("at least {}", lambda n: Quantity(n, n, None, "at_least")),
    ("nearly {}", lambda n: Quantity(n, None, n, "at_most")),
    ("about {}", lambda n: Quantity(n, None, None, "about")),
]


@FAST
@given(SMALL, st.sampled_from(WRAPPERS), st.booleans())
def test_wrapped_round_trip(n, wrapper, words):
    template, expected = wrapper
    forms = word_forms(n) if words else digit_forms(n)
    for form in forms:
        assert parse_quantity(template.format(form)) == expected(n), form


def _ends_in_scale(text):
    # Lower-cased: word_forms() also yields "ONE HUNDRED TWENTY FIVE THOUSAND", which the
    # parser reads case-insensitively, so the shared-scale exclusion must see it too.
    return text.split()[-1].lower() in ("hundred", "thousand", "million")


def _and_is_ambiguous(left, right):
    """True when the connector "and" could also be read as part of the lower number.

    The parser accepts "and" after a big scale before any group ("two thousand and five
    hundred" = 2500, a form common in news English). So with a lower end ending in a big
    scale and an upper end opening "<n> hundred and ...", the span has two honest
    readings: "between one thousand and one hundred and one thousand one hundred and one"
    is 1000..101101 or 1100..1101. The parser must refuse to pick one (unparsed), so the
    round trip cannot expect the first.
    """
    lt, rt = left.lower().split(), right.lower().split()
    return (lt[-1] in ("thousand", "million") and len(rt) > 2
            and rt[1] == "hundred" and rt[2] == "and")


@FAST
@given(SMALL, SMALL, st.booleans(), st.booleans(), st.data())
def test_between_round_trip(a, b, a_words, b_words, data):
    assume(a != b)
    a, b = min(a, b), max(a, b)
    left = data.draw(st.sampled_from(word_forms(a) if a_words else digit_forms(a)))
    right = data.draw(st.sampled_from(word_forms(b) if b_words else digit_forms(b)))
    # "between two and three hundred" shares the scale (200-300) on purpose; that
    # reading is pinned in the table, so leave it out here.
    assume(not (b_words and _ends_in_scale(right) and not (a_words and _ends_in_scale(left))))
    # "and" inside both word ends can make the split itself ambiguous; see the helper.
    assume(not (a_words and b_words and _and_is_ambiguous(left, right)))
    assert parse_quantity(f"between {left} and {right}") == Quantity(a, a, b, "range")


@FAST
@given(NUMS, NUMS, st.sampled_from(["{}-{}", "{} \u2013 {}", "{} to {}", "from {} to {}"]))
def test_digit_ranges_round_trip(a, b, template):
    assume(a != b)
    a, b = min(a, b), max(a, b)
    for left, right in zip(digit_forms(a), digit_forms(b)):
        assert parse_quantity(template.format(left, right)) == Quantity(a, a, b, "range")


def _check_shape(q):
    """Any answer is either unparsed or one of the section 4 shapes."""
    if q.approx is None:
        assert q == Quantity(None, None, None, None)
        return
    assert isinstance(q.value, int) and q.value >= 0
    assert q.approx in qmod.APPROXES
    expected = {
        "exact": (q.value, q.value), "more_than": (q.value, None), "at_least": (q.value, None),
        "less_than": (None, q.value), "at_most": (None, q.value), "about": (None, None),
        "vague": (q.value, None),
    }.get(q.approx)
    if q.approx == "range":
        assert q.lower == q.value < q.upper
    else:
        assert (q.lower, q.upper) == expected


TOKENS = ["a", "and", "between", "to", "or", "more", "than", "about", "some", "of", "-", "+",
          "hundred", "thousand", "million", "dozen", "dozens", "tens", "several", "half",
          "one", "two", "twenty", "forty-two", "k", "m", "bn", "1", "30", "4,500", "4.500",
          "1.5", "~", ">", "so", "plus", "at", "least", "\u2013", ",", ".", " "]


@FAST
@given(st.one_of(st.text(max_size=40),
                 st.lists(st.sampled_from(TOKENS), max_size=8).map(" ".join),
                 st.lists(st.sampled_from(TOKENS), max_size=8).map("".join)))
def test_never_raises_and_shapes_hold(text):
    # Call the inner parser so a crash is seen rather than swallowed by the safety net.
    _check_shape(qmod._parse(text))
    _check_shape(parse_quantity(text))
