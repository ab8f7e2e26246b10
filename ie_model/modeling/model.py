"""ClaimModel: one encoder, three heads.

- a BIO tagger over tokens (decoded strictly in ``ie_model.decode``),
- a kind head on each QUANTITY span (loss / action / other),
- a relation head on every (QUANTITY, other span) pair of a window: the two spans, the mean of
  the tokens between them, their signed distance, how many sentences apart they are and (with
  ``config.count_between``) how many other quantities and spans of the tail's label lie between them.

Training uses gold spans for the span heads (teacher forcing); inference feeds the tagger's spans.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from transformers import AutoConfig, AutoModel, PreTrainedModel
from transformers.modeling_outputs import ModelOutput

from ie_model.modeling.config import ClaimConfig
from ie_model.modeling.encoders import load_encoder

IGNORE = -100
# Relation classes a tail of each entity label may take (index into config.relation_labels).
_VALID_RELATIONS = {"CATEGORY": ("none", "category"), "ACTOR": ("none", "affected", "agent"),
                    "SOURCE": ("none", "source"), "TIME": ("none", "time"), "QUANTITY": ("none",)}
_DISTANCE_EDGES = (0, 1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128)
_MAX_COUNT_BETWEEN = 3       # 0, 1, 2, 3 or more spans between a pair


def _gap_bounds(gap_from, gap_to, length):
    """Token range [lo, hi) between a pair, inside the window and never negative (a span with itself)."""
    lo = gap_from.clamp(0, length)
    return lo, torch.maximum(gap_to.clamp(0, length), lo)


@dataclass
class ClaimOutput(ModelOutput):
    loss: torch.Tensor | None = None
    tag_logits: torch.Tensor | None = None
    kind_logits: torch.Tensor | None = None
    relation_logits: torch.Tensor | None = None


class ClaimModel(PreTrainedModel):
    config_class = ClaimConfig
    base_model_prefix = "encoder"
    supports_gradient_checkpointing = True

    def __init__(self, config: ClaimConfig):
        super().__init__(config)
        enc_cfg = AutoConfig.for_model(**config.encoder)
        self.encoder = AutoModel.from_config(enc_cfg, add_pooling_layer=False)
        h, d = enc_cfg.hidden_size, config.span_dim
        n_rel, n_ent = len(config.relation_labels), len(config.entity_labels)
        self.shape_embeddings = nn.Embedding(config.num_shapes, h)
        self.dropout = nn.Dropout(config.dropout)
        self.tagger = nn.Linear(h, len(config.id2label))
        self.span_proj = nn.Linear(2 * h, d)
        self.between_proj = nn.Linear(h, d)
        self.kind_head = nn.Sequential(nn.Linear(d, d), nn.GELU(), nn.Dropout(config.dropout),
                                       nn.Linear(d, len(config.kinds)))
        self.distance_embeddings = nn.Embedding(2 * (len(_DISTANCE_EDGES) + 1), 32)
        self.sentence_embeddings = nn.Embedding(8, 16)
        self.tail_type_embeddings = nn.Embedding(n_ent, 16)
        pair_in = 4 * d + 64
        if config.count_between:
            # "their" belongs to the figure beside it, not to one two figures back: a mean over the tokens
            # between the pair blurs how many rival spans it crosses, so the head is told.
            self.quantities_between_embeddings = nn.Embedding(_MAX_COUNT_BETWEEN + 1, 16)
            self.same_label_between_embeddings = nn.Embedding(_MAX_COUNT_BETWEEN + 1, 16)
            pair_in += 32
        self.pair_head = nn.Sequential(nn.Linear(pair_in, config.pair_hidden), nn.GELU(),
                                       nn.Dropout(config.dropout), nn.Linear(config.pair_hidden, n_rel))
        # Python lists, made into tensors where used: from_pretrained builds the model on the meta
        # device, which leaves tensors made here (buffers included) without data.
        self._valid_relations = [[r in _VALID_RELATIONS[label] for r in config.relation_labels]
                                 for label in config.entity_labels]
        self.post_init()

    def _init_weights(self, module):
        super()._init_weights(module)
        if module is getattr(self, "shape_embeddings", None):
            # Zero: a fresh model starts exactly as the pretrained encoder and learns how much casing matters.
            nn.init.zeros_(module.weight)

    @classmethod
    def from_encoder(cls, encoder_path: str, **config_kwargs) -> ClaimModel:
        """A new model around pretrained encoder weights (a local folder or hub id), heads untrained."""
        enc_cfg = AutoConfig.from_pretrained(encoder_path)
        config = ClaimConfig(encoder=enc_cfg.to_dict(), base_encoder=str(encoder_path), **config_kwargs)
        model = cls(config)
        pretrained = load_encoder(str(encoder_path))
        missing, _ = model.encoder.load_state_dict(pretrained.state_dict(), strict=False)
        if missing:
            raise ValueError(f"encoder weights missing from {encoder_path}: {missing[:5]}")
        return model

    # ---- stages -------------------------------------------------------------------------

    def encode(self, input_ids, attention_mask, shape_ids) -> torch.Tensor:
        embeds = self.encoder.get_input_embeddings()(input_ids) + self.shape_embeddings(shape_ids)
        return self.encoder(inputs_embeds=embeds, attention_mask=attention_mask).last_hidden_state

    def tag(self, hidden: torch.Tensor) -> torch.Tensor:
        return self.tagger(self.dropout(hidden))

    def span_heads(self, hidden, spans, span_labels, heads, sentence_ids, paragraph_ids):
        """Kind logits of each head span and relation logits of each (head, span) pair.

        spans (B, S, 2): first/last token of each span (padding: 0, 0); span_labels (B, S): entity
        label id (padding: any); heads (B, Q): index into spans of each QUANTITY (padding: 0).
        Returns kind (B, Q, K) and relation (B, Q, S, R) logits; invalid relations are -inf-like.
        """
        b = torch.arange(hidden.size(0), device=hidden.device)[:, None]
        starts, ends = spans[..., 0], spans[..., 1]
        span_repr = self.span_proj(self.dropout(torch.cat([hidden[b, starts], hidden[b, ends]], -1)))
        head_repr = span_repr[b, heads]                                       # (B, Q, D)
        kind_logits = self.kind_head(head_repr)

        q_start, q_end = starts[b, heads][..., None], ends[b, heads][..., None]    # (B, Q, 1)
        t_start, t_end = starts[:, None, :], ends[:, None, :]                    # (B, 1, S)
        tail_after = t_start > q_start
        gap_from = torch.where(tail_after, q_end, t_end) + 1
        gap_to = torch.where(tail_after, t_start, q_start)                      # exclusive
        between = self._mean_between(hidden, gap_from, gap_to)
        distance = self._bucket(gap_to - gap_from, tail_after)
        sent = sentence_ids
        sentences_apart = (sent[b, t_start.squeeze(1)][:, None, :] - sent[b, q_start.squeeze(-1)][..., None]).abs()
        sentence_code = sentences_apart.clamp(max=3) + 4 * tail_after.long()

        q = head_repr[:, :, None, :].expand(-1, -1, spans.size(1), -1)
        t = span_repr[:, None, :, :].expand(-1, heads.size(1), -1, -1)
        features = [q, t, q * t, self.between_proj(between), self.distance_embeddings(distance),
                    self.sentence_embeddings(sentence_code),
                    self.tail_type_embeddings(span_labels)[:, None].expand(-1, heads.size(1), -1, -1)]
        if self.config.count_between:
            quantities, same_label = self._count_between(spans, span_labels, gap_from, gap_to, hidden.size(1))
            features += [self.quantities_between_embeddings(quantities), self.same_label_between_embeddings(same_label)]
        features = torch.cat(features, -1)
        relation_logits = self.pair_head(features)
        valid = torch.tensor(self._valid_relations, device=span_labels.device)[span_labels][:, None]                     # (B, 1, S, R)
        relation_logits = relation_logits.masked_fill(~valid, -1e4)
        del paragraph_ids  # pairs across paragraphs are never candidates; kept in the signature for decoders
        return kind_logits, relation_logits

    def _mean_between(self, hidden, gap_from, gap_to):
        csum = torch.cat([torch.zeros_like(hidden[:, :1]), hidden.cumsum(1)], 1)   # (B, L+1, H)
        b = torch.arange(hidden.size(0), device=hidden.device)[:, None, None]
        lo, hi = _gap_bounds(gap_from, gap_to, hidden.size(1))
        count = (hi - lo).clamp(min=1)[..., None].to(hidden.dtype)
        return (csum[b, hi] - csum[b, lo]) / count

    def _count_between(self, spans, span_labels, gap_from, gap_to, length):
        """(B, Q, S) counts, capped, of QUANTITY spans and of spans with the tail's label that start in
        each pair's gap [gap_from, gap_to). Padding spans (token 0) count for nothing."""
        batch, n_labels = spans.size(0), len(self.config.entity_labels)
        starts = spans[..., 0]
        real = (spans[..., 1] > 0).long()
        starts_of_label = torch.zeros(batch, n_labels, length + 1, dtype=torch.long, device=spans.device)
        rows = torch.arange(batch, device=spans.device)[:, None].expand_as(starts)
        starts_of_label.index_put_((rows, span_labels, starts), real, accumulate=True)
        csum = torch.cat([torch.zeros_like(starts_of_label[..., :1]), starts_of_label.cumsum(-1)], -1)
        lo, hi = _gap_bounds(gap_from, gap_to, length)
        b = torch.arange(batch, device=spans.device)[:, None, None]

        def count(label):
            return (csum[b, label, hi] - csum[b, label, lo]).clamp(max=_MAX_COUNT_BETWEEN)

        quantity = torch.full_like(lo, self.config.entity_labels.index("QUANTITY"))
        return count(quantity), count(span_labels[:, None, :].expand_as(lo))

    def _bucket(self, gap, tail_after):
        bucket = torch.bucketize(gap.clamp(min=0), torch.tensor(_DISTANCE_EDGES, device=gap.device))
        return bucket + (len(_DISTANCE_EDGES) + 1) * tail_after.long()

    # ---- training -------------------------------------------------------------------------

    def forward(self, input_ids, attention_mask, shape_ids, sentence_ids=None, paragraph_ids=None,
                tags=None, spans=None, span_labels=None, heads=None, kind_labels=None,
                relation_labels=None, **_) -> ClaimOutput:
        hidden = self.encode(input_ids, attention_mask, shape_ids)
        tag_logits = self.tag(hidden)
        out = ClaimOutput(tag_logits=tag_logits)
        if spans is None or spans.size(1) == 0 or heads is None or heads.size(1) == 0:
            if tags is not None:
                out.loss = nn.functional.cross_entropy(tag_logits.flatten(0, 1), tags.flatten(), ignore_index=IGNORE)
            return out
        kind_logits, relation_logits = self.span_heads(hidden, spans, span_labels, heads, sentence_ids, paragraph_ids)
        out.kind_logits, out.relation_logits = kind_logits, relation_logits
        if tags is not None:
            loss = nn.functional.cross_entropy(tag_logits.flatten(0, 1), tags.flatten(), ignore_index=IGNORE)
            if (kind_labels != IGNORE).any():
                loss = loss + nn.functional.cross_entropy(kind_logits.flatten(0, 1), kind_labels.flatten(),
                                                          ignore_index=IGNORE)
            if (relation_labels != IGNORE).any():
                loss = loss + nn.functional.cross_entropy(relation_logits.flatten(0, 2), relation_labels.flatten(),
                                                          ignore_index=IGNORE)
            out.loss = loss
        return out
