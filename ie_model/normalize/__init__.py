"""What a claim's words mean: numbers, categories, parties. Pure Python, no torch."""
