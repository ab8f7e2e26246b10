"""Extractor: batches of documents through encode -> model -> decode -> assemble."""
from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# oneDNN keeps a compiled kernel per distinct tensor shape (1,024 by default). In bf16 the cache alone
# grew the process by ~370 MiB over 3,000 documents when every batch length was its own shape. With
# batches padded to a multiple of 32 it still grew 41 MiB over 6,000 documents uncapped, 11 MiB
# capped at 8 (~3% slower). Set before torch's first oneDNN call; a user's value wins.
os.environ.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "8")

import torch  # noqa: E402

from ie_model.assemble import assemble
from ie_model.batching import collate_spans, collate_tokens, pair_groups, span_features, token_features
from ie_model.decode import WindowPrediction, decode_spans, merge_document
from ie_model.encode import RELATION_CLASSES, Window, encode
from ie_model.schema import KINDS, Document, Entity, Relation, Result

PACKAGE_DIR = Path(__file__).resolve().parent


def default_model_path() -> Path:
    """Where a model comes from when none is named: $IE_MODEL_PATH, else the default model shipped
    in the package (ie_model/default_model: trained layers and heads over the pip encoder), else models/default."""
    if os.environ.get("IE_MODEL_PATH"):
        return Path(os.environ["IE_MODEL_PATH"])
    candidates = [PACKAGE_DIR / "default_model", PACKAGE_DIR.parent / "models" / "default",
                  Path.cwd() / "models" / "default"]
    for path in candidates:
        if (path / "config.json").exists():
            return path
    raise FileNotFoundError("no model named and no default model found (looked in "
                            + ", ".join(map(str, candidates)) + "): run `make model` or pass a path")


def resolve_device(device: str = "auto") -> torch.device:
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise RuntimeError(f"device {device!r} asked for, but CUDA is not available")
    return torch.device(device)


@dataclass
class Prediction:
    entities: list[Entity]
    relations: list[Relation]


