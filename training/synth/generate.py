"""Synthetic annotated documents: frames written in claim markup, filled from lexicons.

A frame is markup with slots (``data/frames/*.yaml``)::

    [{AO}|ACTOR#af] lost [{q1}|QUANTITY#q1] [{c1:any_loss}|CATEGORY#c1] [{t}|TIME#t], [{src}|SOURCE#s] {said}.

Slots are filled from the lexicons (``data/*.yaml``), local keys are renamed to document keys,
relation/kind lines are written, and the whole document goes through
``ie_model.io.markup.parse_document``: the one parser, so offsets are exact by construction.

Keys in a frame say what a span does (see ``data/frames/README.md``):
``qN`` quantity, ``cN`` its category (a quantity without ``cN`` takes the nearest lower one:
left-out nouns), ``af*`` affected and ``ag*`` agent of every quantity *of the same sentence*,
``s*`` source and ``t*`` time of every quantity of the frame, ``m*``/``sm*`` mentions with no
relation. ``r:`` lines of a frame override these defaults for one quantity (``q2 affected af2``,
``q1 agent none``). Continuation frames (role ``cont``) take the source and time of the
paragraph's lead frame.

    >>> docs = list(generate(3, seed=1))
    >>> docs[0]["id"]
    'synth-1-0'
"""
from __future__ import annotations

import json
import math
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from ie_model.io.gold import check_document as check_gold
from ie_model.io.markup import parse_document
from ie_model.normalize.lexicon import CATEGORY_LABELS
from ie_model.schema import KINDS, Document
from training.synth import numbers

DATA = Path(__file__).parent / "data"
SLOT = re.compile(r"\{([A-Za-z'][\w']*)(?::([^{}]*))?\}")
SPAN_ANY = re.compile(r"\[([^\[\]|]+)\|(QUANTITY|CATEGORY|ACTOR|SOURCE|TIME)#(\w+)\]")
LABEL_PREFIX = {"QUANTITY": "q", "CATEGORY": "c", "ACTOR": "a", "SOURCE": "s", "TIME": "t"}
ROLES = ("lead", "cont", "headline", "neg", "filler")
SCOPES = ("day", "period", "cum", "event")
ENTITY_SLOTS = {"ao", "ar", "xo", "xr", "do2", "dnr", "srcdnr", "do", "dr", "go", "gr", "src", "srco", "srcs", "srcp", "srcpo", "obs", "t"}
TAXONOMY = tuple(label for label in CATEGORY_LABELS if label != "other")


class FrameError(ValueError):
    """A frame or lexicon entry that cannot be rendered."""


class NoFit(Exception):
    """The frame needs a category the side of this paragraph does not have: choose another."""


# plural surfaces take "have"/"were"/bare verbs: {has} {is} {was} {s} agree with the span before
SINGULAR_S = {"hamas", "nations", "states", "netherlands", "airwars", "threats", "news", "affairs",
              "emirates", "forces)", "arms", "analysis"}


def _plural(surface: str) -> bool:
    w = surface.rstrip(")").split()[-1] if surface.strip() else ""
    if not w or w.isupper() or w.lower() in SINGULAR_S or w.endswith("ss") or w.endswith("'s"):
        return False
    return w.endswith("s")


AGREE = re.compile(r"\{(has|is|was|s|es|Has|Is|Was)\}")
AGREE_FORMS = {"has": ("has", "have"), "is": ("is", "are"), "was": ("was", "were"), "s": ("s", ""), "es": ("es", "")}


def _agree(s: str) -> str:
    """Resolve agreement tokens against the nearest ACTOR/SOURCE span before them."""
    while True:
        m = AGREE.search(s)
        if not m:
            return s
        prev = [x for x in SPAN_ANY.finditer(s[:m.start()]) if x.group(2) in ("ACTOR", "SOURCE")]
        plural = _plural(prev[-1].group(1)) if prev else False
        form = AGREE_FORMS[m.group(1).lower()][1 if plural else 0]
        if m.group(1)[0].isupper():
            form = _cap(form)
        s = s[:m.start()] + form + s[m.end():]


# --------------------------------------------------------------------------- data

@dataclass
class Frame:
    id: str
    role: str
    register: str
    kind: str | None
    scope: str
    sentences: list[str]
    rels: list[tuple[str, str, str]]
    only: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    side: str = ""          # whose items the categories count: O or R (default by kind)
    weight: float = 1.0
    nocont: bool = False     # nothing may go on with this report (denials, rebuttals)


@dataclass
class Lexicon:
    frames: dict[str, dict[str, list[Frame]]]    # role -> register -> frames
    conflicts: dict
    categories: dict
    classes: dict
    times: dict
    words: dict
    observers: list


def _load_yaml(path: Path):
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


