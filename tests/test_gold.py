"""Gold data: the markup parser, validation with readable reasons, the CLI's exit codes."""
import json

import pytest

from ie_model.cli import main
from ie_model.io.gold import GoldError, check_document, read_gold
from ie_model.io.markup import MarkupError, iter_markup, parse_document
from ie_model.schema import Document
from tests.conftest import SEED_JSONL, SEED_MARKUP


def test_markup_gives_the_seed_jsonl_exactly():
    from_markup = list(iter_markup(SEED_MARKUP))
    from_jsonl = [json.loads(line) for line in SEED_JSONL.read_text(encoding="utf-8").splitlines()]
    assert from_markup == from_jsonl


def test_markup_offsets_point_at_the_surface():
    doc = parse_document("d1", "[Russia|ACTOR#a1] lost [42|QUANTITY#q1] [tanks|CATEGORY#c1].\n@ q1 category c1\n"
                               "@ q1 affected a1\n@ q1 kind loss")
    assert doc["text"] == "Russia lost 42 tanks."
    spans = {e["id"]: doc["text"][e["start"]:e["end"]] for e in doc["entities"]}
    assert spans == {"a1": "Russia", "q1": "42", "c1": "tanks"}
    assert doc["entities"][1]["kind"] == "loss"


@pytest.mark.parametrize("body, reason", [
    ("[42|QUANTITY#q1] [tanks|CATEGORY#q1]", "used twice"),
    ("[42|QUANTITY#q1] tanks\n@ q1 category c9", "unknown key"),
    ("[42|QUANTITY#q1] tanks\n@ q1 kind lost", "kind 'lost'"),
    ("[42|QUANTITY#q1] [tanks|CATEGORY]", "not understood"),
])
def test_bad_markup_says_why(body, reason):
    with pytest.raises(MarkupError, match=reason):
        parse_document("bad", body)


def test_seed_is_valid(seed_doc):
    assert check_document(seed_doc) == []
    assert len([e for e in seed_doc.entities if e.label == "QUANTITY"]) == 20


def _doc(entities, relations, text="Russia lost 42 tanks, Kyiv said."):
    return Document.from_dict({"id": "x-1", "text": text, "entities": entities, "relations": relations})


GOOD_ENTS = [{"id": "a", "start": 0, "end": 6, "label": "ACTOR"},
             {"id": "q", "start": 12, "end": 14, "label": "QUANTITY", "kind": "loss"},
             {"id": "c", "start": 15, "end": 20, "label": "CATEGORY"},
             {"id": "s", "start": 22, "end": 26, "label": "SOURCE"}]
GOOD_RELS = [{"head": "q", "tail": "c", "label": "category"}, {"head": "q", "tail": "a", "label": "affected"},
             {"head": "q", "tail": "s", "label": "source"}]


def test_a_good_document_has_no_problems():
    assert check_document(_doc(GOOD_ENTS, GOOD_RELS)) == []


@pytest.mark.parametrize("entities, relations, reason", [
    (GOOD_ENTS + [{"id": "o", "start": 13, "end": 20, "label": "CATEGORY"}], GOOD_RELS, "overlap"),
    ([{**GOOD_ENTS[0], "end": 99}] + GOOD_ENTS[1:], GOOD_RELS, "outside the text"),
    (GOOD_ENTS, GOOD_RELS[:1] + [{"head": "q", "tail": "s", "label": "affected"}], "wrong types"),
    (GOOD_ENTS, GOOD_RELS[1:], "0 category relations"),
    ([GOOD_ENTS[0], {**GOOD_ENTS[1], "kind": None}] + GOOD_ENTS[2:], GOOD_RELS, "needs a kind"),
    (GOOD_ENTS, GOOD_RELS + [GOOD_RELS[0]], "duplicate"),
    ([{**GOOD_ENTS[0], "end": 7}] + GOOD_ENTS[1:], GOOD_RELS, "whitespace"),
    (GOOD_ENTS, GOOD_RELS + [{"head": "q", "tail": "zz", "label": "time"}], "unknown entity"),
])
def test_malformed_gold_is_reported_with_the_reason(entities, relations, reason):
    problems = check_document(_doc(entities, relations))
    assert any(reason in p for p in problems), problems


