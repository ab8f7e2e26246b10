"""The Trainer with two things of ours: per-group learning rates and evaluation on dev claims."""
from __future__ import annotations

import torch
from transformers import Trainer

from ie_model.evaluation import evaluate_model, summary_line
from ie_model.extractor import Extractor
from ie_model.schema import Document


class ClaimTrainer(Trainer):
    def __init__(self, *args, dev_documents: list[Document] | None = None, tokenizer_for_eval=None,
                 head_learning_rate: float = 1e-3, **kwargs):
        super().__init__(*args, **kwargs)
        self.dev_documents = dev_documents or []
        self.tokenizer_for_eval = tokenizer_for_eval
        self.head_learning_rate = head_learning_rate

    def create_optimizer(self, model=None):
        """The pretrained encoder moves slowly; the heads and shape embeddings start from nothing."""
        if self.optimizer is None:
            model = self.model
            decay, no_decay, heads = [], [], []
            for name, p in model.named_parameters():
                if not p.requires_grad:
                    continue
                if not name.startswith("encoder."):
                    heads.append(p)
                elif p.ndim < 2:
                    no_decay.append(p)
                else:
                    decay.append(p)
            lr, wd = self.args.learning_rate, self.args.weight_decay
            self.optimizer = torch.optim.AdamW([
                {"params": decay, "lr": lr, "weight_decay": wd},
                {"params": no_decay, "lr": lr, "weight_decay": 0.0},
                {"params": heads, "lr": self.head_learning_rate, "weight_decay": wd},
            ])
        return self.optimizer

    def score_dev(self) -> dict:
        """Full pipeline on the dev documents: the scores a user would see."""
        extractor = Extractor(self.model, self.tokenizer_for_eval, device=self.args.device)
        scores = evaluate_model(extractor, self.dev_documents)
        self.model.train()
        return scores

    def evaluate(self, eval_dataset=None, ignore_keys=None, metric_key_prefix: str = "eval") -> dict:
        scores = self.score_dev()
        metrics = {f"{metric_key_prefix}_claims_core_f1": scores["claims_core"]["f1"],
                   f"{metric_key_prefix}_claims_full_f1": scores["claims_full"]["f1"],
                   f"{metric_key_prefix}_entities_f1": scores["entities"]["micro"]["f1-score"],
                   f"{metric_key_prefix}_relations_f1": scores["relations"]["micro"]["f1"],
                   f"{metric_key_prefix}_kind_accuracy": scores["kind_accuracy"]}
        print(f"\n[dev] epoch {self.state.epoch:.2f}: {summary_line(scores)}", flush=True)
        self.log(metrics)
        self.control = self.callback_handler.on_evaluate(self.args, self.state, self.control, metrics)
        return metrics