@cache
def load(data_dir: str = str(DATA)) -> Lexicon:
    d = Path(data_dir)
    frames: dict[str, dict[str, list[Frame]]] = {r: {} for r in ROLES}
    for path in sorted((d / "frames").glob("*.yaml")):
        doc = _load_yaml(path) or {}
        for role in doc:
            if role not in ROLES:
                raise FrameError(f"{path.name}: unknown role {role!r}")
            for register, items in doc[role].items():
                for j, item in enumerate(items):
                    fid = f"{path.stem}.{role}.{register}.{j}"
                    frames[role].setdefault(register, []).append(_frame(fid, role, register, item))
    cats = _load_yaml(d / "categories.yaml")
    lex = Lexicon(frames=frames, conflicts=_load_yaml(d / "conflicts.yaml"),
                  categories=cats["labels"], classes=cats["classes"],
                  times=_load_yaml(d / "times.yaml"), words=_load_yaml(d / "words.yaml"),
                  observers=_load_yaml(d / "observers.yaml"))
    _check_lexicon(lex)
    return lex


def _frame(fid: str, role: str, register: str, item) -> Frame:
    if isinstance(item, str):
        item = {"t": item}
    text = item["t"]
    sentences = [text] if isinstance(text, str) else list(text)
    rels = []
    for line in item.get("r", []) or []:
        parts = line.split()
        if len(parts) != 3:
            raise FrameError(f"{fid}: bad relation line {line!r}")
        rels.append(tuple(parts))
    keys = [m.group(3) for s in sentences for m in SPAN_ANY.finditer(s)]
    has_q = any(re.fullmatch(r"q\d+", k) for k in keys) or any("{list:" in s or "{tally:" in s for s in sentences)
    kind = item.get("k")
    if has_q and kind not in KINDS and not any(r[1] == "kind" for r in rels):
        raise FrameError(f"{fid}: quantities but no kind")
    if not has_q and role in ("lead", "headline"):
        raise FrameError(f"{fid}: a {role} frame must count something")
    if has_q and role in ("neg", "filler"):
        raise FrameError(f"{fid}: a {role} frame must not count anything")
    scope = item.get("s", "any")
    if scope not in SCOPES + ("any",):
        raise FrameError(f"{fid}: scope {scope!r}")
    only = item.get("only", ())
    return Frame(id=fid, role=role, register=register, kind=kind, scope=scope, sentences=sentences,
                 rels=rels, only=tuple([only] if isinstance(only, str) else only),
                 needs=tuple(item.get("needs", ())), side=item.get("side", ""),
                 weight=float(item.get("w", 1.0)), nocont=bool(item.get("nocont", False)))


def _check_lexicon(lex: Lexicon) -> None:
    for cls, spec in lex.classes.items():
        for label in spec:
            if label not in lex.categories:
                raise FrameError(f"class {cls}: unknown label {label}")
    for label, spec in lex.categories.items():
        for name, surfaces in spec.items():
            if isinstance(surfaces, list) and name not in ("day", "cum"):
                for s in surfaces:
                    _clean(s, f"category {label}")
    for cname, c in lex.conflicts.items():
        if len(c["sides"]) != 2:
            raise FrameError(f"conflict {cname}: want two sides")


def _clean(value: str, where: str) -> str:
    if any(ch in value for ch in "[]|") or value != value.strip():
        raise FrameError(f"{where}: bad surface {value!r}")
    return value


# --------------------------------------------------------------------------- helpers

def _cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


def _split_canonical(entry: str, default: str) -> tuple[str, str]:
    if "=" in entry:
        surface, canon = entry.split("=", 1)
        return surface.strip(), canon.strip()
    return entry, default


def _loguniform(rng: random.Random, lo: float, hi: float) -> int:
    lo, hi = max(lo, 2), max(hi, 2)
    if hi <= lo:
        return int(round(lo))
    return int(round(math.exp(rng.uniform(math.log(lo), math.log(hi)))))


def _straight_quotes(s: str) -> str:
    return s.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')


def _smart_quotes(s: str) -> str:
    out = []
    for i, ch in enumerate(s):
        if ch == '"':
            prev = s[i - 1] if i else " "
            out.append("“" if prev in " \n([" else "”")
        elif ch == "'":
            out.append("’")
        else:
            out.append(ch)
    return "".join(out)


# --------------------------------------------------------------------------- rendering

@dataclass
class Ctx:
    """What a paragraph is about: one conflict, the side that speaks (R) and the other (O)."""
    lex: Lexicon
    rng: random.Random
    cname: str
    conflict: dict
    R: dict
    O: dict
    scope: str
    party_voice: bool = True
    cur_scope: str = "day"
    meta: dict = field(default_factory=dict)     # local key -> (label, canonical or category label)


class Rendered:
    def __init__(self):
        self.sentences: list[str] = []       # markup with local keys
        self.rels: list[tuple[str, str, str]] = []
        self.kinds: dict[str, str] = {}
        self.info: dict[str, tuple[str, str | None]] = {}
        self.sources: list[str] = []
        self.times: list[str] = []
        self.kind: str | None = None


