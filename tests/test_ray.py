"""The Ray engine gives exactly the local engine's records: nothing lost, nothing duplicated."""
import json

import pytest

from ie_model.cli import main

ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'ie-model[ray]'); .ci/run installs it")


def test_ray_matches_the_local_engine(tiny_model, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    texts = [f"Russia lost {i} tanks and {i * 3} drones over the past day, Kyiv said." for i in range(1, 41)]
    for part in range(2):
        lines = [json.dumps({"id": f"p{part}-{i}", "text": t}) for i, t in enumerate(texts[part::2])]
        if part == 1:
            lines.insert(3, '{"id": "broken", "text": ')                  # an unreadable line
        (corpus / f"part{part}.jsonl").write_text("\n".join(lines) + "\n")
    local_out = tmp_path / "local.jsonl"
    # fp32: in bf16 other batch neighbours (other padding) may round a score across a threshold.
    assert main(["extract", str(corpus), "-o", str(local_out), "--model", str(tiny_model), "--device", "cpu",
                 "--quiet", "--precision", "fp32"]) == 0
    ray.init(num_cpus=2, include_dashboard=False, ignore_reinit_error=True)
    try:
        ray_out = tmp_path / "ray_out"
        assert main(["extract", str(corpus), "-o", str(ray_out), "--model", str(tiny_model), "--device", "cpu",
                     "--engine", "ray", "--actors", "2", "--cpus-per-actor", "0.5", "--batch-size", "4",
                     "--precision", "fp32"]) == 0
    finally:
        ray.shutdown()
    local = [json.loads(line) for line in local_out.read_text().splitlines()]
    remote = [json.loads(line) for f in sorted(ray_out.glob("part-*.jsonl")) for line in f.read_text().splitlines()]
    assert len(local) == 41
    assert remote == local
