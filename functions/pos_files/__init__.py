"""Franchise stores' nightly POS CSV files: S3 object created -> SQS -> parse -> one store-sale
envelope per transaction on the orders queue, replay-safe (see ``logic/import_file.py``)."""
