"""orders constructs."""