class Extractor:
    """A trained model with its tokenizer, ready to turn texts into claims."""

    # Batches are padded to a multiple of 32 tokens. With every length its own shape, the CPU kernels
    # kept compiling and caching: over 6,000 news documents in bf16 the process grew by 137 MiB and the
    # per-batch peak by 35%; rounded, both stay flat, and it runs 14% faster (50.5 -> 57.4 docs/s),
    # the extra padding costing less than the recompiling did (benchmarks/throughput.py --scale).
    PAD_TO_MULTIPLE_OF = 32
    # The relation head scores every (quantity, span) pair of a window, ~4 KiB of activations each:
    # a batch of 32 windows padded to its busiest one reached ~80,000 pairs (~1 GiB), and a table of
    # figures far more. Scored in groups of at most this many padded pairs, the peak is bounded.
    PAIR_BUDGET = 16_384

    def __init__(self, model, tokenizer, device: str | torch.device = "auto", batch_size: int = 32,
                 max_length: int | None = None, quantize: str | None = None, precision: str = "auto",
                 relation_threshold: float | dict[str, float] | None = None):
        """``model``: one ClaimModel, or several trained alike (an ensemble: their probabilities are
        averaged before decoding, one encoder pass each)."""
        self.device = resolve_device(device) if isinstance(device, str) else device
        self.models = [m.to(self.device).eval() for m in (model if isinstance(model, (list, tuple)) else [model])]
        _check_ensemble(self.models)
        if quantize == "int8":
            self.models = [_quantize_int8(m, self.device) for m in self.models]
        elif quantize is not None:
            raise ValueError(f"unknown quantization {quantize!r} (int8 or None)")
        self.precision = resolve_precision(precision, self.device, quantized=quantize is not None)
        self.tokenizer = tokenizer
        self.batch_size = batch_size
        config = self.model.config
        self.max_length = max_length or config.window_length
        self.overlap = min(config.overlap, self.max_length // 4)
        # Probability above which an affected/agent/source/time link is kept: one number, or one per
        # label as tuned on dev at the end of training. A member's tuned values do not carry over to
        # an average of several members, which keeps 0.5 unless told otherwise.
        if relation_threshold is None and len(self.models) == 1:
            relation_threshold = getattr(config, "relation_thresholds", None) or getattr(config, "relation_threshold", None)
        self.relation_threshold = relation_threshold if relation_threshold is not None else 0.5

    @property
    def model(self):
        """The (first) model: its config describes every member."""
        return self.models[0]

    @classmethod
    def from_pretrained(cls, path: str | Path | Sequence[str | Path] | None = None, device: str = "auto",
                        **kwargs) -> Extractor:
        """A saved model folder (default: the default model), or a list of folders for an ensemble."""
        from transformers import AutoTokenizer

        from ie_model.modeling.encoders import resolve_encoder

        paths = [Path(p) for p in path] if isinstance(path, (list, tuple)) else [
            Path(path) if path is not None else default_model_path()]
        if not paths:
            raise ValueError("no model folder given")
        models = [_load_model(p) for p in paths]
        has_tokenizer = (paths[0] / "tokenizer_config.json").exists()
        tokenizer = AutoTokenizer.from_pretrained(paths[0] if has_tokenizer else resolve_encoder(models[0].config.base_encoder))
        return cls(models, tokenizer, device=device, **kwargs)

    # ---- the pipeline --------------------------------------------------------------------

    def extract(self, texts_or_docs: Iterable[str | Document | dict], batch_size: int | None = None) -> list[Result]:
        """One Result per input, in input order. Inputs are texts, Documents or {"id", "text"} dicts."""
        docs = [_as_document(x, i) for i, x in enumerate(texts_or_docs)]
        preds = self.predict([d.text for d in docs], batch_size)
        results = []
        for doc, pred in zip(docs, preds):
            annotated = Document(doc.id, doc.text, pred.entities, pred.relations)
            results.append(Result(id=doc.id, claims=assemble(annotated), entities=pred.entities,
                                  relations=pred.relations))
        return results

    def predict(self, texts: Sequence[str], batch_size: int | None = None) -> list[Prediction]:
        """Entities and relations of each text (no claim assembly)."""
        return [Prediction(*merge_document(windows, text, self.relation_threshold))
                for windows, text in zip(self.window_predictions(texts, batch_size), texts)]

    def window_predictions(self, texts: Sequence[str], batch_size: int | None = None) -> list[list[WindowPrediction]]:
        """The model's raw output for each text: one WindowPrediction per window, in text order."""
        if not texts:
            return []
        windows = encode(self.tokenizer, texts, self.max_length, self.overlap)
        by_doc: list[list[WindowPrediction]] = [[] for _ in texts]
        # Longest first and similar lengths together: least padding, and a memory peak seen early.
        order = sorted(range(len(windows)), key=lambda i: -len(windows[i]))
        size = batch_size or self.batch_size
        for k in range(0, len(order), size):
            batch = [windows[i] for i in order[k:k + size]]
            for w, pred in zip(batch, self._predict_windows(batch)):
                by_doc[w.doc].append(pred)
            _return_freed_memory()
        return [sorted(p, key=lambda p: p.window.own_start) for p in by_doc]

    @torch.inference_mode()
    def _predict_windows(self, windows: list[Window]) -> list[WindowPrediction]:
        tokens = collate_tokens([token_features(w) for w in windows], self.PAD_TO_MULTIPLE_OF, self.max_length)
        batch = {k: v.to(self.device) for k, v in tokens.items()}
        with self._autocast():
            hiddens = [m.encode(batch["input_ids"], batch["attention_mask"], batch["shape_ids"]) for m in self.models]
            tag_log_probs = _mean_log_probs([m.tag(h) for m, h in zip(self.models, hiddens)]).cpu().numpy()
        spans = [decode_spans(w, tag_log_probs[i, :len(w)]) for i, w in enumerate(windows)]
        feats = [span_features(s) for s in spans]
        kinds: list[np.ndarray] = [np.zeros((0, len(KINDS)), np.float32)] * len(windows)
        relations = [np.zeros((0, len(f["spans"]), len(RELATION_CLASSES)), np.float32) for f in feats]
        for group in pair_groups([(len(f["heads"]), len(f["spans"])) for f in feats], self.PAIR_BUDGET):
            # Spans and heads are padded per group; sentence ids come from the batch, whose token axis is hidden's.
            sub = {k: v.to(self.device) for k, v in collate_spans([feats[i] for i in group]).items()}
            # fp32: the heads are cheap, and their (batch, quantities, spans) shapes vary far more than
            # the encoder's; in bf16 each new shape cost memory (growth over 3,000 docs: 146 -> 77 MiB).
            logits = [m.span_heads(h[group].float(), sub["spans"], sub["span_labels"], sub["heads"],
                                   batch["sentence_ids"][group], batch["paragraph_ids"][group])
                      for m, h in zip(self.models, hiddens)]
            kind_probs = _mean_probs([k for k, _ in logits]).cpu().numpy()
            rel_probs = _mean_probs([r for _, r in logits]).cpu().numpy()
            for j, i in enumerate(group):
                q, n = len(feats[i]["heads"]), len(feats[i]["spans"])
                kinds[i], relations[i] = kind_probs[j, :q], rel_probs[j, :q, :n]
        return [WindowPrediction(w, spans[i], kinds[i], relations[i]) for i, w in enumerate(windows)]

    def _autocast(self):
        if self.precision == "fp32":
            return torch.autocast(self.device.type, enabled=False)
        return torch.autocast(self.device.type, dtype=getattr(torch, {"bf16": "bfloat16", "fp16": "float16"}[self.precision]))


def _load_model(path: Path):
    from ie_model.modeling import ClaimModel
    from ie_model.modeling.adapter import ADAPTER_FILE, load_adapter
    from ie_model.modeling.encoders import quiet_loading

    with quiet_loading():
        if (path / ADAPTER_FILE).exists():
            return load_adapter(path)
        return ClaimModel.from_pretrained(path, use_safetensors=True)


def _check_ensemble(models: list) -> None:
    """Members are averaged label by label and token by token: they must share labels and tokenizer."""
    if not models:
        raise ValueError("an extractor needs at least one model")
    keys = ("id2label", "relation_labels", "entity_labels", "kinds", "base_encoder", "window_length", "overlap")
    first = {k: getattr(models[0].config, k, None) for k in keys}
    for m in models[1:]:
        differ = [k for k in keys if getattr(m.config, k, None) != first[k]]
        if differ:
            raise ValueError(f"ensemble members differ in {', '.join(differ)}: they must be trained alike")


def _mean_probs(logits: list[torch.Tensor]) -> torch.Tensor:
    return sum(torch.softmax(x.float(), -1) for x in logits) / len(logits)


def _mean_log_probs(logits: list[torch.Tensor]) -> torch.Tensor:
    # One model: its log-softmax exactly, so that a single model decodes as it always has.
    if len(logits) == 1:
        return torch.log_softmax(logits[0].float(), -1)
    return torch.log(_mean_probs(logits))


PRECISIONS = ("auto", "fp32", "bf16", "fp16")


def resolve_precision(precision: str, device: torch.device, quantized: bool = False) -> str:
    """The dtype the model computes in. ``auto``: bf16 (else fp16) on CUDA; on CPU bf16 where the
    CPU multiplies bf16 natively (AVX512-BF16 or AMX: measured 1.8x the fp32 speed here, with the
    same dev scores), else fp32. An int8 model computes in fp32 around its int8 products."""
    if precision not in PRECISIONS:
        raise ValueError(f"unknown precision {precision!r} (one of {', '.join(PRECISIONS)})")
    if quantized:
        if precision not in ("auto", "fp32"):
            raise ValueError("an int8 model runs in fp32 around its int8 matrix products")
        return "fp32"
    if precision != "auto":
        if device.type == "cpu" and precision == "fp16":
            raise ValueError("fp16 is for CUDA; on CPU use bf16 or fp32")
        return precision
    if device.type == "cuda":
        return "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    return "bf16" if _cpu_has_native_bf16() else "fp32"


def _cpu_has_native_bf16() -> bool:
    # Private helpers, present in torch 2.x; without them, stay in fp32.
    checks = [getattr(torch.cpu, name, None) for name in ("_is_avx512_bf16_supported", "_is_amx_tile_supported")]
    return any(check() for check in checks if check is not None)


def _quantize_int8(model, device: torch.device):
    """Dynamic int8 for the encoder's Linear layers, one weight scale per output channel.

    On CPU the encoder's matrix products dominate. Measured on dev (claim core F1): per-tensor
    scales over every layer cost 3.6 points, per-channel scales 1.8, per-channel on the encoder
    only (the small heads stay fp32) 0.8 -- the only variant within the 1-point budget.
    """
    if device.type != "cpu":
        raise ValueError("int8 dynamic quantization runs on the CPU; on CUDA bf16/fp16 is used instead")
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    model.encoder = quantize_dynamic(model.encoder, {torch.nn.Linear: per_channel_dynamic_qconfig})
    return model


@functools.cache
def _malloc_trim():
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):     # not glibc: nothing to do
        return None


def _return_freed_memory() -> None:
    """Hand the heap memory freed by a finished batch back to the system (glibc).

    Every batch has other tensor shapes, and glibc keeps the freed blocks for reuse that rarely
    fits: measured on 4,096 news documents, the process grew by ~170 MiB per 512 documents (and
    slowed from 30 to 23 docs/s). Trimming after each batch keeps it flat, at a few ms a batch.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def _as_document(x: str | Document | dict, index: int) -> Document:
    if isinstance(x, Document):
        return x
    if isinstance(x, str):
        return Document(id=str(index), text=x)
    return Document(id=str(x.get("id", index)), text=x["text"])


def load(path: str | Path | None = None, device: str = "auto", **kwargs) -> Extractor:
    """The extractor of a saved model folder (default: the project's default model)."""
    return Extractor.from_pretrained(path, device=device, **kwargs)
