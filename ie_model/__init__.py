"""ie_model: structured, normalised conflict claims from news text.

    >>> from ie_model import parse_quantity
    >>> parse_quantity("more than 4,500").approx
    'more_than'

The heavy parts (torch, transformers) load only when a model is used.
"""
from ie_model.normalize.quantity import Quantity, parse_quantity
from ie_model.schema import Claim, Document, Entity, Relation, Result

__version__ = "0.1.0"
__all__ = ["Claim", "Document", "Entity", "Extractor", "Quantity", "Relation", "Result", "load", "parse_quantity",
           "to_dataframe", "__version__"]


def __getattr__(name: str):
    # torch and transformers load on first use of the model, not on `import ie_model`.
    if name in ("load", "Extractor"):
        from ie_model import extractor

        return getattr(extractor, name)
    if name == "to_dataframe":
        from ie_model.frames import to_dataframe

        return to_dataframe
    raise AttributeError(f"module 'ie_model' has no attribute {name!r}")
