"""Local engine vs the Ray engine on the same corpus and machine (default model, CPU).

    python benchmarks/ray_vs_local.py [--docs 500] [--actors 2]

Uses the news-length corpus of benchmarks/throughput.py. Prints docs/s of each and checks that both give the same
claims for the same ids in the same order.
"""
from __future__ import annotations

import argparse
import json
import time

from throughput import ROOT, make_corpus


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--docs", type=int, default=500)
    p.add_argument("--actors", type=int, default=2)
    p.add_argument("--shards", type=int, default=8)
    args = p.parse_args()
    import ray

    from ie_model.engines.local import run_local
    from ie_model.engines.ray import run_ray
    from ie_model.extractor import load
    from ie_model.io.writers import without_scores

    work = ROOT / "runs" / "bench"
    work.mkdir(parents=True, exist_ok=True)
    corpus = work / f"ray-corpus-{args.docs}"
    if not corpus.exists():
        corpus.mkdir()
        make_corpus(corpus / "all.jsonl", args.docs, seed=7)
        # A file is Ray Data's unit of parallel reading: shards let every actor start at once.
        lines = (corpus / "all.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
        (corpus / "all.jsonl").unlink()
        step = -(-len(lines) // args.shards)
        for k in range(args.shards):
            (corpus / f"shard-{k:03d}.jsonl").write_text("".join(lines[k * step:(k + 1) * step]), encoding="utf-8")
    start = time.perf_counter()
    local = run_local(load(device="cpu"), [str(corpus)], work / "ray-local.jsonl", progress=False)
    local_s = time.perf_counter() - start
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    start = time.perf_counter()
    # The actors must leave part of a CPU to the reading stage, or the pipeline stalls.
    remote = run_ray([str(corpus)], work / "ray-out", num_actors=args.actors, cpus_per_actor=1.5 / args.actors)
    ray_s = time.perf_counter() - start
    ray.shutdown()
    local_records = [json.loads(line) for line in (work / "ray-local.jsonl").open()]
    ray_records = [json.loads(line) for f in sorted((work / "ray-out").glob("part-*.jsonl")) for line in f.open()]
    # Other batch neighbours (other padding) change the rounding, in bf16 enough to move a link
    # across its threshold now and then: count the documents whose claims differ (scores aside).
    assert [r["id"] for r in local_records] == [r["id"] for r in ray_records]
    differ = sum(without_scores(a["claims"]) != without_scores(b["claims"])
                 for a, b in zip(local_records, ray_records))
    print(json.dumps({"documents": args.docs, "local_docs_per_s": round(local.documents / local_s, 1),
                      "ray_docs_per_s": round(remote.documents / ray_s, 1), "ray_actors": args.actors,
                      "ray_seconds_including_startup": round(ray_s, 1), "same_ids_in_order": True,
                      "documents_with_other_claims": differ}))


if __name__ == "__main__":
    main()
