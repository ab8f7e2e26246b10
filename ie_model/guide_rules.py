"""Rules applied to a decoded document, after the model: each settles a case ANNOTATION.md decides
and the model gets wrong. All are pure functions of (text, entities, relations) that look only at
neighbouring spans, so they stay linear in the length of the text.
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import replace

from ie_model.normalize.lexicon import category_label
from ie_model.normalize.quantity import parse_quantity
from ie_model.schema import Entity, Relation
from ie_model.text import sentence_starts

SentenceOf = Callable[[int], int]          # char offset -> index of its sentence


def apply_guide_rules(text: str, entities: list[Entity], relations: list[Relation],
                      sentence: SentenceOf | None = None) -> tuple[list[Entity], list[Relation]]:
    """Entities and relations of a document after the decoding rules below (entities in text order,
    as merge_document gives them). `sentence` maps a char offset to its sentence index."""
    entities, relations = clean_spans(text, entities, relations)
    entities, relations = merge_victim_actors(text, entities, relations)
    sentence = sentence or _sentence_index(text)
    entities, relations = share_participle_category(text, entities, relations, sentence)
    relations = share_list_actor(text, entities, relations, sentence)
    relations = share_coordinated_links(text, entities, relations)
    relations = keep_possessive_owner(text, entities, relations)
    return entities, sorted(relations, key=lambda r: (r.head, r.label, r.tail))


def _sentence_index(text: str) -> SentenceOf:
    starts = sentence_starts(text)
    return lambda offset: bisect.bisect_right(starts, offset) - 1


def _without(entities: list[Entity], relations: list[Relation],
             dropped: set[str]) -> tuple[list[Entity], list[Relation]]:
    return ([e for e in entities if e.id not in dropped],
            [r for r in relations if r.head not in dropped and r.tail not in dropped])


# -- Fix: spans that are only a function word, or end in one -------------------------------------

# A span made of one of these names nothing ("the" as an ACTOR, "a" as a QUANTITY: guide section 2).
_EMPTY_WORDS = frozenset({"the", "a", "an", "of", "and", "or"})
# No span ends in these: "of", "the" stay outside (guide 7.1), "and" joins two spans (7.6); no gold
# span (train and dev) ends in a preposition, article or possessive either ("trucks loaded with"),
# nor in "each" or "apiece" (CONVENTIONS.md: "206 [captives] apiece"; 0 of 54 in the gold).
_TRAILING_WORDS = frozenset("""of and the or a an with against on in at by for from to into as over under near
    its their our his her each apiece""".split())
_TRAILING_CHARS = " \t\r\n,;:-\u2013\u2014"      # not "." ("U.S.") nor ")" ("(ISW)")
# A closing quote ends a span only when the span opened it (`the “aggression forces”`), not in
# `27 “crusader” troops`, where the actor is `crusader`.
_CLOSING_QUOTES = {"\u201d": "\u201c", "\u2019": "\u2018", '"': '"', "'": "'"}
# The rest of a number the tagger cut ("some 30" of "some 30,000": the tokenizer splits at the comma).
_NUMBER_TAIL = re.compile(r"(?:[.,]?\d)+")


def clean_spans(text: str, entities: list[Entity],
                relations: list[Relation]) -> tuple[list[Entity], list[Relation]]:
    """Trim trailing function words, separators and unopened quotes off every span, and complete a
    QUANTITY that stops inside a number; drop spans left with nothing, and QUANTITY spans that name
    no number ("more", "4th", "2/"): every gold QUANTITY (8,000 in train and dev) reads as one."""
    starts = sorted(e.start for e in entities)
    kept, dropped = [], set()
    for e in entities:
        end = _whole_number_end(text, e.end, starts) if e.label == "QUANTITY" else e.end
        end = _side_end(text, end, starts) if e.label == "ACTOR" else end
        end = _trimmed_end(text, e.start, end)
        span = text[e.start:end]
        if end == e.start or span.lower() in _EMPTY_WORDS or (e.label == "QUANTITY" and not _reads_as_number(span)):
            dropped.add(e.id)
        else:
            kept.append(e if end == e.end else replace(e, end=end))
    return _without(kept, relations, dropped)


def _whole_number_end(text: str, end: int, starts: list[int]) -> int:
    if not (end and text[end - 1].isdigit()):
        return end
    tail = _NUMBER_TAIL.match(text, end)
    if tail is None:
        return end
    i = bisect.bisect_left(starts, end)
    another_span_inside = i < len(starts) and starts[i] < tail.end()
    return end if another_span_inside else tail.end()


_SIDE = re.compile(r"\s+side\b")


def _side_end(text: str, end: int, starts: list[int]) -> int:
    """An ACTOR takes the "side" that follows it ("on [the Ukrainian side]": 19 of 21 in train)."""
    side = _SIDE.match(text, end)
    if side is None or bisect.bisect_right(starts, end) < bisect.bisect_right(starts, side.end() - 1):
        return end
    return side.end()


def _reads_as_number(span: str) -> bool:
    q = parse_quantity(span)
    return q.value is not None or q.lower is not None


def _trimmed_end(text: str, start: int, end: int) -> int:
    while True:
        span = text[start:end].rstrip(_TRAILING_CHARS)
        if span and span[-1] in _CLOSING_QUOTES and _CLOSING_QUOTES[span[-1]] not in span[:-1]:
            span = span[:-1]
        words = span.rsplit(None, 1)
        if len(words) == 2 and words[1].lower() in _TRAILING_WORDS:
            span = words[0]                 # a prefix of the span: its length is an exact offset
        if start + len(span) == end:
            return end
        end = start + len(span)


# -- Fix: a party word before civilians, hostages... is part of the CATEGORY (guide 7.9) ----------

# Victims who are not a side (guide 7.9; the gold merges "Israeli hostages", "Palestinian prisoners",
# "African migrants", "UNRWA staff members" and never splits them). Fighters, members, mercenaries,
# volunteers and peacekeepers belong to a side and keep their ACTOR ("88 [SDF] members").
_VICTIM_NOUNS = frozenset("""civilians hostages prisoners detainees migrants refugees staff children
    villagers journalists workers residents medics paramedics doctors nurses""".split())
# "its staff", "the enemy prisoners": a pronoun or determiner points at a party, it does not describe.
_NOT_DESCRIPTIVE = frozenset({"the", "a", "an", "its", "their", "our", "his", "her", "enemy"})


def _is_victim_noun(phrase: str) -> bool:
    words = phrase.lower().split()
    return bool(words) and (words[-1] in _VICTIM_NOUNS or words[-2:] == ["staff", "members"])


def merge_victim_actors(text: str, entities: list[Entity],
                        relations: list[Relation]) -> tuple[list[Entity], list[Relation]]:
    """An ACTOR right before a victims CATEGORY ("33 [Israeli] [hostages]") joins the CATEGORY,
    and its links go: a nationality of civilians names no side (guide 7.9)."""
    actor_ending_at = {e.end: e for e in entities if e.label == "ACTOR"}
    merged: dict[str, Entity] = {}
    dropped: set[str] = set()
    for c in entities:
        a = actor_ending_at.get(c.start - 1)
        if (c.label != "CATEGORY" or a is None or text[a.end:c.start] != " "
                or not _is_victim_noun(text[c.start:c.end])
                or text[a.start:a.end].lower().split()[0] in _NOT_DESCRIPTIVE):
            continue
        merged[c.id] = replace(c, start=a.start)
        dropped.add(a.id)
    return _without([merged.get(e.id, e) for e in entities], relations, dropped)


# -- Fix: "... killed and 121 injured": the bare participle is no category (CONVENTIONS.md) -------

# In "[4,540] [killed] and [12,493] wounded" the second count links to the first count's CATEGORY
# and "wounded" gets no span. "killed"/"dead" are left alone: they are the first count's CATEGORY.
# "captured 48 others" is the same left-out noun (guide 7.2; the gold never tags "others").
_LEFT_OUT_NOUNS = frozenset({"wounded", "injured", "hurt", "hospitalised", "hospitalized", "others"})
_WORD_AFTER = re.compile(r"\s+([A-Za-z]+)\b")
_SPACE = re.compile(r"\s+")
# "558 people were killed, including 50 children and 94 women, and 1,835 wounded": the wounded are
# the 558's kind, not the women's; counts after these cues (and their list) are sub-counts.
_INCLUSION = re.compile(r"\b(?:including|among them|among whom|of them|of whom)\b", re.IGNORECASE)
_LIST_JOIN = re.compile(r"[\s,]*(?:and\s+)?$")


def share_participle_category(text: str, entities: list[Entity], relations: list[Relation],
                              sentence: SentenceOf) -> tuple[list[Entity], list[Relation]]:
    """A count followed only by a bare participle takes the CATEGORY of the main earlier count of
    its sentence; a participle CATEGORY span left unlinked is dropped."""
    by_id = {e.id: e for e in entities}
    category = {r.head: r for r in relations if r.label == "category"}
    category_starts = {e.start for e in entities if e.label == "CATEGORY"}
    changed: dict[str, Relation] = {}
    head = previous = None
    previous_is_sub = False
    for q in (e for e in entities if e.label == "QUANTITY"):
        if previous is None or sentence(previous.start) != sentence(q.start):
            head = previous = None
        own = by_id.get(category[q.id].tail) if q.id in category else None
        word = _WORD_AFTER.match(text, q.end)
        bare = (word is not None and word.group(1).lower() in _LEFT_OUT_NOUNS
                and (own is None and not _followed_by_category(text, word.end(), category_starts)
                     or own is not None and (own.start, own.end) == word.span(1)))
        if bare and head is not None:
            changed[q.id] = Relation(q.id, category[head.id].tail, "category", category[head.id].score)
        is_sub = previous is not None and _is_sub_count(text, previous, q, previous_is_sub, category, by_id)
        if not bare and not is_sub and q.id in category:
            head = q
        previous, previous_is_sub = q, is_sub
    if not changed:
        return entities, relations
    relations = [changed.pop(r.head) if r.label == "category" and r.head in changed else r for r in relations]
    relations += changed.values()          # counts that had no category at all
    linked = {r.tail for r in relations}
    orphans = {category[q].tail for q in category if category[q].tail not in linked}
    return _without(entities, relations, orphans)


def _followed_by_category(text: str, offset: int, category_starts: set[int]) -> bool:
    """ "40 wounded [soldiers]": the participle is an adjective of a noun of the count's own."""
    space = _SPACE.match(text, offset)
    return (space.end() if space else offset) in category_starts


