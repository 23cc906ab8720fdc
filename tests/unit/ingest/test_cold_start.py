"""What the webhook edge imports at cold start (issue 7: ingest within 100 ms, `make bench`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
# Each costs tens of ms of cold start, and no request needs it before it reaches its channel.
# (Powertools imports the `botocore` package itself, a few hundred microseconds, for its user agent.)
NOT_AT_IMPORT = ("pydantic", "aws_lambda_powertools.event_handler", "boto3", "botocore.session", "shared.models.orders")


def _loaded_after(code: str) -> set[str]:
    probe = code + "\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=REPO)
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def test_importing_the_handler_loads_no_pydantic_resolver_aws_sdk_or_channel() -> None:
    loaded = _loaded_after("import functions.ingest.handlers.webhook")
    assert not {name for name in loaded if name.startswith(NOT_AT_IMPORT)}
    assert not {name for name in loaded if name.startswith("shared.channels.") and name.count(".") == 2} - {
        "shared.channels.delivery",
        "shared.channels.registry",
    }


def test_a_path_that_is_not_a_webhook_route_is_answered_without_loading_a_channel() -> None:
    # GIVEN a cold container WHEN a path that is not a webhook route arrives
    loaded = _loaded_after(
        "import os; os.environ['POWERTOOLS_METRICS_DISABLED'] = 'true'\n"
        "from functions.ingest.handlers.webhook import lambda_handler\n"
        "from functions.ingest.adapters.memory import MemoryDedupe, MemoryPublisher, MemorySecrets\n"
        "from functions.ingest.logic.ports import IngestPorts\n"
        "from shared.adapters.trace_store import MemoryTraceStore\n"
        "ports = IngestPorts(MemorySecrets(), MemoryDedupe(), MemoryPublisher(), MemoryTraceStore())\n"
        "class Context:\n"
        "    function_name = 'f'; memory_limit_in_mb = 128; invoked_function_arn = 'arn'; aws_request_id = 'r'\n"
        "event = {'httpMethod': 'POST', 'path': '/v1/elsewhere', 'headers': {}}\n"
        "answer = lambda_handler(event, Context(), deps=ports)\n"
        "assert answer['statusCode'] == 404, answer\n"
    )
    # THEN it answers 404 without paying for any channel
    assert not {name for name in loaded if name.startswith("shared.channels.")} - {
        "shared.channels.delivery",
        "shared.channels.registry",
    }
