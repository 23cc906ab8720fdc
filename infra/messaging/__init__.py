"""messaging constructs."""
