"""Foundations every stage uses: problems (errors a user reads), the one rule for text, input limits, YAML output."""
