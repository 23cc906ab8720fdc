"""One Logger / Tracer / Metrics setup for every function."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer

NAMESPACE = "RetailSync"

logger = Logger()
tracer = Tracer()
metrics = Metrics(namespace=NAMESPACE)
