"""The Hugging Face model: ClaimConfig and ClaimModel."""
from ie_model.modeling.config import ClaimConfig
from ie_model.modeling.model import ClaimModel

__all__ = ["ClaimConfig", "ClaimModel"]