def _is_sub_count(text: str, previous: Entity, q: Entity, previous_is_sub: bool,
                  category: dict[str, Relation], by_id: dict[str, Entity]) -> bool:
    """q is named as part of an earlier count ("including 50 children and 94 women")."""
    prev_cat = by_id.get(category[previous.id].tail) if previous.id in category else None
    after = max(previous.end, prev_cat.end if prev_cat else 0)
    between = text[after:q.start]
    return bool(_INCLUSION.search(between)) or previous_is_sub and bool(_LIST_JOIN.fullmatch(between))


# -- Fix: a list shares its actor (guide section 1) ----------------------------------------------

_LIST_GAP = 45                                       # chars between one list item and the next
# A new clause: "; ", "while", "but", "and that 106 Yemenis", "as Lebanon toll tops 490" ("as well as"
# still joins a list).
_LIST_BREAK = re.compile(r";|\b(?:while|whereas|but|and that)\b|\bas\b(?!\s+well\b)(?<!well as)", re.IGNORECASE)
# What joins a noun to its owner named after it: "members of", "used by", "belonging to", "from".
_OWNER_LINK = re.compile(r"\s*(?:[\w-]+\s+)?(?:of|by|from|to)\s+")
# Civilians and people with no side named have no affected (guide 7.9, section 4 `people`).
_SIDELESS = ("civilians", "people")
# "25 Indian drones shot down, four soldiers hurt": a participle after the noun closes a clause.
_CLAUSE_VERB = re.compile(r"\s*(?:were\s+|was\s+|had\s+been\s+)?(?:\w+ed|shot|hit|struck|taken)\b", re.IGNORECASE)


