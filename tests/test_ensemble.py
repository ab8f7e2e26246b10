"""Several models as one extractor: probabilities averaged before decoding."""
import json

import pytest
import torch

from ie_model.extractor import Extractor, _mean_log_probs, _mean_probs, default_model_path, load


def test_mean_probabilities_are_the_average_of_the_members_softmax():
    a, b = torch.tensor([[2.0, 0.0, -1.0]]), torch.tensor([[0.0, 3.0, 0.0]])
    expected = (torch.softmax(a, -1) + torch.softmax(b, -1)) / 2
    assert torch.allclose(_mean_probs([a, b]), expected)
    assert torch.allclose(_mean_log_probs([a, b]), expected.log())
    # One member decodes from its own log-softmax, exactly as before ensembles existed.
    assert torch.equal(_mean_log_probs([a]), torch.log_softmax(a, -1))


def test_ensemble_of_two_copies_predicts_what_the_model_does(seed_doc):
    single = load(device="cpu", precision="fp32")
    pair = load([default_model_path(), default_model_path()], device="cpu", precision="fp32",
                relation_threshold=single.relation_threshold)
    assert len(pair.models) == 2 and pair.models[0] is not pair.models[1]
    one, two = single.extract([seed_doc.text])[0], pair.extract([seed_doc.text])[0]
    assert [(e.start, e.end, e.label) for e in two.entities] == [(e.start, e.end, e.label) for e in one.entities]
    assert [c.to_dict() for c in two.claims] == [c.to_dict() for c in one.claims]
    assert len(one.claims) >= 15


def test_ensemble_keeps_half_unless_given_thresholds():
    single = load(device="cpu")
    assert isinstance(single.relation_threshold, dict)         # tuned on dev for this one model
    assert load([default_model_path(), default_model_path()], device="cpu").relation_threshold == 0.5


def test_members_with_other_labels_are_refused():
    model = load(device="cpu").model
    other = load(device="cpu").model
    other.config.entity_labels = list(reversed(other.config.entity_labels))
    with pytest.raises(ValueError, match="entity_labels"):
        Extractor([model, other], load(device="cpu").tokenizer, device="cpu")
    with pytest.raises(ValueError, match="no model folder"):
        load([], device="cpu")


def test_cli_takes_model_more_than_once_for_an_ensemble(tmp_path, capsys):
    from ie_model.cli import main
    from tests.conftest import SEED_JSONL

    model = str(default_model_path())
    corpus = tmp_path / "in.jsonl"
    corpus.write_text('{"id": "a", "text": "Russia lost 42 tanks, Kyiv said."}\n{"id": "b", "text": "Nothing."}\n')
    assert main(["extract", str(corpus), "-o", str(tmp_path / "out.jsonl"), "--model", model, "--model", model,
                 "--device", "cpu", "--quiet"]) == 0
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [r["id"] for r in rows] == ["a", "b"] and rows[0]["claims"][0]["quantity"]["value"] == 42
    assert main(["evaluate", str(SEED_JSONL), "--model", model, "--model", model, "--device", "cpu",
                 "-o", str(tmp_path / "scores.json")]) == 0
    assert json.loads((tmp_path / "scores.json").read_text())["claims_core"]["support"] == 20
