"""Channel adapters: one module per source (signature, delivery id, topics, normalization).

Use `shared.channels.registry.adapter_for(source)`; see `shared.channels.base` for the interface.
"""