def share_list_actor(text: str, entities: list[Entity], relations: list[Relation],
                     sentence: SentenceOf) -> list[Relation]:
    """A loss count right after another in its sentence ("killed 230 [RSF] fighters and destroyed
    18 combat vehicles") takes the actor word that sits between the earlier count and its noun, when
    it names no owner of its own: a list "is one claim per number, and they share the actor"."""
    by_id = {e.id: e for e in entities}
    category, affected, agent = {}, {}, {}
    for r in relations:
        if r.label == "category":
            category[r.head] = by_id.get(r.tail)
        elif r.label in ("affected", "agent"):
            (affected if r.label == "affected" else agent).setdefault(r.head, []).append(r)
    parties = sorted(e.start for e in entities if e.label in ("ACTOR", "SOURCE"))
    actors = sorted(e.start for e in entities if e.label == "ACTOR")
    quantities = [e for e in entities if e.label == "QUANTITY"]
    added: list[Relation] = []
    carried: list[Relation] = []
    for i, (p, q) in enumerate(zip(quantities, quantities[1:])):
        carried = _passed_on(text, p, carried, category.get(p.id), affected.get(p.id, []), by_id)
        if not carried or not _continues_list(text, p, q, category, parties, sentence):
            carried = []
            continue
        after_q = quantities[i + 2].start if i + 2 < len(quantities) else len(text)
        if q.id in affected or {r.tail for r in carried} & {r.tail for r in agent.get(q.id, [])} \
                or _names_own_owner(text, q, category.get(q.id), parties, actors, after_q):
            continue
        affected[q.id] = [Relation(q.id, r.tail, "affected", r.score) for r in carried]
        added += affected[q.id]
    return relations + added