def _pick(rng: random.Random, items: list):
    return items[rng.randrange(len(items))]


def _side_has(side: dict, label: str) -> bool:
    has = side.get("has")
    lacks = side.get("lacks", [])
    return label not in lacks and (not has or label in has)


def _choose_category(ctx: Ctx, cls: str, side: dict, avoid: set) -> tuple[str, str]:
    spec = ctx.lex.classes.get(cls)
    if spec is None:
        raise FrameError(f"unknown category class {cls!r}")
    labels = [l for l in spec if _side_has(side, l)]
    if not labels:
        raise NoFit(cls)
    fresh = [l for l in labels if l not in avoid] or labels
    weights = [ctx.conflict.get("cat_weights", {}).get(l, 1.0) for l in fresh]
    label = ctx.rng.choices(fresh, weights)[0]
    listname = spec[label] or "s"
    pool = list(ctx.lex.categories[label].get(listname) or ctx.lex.categories[label]["s"])
    extra = side.get("cats", {}).get(label, [])
    if extra and listname in ("s", "sd", "launch", "kill"):
        pool = pool + list(extra) * 2
    if listname == "other" and side.get("cats_other", {}).get(label):
        pool = pool + list(side["cats_other"][label]) * 2
    if label == "personnel" and listname in ("s", "kill"):
        if side.get("pers"):
            pool = list(side["pers"])
        pool = pool + list(side.get("pers_extra", []))
    pool = [_split_canonical(p, "")[0] for p in pool]
    return label, _pick(ctx.rng, pool)


def _magnitude(ctx: Ctx, label: str, scope: str, raw: bool = False) -> int:
    spec = ctx.lex.categories[label]
    scale = ctx.conflict.get("scale", 1.0) * (1.0 if raw else ctx.conflict.get("scale_by", {}).get(label, 1.0))
    dlo, dhi = spec.get("day", [2, 20])
    clo, chi = spec.get("cum", [dlo * 50, dhi * 200])
    rng = ctx.rng
    if scope == "cum":
        return _loguniform(rng, clo * scale, chi * scale)
    if scope == "period":
        return _loguniform(rng, dlo * scale * 3, dhi * scale * 15)
    if scope == "event":
        return _loguniform(rng, 2, max(3, dhi * scale * 0.5))
    return _loguniform(rng, dlo * scale, dhi * scale)


def _actor(ctx: Ctx, side: dict, kind: str) -> tuple[str, str]:
    """kind: a (noun phrase), d (demonym), g (short name, takes a possessive), x (doer: a + jets...)."""
    rng = ctx.rng
    enemy_side = side is ctx.O and ctx.party_voice
    if enemy_side and kind != "x" and rng.random() < {"a": 0.12, "d": 0.15, "g": 0.1}[kind]:
        return {"a": "the enemy", "d": "enemy", "g": "the enemy"}[kind], side["name"]
    pool = {"a": side["actor"], "d": side["dem"], "g": side["short"],
            "x": side["actor"] + side.get("agent", []) * 3}[kind]
    return _split_canonical(_pick(rng, pool), side["name"])


def _source(ctx: Ctx, which: str) -> tuple[str, str]:
    rng = ctx.rng
    if which == "obs":
        obs = [o for o in ctx.lex.observers
               if o.get("conflicts", "all") == "all" or ctx.cname in o["conflicts"]]
        o = rng.choices(obs, [x.get("w", 1.0) for x in obs])[0]
        return _split_canonical(_pick(rng, o["surfaces"]), o["name"])
    side = ctx.O if which.endswith("o") else ctx.R
    key = {"src": "source", "srco": "source", "srcs": "src_short", "srcp": "person", "srcpo": "person"}[which]
    return _split_canonical(_pick(rng, side[key]), side["name"])


def _time(ctx: Ctx, scope: str) -> str:
    pool = ctx.lex.times[scope if scope in ctx.lex.times else "day"]
    return _fill_words(ctx, _pick(ctx.rng, pool))


def _word(ctx: Ctx, name: str, arg: str | None) -> str:
    c = ctx.conflict
    rng = ctx.rng
    if name in ("place", "region", "start", "war"):
        return _pick(rng, c[{"place": "places", "region": "regions", "start": "start", "war": "war"}[name]])
    if name == "dom":
        return str(rng.randint(1, 28))
    if name == "year":
        return str(rng.randint(2014, 2025))
    if name == "num":      # a figure that is NOT a count (hard negatives): arg lo-hi
        lo, hi = (int(x) for x in (arg or "2-90").split("-"))
        v = rng.randint(lo, hi)
        return f"{v:,}" if v >= 1000 else str(v)
    if name == "total":       # "a total of" only with a running total
        return "a total of " if ctx.cur_scope == "cum" and rng.random() < 0.4 else ""
    if name in ctx.lex.words:
        return _fill_words(ctx, _pick(rng, ctx.lex.words[name]))
    raise FrameError(f"unknown slot {{{name}}}")


