"""``python -m local.sandboxes``: serves the sandboxes until Ctrl-C and prints their URLs.

The base port is ``RETAIL_SYNC_SANDBOX_BASE_PORT`` (default 3100); each sandbox sits at its offset in
``PORT_OFFSETS`` (erp +1, marketplace +2, square +3, amazon +4, shopify +5, zalando +6, ebay +8);
0 picks free ports.
"""

from __future__ import annotations

import os
import signal
import sys
import threading

from local.sandboxes import DEFAULT_BASE_PORT, start_sandboxes


def main() -> int:
    base_port = int(os.environ.get("RETAIL_SYNC_SANDBOX_BASE_PORT", DEFAULT_BASE_PORT))
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    sandboxes = start_sandboxes("127.0.0.1", base_port)
    try:
        for name, url in sandboxes.urls.items():
            sys.stdout.write(f"{name:<12} {url}  (admin: {url}/__admin/requests)\n")
        sys.stdout.write("sandboxes ready; Ctrl-C stops them\n")
        sys.stdout.flush()
        stopping.wait()
    finally:
        sandboxes.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
