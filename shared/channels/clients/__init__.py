"""HTTP clients that channel adapters use to enrich a delivery.

Imported lazily by the adapters: httpx is not on the ingest path.
"""
