"""The local stack: the synthesized template deployed into moto, handlers in-process (see README.md)."""