def _passed_on(text: str, p: Entity, carried: list[Relation], cat: Entity | None,
               links: list[Relation], by_id: dict[str, Entity]) -> list[Relation]:
    """The affected links p hands to the next item of its list: its own actor word between count
    and noun ("230 [RSF] fighters"; not a maker, "[US]-made tanks"), else the list's actor if p
    shares it."""
    if p.kind != "loss":
        return []
    own = [r for r in links if cat is not None and r.tail in by_id and p.end <= by_id[r.tail].start
           and by_id[r.tail].end <= cat.start and text[by_id[r.tail].end:by_id[r.tail].end + 1] != "-"]
    shared = {r.tail for r in carried}
    return own or [r for r in links if r.tail in shared]


def _continues_list(text: str, p: Entity, q: Entity, category: dict[str, Entity | None],
                    parties: list[int], sentence: SentenceOf) -> bool:
    """q is the next item of p's list: a loss in the same sentence, close, with no party or clause
    break in between, and not civilians."""
    cat, q_cat = category.get(p.id), category.get(q.id)
    after = max(p.end, cat.end if cat else 0)
    between = text[after:q.start]
    own_noun = q_cat is not None and q_cat is not cat
    return (q.kind == "loss" and sentence(p.start) == sentence(q.start) and after <= q.start
            and len(between) <= _LIST_GAP and not _LIST_BREAK.search(between)
            and bisect.bisect_left(parties, after) == bisect.bisect_left(parties, q.start)
            and not (own_noun and _CLAUSE_VERB.match(between))
            and not (q_cat is not None and category_label(text[q_cat.start:q_cat.end]) in _SIDELESS))


