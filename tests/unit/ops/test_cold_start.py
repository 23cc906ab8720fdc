"""What the ops API imports at cold start (issue 7: within 150 ms, `make bench`): the resolver and
its routes, not the models, stores or AWS SDK a route imports when it first runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from functions.ops.handlers.api import app

REPO = Path(__file__).resolve().parents[3]
NOT_AT_IMPORT = ("pydantic", "boto3", "botocore.session", "functions.orders", "functions.reconciliation")


def test_importing_the_handler_loads_no_models_stores_or_aws_sdk() -> None:
    probe = "import functions.ops.handlers.api, sys, json; print(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=REPO)
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert [name for name in loaded if name.startswith(NOT_AT_IMPORT)] == []


def test_the_area_routers_together_serve_every_ops_route_once() -> None:
    routes = [(route.method, route.path) for route in app._static_routes + app._dynamic_routes]
    assert sorted(routes) == sorted(
        [
            ("GET", "/v1/ops/transactions/<correlation_id>"),
            ("GET", "/v1/ops/find"),
            ("GET", "/v1/ops/orders/<channel>/<channel_order_id>"),
            ("POST", "/v1/ops/parked/orders/replay"),
            ("POST", "/v1/ops/orders/<channel>/<channel_order_id>/release"),
            ("POST", "/v1/ops/orders/<channel>/<channel_order_id>/cancel"),
            ("GET", "/v1/ops/inventory/<sku>"),
            ("GET", "/v1/ops/allocation-rules"),
            ("PUT", "/v1/ops/allocation-rules"),
            ("GET", "/v1/ops/allocation-rules/<sku>"),
            ("PUT", "/v1/ops/allocation-rules/<sku>"),
            ("PUT", "/v1/ops/listings/<sku>"),
            ("POST", "/v1/ops/reconciliations/<kind>"),
            ("GET", "/v1/ops/reconciliations/<kind>"),
            ("GET", "/v1/ops/reconciliations/<kind>/<run_id>"),
            ("POST", "/v1/ops/dlq/<queue>/redrive"),
            ("GET", "/v1/ops/audit"),
            ("GET", "/v1/ops/exceptions"),
            ("POST", "/v1/ops/exceptions/<exception_id>/resolve"),
            ("POST", "/v1/ops/exceptions/<exception_id>/retry"),
            ("GET", "/v1/ops/returns/<source>/<source_return_id>"),
            ("GET", "/v1/openapi.json"),
        ]
    )
