"""observability constructs."""
