"""Ingest: `POST /v1/webhooks/{source}` verifies, dedupes and queues vendor deliveries."""
