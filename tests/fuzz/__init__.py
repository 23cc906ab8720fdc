"""Fuzzing the public routes over HTTP (`make fuzz`; a sample in `make test`)."""
