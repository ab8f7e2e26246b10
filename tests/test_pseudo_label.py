"""Ensemble-labelled training documents keep to the gold contract."""
import json

import pytest

from ie_model.io.gold import check_document, read_gold
from ie_model.schema import Entity, Relation
from training.pseudo_label import pseudo_document, pseudo_label, read_texts

TEXT = "Russia lost 42 tanks and 7 of them, Kyiv said."


def test_a_quantity_keeps_its_best_category_and_one_without_any_is_left_out():
    entities = [Entity("q1", 12, 14, "QUANTITY", "loss", 0.9), Entity("c1", 15, 20, "CATEGORY", None, 0.8),
                Entity("q2", 25, 26, "QUANTITY", "loss", 0.7), Entity("a1", 0, 6, "ACTOR", None, 0.9),
                Entity("c2", 30, 34, "CATEGORY", None, 0.4)]
    relations = [Relation("q1", "c2", "category", 0.55), Relation("q1", "c1", "category", 0.9),
                 Relation("q1", "a1", "affected", 0.8), Relation("q2", "a1", "affected", 0.6)]
    doc = pseudo_document("d", TEXT, entities, relations)
    assert [e.id for e in doc.entities] == ["q1", "c1", "a1", "c2"]
    assert [(r.head, r.tail, r.label) for r in doc.relations] == [("q1", "c1", "category"), ("q1", "a1", "affected")]
    assert all(e.score is None for e in doc.entities) and all(r.score is None for r in doc.relations)
    assert check_document(doc) == []


def test_read_texts_refuses_duplicate_ids(tmp_path):
    path = tmp_path / "u.jsonl"
    path.write_text(json.dumps({"id": "a", "text": "One."}) + "\n\n" + json.dumps({"id": "a", "text": "Two."}) + "\n")
    with pytest.raises(ValueError, match="duplicate id"):
        read_texts([path])
    path.write_text(json.dumps({"id": "a", "text": "One."}) + "\n" + json.dumps({"id": "b", "text": "Two."}) + "\n")
    assert read_texts([path]) == [("a", "One."), ("b", "Two.")]


def test_labelled_documents_are_valid_gold_with_the_ensembles_claims(tmp_path, seed_doc):
    from ie_model.extractor import default_model_path, load
    from ie_model.io.gold import write_gold

    ensemble = load([default_model_path(), default_model_path()], device="cpu")
    docs = pseudo_label(ensemble, [("seed", seed_doc.text), ("none", "No figures in this one.")])
    assert [d.id for d in docs] == ["seed", "none"] and docs[1].entities == []
    quantities = [e for e in docs[0].entities if e.label == "QUANTITY"]
    assert len(quantities) >= 15 and all(e.kind for e in quantities)
    write_gold(docs, tmp_path / "p.jsonl")
    assert [d.id for d in read_gold(tmp_path / "p.jsonl")] == ["seed", "none"]     # validated on reading
