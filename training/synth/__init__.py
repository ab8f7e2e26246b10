"""Synthetic training documents composed from markup frames and lexicons.

Use ``training.synth.generate`` (``generate``, ``write_jsonl``, ``mask_spans``, ``check_document``);
frames and lexicons are under ``data/`` (see ``data/frames/README.md``).
"""
