"""Small shippable models: what training changed, on top of a pip-installed base encoder.

Two ways of training leave part of the encoder as it was: LoRA layers (peft) injected into the
encoder, and fine-tuning the transformer layers with the embeddings frozen. Either way what is saved
is only what training changed: the LoRA matrices or the trained encoder weights, the heads and the
shape embeddings, in fp16 safetensors, with a ClaimConfig that names the base encoder. Trained
encoder matrices may instead be stored as their 2-bit difference from the base encoder's
(``delta_codec``: 22 MB -> 4 MB for the default model). Loading rebuilds the base encoder, puts the
trained weights over it (or adds the decoded differences to it), adds ``B @ A * alpha / r`` into each
LoRA-adapted weight once, and returns an ordinary ClaimModel: at inference the adapter costs nothing,
and ``save_pretrained`` on it writes a plain model folder.
"""
from __future__ import annotations

from pathlib import Path

import torch

from ie_model.modeling import delta_codec
from ie_model.modeling.config import ClaimConfig
from ie_model.modeling.encoders import load_encoder
from ie_model.modeling.model import ClaimModel

ADAPTER_FILE = "adapter.safetensors"
_LORA_A, _LORA_B = ".lora_A.default.weight", ".lora_B.default.weight"
# A matrix stored as its difference from the base encoder's: name + these suffixes.
_CODES, _SCALES, _BASE_NORM = ".delta_codes", ".delta_scales", ".base_norm"
_DELTA_KEYS = (_CODES, _SCALES, _BASE_NORM)


def add_lora(model: ClaimModel, r: int, alpha: int, dropout: float, target_modules: list[str]) -> ClaimModel:
    """Inject LoRA into the encoder and freeze the rest of it; heads and shape embeddings stay trainable."""
    from peft import LoraConfig, inject_adapter_in_model

    config = LoraConfig(r=r, lora_alpha=alpha, lora_dropout=dropout, target_modules=target_modules)
    inject_adapter_in_model(config, model.encoder)
    for name, param in model.encoder.named_parameters():
        param.requires_grad = "lora_" in name
    model.config.lora = {"r": r, "alpha": alpha, "dropout": dropout, "target_modules": list(target_modules)}
    return model


def adapter_state_dict(model: ClaimModel, quantize_delta: bool = False) -> dict[str, torch.Tensor]:
    """Only what training changed: LoRA matrices or trained encoder weights, heads, shape embeddings
    (fp16: half the bytes). With ``quantize_delta``, trained encoder matrices are stored as their
    2-bit difference from the base encoder's, with the base matrix's norm to check the base by."""
    trained = {name for name, param in model.named_parameters() if param.requires_grad}
    base = _base_encoder_state(model.config) if quantize_delta else {}
    state = {}
    for name, tensor in model.state_dict().items():
        if not (name in trained or "lora_" in name or not name.startswith("encoder.")):
            continue
        tensor = tensor.detach().cpu()          # trained on a GPU; the base weights load on the CPU
        base_weight = base.get(name.removeprefix("encoder."))
        if base_weight is not None and tensor.ndim == 2 and "lora_" not in name:
            state[name + _CODES], state[name + _SCALES] = delta_codec.quantize_delta(tensor - base_weight)
            state[name + _BASE_NORM] = base_weight.norm().reshape(1)
        else:
            state[name] = tensor.to(torch.float16).contiguous()
    return state


def save_adapter(model: ClaimModel, folder: str | Path, quantize_delta: bool = False) -> None:
    from safetensors.torch import save_file

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    model.config.save_pretrained(folder)
    metadata = {"format": "pt", **({"delta_codec": delta_codec.NAME} if quantize_delta else {})}
    save_file(adapter_state_dict(model, quantize_delta), folder / ADAPTER_FILE, metadata=metadata)


def _base_encoder_state(config: ClaimConfig) -> dict[str, torch.Tensor]:
    if not getattr(config, "base_encoder", None):
        raise ValueError("the model's config names no base_encoder for the adapter to go on")
    return load_encoder(config.base_encoder).state_dict()


def load_adapter(folder: str | Path) -> ClaimModel:
    """Base encoder (by the name in the config) + adapter, merged into one plain ClaimModel."""
    from safetensors import safe_open

    folder = Path(folder)
    config = ClaimConfig.from_pretrained(folder)
    model = ClaimModel(config)
    base = _base_encoder_state(config)
    model.encoder.load_state_dict(base, strict=False)
    with safe_open(folder / ADAPTER_FILE, "pt") as f:
        codec = (f.metadata() or {}).get("delta_codec")
        state = {key: f.get_tensor(key) for key in f.keys()}
    weights = _decode_deltas(state, base, codec, folder)
    weights.update({k: v.float() for k, v in state.items() if "lora_" not in k and not k.endswith(_DELTA_KEYS)})
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


def _decode_deltas(state: dict[str, torch.Tensor], base: dict[str, torch.Tensor], codec: str | None,
                   folder: Path) -> dict[str, torch.Tensor]:
    """Base weight + decoded difference, for each matrix stored as one."""
    names = [k[: -len(_CODES)] for k in state if k.endswith(_CODES)]
    if names and codec != delta_codec.NAME:
        raise ValueError(f"{folder}: weight differences in an unknown encoding {codec!r} "
                         f"(this version reads {delta_codec.NAME!r})")
    weights = {}
    for name in names:
        base_weight = base[name.removeprefix("encoder.")]
        saved_norm, base_norm = state[name + _BASE_NORM].item(), base_weight.norm().item()
        if abs(base_norm - saved_norm) > 1e-3 * saved_norm:
            raise ValueError(f"{folder}: {name} was trained over other base weights than "
                             f"base_encoder's ({saved_norm:.4f} vs {base_norm:.4f}); the "
                             "adapter stores differences from them and needs that same encoder")
        weights[name] = base_weight + delta_codec.dequantize_delta(state[name + _CODES], state[name + _SCALES],
                                                                   base_weight.shape)
    return weights


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
