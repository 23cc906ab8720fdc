"""I/O behind the ingest ports: SQS + S3 claim check, secrets, delivery dedupe, trace."""
