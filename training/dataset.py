"""Gold and generated documents -> a `datasets.Dataset` of model windows with targets.

Reading goes through `datasets` (JSON loader, cached `map`), and the features through
`ie_model.batching.training_features`, the same code inference uses for its inputs.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from datasets import Dataset, load_dataset

from ie_model.batching import training_features
from ie_model.encode import encode, tag_windows
from ie_model.schema import Document

FEATURE_COLUMNS = ("input_ids", "shape_ids", "sentence_ids", "paragraph_ids", "spans", "span_labels", "heads",
                   "tags", "kind_labels", "relation_labels", "length")


def load_documents(files: Sequence[str | Path], cache_dir: str | None = None) -> Dataset:
    """Gold-format JSONL files as one Dataset (cached by the files' fingerprints)."""
    return load_dataset("json", data_files=[str(f) for f in files], split="train", cache_dir=cache_dir)


def _rows_to_documents(batch: dict) -> list[Document]:
    keys = list(batch)
    return [Document.from_dict({k: batch[k][i] for k in keys}) for i in range(len(batch["id"]))]


def to_windows(batch: dict, tokenizer, max_length: int, overlap: int) -> dict[str, list]:
    """A `datasets.map` batch of documents -> a batch of windows (one document may give several)."""
    docs = _rows_to_documents(batch)
    windows = encode(tokenizer, [d.text for d in docs], max_length, overlap)
    tag_windows(windows, docs)
    out: dict[str, list] = {c: [] for c in FEATURE_COLUMNS}
    for w in windows:
        # "length" lets the Trainer batch windows of similar length together (less padding).
        feats = {**training_features(w, docs[w.doc]), "length": len(w)}
        for c in FEATURE_COLUMNS:
            out[c].append(feats[c])
    return out


def window_dataset(docs: Dataset, tokenizer, max_length: int, overlap: int) -> Dataset:
    return docs.map(to_windows, batched=True, batch_size=64, remove_columns=docs.column_names,
                    fn_kwargs={"tokenizer": tokenizer, "max_length": max_length, "overlap": overlap},
                    desc="windows")
