"""Cold import time of a handler module: a fresh interpreter per sample, median of several."""

from __future__ import annotations

import statistics
import subprocess
import sys

_PROBE = (
    "import time; t = time.perf_counter(); import {module}; "
    "print((time.perf_counter() - t) * 1000)"
)


def measure(module: str, samples: int = 7) -> dict[str, float]:
    """Milliseconds to import `module` in a fresh interpreter (bytecode already compiled)."""
    subprocess.run([sys.executable, "-c", f"import {module}"], check=True)  # warm the .pyc cache
    values = []
    for _ in range(samples):
        out = subprocess.run(
            [sys.executable, "-c", _PROBE.format(module=module)],
            check=True,
            capture_output=True,
            text=True,
            env={"AWS_DEFAULT_REGION": "us-east-1", "POWERTOOLS_SERVICE_NAME": "bench", "PATH": ""},
        )
        values.append(float(out.stdout.strip().splitlines()[-1]))
    return {"median_ms": statistics.median(values), "min_ms": min(values), "max_ms": max(values)}
