"""ops constructs."""
