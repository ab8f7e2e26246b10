"""`ie-model ...`: parses arguments and calls one library function per command."""
from __future__ import annotations

import argparse
import functools
import json
import sys
from pathlib import Path

# ie_model.extractor.PRECISIONS, spelled out so that --help does not import torch (a test keeps them equal).
PRECISIONS_FOR_HELP = ("auto", "fp32", "bf16", "fp16")


def _cmd_validate(args: argparse.Namespace) -> int:
    from ie_model.io.gold import GoldError, check_document, iter_gold

    total = 0
    for path in args.files:
        try:
            for doc in iter_gold(path):
                total += 1
                problems = check_document(doc)
                if problems:
                    print(f"{path}: document {doc.id}: {len(problems)} problem(s)", file=sys.stderr)
                    for p in problems:
                        print(f"  - {p}", file=sys.stderr)
                    return 1
        except (GoldError, ValueError) as e:
            print(f"{path}: {e}", file=sys.stderr)
            return 1
    print(f"{total} documents in {len(args.files)} file(s): all valid")
    return 0


def _cmd_stats(args: argparse.Namespace) -> int:
    from ie_model.io.gold import read_gold
    from training.corpus import corpus_stats

    stats = corpus_stats(read_gold(args.files, validate=False)).to_dict()
    print(json.dumps(stats, indent=2, ensure_ascii=False))
    return 0


def _cmd_synth(args: argparse.Namespace) -> int:
    from training.synth.generate import write_jsonl

    n = write_jsonl(args.n, args.seed, args.output)
    print(f"wrote {n} generated documents to {args.output}", file=sys.stderr)
    return 0


def _cmd_build_gold(args: argparse.Namespace) -> int:
    from training.corpus import build_splits

    counts = build_splits(args.src, args.output)
    print(", ".join(f"{name}: {n} documents" for name, n in counts.items()))
    return 0


def _cmd_assemble(args: argparse.Namespace) -> int:
    from ie_model.assemble import assemble
    from ie_model.io.gold import read_gold
    from ie_model.io.table import claims_table
    from ie_model.schema import Result

    docs = read_gold(args.files)
    results = [Result(id=d.id, claims=assemble(d), entities=d.entities, relations=d.relations) for d in docs]
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            for r in results:
                f.write(json.dumps(r.to_dict(), ensure_ascii=False) + "\n")
        print(f"wrote {sum(len(r.claims) for r in results)} claims of {len(results)} documents to {args.output}",
              file=sys.stderr)
    elif args.jsonl:
        for r in results:
            print(json.dumps(r.to_dict(), ensure_ascii=False))
    else:
        for r in results:
            print(f"== {r.id}: {len(r.claims)} claims")
            print(claims_table(r.claims))
    return 0


def _cmd_train(args: argparse.Namespace) -> int:
    from training.train import TrainConfig, train

    try:
        config = TrainConfig.from_yaml(args.config)
        for assignment in args.set or []:
            config.override(assignment)
    except (TypeError, ValueError) as e:        # unknown sections or fields, in the file or in --set
        print(f"ie-model train: {e}", file=sys.stderr)
        return 2
    summary = train(config, config_path=str(args.config))
    print(json.dumps(summary, indent=2))
    return 0


def _models(paths: list[Path] | None) -> Path | list[Path] | None:
    """--model given once: that folder; several times: an ensemble; never: the default model."""
    if paths and len(paths) > 1:
        return paths
    return paths[0] if paths else None


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from ie_model.evaluation import evaluate_model, summary_line
    from ie_model.extractor import load
    from ie_model.io.gold import read_gold

    gold = read_gold(args.files)
    extractor = load(_models(args.model), device=args.device, quantize="int8" if args.int8 else None,
                     precision=args.precision)
    scores = evaluate_model(extractor, gold, batch_size=args.batch_size)
    print(json.dumps(scores, indent=2))
    print(summary_line(scores), file=sys.stderr)
    if args.output:
        Path(args.output).write_text(json.dumps(scores, indent=2))
    return 0


