"""ie_model: structured, normalised conflict claims from news text.

    >>> from ie_model import parse_quantity
    >>> parse_quantity("more than 4,500").approx
    'more_than'

The heavy parts (torch, transformers) load only when a model is used.
"""
from ie_model.normalize.quantity import Quantity, parse_quantity
from ie_model.schema import Claim, Document, Entity, Relation, Result

__version__ = "0.1.0"
__all__ = ["Claim", "Document", "Entity", "Quantity", "Relation", "Result", "parse_quantity", "__version__"]