def _fill_words(ctx: Ctx, s: str) -> str:
    def repl(m):
        name, arg = m.group(1), m.group(2)
        cap = name[0].isupper()
        low = name[0].lower() + name[1:]
        if low.lower() in ENTITY_SLOTS or re.fullmatch(r"[qc]\d+", low):
            raise FrameError(f"entity slot {{{name}}} outside a span in {s!r}")
        v = _word(ctx, low, arg)
        return _cap(v) if cap else v
    for _ in range(4):
        if "{" not in s:
            break
        s = SLOT.sub(repl, s)
    return s


def _expand_lists(ctx: Ctx, sentences: list[str], extra_rels: list) -> list[str]:
    """{list:CLASS[:dem]} -> k counted items; {tally:CLASS} -> 'tanks - 6,385; ...' lines."""
    rng = ctx.rng
    counter = [100]
    out = []
    for s in sentences:
        def repl(m):
            name, arg = m.group(1), m.group(2) or ""
            if name not in ("list", "tally"):
                return m.group(0)
            parts = arg.split(":")
            cls, mode = parts[0], (parts[1] if len(parts) > 1 else "")
            if name == "tally":
                k = rng.randint(3, 7)
                spec = ctx.lex.classes.get(cls, {})
                side = _owner_side(ctx, sentences, "loss")
                k = min(k, max(2, sum(1 for l in spec if _side_has(side, l))))
            else:
                k = rng.choices([2, 3, 4, 5], [4, 4, 2, 1])[0] if mode != "dem" else rng.choice([2, 2, 3])
                spec = ctx.lex.classes.get(cls, {})
                side = _owner_side(ctx, sentences, "loss")
                k = min(k, max(2, sum(1 for l in spec if _side_has(side, l))))
            items = []
            dash = _pick(rng, [" – ", " — ", ": ", " - "])
            for _ in range(k):
                counter[0] += 1
                n = counter[0]
                if name == "tally":
                    items.append(f"[{{c{n}:{cls}}}|CATEGORY#c{n}]{dash}[{{q{n}:plain}}|QUANTITY#q{n}]")
                elif mode == "dem":
                    items.append(f"[{{q{n}:novague}}|QUANTITY#q{n}] [{{dO}}|ACTOR#afl{n}] "
                                 f"[{{c{n}:{cls}}}|CATEGORY#c{n}]")
                    extra_rels.append((f"q{n}", "affected", f"afl{n}"))
                else:
                    items.append(f"[{{q{n}:novague}}|QUANTITY#q{n}] [{{c{n}:{cls}}}|CATEGORY#c{n}]")
            if name == "tally":
                sep = _pick(rng, ["; ", ", "])
                return sep.join(items)
            last = _pick(rng, [" and ", " and ", ", and " if k > 2 else " and ", " as well as ", " plus "])
            return ", ".join(items[:-1]) + last + items[-1]
        out.append(SLOT.sub(repl, s))
    return out


def _owner_side(ctx: Ctx, sentences: list[str], kind: str | None) -> dict:
    """Whose items the frame counts: the side of its affected (loss, other) or agent (action) span."""
    want = ("ag",) if kind == "action" else ("af", "afl")
    for s in sentences:
        for m in SPAN_ANY.finditer(s):
            if m.group(2) != "ACTOR" or not m.group(3).startswith(want):
                continue
            surface = m.group(1).lower()
            if re.search(r"\{[adgx]o\}|enem", surface):
                return ctx.O
            if re.search(r"\{[adgx]r\}|\{dnr\}|\bour\b|\bits\b", surface):
                return ctx.R
    for s in sentences:   # lists of demonyms: {list:eq:dem} counts the other side
        if ":dem}" in s:
            return ctx.O
    return ctx.R if kind == "other" else ctx.O


