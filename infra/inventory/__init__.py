"""inventory constructs."""
