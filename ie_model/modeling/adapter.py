"""Small shippable models: LoRA on the encoder plus the task heads, on top of a pip-installed encoder.

Training injects LoRA layers (peft) into the encoder and trains them with the heads. What is saved
is only what training changed: the LoRA matrices, the heads and the shape embeddings, in fp16
safetensors, with a ClaimConfig that names the base encoder. Loading rebuilds the base encoder,
adds ``B @ A * alpha / r`` into each adapted weight once, and returns an ordinary ClaimModel: at
inference the adapter costs nothing, and ``save_pretrained`` on it writes a plain model folder.
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
    """Only what training changed: LoRA matrices, heads, shape embeddings (fp16: half the bytes)."""
    state = {}
    for name, tensor in model.state_dict().items():
        if "lora_" in name or not name.startswith("encoder."):
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
    if not getattr(config, "lora", None):
        raise ValueError(f"{folder}: config has no 'lora' section, so it is not an adapter folder")
    model = ClaimModel(config)
    base = load_encoder(config.base_encoder)
    model.encoder.load_state_dict(base.state_dict(), strict=False)
    state = load_file(folder / ADAPTER_FILE)
    _merge_lora(model, state, config.lora["alpha"] / config.lora["r"])
    heads = {k: v.float() for k, v in state.items() if "lora_" not in k}
    expected = {k for k in model.state_dict() if not k.startswith("encoder.")}
    missing = expected - set(heads)
    if missing:
        raise ValueError(f"{folder}: adapter lacks {sorted(missing)[:5]}")
    model.load_state_dict(heads, strict=False)
    del model.config.lora                               # the merged model is an ordinary one
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