def render_frame(ctx: Ctx, frame: Frame) -> Rendered:
    rng = ctx.rng
    out = Rendered()
    scope = frame.scope if frame.scope != "any" else ctx.scope
    ctx.cur_scope = scope
    if frame.scope == "any" and any("{place}" in s for s in frame.sentences):
        # a count at one place goes with a daily or weekly figure, not the running total
        scope = "day" if frame.role == "cont" else ("period" if scope == "cum" else scope)
        ctx.cur_scope = scope
    extra_rels: list = []
    sentences = _expand_lists(ctx, frame.sentences, extra_rels)
    kind = frame.kind
    cat_side = {"O": ctx.O, "R": ctx.R}.get(frame.side) or _owner_side(ctx, sentences, kind)

    # categories first (numbers depend on them)
    cat_label: dict[str, str] = {}
    cat_surface: dict[str, str] = {}
    used: set = set()
    for s in sentences:
        for m in SLOT.finditer(s):
            low = m.group(1).lower()
            if re.fullmatch(r"c\d+", low):
                if not m.group(2):
                    raise FrameError(f"{frame.id}: category slot without class")
                label, surface = _choose_category(ctx, m.group(2), cat_side, used)
                used.add(label)
                cat_label[low], cat_surface[low] = label, surface

    # quantity slots: options and which category they count
    qopts: dict[str, list[str]] = {}
    for s in sentences:
        for m in SLOT.finditer(s):
            low = m.group(1).lower()
            if re.fullmatch(r"q\d+", low):
                qopts[low] = [o for o in (m.group(2) or "").split(",") if o]
    all_keys = [(m.group(3), m.group(2)) for s in sentences for m in SPAN_ANY.finditer(s)]
    ckeys = sorted((k for k, lab in all_keys if lab == "CATEGORY"), key=lambda k: int(re.sub(r"\D", "", k) or 0))
    explicit_cat = {h: t for h, l, t in frame.rels + extra_rels if l == "category"}

    def category_of(q: str) -> str | None:
        if q in explicit_cat:
            return explicit_cat[q]
        n = int(q[1:])
        if f"c{n}" in ckeys:
            return f"c{n}"
        lower = [c for c in ckeys if int(c[1:]) < n]
        higher = [c for c in ckeys if int(c[1:]) > n]
        return lower[-1] if lower else (higher[0] if higher else None)

    values: dict[str, str] = {}
    qvalue: dict[str, int] = {}
    wholes = {o[3:] for opts in qopts.values() for o in opts if o.startswith("of=")}
    order = sorted(qopts, key=lambda q: any(o.startswith(("of=", "more=")) for o in qopts[q]))
    joined = " ".join(sentences)
    for q in order:
        opts = qopts[q]
        label = next((o for o in opts if o in ctx.lex.categories), None)
        c = category_of(q)
        if label is None and c in cat_label:
            label = cat_label[c]
        if label is None:
            raise FrameError(f"{frame.id}: cannot tell what {q} counts")
        if c and c not in cat_label:
            cat_label[c] = label                 # a literal category: label from its count
        ofq = next((o[3:] for o in opts if o.startswith("of=")), None)
        moreq = next((o[5:] for o in opts if o.startswith("more=")), None)
        if moreq:
            v = int(qvalue[moreq] * rng.uniform(1.3, 2.5))
            surface = numbers.plain(v, rng, allow_words=False)
        elif ofq:
            total = qvalue[ofq]
            v = max(2, min(total - 1, int(total * rng.uniform(0.4, 0.95))))
            surface = numbers.plain(v, rng, allow_words=v <= 20)
        else:
            qscope = next((o for o in opts if o in SCOPES), "event" if "small" in opts else scope)
            v = _magnitude(ctx, label, qscope, raw="raw" in opts)
            if q in wholes:
                v = max(v, 4)           # "N of the M": M leaves room for a share
            if "vague" in opts:
                fits = [w for w, lo, hi in numbers.VAGUE if lo <= v <= hi * 3] or ["dozens"]
                surface = fits[0]
            elif "plain" in opts:
                surface = numbers.plain(v, rng, allow_words=False)
            else:
                # vague plurals only right before their noun ("dozens of soldiers"), never with "a total of"
                before_noun = re.search(r"\{%s[^}]*\}\|QUANTITY#%s\] \[" % (q, q), joined, re.I) is not None
                surface = numbers.render(v, rng, vague="novague" not in opts and "total" not in joined and before_noun,
                                         ranges="norange" not in opts,
                                         start=re.search(r"\{Q%s[:}]" % q[1:], joined) is not None)
        qvalue[q] = v
        values[q] = surface

    def fill_span(m):
        surface, label, key = m.group(1), m.group(2), m.group(3)
        canon = None

        def slot(sm):
            nonlocal canon
            name, arg = sm.group(1), sm.group(2)
            cap = name[0].isupper()
            low = name.lower()
            if low in values:
                v = values[low]
            elif low in cat_surface:
                v = cat_surface[low]
            elif low in ("ao", "ar", "do", "dr", "go", "gr", "xo", "xr"):
                side = ctx.O if low[1] == "o" else ctx.R
                v, canon = _actor(ctx, side, low[0])
                chosen.setdefault(low, []).append(canon)
            elif low == "do2":      # a second, different party of the same side: [Ethiopian] and [Eritrean]
                taken = set(chosen.get("do", []))
                pool = [p for p in ctx.O["dem"] if _split_canonical(p, ctx.O["name"])[1] not in taken]
                if not pool:
                    raise NoFit("do2")
                v, canon = _split_canonical(_pick(ctx.rng, pool), ctx.O["name"])
            elif low == "outlet_state":
                v, canon = _word(ctx, "outlet_state", None), None
            elif low == "dnr":
                v, canon = _split_canonical(_pick(ctx.rng, ctx.R["donors"]), None)
                canon = canon or v.replace("the ", "")
            elif low == "srcdnr":
                v, canon = _split_canonical(_pick(ctx.rng, ctx.R["donor_source"]), None)
            elif low in ("src", "srco", "srcs", "srcp", "srcpo", "obs"):
                v, canon = _source(ctx, low)
            elif low == "t":
                tscope = arg or scope
                v = _time(ctx, tscope if tscope in ctx.lex.times else "day")
            else:
                v = _word(ctx, name[0].lower() + name[1:], arg)
            return _cap(v) if cap else v

        filled = SLOT.sub(slot, surface)
        if "{" in filled:
            filled = _fill_words(ctx, filled)
        _clean(filled, frame.id)
        if label == "CATEGORY":
            canon = cat_label.get(key)
        elif label == "ACTOR" and canon is None:      # a literal span: the enemy, our forces, its fighters
            low_s = filled.lower()
            canon = ctx.O["name"] if "enem" in low_s else ctx.R["name"]
        out.info[key] = (label, canon)
        return f"[{filled}|{label}#{key}]"

    rendered = []
    chosen: dict[str, list[str]] = {}
    for s in sentences:
        s = SPAN_ANY.sub(fill_span, s)
        s = _agree(s)
        s = _fill_words(ctx, s)
        # a sentence starts with a capital, also when it starts inside a span
        s = re.sub(r'^([\["\u201c]*)([a-z])', lambda m: m.group(1) + m.group(2).upper(), s)
        # vague plurals take "of" before their noun: [dozens] of [soldiers]
        s = re.sub(r"(\[(?:%s)\|QUANTITY#\w+\]) \[" % "|".join(numbers.VAGUE_WORDS + tuple(_cap(w) for w in numbers.VAGUE_WORDS)),
                   r"\1 of [", s)
        # possessive of a span ending in s: [the Houthis]'s -> [the Houthis]'
        s = re.sub(r"(s\|(?:ACTOR|SOURCE)#\w+\])(['\u2019])s\b", r"\1\2", s)
        rendered.append(s)
    out.sentences = rendered
    out.kind = kind

    # relations
    expl: dict[tuple[str, str], list[str]] = {}
    for h, l, t in frame.rels + extra_rels:
        if l == "kind":
            out.kinds[h] = t
        else:
            expl.setdefault((h, l), []).append(t)
    frame_keys = [k for s in rendered for k, _ in ((m.group(3), m.group(2)) for m in SPAN_ANY.finditer(s))]
    out.sources = [k for k in frame_keys if out.info[k][0] == "SOURCE" and re.match(r"s(?!m)", k)]
    out.times = [k for k in frame_keys if out.info[k][0] == "TIME" and re.match(r"t(?!m)", k)]
    for s in rendered:
        keys = [(m.group(3), m.group(2)) for m in SPAN_ANY.finditer(s)]
        qs = [k for k, lab in keys if lab == "QUANTITY"]
        afs = [k for k, lab in keys if lab == "ACTOR" and k.startswith("af") and not k.startswith("afl")]
        ags = [k for k, lab in keys if lab == "ACTOR" and k.startswith("ag")]
        for q in qs:
            c = category_of(q)
            if c is None:
                raise FrameError(f"{frame.id}: {q} has no category")
            out.rels.append((q, "category", c))
            for label, default in (("affected", afs), ("agent", ags), ("source", out.sources), ("time", out.times)):
                tails = expl.get((q, label), default)
                for t in tails:
                    if t != "none":
                        out.rels.append((q, label, t))
            k = out.kinds.get(q) or kind
            if k not in KINDS:
                raise FrameError(f"{frame.id}: {q} has no kind")
            out.kinds[q] = k
    return out


