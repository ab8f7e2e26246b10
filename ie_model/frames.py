"""Results as a pandas DataFrame: one row per claim (documents without claims keep one row)."""
from __future__ import annotations

from collections.abc import Iterable

from ie_model.io.writers import CLAIM_COLUMNS, rows_of
from ie_model.schema import Result


def to_dataframe(results: Iterable[Result]):
    import pandas as pd

    rows = [row for i, r in enumerate(results) for row in rows_of(i, r)]
    return pd.DataFrame(rows, columns=list(CLAIM_COLUMNS))