def _names_own_owner(text: str, q: Entity, cat: Entity | None, parties: list[int], actors: list[int],
                     limit: int) -> bool:
    """q names an owner of its own, even if the model left it unlinked: an ACTOR or SOURCE between
    q and its noun, or an ACTOR right after them ("19 members of [allied factions]", "drones used by
    [the group]", "three from [Malawi]")."""
    if cat is not None and bisect.bisect_left(parties, q.end) < bisect.bisect_left(parties, cat.start):
        return True
    end = max(q.end, cat.end if cat else 0)
    i = bisect.bisect_left(actors, end)
    return i < len(actors) and actors[i] < limit and _OWNER_LINK.fullmatch(text, end, actors[i]) is not None


# -- Fix: coordinated parties share their links (guide section 7.6) -----------------------------

# What joins two coordinated parties: "[Rwandan] and [Mozambican troops]", "[the army], [police]".
_COORDINATION = re.compile(r",? and |, |,? or ")
# "[the Sever] and [Dnepr groups] accounted for 150 and 60 troops respectively": each party owns one count.
_RESPECTIVELY = re.compile(r"[^.!?\n]*\brespectively\b")


def share_coordinated_links(text: str, entities: list[Entity], relations: list[Relation]) -> list[Relation]:
    """Parties written side by side as one coordination get every affected/agent link either has
    ("Link every coordinated party"): the model often links only the one nearer the count. In the
    gold, a link of the first party is nearly always one of the second too (session 9: train 530 of 534,
    the misses one fronted "From [the terrorists], [our units] recovered ..."; dev 67 of 67, dev_writers
    32 of 32). A coordination that "respectively" spreads over several counts is left alone (gold: 1 of 8
    such links shared)."""
    actors = [e for e in entities if e.label == "ACTOR"]
    groups: list[list[Entity]] = []
    for previous, actor in zip([None] + actors[:-1], actors):
        if previous is not None and _COORDINATION.fullmatch(text, previous.end, actor.start):
            groups[-1].append(actor)
        else:
            groups.append([actor])
    links = {(r.head, r.tail, r.label) for r in relations}
    by_tail: dict[str, list[tuple[int, Relation]]] = {}        # built once: linear in the document
    for n, r in enumerate(relations):
        if r.label in ("affected", "agent"):
            by_tail.setdefault(r.tail, []).append((n, r))
    added: list[Relation] = []
    for group in (g for g in groups if len(g) > 1 and not _RESPECTIVELY.match(text, g[-1].end)):
        ids = [a.id for a in group]
        for _, r in sorted(pair for i in ids for pair in by_tail.get(i, [])):
            for other in ids:
                if (r.head, other, r.label) not in links:
                    links.add((r.head, other, r.label))
                    added.append(Relation(r.head, other, r.label, r.score))
    return relations + added


# -- Fix: "11 of their tanks": the possessive at the count is its owner --------------------------

_POSSESSIVE = frozenset({"its", "their", "his", "her", "our"})


def keep_possessive_owner(text: str, entities: list[Entity], relations: list[Relation]) -> list[Relation]:
    """A count whose owner is a possessive between it and its noun ("destroyed three of [their] tanks")
    keeps that possessive as its only affected: the model often adds the party the pronoun stands
    for ("the factions ... three of their tanks"), which the guide resolves through the pronoun
    instead (gold: alone in 37 of 40 such counts, train, dev and dev_writers)."""
    by_id = {e.id: e for e in entities}
    category = {r.head: by_id.get(r.tail) for r in relations if r.label == "category"}
    owners: dict[str, set[str]] = {}
    for r in relations:
        q, tail, cat = by_id.get(r.head), by_id.get(r.tail), category.get(r.head)
        if (r.label == "affected" and q is not None and tail is not None and cat is not None
                and q.end <= tail.start and tail.end <= cat.start
                and text[tail.start:tail.end].lower() in _POSSESSIVE):
            owners.setdefault(r.head, set()).add(r.tail)
    return [r for r in relations if not (r.label == "affected" and r.head in owners and r.tail not in owners[r.head])]