# --------------------------------------------------------------------------- documents

def _choose_frame(ctx: Ctx, role: str, *, lead: Rendered | None = None,
                  registers: list[str] | None = None) -> Frame:
    """A register (weighted by the square root of its size, so no small register's frames
    dominate and no large register swamps the rest), then a frame of it."""
    lex, rng = ctx.lex, ctx.rng
    regs = registers or list(lex.frames[role])
    reg_w = [len(lex.frames[role][r]) ** 0.5 for r in regs]
    for _ in range(50):
        reg = rng.choices(regs, reg_w)[0]
        pool = [f for f in lex.frames[role][reg] if not f.only or ctx.cname in f.only]
        if not pool:
            continue
        f = rng.choices(pool, [x.weight for x in pool])[0]
        if "src" in f.needs and (lead is None or not lead.sources):
            continue
        if "time" in f.needs and (lead is None or not lead.times):
            continue
        if "voice" in f.needs and not ctx.party_voice:
            continue
        if "loss" in f.needs and (lead is None or lead.kind != "loss"):
            continue
        if "action" in f.needs and (lead is None or lead.kind != "action"):
            continue
        if "af" in f.needs and (lead is None or not any(k.startswith("af") for k in lead.info)):
            continue
        if "donor" in f.needs and not ctx.R.get("donors"):
            continue
        if role == "cont" and lead is not None:     # a continuation goes on with the same kind of report
            if (lead.kind == "other") != (f.kind == "other"):
                continue
        return f
    raise FrameError(f"no {role} frame fits {ctx.cname}")


