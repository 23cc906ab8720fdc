"""Cold import of every function, a commit against the working tree, interleaved in one run.

`python -m bench.cold_compare <rev> [samples]`: both sources staged as their assets hold them
(`infra/shared/bundling.py`, the commit's from a temporary `git worktree`), the same dependencies,
each function's environment from the working tree's template; for each function, `samples` fresh
interpreters of each side taken alternately, so both see the same load on a noisy machine. Prints
the medians (ms) and the sum over all functions. The probe is `bench/cold_import.py`'s import timing.
"""

from __future__ import annotations

import compileall
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.lambda_asset import (
    ROOT,
    asset_python,
    lambda_environment,
    synthesized_resources,
    template_functions,
)
from infra.shared.bundling import copy_sources

_PROBE = (
    "import time\n_w = time.perf_counter()\nimport importlib, sys\n"
    "_module, _, _attribute = sys.argv[4].rpartition('.')\n"
    "getattr(importlib.import_module(_module), _attribute)\n"
    "print((time.perf_counter() - _w) * 1000)\n"
)


def _import_ms(asset: Path, handler: str, env: dict[str, str]) -> float:
    result = asset_python(asset, _PROBE, env, [handler])
    if result.returncode != 0:
        raise RuntimeError(f"{handler} failed to import from {asset}: {result.stderr[-1500:]}")
    return float(result.stdout.split()[-1])


def compare(rev: str, samples: int = 5) -> dict[str, tuple[float, float]]:
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        subprocess.run(["git", "worktree", "add", "--detach", str(base / "rev"), rev], cwd=ROOT, check=True)
        try:
            for side, root in (("before", base / "rev"), ("after", ROOT)):
                copy_sources(root, base / f"asset-{side}")
                compileall.compile_dir(base / f"asset-{side}", quiet=1)
            functions = template_functions(synthesized_resources(base / "cdk.out"))
            results: dict[str, tuple[float, float]] = {}
            for logical_id, function in functions.items():
                handler, env = function["Properties"]["Handler"], lambda_environment(function)
                before, after = [], []
                for _ in range(samples):
                    before.append(_import_ms(base / "asset-before", handler, env))
                    after.append(_import_ms(base / "asset-after", handler, env))
                results[logical_id] = (statistics.median(before), statistics.median(after))
                print(f"{logical_id:36s} {rev[:10]} {results[logical_id][0]:6.0f}  now {results[logical_id][1]:6.0f}")
            total_before = sum(b for b, _ in results.values())
            total_after = sum(a for _, a in results.values())
            print(f"{'sum of all functions':36s} {rev[:10]} {total_before:6.0f}  now {total_after:6.0f}")
            return results
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(base / "rev")], cwd=ROOT, check=False)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit("usage: python -m bench.cold_compare <rev> [samples]")
    figures = compare(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 5)
    (ROOT / ".build").mkdir(exist_ok=True)
    (ROOT / ".build" / "cold_compare.json").write_text(json.dumps(figures, indent=2))
