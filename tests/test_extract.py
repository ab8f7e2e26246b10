"""Corpus extraction: every input gets one record in order, bad input gets its own error, resume works."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from ie_model.cli import main
from ie_model.io.corpus import CorpusOptions, read_corpus
from ie_model.io.writers import without_scores
from tests.conftest import ROOT

GOOD = "Russia lost 42 tanks and more than 1,200 troops over the past day, Kyiv said."


def _write_bytes(path, lines: list[bytes]):
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


@pytest.fixture
def messy_jsonl(tmp_path):
    return _write_bytes(tmp_path / "in.jsonl", [
        json.dumps({"id": "ok-1", "text": GOOD}).encode(),
        b'{"id": "broken", "text": "unterminated',
        json.dumps({"id": "no-text", "body": GOOD}).encode(),
        json.dumps({"id": "empty", "text": "   "}).encode(),
        '{"id": "latin1", "text": "caf\xe9 lost 3 tanks"}'.encode("latin-1"),
        json.dumps({"id": "number", "text": 42}).encode(),
        b"[1, 2]",
        json.dumps({"id": "ok-2", "text": "Hamas said it fired 30 rockets."}).encode(),
    ])


def test_reader_gives_one_record_per_line_with_reasons(messy_jsonl):
    records = list(read_corpus([messy_jsonl]))
    assert [r.id for r in records] == ["ok-1", f"{messy_jsonl}:2", "no-text", "empty", f"{messy_jsonl}:5",
                                       "number", f"{messy_jsonl}:7", "ok-2"]
    errors = {r.id: r.error for r in records}
    assert errors["ok-1"] is None and errors["ok-2"] is None
    assert "bad JSON" in errors[f"{messy_jsonl}:2"]
    assert "missing text field" in errors["no-text"]
    assert errors["empty"] == "empty text"
    assert "not UTF-8" in errors[f"{messy_jsonl}:5"]
    assert "not a string" in errors["number"]
    assert "not an object" in errors[f"{messy_jsonl}:7"]


def test_reader_limits_huge_documents(tmp_path):
    path = tmp_path / "big.jsonl"
    path.write_text(json.dumps({"id": "huge", "text": "x " * 600}) + "\n")
    (record,) = read_corpus([path], CorpusOptions(max_chars=1000))
    assert "too long" in record.error


def test_reader_formats_csv_parquet_txt_folder(tmp_path):
    import pandas as pd

    pd.DataFrame({"doc": ["c1", "c2"], "body": [GOOD, ""]}).to_csv(tmp_path / "a.csv", index=False)
    pd.DataFrame({"doc": ["p1"], "body": [GOOD]}).to_parquet(tmp_path / "b.parquet")
    folder = tmp_path / "texts"
    folder.mkdir()
    (folder / "one.txt").write_text(GOOD)
    (folder / "two.txt").write_bytes(b"\xff\xfe broken")
    (folder / "notes.md").write_text("ignored")
    options = CorpusOptions(id_field="doc", text_field="body")
    records = list(read_corpus([tmp_path / "a.csv", tmp_path / "b.parquet", folder], options))
    assert [r.id for r in records] == ["c1", "c2", "p1", str(folder / "one.txt"), str(folder / "two.txt")]
    assert [r.error is None for r in records] == [True, False, True, True, False]


def test_extract_cli_one_record_per_input_in_order(tiny_model, messy_jsonl, tmp_path, capsys):
    out = tmp_path / "claims.jsonl"
    assert main(["extract", str(messy_jsonl), "-o", str(out), "--model", str(tiny_model), "--device", "cpu",
                 "--quiet"]) == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == 8
    assert [r["id"] for r in records][0] == "ok-1" and records[-1]["id"] == "ok-2"
    assert [r["error"] is None for r in records] == [True, False, False, False, False, False, False, True]
    assert all(set(r) == {"id", "claims", "entities", "relations", "error"} for r in records)
    err = capsys.readouterr().err
    assert "8 documents" in err and "6 errors" in err


def test_cli_and_python_api_give_the_same_claims(tiny_model, tmp_path):
    import ie_model

    texts = [GOOD, "Houthi forces launched 18 drones at ships on Tuesday, CENTCOM said."]
    inp = tmp_path / "in.jsonl"
    inp.write_text("".join(json.dumps({"id": f"d{i}", "text": t}) + "\n" for i, t in enumerate(texts)))
    out = tmp_path / "out.jsonl"
    assert main(["extract", str(inp), "-o", str(out), "--model", str(tiny_model), "--device", "cpu", "--quiet"]) == 0
    from_cli = [json.loads(line) for line in out.read_text().splitlines()]
    from_api = [r.to_dict() for r in ie_model.load(tiny_model, device="cpu").extract(
        [{"id": f"d{i}", "text": t} for i, t in enumerate(texts)])]
    assert from_cli == from_api


def test_csv_and_parquet_outputs_have_a_row_per_claim_or_document(tiny_model, messy_jsonl, tmp_path):
    import pandas as pd

    for suffix in ("csv", "parquet"):
        out = tmp_path / f"claims.{suffix}"
        assert main(["extract", str(messy_jsonl), "-o", str(out), "--model", str(tiny_model), "--device", "cpu",
                     "--quiet"]) == 0
        df = pd.read_csv(out) if suffix == "csv" else pd.read_parquet(out)
        assert sorted(set(df["doc_index"])) == list(range(8))
        assert df.groupby("doc_index")["id"].first().tolist()[0] == "ok-1"


def test_long_document_keeps_claims_at_both_ends(tiny_model):
    """20,000 words go through ~130 windows; an oracle tagger (every number is a QUANTITY counting the
    word after it) shows that the windows cover the whole text and their merge keeps each span once,
    at its true offsets."""
    import re

    import numpy as np

    import ie_model
    from ie_model.decode import SpanGuess, WindowPrediction
    from ie_model.encode import RELATION_CLASSES

    class NumberOracle(ie_model.Extractor):
        def _predict_windows(self, windows):
            out = []
            for w in windows:
                tokens = self.tokenizer.convert_ids_to_tokens(w.input_ids)
                spans = []
                for i, t in enumerate(w.word_starts[:-1]):
                    if tokens[t].isdigit():
                        noun = w.word_starts[i + 1]
                        spans += [SpanGuess(t, t, w.offsets[t][0], w.word_end[t], "QUANTITY", 1.0),
                                  SpanGuess(noun, noun, w.offsets[noun][0], w.word_end[noun], "CATEGORY", 1.0)]
                relations = np.zeros((len(spans) // 2, len(spans), len(RELATION_CLASSES)))
                for q in range(len(spans) // 2):
                    relations[q, 2 * q + 1, RELATION_CLASSES.index("category")] = 1.0
                out.append(WindowPrediction(w, spans, np.tile([1.0, 0.0, 0.0], (len(spans) // 2, 1)), relations))
            return out

    base = ie_model.load(tiny_model, device="cpu")
    oracle = NumberOracle(base.model, base.tokenizer, device="cpu", max_length=128)
    head = "Russia lost 42 tanks and 1200 troops, Kyiv said."
    filler = " ".join(f"Residents of district {i} described a tense but quiet night." for i in range(2100))
    text = head + "\n\n" + filler + "\n\nUkraine lost 7 jets and 19 drones, Moscow said."
    assert len(text.split()) > 20000
    (result,) = oracle.extract([text])
    found = [(e.start, e.end) for e in result.entities if e.label == "QUANTITY"]
    expected = [(m.start(), m.end()) for m in re.finditer(r"\d+", text)]
    assert found == expected                       # every number once, in order, nothing lost or doubled
    claims = [c.quantity.text for c in result.claims]
    assert claims[:2] == ["42", "1200"] and claims[-2:] == ["7", "19"]


def test_resume_after_a_kill_loses_and_duplicates_nothing(tiny_model, tmp_path):
    inp = tmp_path / "in.jsonl"
    n = 1200
    inp.write_text("".join(json.dumps({"id": f"d{i}", "text": f"{GOOD} Report {i}."}) + "\n" for i in range(n)))
    out = tmp_path / "out.jsonl"
    cmd = [sys.executable, "-m", "ie_model.cli", "extract", str(inp), "-o", str(out), "--model", str(tiny_model),
           "--device", "cpu", "--quiet", "--batch-size", "8", "--chunk-size", "16"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(cmd, env=env, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and (not out.exists() or out.stat().st_size == 0):
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with out.open("ab") as f:                       # a torn last line, as a kill mid-write would leave
        f.write(b'{"id": "d999", "claims": [')
    done_before = out.read_bytes().count(b"\n")
    assert done_before < n
    subprocess.run(cmd + ["--resume"], env=env, check=True, stderr=subprocess.DEVNULL, timeout=300)
    ids = [json.loads(line)["id"] for line in out.read_text().splitlines()]
    assert ids == [f"d{i}" for i in range(n)]


def test_worker_processes_give_the_same_records_in_input_order(messy_jsonl, tmp_path):
    lines = messy_jsonl.read_bytes().splitlines()
    many = _write_bytes(tmp_path / "many.jsonl", [
        line.replace(b'"id": "', b'"id": "%d-' % k) for k in range(3) for line in lines])
    # The shipped model (not the tiny one, which finds no claims), so real claims are compared.
    common = [str(many), "--device", "cpu", "--quiet", "--chunk-size", "5"]
    assert main(["extract", *common, "-o", str(tmp_path / "one.jsonl")]) == 0
    assert main(["extract", *common, "-o", str(tmp_path / "two.jsonl"), "--workers", "2"]) == 0
    one = [without_scores(json.loads(line)) for line in (tmp_path / "one.jsonl").read_text().splitlines()]
    two = [without_scores(json.loads(line)) for line in (tmp_path / "two.jsonl").read_text().splitlines()]
    assert len(one) == 3 * len(lines) == 24
    assert [r["id"] for r in two] == [r["id"] for r in one]
    assert two == one
    assert sum(bool(r["claims"]) for r in one) == 6     # the comparison covers real claims, not only errors


def test_csv_resume_point_survives_newlines_inside_fields(tmp_path):
    """A quoted CSV field may hold newlines (ids come from user data): wherever a kill cuts the
    file, the resume point counts rows, not lines, and the file is cut back to whole documents."""
    from ie_model.io.writers import completed_documents, open_writer
    from ie_model.schema import Result

    results = [Result(id=f"doc {i}\nfrom line {i}", error=f"error\r\nnumber {i}") for i in range(5)]

    def written(n: int, path) -> bytes:
        writer = open_writer(path, "csv", append=False)
        writer.write(0, results[:n])
        writer.close()
        return path.read_bytes()

    prefixes = [written(n, tmp_path / f"{n}.csv") for n in range(6)]
    full, cut = prefixes[5], tmp_path / "cut.csv"
    for size in range(len(prefixes[0]), len(full)):
        cut.write_bytes(full[:size])
        done = completed_documents(cut, "csv")
        complete = max(n for n in range(6) if full[:size].startswith(prefixes[n]))
        assert complete - 1 <= done <= complete, size
        assert cut.read_bytes() == prefixes[done], size
