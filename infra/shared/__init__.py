"""shared constructs."""
