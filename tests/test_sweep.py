"""Seed sweeps (several trainings of one config side by side, each in its own process) and the
`--set` overrides they pass on."""
import json

import pytest

from training.sweep import main, parse_seeds, print_table, sweep


@pytest.mark.parametrize("text,seeds", [("49-52", [49, 50, 51, 52]), ("42,43,47", [42, 43, 47]),
                                        ("42,45-47", [42, 45, 46, 47]), ("7", [7])])
def test_seed_ranges(text, seeds):
    assert parse_seeds(text) == seeds


def test_sweep_trains_every_seed_and_tables_their_dev_and_validation_scores(tmp_path, capsys):
    from ie_model.evaluation import evaluate_documents
    from ie_model.extractor import load
    from ie_model.io.gold import read_gold
    from ie_model.schema import Document

    held_out = tmp_path / "held_out.jsonl"
    held_out.write_text("".join(open("data/gold/dev_writers.jsonl").readlines()[:6]))
    result = sweep("configs/tiny.yaml", [1, 2], ["training.epochs=1"], tmp_path / "out", parallel=2,
                   validate=[held_out])
    assert result["failed"] == [] and set(result["dev"]) == set(result["validation"]) == {"seed-1", "seed-2"}
    for name, row in result["dev"].items():
        assert 0.0 <= row["claims_core"] <= 1.0 and set(row) >= {"entities", "relations", "kind_accuracy"}
        config = json.loads((tmp_path / "out" / name / "config.json").read_text())
        assert config["provenance"]["config"]["training"]["seed"] == int(name.split("-")[1])
    # the validation row is the saved model's score on that file, as `ie-model evaluate` would give it
    gold = read_gold(held_out)
    preds = load(tmp_path / "out" / "seed-1").predict([d.text for d in gold])
    expected = evaluate_documents(gold, [Document(g.id, g.text, p.entities, p.relations) for g, p in zip(gold, preds)])
    assert result["validation"]["seed-1"]["claims_core"] == round(expected["claims_core"]["f1"], 4)
    cores = [result["validation"][n]["claims_core"] for n in ("seed-1", "seed-2")]
    assert result["validation_core_mean_se"][0] == pytest.approx(sum(cores) / 2, abs=1e-4)
    assert result["best"] in result["dev"]
    assert json.loads((tmp_path / "out" / "sweep.json").read_text()) == result
    print_table(result)
    table = capsys.readouterr().out
    assert "| seed-1 | dev |" in table and "| seed-2 | validation |" in table and "standard error" in table


def test_a_failed_run_is_named_and_fails_the_sweep(tmp_path, capsys):
    code = main(["--config", "configs/tiny.yaml", "--seeds", "3", "--set", "training.no_such_field=1",
                 "--out", str(tmp_path)])
    assert code == 1
    assert "failed: seed-3" in capsys.readouterr().out
    assert (tmp_path / "seed-3" / "train.log").read_text()


def test_set_overrides_a_known_field_with_a_yaml_value_and_refuses_a_misspelt_one():
    from training.train import TrainConfig

    config = TrainConfig.from_yaml("configs/default.yaml")
    config.override("training.learning_rate=0.0004")
    config.override("data.train=[a.jsonl, b.jsonl]")
    assert config.training.learning_rate == 0.0004 and config.data.train == ["a.jsonl", "b.jsonl"]
    for bad in ("training.lerning_rate=1", "trainin.seed=1", "training.seed"):
        with pytest.raises(ValueError, match="SECTION.FIELD=VALUE"):
            config.override(bad)