def _cmd_extract(args: argparse.Namespace) -> int:
    from ie_model.engines.local import run_local
    from ie_model.extractor import load
    from ie_model.io.corpus import CorpusOptions

    options = CorpusOptions(id_field=args.id_field, text_field=args.text_field, max_chars=args.max_chars)
    if args.engine == "ray":
        from ie_model.engines.ray import run_ray

        summary = run_ray(args.inputs, args.output, _models(args.model), options, address=args.address,
                          num_actors=args.actors, num_gpus_per_actor=args.gpus_per_actor,
                          cpus_per_actor=args.cpus_per_actor, batch_size=args.batch_size,
                          device=args.device, fmt=args.format or "jsonl", precision=args.precision)
        print(summary.line(), file=sys.stderr)
        return 0
    if args.workers > 1 and args.device.startswith("cuda"):
        raise SystemExit("--workers is for CPU runs: on a GPU one process keeps the device busy")
    device = "cpu" if args.workers > 1 else args.device
    make_extractor = functools.partial(load, _models(args.model), device=device, batch_size=args.batch_size,
                                       max_length=args.max_length, quantize="int8" if args.int8 else None,
                                       precision=args.precision)
    summary = run_local(make_extractor, args.inputs, args.output, options, fmt=args.format, resume=args.resume,
                        chunk_size=args.chunk_size, progress=not args.quiet, workers=args.workers)
    print(summary.line(), file=sys.stderr)
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    import time

    from ie_model.extractor import load
    from ie_model.io.gold import read_gold
    from ie_model.io.table import claims_table

    t0 = time.perf_counter()
    extractor = load(args.model, device=args.device)
    docs = read_gold(args.file, validate=False)
    for result in extractor.extract([{"id": d.id, "text": d.text} for d in docs]):
        print(f"== {result.id}: {len(result.claims)} claims (model: {args.model or 'default'})")
        print(claims_table(result.claims))
    print(f"({time.perf_counter() - t0:.1f}s, model load included)", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ie-model", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    data = sub.add_parser("data", help="gold and generated training data").add_subparsers(dest="data_command",
                                                                                        required=True)
    p = data.add_parser("validate", help="check gold files (.jsonl or .markup); exit 1 on the first bad document")
    p.add_argument("files", nargs="+", type=Path)
    p.set_defaults(func=_cmd_validate)
    p = data.add_parser("stats", help="counts by label, kind, category, conflict; distinct frames")
    p.add_argument("files", nargs="+", type=Path)
    p.set_defaults(func=_cmd_stats)
    p = data.add_parser("synth", help="generate annotated documents from the grammar")
    p.add_argument("--n", type=int, required=True)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("-o", "--output", type=Path, required=True)
    p.set_defaults(func=_cmd_synth)
    p = data.add_parser("build-gold", help="markup sources -> train/dev/test JSONL")
    p.add_argument("src", type=Path)
    p.add_argument("-o", "--output", type=Path, required=True)
    p.set_defaults(func=_cmd_build_gold)

    p = sub.add_parser("assemble", help="gold annotations -> claims (no model)")
    p.add_argument("files", nargs="+", type=Path)
    p.add_argument("-o", "--output", type=Path, help="write claims as JSONL (default: print a table)")
    p.add_argument("--jsonl", action="store_true", help="print JSONL instead of a table")
    p.add_argument("--table", action="store_true", help="print a table (the default without -o)")
    p.set_defaults(func=_cmd_assemble)

    p = sub.add_parser("extract", help="claims from a corpus: JSONL, CSV, Parquet, .txt files, folders, '-' (stdin)")
    p.add_argument("inputs", nargs="+", help="files, folders or - for JSONL on standard input")
    p.add_argument("-o", "--output", type=Path, required=True,
                   help=".jsonl (default), .csv or .parquet; a folder with --engine ray")
    p.add_argument("--format", choices=("jsonl", "csv", "parquet"), help="output format (default: by suffix)")
    p.add_argument("--model", type=Path, action="append", default=None,
                   help="model folder (default: the default model); repeat it for an ensemble of models trained alike")
    p.add_argument("--device", default="auto", help="cpu, cuda, cuda:N or auto")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--max-length", type=int, default=None, help="tokens per window (default: the model's)")
    p.add_argument("--int8", action="store_true", help="CPU: int8 encoder (dynamic quantization, within 1 point)")
    p.add_argument("--precision", choices=PRECISIONS_FOR_HELP, default="auto",
                   help="auto: bf16 on CUDA and on CPUs with native bf16 (AVX512-BF16/AMX), else fp32")
    p.add_argument("--id-field", default="id")
    p.add_argument("--text-field", default="text")
    p.add_argument("--max-chars", type=int, default=2_000_000, help="longer documents get an error record")
    p.add_argument("--chunk-size", type=int, default=512,
                   help="documents read ahead and sorted by length together (memory grows with it)")
    p.add_argument("--resume", action="store_true", help="continue an interrupted run into the same output")
    p.add_argument("--workers", type=int, default=1,
                   help="CPU: model processes sharing the cores (2 on 2 cores: +14%% docs/s, 2x memory)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--engine", choices=("local", "ray"), default="local",
                   help="ray: Ray Data over a cluster; OUTPUT is then a folder of part files")
    p.add_argument("--address", help="Ray cluster to join (default: start a local one)")
    p.add_argument("--actors", type=int, help="Ray: model replicas (default: one per GPU, else CPUs/2)")
    p.add_argument("--gpus-per-actor", type=float, default=0.0, help="Ray: GPUs per model replica")
    p.add_argument("--cpus-per-actor", type=float, default=1.0, help="Ray: CPUs reserved per model replica")
    p.set_defaults(func=_cmd_extract)

    p = sub.add_parser("demo", help="print the claims a model finds in the seed article")
    p.add_argument("--model", type=Path, default=None)
    p.add_argument("--file", type=Path, default=Path("data/examples/seed_article.jsonl"))
    p.add_argument("--device", default="auto")
    p.set_defaults(func=_cmd_demo)

    p = sub.add_parser("train", help="train a model from a YAML config")
    p.add_argument("--config", type=Path, required=True)
    p.add_argument("--set", action="append", metavar="SECTION.KEY=VALUE",
                   help="override a config value, e.g. --set training.epochs=1")
    p.set_defaults(func=_cmd_train)

    p = sub.add_parser("evaluate", help="score a model on gold files: spans, relations, claims")
    p.add_argument("files", nargs="+", type=Path)
    p.add_argument("--model", type=Path, action="append", default=None,
                   help="model folder (default: the default model); repeat it for an ensemble")
    p.add_argument("--device", default="auto")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--int8", action="store_true", help="CPU: score the int8-quantized model")
    p.add_argument("--precision", choices=PRECISIONS_FOR_HELP, default="auto")
    p.add_argument("-o", "--output", type=Path, help="also write the scores as JSON here")
    p.set_defaults(func=_cmd_evaluate)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
