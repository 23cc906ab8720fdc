"""`python -m local` (what `make local` runs): boot the local stack, print its URLs, run until Ctrl-C.

Ports: RETAIL_SYNC_PORT (API, 3000), RETAIL_SYNC_AWS_PORT (moto, 5123), RETAIL_SYNC_SANDBOX_PORT
(sandbox base, 3100). Other knobs: RETAIL_SYNC_LOCAL_VISIBILITY_SCALE, RETAIL_SYNC_LOCAL_SCHEDULES.
Once ready, the stack is seeded with the demo's starting point (local/seed.py) before the URLs
print; RETAIL_SYNC_SEED=none starts it empty.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading

import httpx

from local.config import LocalConfig
from local.seed import SEED_CHOICES, SeedError, seed_starting_point
from local.stack import LocalStack


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    for chatty in ("botocore", "boto3", "urllib3", "httpx"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    config = LocalConfig()
    if config.seed not in SEED_CHOICES:
        print(f"RETAIL_SYNC_SEED={config.seed!r}: expected one of {', '.join(SEED_CHOICES)}", file=sys.stderr)
        return 2
    stack = LocalStack(config)
    print("==> booting the local stack", flush=True)
    with stack.hold_health("seeding"):
        try:
            stack.start(progress=lambda line: print(f"    {line}", flush=True))
        except Exception as error:
            print(f"local stack failed to start: {error}", file=sys.stderr, flush=True)
            return 1
        if not _seed(stack):
            stack.stop()
            return 1
    print(f"API         {stack.api_url}   (GET {stack.api_url}/health)")
    print(f"AWS (moto)  {stack.aws_url}")
    for name, url in sorted(stack.sandbox_urls.items()):
        print(f"{name:<11} {url}")
    print(f"Amazon partner event bus: {stack.partner_event_bus}")
    print("Ctrl-C to stop", flush=True)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    # Ctrl-C stops it even when started from a process that ignores SIGINT (a test runner's worker,
    # `nohup`): Python leaves an inherited SIG_IGN in place instead of raising KeyboardInterrupt.
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    while not stopping.wait(1.0):
        pass
    print("\n==> stopping", flush=True)
    stack.stop()
    return 0


def _seed(stack: LocalStack) -> bool:
    """The demo's starting point, unless RETAIL_SYNC_SEED=none; False if it could not be put in."""
    if stack.config.seed == "none":
        print("==> RETAIL_SYNC_SEED=none: starting empty", flush=True)
        return True
    print("==> seeding the demo's starting point (RETAIL_SYNC_SEED=none starts empty)", flush=True)
    try:
        with httpx.Client(timeout=30.0) as client:
            seeded = seed_starting_point(client, stack)
    except (SeedError, httpx.HTTPError, TimeoutError) as error:
        print(f"seeding failed: {error}", file=sys.stderr, flush=True)
        return False
    for line in seeded.lines():
        print(f"    {line}", flush=True)
    return True


if __name__ == "__main__":
    sys.exit(main())