class _Doc:
    def __init__(self, doc_id: str):
        self.doc_id = doc_id
        self.counters = {v: 0 for v in LABEL_PREFIX.values()}
        self.paragraphs: list[str] = []
        self.lines: list[str] = []
        self.meta: dict[str, dict] = {}
        self.frames: list[str] = []

    def add(self, frame: Frame, r: Rendered, inherit: Rendered | None = None,
            inherit_map: dict | None = None) -> tuple[str, dict]:
        """Rename the frame's keys into document keys; returns its markup and the key map."""
        kmap: dict[str, str] = {}

        def rename(m):
            surface, label, key = m.groups()
            p = LABEL_PREFIX[label]
            self.counters[p] += 1
            g = f"{p}{self.counters[p]}"
            kmap[key] = g
            lab, canon = r.info[key]
            entry = {"label": lab}
            if canon is not None:
                entry["canonical" if lab != "CATEGORY" else "category"] = canon
            self.meta[g] = entry
            return f"[{surface}|{label}#{g}]"

        text = " ".join(SPAN_ANY.sub(rename, s) for s in r.sentences)
        own = {(h, l) for h, l, _ in r.rels}
        for h, l, t in r.rels:
            self.lines.append(f"@ {kmap[h]} {l} {kmap[t]}")
        qs = [h for h in r.kinds]
        for q in qs:
            if q in kmap:
                self.lines.append(f"@ {kmap[q]} kind {r.kinds[q]}")
        if inherit is not None and inherit_map is not None:
            for q in qs:
                if q not in kmap:
                    continue
                if not r.sources and (q, "source") not in own:
                    for s in inherit.sources:
                        self.lines.append(f"@ {kmap[q]} source {inherit_map[s]}")
                if not r.times and (q, "time") not in own:
                    for t in inherit.times[:1]:      # the lead's own period, not a sub-period
                        self.lines.append(f"@ {kmap[q]} time {inherit_map[t]}")
        self.frames.append(frame.id)
        return text, kmap


def _scope(rng: random.Random) -> str:
    return rng.choices(SCOPES, [0.5, 0.18, 0.24, 0.08])[0]


def _ctx(lex: Lexicon, rng: random.Random, cname: str, speaker: int | None = None) -> Ctx:
    c = lex.conflicts[cname]
    sides = c["sides"]
    if speaker is None:
        speaker = 0 if rng.random() < c.get("speaker0", 0.6) else 1
    return Ctx(lex=lex, rng=rng, cname=cname, conflict=c, R=sides[speaker], O=sides[1 - speaker],
               scope=_scope(rng))


def _pick_render(ctx: Ctx, role: str, lead: Rendered | None = None) -> tuple[Frame, Rendered]:
    """A frame of the role that fits this paragraph's sides, rendered."""
    for _ in range(30):
        f = _choose_frame(ctx, role, lead=lead)
        try:
            return f, render_frame(ctx, f)
        except NoFit:
            continue
    raise FrameError(f"no {role} frame renders for {ctx.cname}")


def _paragraph(doc: _Doc, ctx: Ctx) -> str:
    rng = ctx.rng
    parts: list[str] = []
    if rng.random() < 0.1:   # a paragraph with no claim: background, negatives
        for _ in range(rng.choice([1, 1, 2])):
            f, r = _pick_render(ctx, "neg" if rng.random() < 0.65 else "filler")
            parts.append(doc.add(f, r)[0])
        return " ".join(parts)
    if rng.random() < 0.12:
        f, r = _pick_render(ctx, "filler" if rng.random() < 0.5 else "neg")
        parts.append(doc.add(f, r)[0])
    for _ in range(30):
        lead_f = _choose_frame(ctx, "lead")
        ctx.party_voice = any("{src" in s or "{Src" in s for s in lead_f.sentences) or "voice" in lead_f.needs
        try:
            lead = render_frame(ctx, lead_f)
            break
        except NoFit:
            continue
    else:
        raise FrameError(f"no lead frame renders for {ctx.cname}")
    text, kmap = doc.add(lead_f, lead)
    parts.append(text)
    if lead_f.scope != "any":
        ctx.scope = lead_f.scope
    n_cont = 0 if lead_f.nocont else rng.choices([0, 1, 2], [0.55, 0.33, 0.12])[0]
    for _ in range(n_cont):
        f, r2 = _pick_render(ctx, "cont", lead=lead)
        parts.append(doc.add(f, r2, inherit=lead, inherit_map=kmap)[0])
    if rng.random() < 0.3:
        f, r = _pick_render(ctx, "filler" if rng.random() < 0.55 else "neg")
        parts.append(doc.add(f, r)[0])
    return " ".join(parts)


