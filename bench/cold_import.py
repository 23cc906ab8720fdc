"""Cold import of every function of the template, as its Lambda asset imports it.

For each function (its Handler string, from the synthesized template): a fresh interpreter that
sees only the asset (`bench/lambda_asset.py`), the function's environment, the handler module
imported and the handler attribute resolved, timed inside the interpreter (wall and CPU); then, in
the same interpreter, what the first request adds that the import leaves out (boto3 and the first
AWS client, created lazily by `shared.adapters.aws`). Median
of several interpreters, bytecode compiled beforehand (Lambda loads the asset's `.pyc` from its
own cache after the first cold start too; the deployed asset is `--no-compile`, so a first-ever
start adds compilation). The same run times a bare interpreter (`pass`, same flags) so figures
from noisy machines can be compared as a ratio.
"""

from __future__ import annotations

import compileall
import json
import statistics
import tempfile
from pathlib import Path
from typing import Any

from bench.lambda_asset import (
    asset_python,
    lambda_environment,
    stage_sources,
    synthesized_resources,
    template_functions,
)

_CLOCKS = "import time\n_w, _c = time.perf_counter(), time.process_time()\n"
_PROBE = _CLOCKS + (
    "import importlib, sys\n"
    "_module, _, _attribute = sys.argv[4].rpartition('.')\n"
    "getattr(importlib.import_module(_module), _attribute)\n"
    "_figures = [(time.perf_counter() - _w) * 1000, (time.process_time() - _c) * 1000]\n"
    # What the first request adds that the import left out: boto3 and the first AWS client (no call).
    "_w = time.perf_counter()\n"
    "from shared.adapters.aws import client\n"
    "import boto3.dynamodb.types\n"
    "client('dynamodb')\n"
    "_figures.append((time.perf_counter() - _w) * 1000)\n"
    "import json\n"
    "print(json.dumps(_figures))\n"
)
# The bare interpreter: how long it takes to start and exit doing nothing, timed from outside.
_BARE = "pass\n"


def _sample(asset: Path, code: str, env: dict[str, str], args: list[str]) -> tuple[float, float, float]:
    result = asset_python(asset, code, env, args)
    if result.returncode != 0:
        raise RuntimeError(f"cold import failed for {args}: {result.stderr[-2000:]}")
    wall, cpu, first_client = json.loads(result.stdout.strip().splitlines()[-1])
    return float(wall), float(cpu), float(first_client)


def _bare_ms(asset: Path, env: dict[str, str]) -> float:
    import time

    start = time.perf_counter()
    result = asset_python(asset, _BARE, env)
    if result.returncode != 0:
        raise RuntimeError(result.stderr)
    return (time.perf_counter() - start) * 1000


def measure_all(samples: int = 7, resources: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """Per function: median/min/max wall ms and median CPU ms of `samples` fresh interpreters, and
    the bare interpreter's median wall ms in the same run (the ratio's denominator)."""
    with tempfile.TemporaryDirectory() as tmp:
        if resources is None:
            resources = synthesized_resources(Path(tmp) / "cdk.out")
        functions = template_functions(resources)
        asset = stage_sources(Path(tmp) / "asset")
        compileall.compile_dir(asset, quiet=1)
        env = {"AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1", "PATH": "/usr/bin:/bin"}
        bare = [_bare_ms(asset, env) for _ in range(samples)]
        results: dict[str, Any] = {"bare_interpreter_ms": statistics.median(bare), "functions": {}}
        for logical_id, function in functions.items():
            handler = function["Properties"]["Handler"]
            environment = lambda_environment(function)
            _sample(asset, _PROBE, environment, [handler])  # compile what the asset does not ship compiled
            runs = [_sample(asset, _PROBE, environment, [handler]) for _ in range(samples)]
            walls, cpus, first = zip(*runs, strict=True)
            median = statistics.median(walls)
            results["functions"][logical_id] = {
                "handler": handler,
                "median_ms": median,
                "min_ms": min(walls),
                "max_ms": max(walls),
                "cpu_median_ms": statistics.median(cpus),
                "ratio_to_bare": median / results["bare_interpreter_ms"],
                # Paid by the first request instead: importing boto3 and building the first client.
                "first_aws_client_ms": statistics.median(first),
            }
        return results
