"""Entry points (thin)."""
