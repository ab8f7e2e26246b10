from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED_JSONL = ROOT / "data" / "examples" / "seed_article.jsonl"
SEED_MARKUP = ROOT / "data" / "examples" / "seed_article.markup"


@pytest.fixture(scope="session")
def seed_doc():
    from ie_model.io.gold import read_gold

    return read_gold(SEED_JSONL)[0]


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    """A model trained for one epoch on the tiny config: fast, and real in every code path."""
    from training.train import TrainConfig, train

    out = tmp_path_factory.mktemp("tiny")
    config = TrainConfig.from_yaml(ROOT / "configs" / "tiny.yaml")
    config.data.train = [str(ROOT / "data" / "gold" / "train.jsonl")]
    config.data.dev = [str(ROOT / "data" / "gold" / "dev.jsonl")]
    config.training.output_dir = str(out)
    config.training.epochs = 1
    summary = train(config)
    assert summary["train_windows"] > 0
    return out
