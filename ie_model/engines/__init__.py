"""How a corpus is run: locally (streaming, progress, resume) or on Ray."""
