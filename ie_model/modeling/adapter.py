"""Small shippable models: what training changed, on top of a pip-installed base encoder.

Two ways of training leave part of the encoder as it was: LoRA layers (peft) injected into the
encoder, and fine-tuning the transformer layers with the embeddings frozen. Either way what is saved
is only what training changed: the LoRA matrices or the trained encoder weights, the heads and the
shape embeddings, in fp16 safetensors, with a ClaimConfig that names the base encoder. Loading
rebuilds the base encoder, puts the trained weights over it, adds ``B @ A * alpha / r`` into each
LoRA-adapted weight once, and returns an ordinary ClaimModel: at inference the adapter costs nothing,
and ``save_pretrained`` on it writes a plain model folder.
"""
from __future__ import annotations

from pathlib import Path

import torch

from ie_model.modeling.config import ClaimConfig
from ie_model.modeling.encoders import load_encoder
from ie_model.modeling.model import ClaimModel

ADAPTER_FILE = "adapter.safetensors"
_LORA_A, _LORA_B = ".lora_A.default.weight", ".lora_B.default.weight"


def add_lora(model: ClaimModel, r: int, alpha: int, dropout: float, target_modules: list[str]) -> ClaimModel:
    """Inject LoRA into the encoder and freeze the rest of it; heads and shape embeddings stay trainable."""
    from peft import LoraConfig, inject_adapter_in_model

    config = LoraConfig(r=r, lora_alpha=alpha, lora_dropout=dropout, target_modules=target_modules)
    inject_adapter_in_model(config, model.encoder)
    for name, param in model.encoder.named_parameters():
        param.requires_grad = "lora_" in name
    model.config.lora = {"r": r, "alpha": alpha, "dropout": dropout, "target_modules": list(target_modules)}
    return model


def adapter_state_dict(model: ClaimModel) -> dict[str, torch.Tensor]:
    """Only what training changed: LoRA matrices or trained encoder weights, heads, shape embeddings
    (fp16: half the bytes)."""
    trained = {name for name, param in model.named_parameters() if param.requires_grad}
    state = {}
    for name, tensor in model.state_dict().items():
        if name in trained or "lora_" in name or not name.startswith("encoder."):
            state[name] = tensor.detach().to(torch.float16).contiguous()
    return state


def save_adapter(model: ClaimModel, folder: str | Path) -> None:
    from safetensors.torch import save_file

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    model.config.save_pretrained(folder)
    save_file(adapter_state_dict(model), folder / ADAPTER_FILE, metadata={"format": "pt"})


def load_adapter(folder: str | Path) -> ClaimModel:
    """Base encoder (by the name in the config) + adapter, merged into one plain ClaimModel."""
    from safetensors.torch import load_file

    folder = Path(folder)
    config = ClaimConfig.from_pretrained(folder)
    if not getattr(config, "base_encoder", None):
        raise ValueError(f"{folder}: config names no base_encoder for the adapter to go on")
    model = ClaimModel(config)
    base = load_encoder(config.base_encoder)
    model.encoder.load_state_dict(base.state_dict(), strict=False)
    state = load_file(folder / ADAPTER_FILE)
    weights = {k: v.float() for k, v in state.items() if "lora_" not in k}
    expected = {k for k in model.state_dict() if not k.startswith("encoder.")}
    missing = expected - set(weights)
    if missing:
        raise ValueError(f"{folder}: adapter lacks {sorted(missing)[:5]}")
    unknown = set(weights) - set(model.state_dict())
    if unknown:
        raise ValueError(f"{folder}: adapter has weights this model does not: {sorted(unknown)[:5]}")
    model.load_state_dict(weights, strict=False)      # heads, and trained encoder layers over the base
    if getattr(config, "lora", None):
        _merge_lora(model, state, config.lora["alpha"] / config.lora["r"])
        del model.config.lora                           # the merged model is an ordinary one
    return model.eval()


def _merge_lora(model: ClaimModel, state: dict[str, torch.Tensor], scaling: float) -> None:
    params = dict(model.named_parameters())
    merged = 0
    with torch.no_grad():
        for key in state:
            if not key.endswith(_LORA_A):
                continue
            prefix = key[: -len(_LORA_A)]
            weight = params[f"{prefix}.weight"]
            weight += (state[prefix + _LORA_B].float() @ state[key].float()) * scaling
            merged += 1
    if merged == 0:
        raise ValueError("the adapter holds no LoRA matrices")