def make_document(lex: Lexicon, doc_id: str, rng: random.Random) -> dict:
    names = list(lex.conflicts)
    cname = rng.choices(names, [lex.conflicts[n].get("weight", 1.0) for n in names])[0]
    doc = _Doc(doc_id)
    n_body = rng.choices([1, 2, 3, 4], [0.3, 0.35, 0.22, 0.13])[0]
    paragraphs = []
    if rng.random() < 0.3 and n_body < 4:
        ctx = _ctx(lex, rng, cname)
        ctx.party_voice = True
        f, r = _pick_render(ctx, "headline")
        paragraphs.append(doc.add(f, r)[0])
    speaker = 0 if rng.random() < lex.conflicts[cname].get("speaker0", 0.6) else 1
    for _ in range(n_body):
        keep = rng.random() < 0.75
        ctx = _ctx(lex, rng, cname, speaker if keep else None)
        paragraphs.append(_paragraph(doc, ctx))
    body = "\n\n".join(paragraphs)
    body = _smart_quotes(body) if rng.random() < 0.45 else _straight_quotes(body)
    gold = parse_document(doc_id, body + "\n" + "\n".join(doc.lines))
    gold["meta"] = {"conflict": cname, "frames": doc.frames, "entities": doc.meta}
    return gold


def generate(n: int, seed: int = 0, *, meta: bool = True) -> Iterator[dict]:
    """n gold documents, ids ``synth-<seed>-<i>``; the same seed gives the same documents.

    Each dict is a gold document (ANNOTATION.md section 5) plus ``meta`` (conflict, frame ids,
    and per entity the canonical party or category label), unless ``meta=False``.
    """
    lex = load()
    for i in range(n):
        rng = random.Random(f"synth:{seed}:{i}")
        doc = make_document(lex, f"synth-{seed}-{i}", rng)
        if not meta:
            doc.pop("meta")
        yield doc


def write_jsonl(n: int, seed: int, path: str | Path, *, meta: bool = False) -> int:
    """Write n documents as JSON lines (gold format; ``meta`` kept only if asked). Returns n."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        for doc in generate(n, seed, meta=meta):
            f.write(json.dumps(doc, ensure_ascii=False) + "\n")
    return n


def frame_count() -> dict[str, int]:
    lex = load()
    return {role: sum(len(v) for v in regs.values()) for role, regs in lex.frames.items()}


if __name__ == "__main__":  # pragma: no cover
    import argparse

    ap = argparse.ArgumentParser(description="write synthetic gold documents as JSON lines")
    ap.add_argument("n", type=int)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--meta", action="store_true")
    a = ap.parse_args()
    write_jsonl(a.n, a.seed, a.out, meta=a.meta)


# --------------------------------------------------------------------------- checks

def check_document(doc: dict) -> list[str]:
    """What is wrong with a generated document: the gold contract, plus markup leaking into text."""
    errs = check_gold(Document.from_dict(doc))
    text = doc["text"]
    if any(ch in text for ch in "[]|"):
        errs.append("markup left in the text")
    for e in doc["entities"]:
        if "\n" in text[e["start"]:e["end"]]:
            errs.append(f"{e['id']}: span has a newline")
    return errs


def frame_documents(seed: int = 0) -> Iterator[tuple[str, dict]]:
    """One small document per frame (the first conflict it renders for): for review and tests."""
    lex = load()
    for role, regs in lex.frames.items():
        for reg, frames in regs.items():
            for f in frames:
                rng = random.Random(f"frame:{seed}:{f.id}")
                names = [n for n in lex.conflicts if not f.only or n in f.only]
                rng.shuffle(names)
                for cname in names:
                    ctx = _ctx(lex, rng, cname)
                    ctx.party_voice = True
                    if "donor" in f.needs and not ctx.R.get("donors"):
                        ctx = _ctx(lex, rng, cname, 0)
                        if not ctx.R.get("donors"):
                            continue
                    try:
                        r = render_frame(ctx, f)
                    except NoFit:
                        continue
                    doc = _Doc(f"frame-{f.id}")
                    text, _ = doc.add(f, r)
                    gold = parse_document(doc.doc_id, text + "\n" + "\n".join(doc.lines))
                    gold["meta"] = {"conflict": cname, "frames": [f.id], "entities": doc.meta}
                    yield f.id, gold
                    break
                else:
                    raise FrameError(f"{f.id}: renders for no conflict")
