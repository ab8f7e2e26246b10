"""ClaimConfig: everything needed to rebuild the model offline, label maps included."""
from __future__ import annotations

from transformers import PretrainedConfig

from ie_model.encode import BIO_LABELS, NUM_SHAPES, RELATION_CLASSES
from ie_model.schema import ENTITY_LABELS, KINDS


class ClaimConfig(PretrainedConfig):
    """The base encoder's own config is embedded (``encoder``), so a saved model needs neither
    the network nor the base model's folder to load."""

    model_type = "ie_claim"

    def __init__(self, encoder: dict | None = None, base_encoder: str | None = None,
                 span_dim: int = 256, pair_hidden: int = 256, dropout: float = 0.1,
                 window_length: int = 256, overlap: int = 64, count_between: bool = False,
                 provenance: dict | None = None, **kwargs):
        kwargs.setdefault("id2label", dict(enumerate(BIO_LABELS)))
        kwargs.setdefault("label2id", {t: i for i, t in enumerate(BIO_LABELS)})
        super().__init__(**kwargs)
        self.encoder = encoder or {}
        self.base_encoder = base_encoder
        self.entity_labels = list(ENTITY_LABELS)
        self.relation_labels = list(RELATION_CLASSES)
        self.kinds = list(KINDS)
        self.num_shapes = NUM_SHAPES
        self.span_dim = span_dim
        self.pair_hidden = pair_hidden
        self.dropout = dropout
        self.window_length = window_length
        self.overlap = overlap
        # The relation head also sees how many quantities, and how many spans of the tail's label, lie
        # between the pair. False in folders saved before it existed, which lack those embeddings.
        self.count_between = count_between
        self.provenance = provenance or {}      # the training config and data hash, for provenance
