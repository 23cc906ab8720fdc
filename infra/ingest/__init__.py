"""ingest constructs."""
