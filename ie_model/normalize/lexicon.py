"""Category labels and canonical parties for claim spans (ANNOTATION.md section 4).

The vocabulary lives in data/categories.yaml and data/parties.yaml, which analysts extend without
reading this module; the rules are described at the top of each file. This module only normalises
text into word stems and looks them up. `python -m ie_model.normalize.lexicon --check` verifies the data.
"""
from __future__ import annotations

import functools
import re
import sys
import unicodedata
from pathlib import Path

import yaml

_DATA = Path(__file__).with_name("data")
_WORD = re.compile(r"[a-z0-9]+|[,;:(/]")
_ORDINAL = re.compile(r"\d+(st|nd|rd|th)$")
# The public lookups and the text folding are pure functions of short, much-repeated strings ("Russia",
# "tanks", "the enemy"): cached, they cost a dict lookup after the first time. Bounded, so a corpus of
# ever-new names cannot grow the process.
_CACHE_SIZE = 1 << 14


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _plain(text: str) -> str:
    """Lower case without accents, curly quotes, possessives or abbreviation dots; hyphens kept."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"[\u2018\u2019\u02bc`\u00b4]", "'", text)
    text = re.sub(r"'s\b|(?<=s)'(?!\w)", "", text)  # Kyiv's -> Kyiv, Houthis' -> Houthis
    return text.replace("'", "").replace(".", "")  # Jama'at -> Jamaat, U.S. -> US


def _stem(word: str) -> str:
    """Fold regular plurals onto singulars: tanks/tank, casualties/casualty, clashes/clash, sorties/sortie.
    Applied to the data and to the text alike, so it only has to be consistent, not linguistic."""
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    if word.endswith("ie"):
        word = word[:-1]
    elif len(word) > 3 and word.endswith("y") and word[-2] not in "aeiou":
        word = word[:-1] + "i"
    if word.endswith("e") and word[:-1].endswith(("s", "sh", "ch", "x", "z")):
        word = word[:-1]
    return word


def _words(text: str) -> list[str]:
    return _WORD.findall(_plain(text))


def _key(text: str) -> tuple[str, ...]:
    return tuple(_stem(w) for w in _words(text))


def _hyphenated(text: str) -> list[bool]:
    """Per word of _key(text): is it inside a hyphenated compound? "to" in "surface-to-air" cuts nothing."""
    plain = _plain(text)
    return [plain[max(m.start() - 1, 0)] == "-" or plain[m.end():m.end() + 1] == "-"
            for m in _WORD.finditer(plain)]


def _alias_key(text: str) -> tuple[str, ...]:
    """Alias key: a leading "the"/"a"/"an" never matters ("the Kremlin" = "Kremlin")."""
    key = _key(text)
    return key[1:] if key[:1] in (("the",), ("a",), ("an",)) else key


def _load(name: str) -> dict:
    return yaml.safe_load((_DATA / name).read_text(encoding="utf-8"))


def _longest_suffix(words: tuple[str, ...], table: dict, longest: int):
    """The entry of `table` that ends `words` with the most words, as (entry, its length) or (None, 0)."""
    for n in range(min(longest, len(words)), 0, -1):
        if words[-n:] in table:
            return table[words[-n:]], n
    return None, 0


def _contains(words: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(words[i:i + n] == phrase for i in range(len(words) - n + 1))


# ---------------------------------------------------------------------------------------------- categories

@functools.cache
def _categories() -> dict:
    d = _load("categories.yaml")
    heads: dict = {}
    for label, words in d["heads"].items():
        heads.update({_key(w): label for w in words})
    for word, spec in d["generic_heads"].items():
        heads[_key(word)] = (spec["default"], spec["modifiers"])  # a tuple marks a generic head
    return {
        "leading": {_stem(w) for w in d["leading_words"]},
        "cut": {_stem(w) for w in d["cut_words"]},
        "partitive": {_stem(w) for w in d["partitive_heads"]},
        "trailing": [_key(w) for w in d["trailing_words"]],
        "phrases": {_key(p): label for label, ps in d["phrases"].items() for p in ps},
        "heads": heads,
        "longest": max(len(k) for k in heads),
        "modifiers": {g: [(label, [_key(m) for m in ms]) for label, ms in labels.items()]
                      for g, labels in d["modifiers"].items()},
        "patterns": [(label, re.compile(p)) for label, ps in d["patterns"].items() for p in ps],
    }


# Read straight from the YAML so that importing stays cheap and `--check` runs even on broken data.
CATEGORY_LABELS: tuple[str, ...] = tuple(_load("categories.yaml")["labels"])


def _modifier_label(words: tuple[str, ...], group: str) -> str | None:
    for label, mods in _categories()["modifiers"][group]:  # yaml order is the priority
        if any(_contains(words, m) for m in mods):
            return label
    return None


@functools.lru_cache(maxsize=_CACHE_SIZE)
def category_label(text: str) -> str:
    """Taxonomy label of a CATEGORY span: the head noun decides, modifiers only for generic heads."""
    c = _categories()
    words, joined = _key(text), _hyphenated(text)
    while words and words[0] in c["leading"]:
        words, joined = words[1:], joined[1:]
    if words in c["phrases"]:
        return c["phrases"][words]
    # The head segment ends at the first preposition or comma: "attacks using MLRS" -> "attacks".
    cut = next((i for i, w in enumerate(words) if w in c["cut"] and i > 0 and not joined[i]), len(words))
    head, rest = words[:cut], words[cut + 1:]
    if len(head) == 1 and head[0] in c["partitive"] and rest:  # "units of equipment" counts equipment
        return category_label(" ".join(rest))
    # "civilians killed", "drones shot down": the participle after the noun is not the head.
    stripped = True
    while stripped and len(head) > 1:
        stripped = False
        for t in c["trailing"]:
            if len(head) > len(t) and head[-len(t):] == t:
                head, stripped = head[:-len(t)], True
        while len(head) > 1 and head[-1] in ("and", "or", "/", ","):
            head = head[:-1]
    label = _resolve_head(head, c)
    if label:
        return label
    raw = " ".join(_plain(text).split())
    for label, pattern in c["patterns"]:
        if pattern.search(raw.split(",")[0].split(" of ")[0]):
            return label
    # Unknown head: a known head further left ("drones launched overnight"), then any modifier.
    for end in range(len(head) - 1, 0, -1):
        label = _resolve_head(head[:end], c)
        if label:
            return label
    return _modifier_label(head, "equipment") or "other"


def _resolve_head(head: tuple[str, ...], c: dict) -> str | None:
    entry, n = _longest_suffix(head, c["heads"], c["longest"])
    if not isinstance(entry, tuple):
        return entry
    default, group = entry
    # Modifiers only from the head's own conjunct: "MLRS and vehicles" is about vehicles.
    before = head[:-n]
    for i in range(len(before) - 1, -1, -1):
        if before[i] in ("and", "or", "/", ","):
            before = before[i + 1:]
            break
    return _modifier_label(before, group) or default


# ---------------------------------------------------------------------------------------------- parties

@functools.cache
def _parties() -> dict:
    d = _load("parties.yaml")
    alias: dict[tuple[str, ...], str] = {}
    for name, spec in d["parties"].items():
        for a in [name, *spec.get("aliases", [])]:
            alias[_alias_key(a)] = name
    for name, aliases in d["observers"].items():
        for a in [name, *aliases]:
            alias[_alias_key(a)] = name
    ctx = d["context"]
    return {
        "alias": alias,
        "longest": max(len(k) for k in alias),
        "parties": d["parties"],
        "cut": {_stem(w) for w in d["cut_words"]},
        "enemy": {_stem(w) for w in ctx["enemy_words"]},
        "pronouns": set(ctx["own_pronouns"]),
        "own": {_stem(w) for w in ctx["own_words"]},
        "place": {_stem(w) for w in ctx["place_words"]},
    }


def _alias_matches(words: tuple[str, ...], p: dict) -> list[tuple[int, int, str]]:
    """(start, end, party) of aliases in `words`, longest alias first, left to right, not overlapping."""
    found, i = [], 0
    while i < len(words):
        for n in range(min(p["longest"], len(words) - i), 0, -1):
            if words[i:i + n] in p["alias"]:
                found.append((i, i + n, p["alias"][words[i:i + n]]))
                i += n
                break
        else:
            i += 1
    return found


def _speaker_party(speaker: str | None, p: dict) -> str | None:
    if not speaker:
        return None
    name = speaker if speaker in p["parties"] else canonical_party(speaker)
    return name if name in p["parties"] else None  # observers have no side and no enemy


@functools.lru_cache(maxsize=_CACHE_SIZE)
def canonical_party(text: str, speaker: str | None = None) -> str | None:
    """Canonical party or observer for an ACTOR/SOURCE span; context words resolve via `speaker`
    (the canonical party of the claim's source). Unknown -> None: never guess."""
    p = _parties()
    words = _key(text)
    # "US-based", "Britain-based": a place, not the party.
    matches = [m for m in _alias_matches(words, p) if m[1] == len(words) or words[m[1]] not in p["place"]]
    if matches:
        # The head of the phrase names the party: the last alias before the first preposition,
        # else the first one after it ("the Air Force of Ukraine's Armed Forces" -> Ukraine).
        inside = {i for start, end, _ in matches for i in range(start, end)}
        joined = _hyphenated(text)
        cut = next((i for i, w in enumerate(words) if w in p["cut"] and i > 0 and i not in inside
                    and not joined[i]), len(words))
        before = [party for start, _, party in matches if start < cut]
        return before[-1] if before else matches[0][2]
    own = _speaker_party(speaker, p)
    if own is None:
        return None
    if any(w in p["enemy"] for w in words):
        spec = p["parties"][own]
        enemies = spec.get("opponents") or []
        return spec.get("enemy") or (enemies[0] if len(enemies) == 1 else None)
    raw = _words(text)
    if any(w in p["pronouns"] for w in raw):
        return own
    if words and all(w in p["own"] or _ORDINAL.match(w) for w in words):
        return own
    return None


# ---------------------------------------------------------------------------------------------- check

def check() -> list[str]:
    """Problems in the YAML data: aliases of two parties, unknown opponents, labels outside the taxonomy."""
    problems = []
    cat, par = _load("categories.yaml"), _load("parties.yaml")

    def strings(node, where):  # YAML reads bare on/off/yes/no as booleans: demand quotes
        if isinstance(node, dict):
            for k, v in node.items():
                strings(k, where), strings(v, where)
        elif isinstance(node, list):
            for v in node:
                strings(v, where)
        elif not isinstance(node, str):
            problems.append(f"{where}: {node!r} is not a string (quote it)")
    strings(cat, "categories.yaml"), strings(par, "parties.yaml")
    if problems:
        return problems
    labels = set(cat["labels"])
    seen: dict = {}
    for section in ("heads", "phrases", "patterns"):
        for label, entries in cat[section].items():
            if label not in labels:
                problems.append(f"categories.yaml {section}: unknown label {label!r}")
            if section == "heads":
                for e in entries:
                    if seen.setdefault(_key(e), label) != label:
                        problems.append(f"categories.yaml: {e!r} is both {seen[_key(e)]} and {label}")
    for word, spec in cat["generic_heads"].items():
        if spec["default"] not in labels or spec["modifiers"] not in cat["modifiers"]:
            problems.append(f"categories.yaml generic_heads: bad entry {word!r}")
        if _key(word) in seen:
            problems.append(f"categories.yaml: {word!r} is both a head and a generic head")
    for group, mods in cat["modifiers"].items():
        problems += [f"categories.yaml modifiers.{group}: unknown label {label!r}" for label in mods
                     if label not in labels]
    owner: dict = {}
    names = list(par["parties"]) + list(par["observers"])
    entries = [(n, [n, *s.get("aliases", [])]) for n, s in par["parties"].items()]
    entries += [(n, [n, *a]) for n, a in par["observers"].items()]
    for name, aliases in entries:
        for a in aliases:
            if owner.setdefault(_alias_key(a), name) != name:
                problems.append(f"parties.yaml: alias {a!r} is both {owner[_alias_key(a)]} and {name}")
    for name, spec in par["parties"].items():
        for opp in [*spec.get("opponents", []), *([spec["enemy"]] if spec.get("enemy") else [])]:
            if opp not in par["parties"]:
                problems.append(f"parties.yaml: {name} has unknown opponent {opp!r}")
        if spec.get("enemy") and spec["enemy"] not in spec.get("opponents", []):
            problems.append(f"parties.yaml: {name}'s enemy is not among its opponents")
    if len(set(names)) != len(names):
        problems.append("parties.yaml: a name is both a party and an observer")
    return problems


if __name__ == "__main__":
    if "--check" in sys.argv[1:]:
        issues = check()
        print("\n".join(issues) or "lexicon data OK")
        sys.exit(1 if issues else 0)
    for line in sys.stdin:  # quick manual lookups: one span per line
        print(f"{line.strip()!r}: category={category_label(line)!r} party={canonical_party(line)!r}")


def opponents_of(party: str) -> list[str]:
    """The parties a canonical party fights, per parties.yaml ([] for observers and unknowns)."""
    spec = _parties()["parties"].get(party) or {}
    return list(spec.get("opponents", []))