def test_a_relation_across_paragraphs_is_rejected():
    text = "Russia lost 42 tanks.\n\nKyiv said so."
    ents = [{"id": "q", "start": 12, "end": 14, "label": "QUANTITY", "kind": "loss"},
            {"id": "c", "start": 15, "end": 20, "label": "CATEGORY"},
            {"id": "s", "start": 23, "end": 27, "label": "SOURCE"}]
    rels = [{"head": "q", "tail": "c", "label": "category"}, {"head": "q", "tail": "s", "label": "source"}]
    assert any("paragraph" in p for p in check_document(_doc(ents, rels, text)))


def test_read_gold_names_the_bad_document(tmp_path):
    path = tmp_path / "g.jsonl"
    good = _doc(GOOD_ENTS, GOOD_RELS).to_dict()
    bad = {**good, "id": "bad-7", "relations": GOOD_RELS[1:]}
    path.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n")
    with pytest.raises(GoldError) as err:
        read_gold(path)
    assert err.value.doc_id == "bad-7"


def test_validate_cli_exit_codes_and_all_problems(tmp_path, capsys):
    good = _doc(GOOD_ENTS, GOOD_RELS).to_dict()
    ok = tmp_path / "ok.jsonl"
    ok.write_text(json.dumps(good) + "\n")
    assert main(["data", "validate", str(ok), str(SEED_MARKUP)]) == 0
    bad = tmp_path / "bad.jsonl"
    twice_bad = {**good, "id": "bad-1", "entities": [{**GOOD_ENTS[0], "end": 99}] + GOOD_ENTS[1:],
                 "relations": GOOD_RELS[1:]}
    bad.write_text(json.dumps(twice_bad) + "\n" + json.dumps({**twice_bad, "id": "bad-2"}) + "\n")
    assert main(["data", "validate", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "bad-1" in err and "outside the text" in err and "0 category relations" in err
    assert "bad-2" not in err   # stops at the first bad document


def test_validate_cli_reports_broken_json(tmp_path, capsys):
    path = tmp_path / "broken.jsonl"
    path.write_text('{"id": "a", "text": \n')
    assert main(["data", "validate", str(path)]) == 1
    assert "broken.jsonl:1" in capsys.readouterr().err


def test_build_gold_routes_test_and_held_out_writer_files_to_their_own_splits(tmp_path, capsys):
    """test_* and devw_* files never reach train or dev, whatever their ids hash to."""
    src = tmp_path / "src"
    src.mkdir()
    doc = "[Russia|ACTOR#a1] lost [42|QUANTITY#q1] [tanks|CATEGORY#c1].\n@ q1 category c1\n@ q1 affected a1\n@ q1 kind loss\n"
    ids = {"xx_01.markup": [f"xx-{i:03d}" for i in range(40)], "test_z_01.markup": ["tz-001", "tz-002"],
           "devw_zz_01.markup": ["zz-001", "zz-002", "zz-003"]}
    for name, doc_ids in ids.items():
        (src / name).write_text("".join(f"=== {i}\n{doc}\n" for i in doc_ids), encoding="utf-8")
    assert main(["data", "build-gold", str(src), "-o", str(tmp_path / "out")]) == 0
    split = {name: [d.id for d in read_gold(tmp_path / "out" / f"{name}.jsonl")]
             for name in ("train", "dev", "dev_writers", "test")}
    assert split["test"] == ["tz-001", "tz-002"] and split["dev_writers"] == ["zz-001", "zz-002", "zz-003"]
    assert sorted(split["train"] + split["dev"]) == ids["xx_01.markup"] and split["dev"]
    assert "dev_writers: 3 documents" in capsys.readouterr().out


def test_second_annotations_keep_the_gold_texts_and_never_enter_a_split():
    """benchmarks/agreement.py compares data/gold/agreement with the gold of the same documents: the texts
    must stay identical (offsets are compared), and the documents must stay out of train."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    gold = {d.id: d.text for name in ("dev_writers.jsonl", "dev.jsonl")
            for d in read_gold(root / "data" / "gold" / name)}
    gold.update({d.id: d.text for d in read_gold(SEED_JSONL)})
    second = [d for f in sorted((root / "data" / "gold" / "agreement").glob("*.markup")) for d in read_gold(f)]
    assert len(second) >= 75
    assert all(d.text == gold[d.id] for d in second)
    train_ids = {json.loads(line)["id"] for line in (root / "data" / "gold" / "train.jsonl").open()}
    assert not train_ids & {d.id for d in second}
