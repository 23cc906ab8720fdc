"""Cold import of every function of the template, as its Lambda asset imports it, and what its first
request then adds.

For each function (its Handler string, from the synthesized template): a fresh interpreter that sees
only the asset (`bench/lambda_asset.py`), the function's environment, the handler module imported
and the handler attribute resolved, timed inside the interpreter (wall and CPU). Then, in the same
interpreter, what the first request adds that the import left out: for ingest, the ops API and the
orders worker one representative request through the handler (`bench/first_request.py`: real
adapters, botocore's HTTP send answered in memory); for the others, boto3 and their first AWS client
(created lazily by `shared.adapters.aws`). Median of several interpreters (interleaved rounds: each
round imports every function once), bytecode compiled
beforehand (Lambda loads the asset's `.pyc` from its own cache after the first cold start too; the
deployed asset is `--no-compile`, so a first-ever start adds compilation). The same run times a bare
interpreter (`pass`, same flags) so figures from noisy machines can be compared as a ratio.
"""

from __future__ import annotations

import compileall
import json
import statistics
import tempfile
from collections.abc import Collection
from pathlib import Path
from typing import Any

from bench import first_request
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
    "_handler = getattr(importlib.import_module(_module), _attribute)\n"
    "_figures = [(time.perf_counter() - _w) * 1000, (time.process_time() - _c) * 1000]\n"
    "if len(sys.argv) > 5:\n"
    "    _figures += [None, *_first_request(_handler, sys.argv[5])]\n"
    "else:\n"
    # What the first request adds that the import left out: boto3 and the first AWS client (no call).
    "    _w = time.perf_counter()\n"
    "    from shared.adapters.aws import client\n"
    "    import boto3.dynamodb.types\n"
    "    client('dynamodb')\n"
    "    _figures += [(time.perf_counter() - _w) * 1000, None, None, None]\n"
    "import json\n"
    "print(json.dumps(_figures))\n"
)
# The bare interpreter: how long it takes to start and exit doing nothing, timed from outside.
_BARE = "pass\n"


def _sample(asset: Path, env: dict[str, str], args: list[str], status: int | None) -> list[float | None]:
    """[import wall, import CPU, first AWS client, first request wall, its CPU] of one interpreter."""
    result = asset_python(asset, first_request.RUNNER + _PROBE, env, args)
    if result.returncode != 0:
        raise RuntimeError(f"cold import failed for {args}: {result.stderr[-2000:]}")
    *figures, answered = json.loads(result.stdout.strip().splitlines()[-1])
    if answered != status:
        raise RuntimeError(f"the first request of {args[0]} answered {answered}, not {status}: {result.stdout[-2000:]}")
    return figures


def _bare_ms(asset: Path, env: dict[str, str]) -> float:
    import time

    start = time.perf_counter()
    result = asset_python(asset, _BARE, env)
    if result.returncode != 0:
        raise RuntimeError(result.stderr)
    return (time.perf_counter() - start) * 1000


def measure_all(
    samples: int = 7, resources: dict[str, dict[str, Any]] | None = None, only: Collection[str] | None = None
) -> dict[str, Any]:
    """Per function (or the logical ids in `only`): median/min/max wall ms and median CPU ms of
    `samples` fresh interpreters, what the first request adds, and the bare interpreter's median
    wall ms in the same run (the ratio's denominator)."""
    with tempfile.TemporaryDirectory() as tmp:
        if resources is None:
            resources = synthesized_resources(Path(tmp) / "cdk.out")
        functions = template_functions(resources)
        asset = stage_sources(Path(tmp) / "asset")
        compileall.compile_dir(asset, quiet=1)
        env = {"AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1", "PATH": "/usr/bin:/bin"}
        plans: dict[str, tuple[str, dict[str, str], list[str], int | None, bool]] = {}
        for logical_id, function in functions.items():
            if only is not None and logical_id not in only:
                continue
            handler = function["Properties"]["Handler"]
            environment = lambda_environment(function)
            args, status = [handler], None
            request = first_request.request_for(logical_id, Path(tmp))
            if request is not None:
                event_path, extra_env, status = request
                environment |= extra_env
                args.append(str(event_path))
            _sample(asset, environment, args, status)  # compile what the asset does not ship compiled
            plans[logical_id] = (handler, environment, args, status, request is not None)
        # Interleaved rounds: each round imports every function once (and times a bare interpreter),
        # so a stretch of contention on this shared machine costs each function one sample of its
        # median instead of all the samples of whichever function it happened to fall on.
        bare: list[float] = []
        sampled: dict[str, list[list[float | None]]] = {logical_id: [] for logical_id in plans}
        for _ in range(samples):
            bare.append(_bare_ms(asset, env))
            for logical_id, (_, environment, args, status, _) in plans.items():
                sampled[logical_id].append(_sample(asset, environment, args, status))
        results: dict[str, Any] = {"bare_interpreter_ms": statistics.median(bare), "functions": {}}
        for logical_id, (handler, _, _, _, with_request) in plans.items():
            runs = sampled[logical_id]
            walls = [float(run[0] or 0) for run in runs]
            median = statistics.median(walls)
            figures: dict[str, Any] = {
                "handler": handler,
                "median_ms": median,
                "min_ms": min(walls),
                "max_ms": max(walls),
                "cpu_median_ms": statistics.median(float(run[1] or 0) for run in runs),
                "ratio_to_bare": median / results["bare_interpreter_ms"],
            }
            if not with_request:
                # Paid by the first request instead: importing boto3 and building the first client.
                figures["first_aws_client_ms"] = statistics.median(float(run[2] or 0) for run in runs)
            else:
                figures["first_request_ms"] = statistics.median(float(run[3] or 0) for run in runs)
                figures["first_request_cpu_ms"] = statistics.median(float(run[4] or 0) for run in runs)
                figures["import_and_first_request_ms"] = statistics.median(
                    float(run[0] or 0) + float(run[3] or 0) for run in runs
                )
            results["functions"][logical_id] = figures
        return results
