"""Reproducible benchmarks and their synthetic-organisation generators (see README.md)."""
