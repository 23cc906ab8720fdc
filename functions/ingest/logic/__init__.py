"""Ingest decisions: the acceptance pipeline, with its ports."""
