"""`make fuzz`: boot the local stack on free ports, send generated requests, check every answer.

    python -m tests.fuzz [--requests 10000] [--seed N]

Prints the request count, the answers by status and by kind, and every contract breach found;
exits 1 on any breach (a 5xx, an error body off the contract, a refused request that left a write
behind, a tampered or stale signature accepted).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings

from local.config import LocalConfig
from local.stack import LocalStack
from tests.fuzz.engine import replay_every_source, run


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz")
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "CRITICAL")
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    config = LocalConfig(api_port=0, aws_port=0, sandbox_base_port=0, schedules=False, quiet=True)
    started = time.monotonic()
    with LocalStack(config) as stack:
        problems = replay_every_source(stack.api_url)
        tally = run(stack.api_url, args.requests, seed=args.seed)
    problems += tally.failures
    print(f"fuzz: {tally.summary()} in {time.monotonic() - started:.0f} s")
    for problem in problems[:50]:
        print(f"  BREACH {problem}")
    if len(problems) > 50:
        print(f"  ... and {len(problems) - 50} more")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
