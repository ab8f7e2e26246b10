from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED_JSONL = ROOT / "data" / "examples" / "seed_article.jsonl"
SEED_MARKUP = ROOT / "data" / "examples" / "seed_article.markup"


@pytest.fixture(scope="session")
def seed_doc():
    from ie_model.io.gold import read_gold

    return read_gold(SEED_JSONL)[0]
