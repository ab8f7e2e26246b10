"""The Hugging Face model: ClaimConfig and ClaimModel, registered with the Auto classes so that
``AutoConfig``/``AutoModel.from_pretrained(folder)`` work once ``ie_model`` is imported."""
from transformers import AutoConfig, AutoModel

from ie_model.modeling.config import ClaimConfig
from ie_model.modeling.model import ClaimModel

AutoConfig.register(ClaimConfig.model_type, ClaimConfig, exist_ok=True)
AutoModel.register(ClaimConfig, ClaimModel, exist_ok=True)

__all__ = ["ClaimConfig", "ClaimModel"]
