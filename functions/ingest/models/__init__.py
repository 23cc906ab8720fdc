"""Ingest settings and response models."""
