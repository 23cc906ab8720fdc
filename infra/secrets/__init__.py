"""secrets constructs."""
